/// Automatic differentiation of traced programs. grad, value_and_grad, vjp and jvp stage the
/// function into HLO, differentiate that HLO (reverse mode, src/autodiff/) and run or record the
/// result like any other program: they compose with jit, with control flow and with each other,
/// and gradients come back in the structure (pytree) of the arguments.
#pragma once

#include <functional>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "hlocc/control_flow.h"
#include "hlocc/pytree.h"
#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

/// Which arguments to differentiate: grad(f, Argnums<0, 2>{}).
template <size_t... I>
struct Argnums {};
/// value_and_grad(f, Argnums<0>{}, has_aux): f returns std::pair{loss, aux}.
struct HasAux {};
inline constexpr HasAux has_aux{};

/// The identity, except that no gradient flows through it.
Tensor stop_gradient(const Tensor& x, Where where = Where::current());

namespace detail {
using FlatFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
struct VjpResult {
  std::vector<Tensor> outputs;     // fn's output leaves
  std::vector<Tensor> cotangents;  // one per input leaf
};
/// Stages fn on `inputs`, differentiates it, and computes its outputs and the cotangents of the
/// inputs for the output cotangents `seeds(outputs)`. Eager or traced, like every operation.
VjpResult vjp_flat(const FlatFunction& fn, const std::vector<Tensor>& inputs,
                   const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& seeds,
                   const Where& where);
/// The seed of a scalar loss: 1 for leaf 0 (which must be an f32/f64 scalar), 0 for the rest.
std::vector<Tensor> loss_seeds(const std::vector<Tensor>& outputs, const char* what,
                               const Where& where);
std::vector<Tensor> zeros_like_all(const std::vector<Tensor>& tensors);
/// fn's outputs, staged as one op whose vjp is bwd(input leaves, output leaves, output
/// cotangent leaves) -> input cotangent leaves.
using FlatVjp = std::function<std::vector<Tensor>(
    const std::vector<Tensor>&, const std::vector<Tensor>&, const std::vector<Tensor>&)>;
/// Forward mode: fn's output leaves and their tangents for these input tangents.
std::pair<std::vector<Tensor>, std::vector<Tensor>> jvp_flat(const FlatFunction& fn,
                                                             const std::vector<Tensor>& primals,
                                                             const std::vector<Tensor>& tangents,
                                                             const Where& where);
std::vector<Tensor> custom_vjp_flat(const FlatFunction& fn, const FlatVjp& bwd,
                                    const std::vector<Tensor>& inputs, const Where& where);

// Leaf ranges of each argument in the flattened argument tuple.
template <class... Args>
std::array<size_t, sizeof...(Args) + 1> leaf_offsets(const Args&... args) {
  std::array<size_t, sizeof...(Args) + 1> offsets{};
  size_t i = 0;
  ((offsets[i + 1] = offsets[i] + flatten(args).leaves.size(), ++i), ...);
  return offsets;
}

template <size_t I, class Tree, class Offsets>
auto argument_cotangent(const Tree& tree, const Offsets& offsets, const std::vector<Tensor>& cts) {
  return unflatten(std::get<I>(tree),
                   std::vector<Tensor>(cts.begin() + static_cast<int64_t>(offsets[I]),
                                       cts.begin() + static_cast<int64_t>(offsets[I + 1])));
}

template <class Fn, bool kHasAux, size_t... I>
class ValueAndGrad {
 public:
  ValueAndGrad(Fn fn, Where where) : fn_(std::move(fn)), where_(where) {}

  template <class... Args>
  auto operator()(const Args&... args) const {
    using Output =
        std::remove_cvref_t<std::invoke_result_t<const Fn&, hlocc::Traced<Args>...>>;
    const std::tuple<const Args&...> tree(args...);
    const auto offsets = leaf_offsets(args...);
    std::optional<Output> output_tree;
    const VjpResult result = vjp_flat(
        [&](const std::vector<Tensor>& leaves) {
          Output output = std::apply(fn_, unflatten(tree, leaves));
          std::vector<Tensor> out = flatten(output).leaves;
          output_tree.emplace(std::move(output));
          return out;
        },
        flatten(tree).leaves,
        [&](const std::vector<Tensor>& outputs) {
          return loss_seeds(outputs, kHasAux ? "value_and_grad (has_aux)" : "grad", where_);
        },
        where_);
    auto value = unflatten(*output_tree, result.outputs);
    if constexpr (sizeof...(I) == 1) {
      return std::pair{std::move(value), argument_cotangent<I...>(tree, offsets, result.cotangents)};
    } else {
      return std::pair{std::move(value),
                       std::tuple{argument_cotangent<I>(tree, offsets, result.cotangents)...}};
    }
  }

 private:
  Fn fn_;
  Where where_;
};

template <class Fn, size_t... I>
class Grad {
 public:
  Grad(Fn fn, Where where) : inner_(std::move(fn), where) {}
  template <class... Args>
  auto operator()(const Args&... args) const {
    return inner_(args...).second;
  }

 private:
  ValueAndGrad<Fn, false, I...> inner_;
};
}  // namespace detail

/// grad(f)(args...): the gradient of f's scalar (f32/f64) result with respect to argument 0, in
/// that argument's structure. grad(f, Argnums<0, 2>{}) gives a std::tuple for arguments 0 and 2.
template <class Fn, size_t... I>
auto grad(Fn fn, Argnums<I...>, Where where = Where::current()) {
  return detail::Grad<Fn, I...>(std::move(fn), where);
}
template <class Fn>
auto grad(Fn fn, Where where = Where::current()) {
  return detail::Grad<Fn, 0>(std::move(fn), where);
}

