/// Staging whole programs: hlocc::trace runs a C++ function once on abstract values and returns
/// the HLO module it recorded; hlocc::jit does that on the first call per input signature, caches
/// the module, and runs it on concrete inputs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hlocc/tensor.h"

namespace hlocc {

namespace detail {
struct ModuleHandle;  // src/trace/trace.cc
struct JitCache;
}  // namespace detail

/// The type of one traced input.
struct TensorSpec {
  DType dtype = DType::F32;
  std::vector<int64_t> dims;
};

/// A traced, verified program.
class Module {
 public:
  explicit Module(std::shared_ptr<const detail::ModuleHandle> handle)
      : handle_(std::move(handle)) {}
  /// The program as HLO text (XLA's syntax).
  std::string to_string() const;
  int64_t instruction_count() const;
  /// Runs the program on concrete inputs (reference backend).
  std::vector<HostArray> run(const std::vector<HostArray>& args) const;
  const std::shared_ptr<const detail::ModuleHandle>& handle() const { return handle_; }

 private:
  std::shared_ptr<const detail::ModuleHandle> handle_;
};

/// A function of tensors returning tensors: the form trace and jit work on.
using TensorFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

/// Traces `fn` on abstract inputs of the given types.
Module trace_function(const TensorFunction& fn, const std::vector<TensorSpec>& inputs);

namespace detail {
/// fn(args[0], ..., args[N-1]) as a one-element vector.
template <size_t N, class Fn>
std::vector<Tensor> apply_n(const Fn& fn, const std::vector<Tensor>& args) {
  return [&]<size_t... I>(std::index_sequence<I...>) { return std::vector<Tensor>{fn(args[I]...)}; }
  (std::make_index_sequence<N>{});
}
}  // namespace detail

/// trace(f, spec...) for f taking that many Tensors and returning one Tensor.
template <class Fn, class... Specs>
Module trace(const Fn& fn, const Specs&... specs) {
  return trace_function(
      [&](const std::vector<Tensor>& args) { return detail::apply_n<sizeof...(Specs)>(fn, args); },
      {specs...});
}

/// The cache behind jit: one traced module per input signature (dtypes and shapes).
class JitCache {
 public:
  JitCache();
  /// Runs fn's module for these inputs, tracing fn first if this signature is new.
  std::vector<Tensor> call(const TensorFunction& fn, const std::vector<Tensor>& args) const;
  /// How many times a function was traced (one per distinct input signature).
  int64_t trace_count() const;

 private:
  std::shared_ptr<detail::JitCache> state_;
};

/// The result of jit(f): callable like f on concrete tensors.
template <class Fn>
class Jitted {
 public:
  explicit Jitted(Fn fn) : fn_(std::move(fn)) {}
  template <class... Args>
  Tensor operator()(const Args&... args) const {
    const TensorFunction traced = [this](const std::vector<Tensor>& in) {
      return detail::apply_n<sizeof...(Args)>(fn_, in);
    };
    return cache_.call(traced, {Tensor(args)...})[0];
  }
  int64_t trace_count() const { return cache_.trace_count(); }

 private:
  Fn fn_;
  JitCache cache_;
};

/// jit(f): f takes Tensors and returns one Tensor. Traced on the first call per input signature,
/// then served from the cache.
template <class Fn>
Jitted<Fn> jit(Fn fn) {
  return Jitted<Fn>(std::move(fn));
}

}  // namespace hlocc
