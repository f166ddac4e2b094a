/// Staging whole programs: hlocc::trace runs a C++ function once on abstract values and returns
/// the HLO module it recorded; hlocc::jit does that on the first call per input signature, caches
/// the module, and runs it on concrete inputs. Inputs and outputs are pytrees (pytree.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "hlocc/pytree.h"
#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

namespace detail {
struct ModuleHandle;  // src/trace/trace.cc
struct JitCache;
}  // namespace detail

/// A traced, verified program.
class Module {
 public:
  explicit Module(std::shared_ptr<const detail::ModuleHandle> handle)
      : handle_(std::move(handle)) {}
  /// The program as HLO text (XLA's syntax). Host constants too large to print (over
  /// kInlineConstantBytes) are parameters after the inputs; bound_arguments() holds their values.
  std::string to_string() const;
  int64_t instruction_count() const;
  /// Values for the parameters after the inputs: the large host constants the program captured.
  std::vector<HostArray> bound_arguments() const;
  /// Runs the program on concrete inputs (the flattened leaves of the traced inputs, in order),
  /// with the bound arguments appended, on the default backend (hlocc/backend.h); the compiled
  /// executable is kept with the module for later runs. `backend` ("cpu" or "reference") picks
  /// another backend than the default for this run.
  std::vector<HostArray> run(const std::vector<HostArray>& inputs,
                             const std::string& backend = "") const;
  const std::shared_ptr<const detail::ModuleHandle>& handle() const { return handle_; }

 private:
  std::shared_ptr<const detail::ModuleHandle> handle_;
};

/// Host constants up to this size are HLO constants; larger ones become parameters.
inline constexpr int64_t kInlineConstantBytes = 1024;

namespace detail {
using FlatFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
/// Traces `fn` on abstract parameters of the types of `inputs` (concrete tensors or TensorSpec
/// placeholders).
Module trace_flat(const FlatFunction& fn, const std::vector<Tensor>& inputs);
}  // namespace detail

/// trace(f, inputs...): traces f on abstract values of the inputs' types. Each input is a pytree
/// whose leaves are Tensors, HostArrays or TensorSpecs (types only); f receives the same trees
/// with Tensors at the leaves, and returns a pytree of Tensors.
template <class Fn, class... Inputs>
Module trace(const Fn& fn, const Inputs&... inputs) {
  static_assert(std::is_invocable_v<const Fn&, Traced<Inputs>...>,
                "hlocc::trace: the function cannot be called with these inputs (as Tensors)");
  const std::tuple<const Inputs&...> tree(inputs...);
  return detail::trace_flat(
      [&](const std::vector<Tensor>& leaves) {
        return flatten(std::apply(fn, unflatten(tree, leaves))).leaves;
      },
      flatten(tree).leaves);
}

/// The cache behind jit: one traced module per input signature (structure, dtypes and shapes).
class JitCache {
 public:
  /// `where`: where jit was called, named in retrace logs.
  explicit JitCache(Where where);
  /// What tracing returns: the output leaves and the output tree (to rebuild the outputs).
  using Traced = std::pair<std::vector<Tensor>, std::shared_ptr<const void>>;
  using TraceFunction = std::function<Traced(const std::vector<Tensor>&)>;
  /// Runs the module for these inputs, tracing first if their signature is new. Returns the
  /// output leaves and the output tree recorded when tracing.
  std::pair<std::vector<Tensor>, std::shared_ptr<const void>> call(
      const detail::Flattened& inputs, const TraceFunction& trace_fn) const;
  /// How many times the function was traced (one per distinct input signature).
  int64_t trace_count() const;

 private:
  std::shared_ptr<detail::JitCache> state_;
};

/// The result of jit(f): callable like f on concrete pytrees.
template <class Fn>
class Jitted {
 public:
  Jitted(Fn fn, Where where) : fn_(std::move(fn)), cache_(where) {}

  template <class... Args>
  auto operator()(const Args&... args) const {
    static_assert(std::is_invocable_v<const Fn&, hlocc::Traced<Args>...>,
                  "hlocc::jit: the function cannot be called with these arguments (as Tensors)");
    using Result = std::remove_cvref_t<std::invoke_result_t<const Fn&, hlocc::Traced<Args>...>>;
    const std::tuple<const Args&...> tree(args...);
    auto [outputs, output_tree] =
        cache_.call(flatten(tree), [&](const std::vector<Tensor>& leaves) -> JitCache::Traced {
          auto result = std::make_shared<const Result>(std::apply(fn_, unflatten(tree, leaves)));
          return {flatten(*result).leaves, result};
        });
    return unflatten(*static_cast<const Result*>(output_tree.get()), outputs);
  }
  int64_t trace_count() const { return cache_.trace_count(); }

 private:
  Fn fn_;
  JitCache cache_;
};

/// jit(f): f takes and returns pytrees of Tensors. Traced on the first call per input signature,
/// then served from the cache. HLOCC_LOG_RETRACE=1 logs each retrace and which input changed.
template <class Fn>
Jitted<Fn> jit(Fn fn, Where where = Where::current()) {
  return Jitted<Fn>(std::move(fn), where);
}

}  // namespace hlocc