/// value_and_grad(f)(args...) -> std::pair{value, gradient}. With has_aux, f returns
/// std::pair{loss, aux} and the value is that pair (the gradient is of the loss).
template <class Fn, size_t... I>
auto value_and_grad(Fn fn, Argnums<I...>, Where where = Where::current()) {
  return detail::ValueAndGrad<Fn, false, I...>(std::move(fn), where);
}
template <class Fn, size_t... I>
auto value_and_grad(Fn fn, Argnums<I...>, HasAux, Where where = Where::current()) {
  return detail::ValueAndGrad<Fn, true, I...>(std::move(fn), where);
}
template <class Fn>
auto value_and_grad(Fn fn, Where where = Where::current()) {
  return detail::ValueAndGrad<Fn, false, 0>(std::move(fn), where);
}

/// vjp(f, primals...) -> std::pair{outputs, vjp_fn}: vjp_fn(cotangent of the outputs, same
/// structure) returns a std::tuple with the cotangent of each primal.
template <class Fn, class... Primals>
auto vjp(Fn fn, const Primals&... primals) {
  using Output =
      std::remove_cvref_t<std::invoke_result_t<const Fn&, hlocc::Traced<Primals>...>>;
  auto inputs = std::tuple<hlocc::Traced<Primals>...>(
      unflatten(primals, flatten(primals).leaves)...);
  Output outputs = std::apply(fn, inputs);
  auto vjp_fn = [fn, inputs, outputs](const Output& cotangent, Where where = Where::current()) {
    const std::vector<Tensor> seeds = flatten(cotangent).leaves;
    const detail::VjpResult result = detail::vjp_flat(
        [&](const std::vector<Tensor>& leaves) {
          return flatten(std::apply(fn, unflatten(inputs, leaves))).leaves;
        },
        flatten(inputs).leaves, [&](const std::vector<Tensor>&) { return seeds; }, where);
    const auto offsets = std::apply(
        [](const auto&... args) { return detail::leaf_offsets(args...); }, inputs);
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::tuple{detail::argument_cotangent<I>(inputs, offsets, result.cotangents)...};
    }(std::index_sequence_for<Primals...>{});
  };
  return std::pair{std::move(outputs), std::move(vjp_fn)};
}

namespace detail {
template <class Fn, class Bwd>
class CustomVjp {
 public:
  CustomVjp(Fn fn, Bwd bwd, Where where) : fn_(std::move(fn)), bwd_(std::move(bwd)), where_(where) {}

  template <class... Args>
  auto operator()(const Args&... args) const {
    using Output =
        std::remove_cvref_t<std::invoke_result_t<const Fn&, hlocc::Traced<Args>...>>;
    const std::tuple<const Args&...> tree(args...);
    std::optional<Output> output_tree;
    const std::vector<Tensor> outputs = custom_vjp_flat(
        [&](const std::vector<Tensor>& leaves) {
          Output output = std::apply(fn_, unflatten(tree, leaves));
          std::vector<Tensor> out = flatten(output).leaves;
          output_tree.emplace(std::move(output));
          return out;
        },
        [&](const std::vector<Tensor>& primal_leaves, const std::vector<Tensor>& output_leaves,
            const std::vector<Tensor>& cotangent_leaves) {
          const auto primals = unflatten(tree, primal_leaves);
          const Output output = unflatten(*output_tree, output_leaves);
          const Output cotangent = unflatten(*output_tree, cotangent_leaves);
          const auto cotangents = std::apply(
              [&](const auto&... p) { return bwd_(p..., output, cotangent); }, primals);
          return leaves_of(cotangents, flatten(primals).structure,
                           "custom_vjp: the vjp function", where_);
        },
        flatten(tree).leaves, where_);
    return unflatten(*output_tree, outputs);
  }

 private:
  Fn fn_;
  Bwd bwd_;
  Where where_;
};
}  // namespace detail

/// custom_vjp(fn, bwd): a function that computes like fn, but whose reverse-mode derivative is
/// bwd(primals..., output, output_cotangent), returning a std::tuple with one cotangent per
/// primal (each in its primal's structure). For numerically better or cheaper gradients.
template <class Fn, class Bwd>
auto custom_vjp(Fn fn, Bwd bwd, Where where = Where::current()) {
  return detail::CustomVjp<Fn, Bwd>(std::move(fn), std::move(bwd), where);
}

/// jvp(f, std::tuple{primals...}, std::tuple{tangents...}) -> std::pair{outputs, tangents of the
/// outputs}: forward mode, one pass with the primal values; loops of any trip count work.
template <class Fn, class... Primals, class... Tangents>
auto jvp(Fn fn, const std::tuple<Primals...>& primals, const std::tuple<Tangents...>& tangents,
         Where where = Where::current()) {
  using Output =
      std::remove_cvref_t<std::invoke_result_t<const Fn&, hlocc::Traced<Primals>...>>;
  std::optional<Output> output_tree;
  const std::pair<std::vector<Tensor>, std::vector<Tensor>> result = detail::jvp_flat(
      [&](const std::vector<Tensor>& leaves) {
        Output output = std::apply(fn, unflatten(primals, leaves));
        std::vector<Tensor> out = flatten(output).leaves;
        output_tree.emplace(std::move(output));
        return out;
      },
      flatten(primals).leaves, flatten(tangents).leaves, where);
  return std::pair{unflatten(*output_tree, result.first),
                   unflatten(*output_tree, result.second)};
}

}  // namespace hlocc
