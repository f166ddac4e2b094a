/// Control flow staged into HLO: while_loop, cond, switch_, fori_loop and scan become one HLO
/// while or conditional each, so loops stay loops in the compiled program. Loop state, operands
/// and results are pytrees (pytree.h). Tensors that the functions use from the enclosing code
/// become loop state or branch operands automatically. Outside a trace they run at once, like
/// every other operation.
#pragma once

#include <functional>
#include <iterator>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "hlocc/ops.h"
#include "hlocc/pytree.h"
#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

using Tensors = std::vector<Tensor>;

namespace detail {
// The flat forms the templates below reduce to: every pytree is a list of leaves.
using FlatFn = std::function<Tensors(const Tensors&)>;
Tensors while_loop_flat(const std::function<Tensor(const Tensors&)>& cond, const FlatFn& body,
                        const Tensors& init, int64_t max_trips, const Where& where);
/// Runs branches[index] (index clamped to the valid range) on `operands`.
Tensors switch_flat(const Tensor& index, const std::vector<FlatFn>& branches,
                    const Tensors& operands, const Where& where);
/// fn(carry ++ x) returns carry ++ y; returns final carry ++ stacked ys.
Tensors scan_flat(const FlatFn& fn, size_t carry_count, const Tensors& init, const Tensors& xs,
                  const Where& where);

/// Flattens a function's result and checks that its structure is `expected`.
template <class T>
Tensors leaves_of(const T& result, const std::string& expected, const char* what,
                  const Where& where);
[[noreturn]] void throw_structure_mismatch(const char* what, const std::string& expected,
                                           const std::string& got, const Where& where);
void check_predicate(const Tensor& pred, const Where& where);
}  // namespace detail

struct WhileOptions {
  /// A promise that the loop runs at most this many trips (-1: no bound). Reverse-mode autodiff
  /// needs it when the trip count depends on data: it keeps the state of up to max_trips trips.
  int64_t max_trips = -1;
};

/// state = init; while (cond(state)) state = body(state); returns state. cond returns a pred
/// scalar; body returns a tree of the same structure, dtypes and shapes as init.
template <class Cond, class Body, class State = Tensors>
Traced<State> while_loop(const Cond& cond, const Body& body, const State& init,
                         WhileOptions options = {}, Where where = Where::current()) {
  const detail::Flattened flat = flatten(init);
  const Tensors result = detail::while_loop_flat(
      [&](const Tensors& leaves) { return Tensor(cond(unflatten(init, leaves))); },
      [&](const Tensors& leaves) {
        return detail::leaves_of(Traced<State>(body(unflatten(init, leaves))), flat.structure,
                                 "while_loop: the body", where);
      },
      flat.leaves, options.max_trips, where);
  return unflatten(init, result);
}

/// for (i = lower; i < upper; ++i) state = body(i, state); i is an s32 scalar.
template <class Body, class State = Tensors>
Traced<State> fori_loop(int32_t lower, int32_t upper, const Body& body, const State& init,
                        Where where = Where::current()) {
  using Loop = std::pair<Tensor, Traced<State>>;
  const Loop start{Tensor(HostArray::scalar<int32_t>(lower)), unflatten(init, flatten(init).leaves)};
  const Tensor upper_bound = HostArray::scalar<int32_t>(upper);
  const Tensor one = HostArray::scalar<int32_t>(1);
  return while_loop(
             [&](const Loop& s) { return less(s.first, upper_bound, where); },
             [&](const Loop& s) { return Loop{add(s.first, one, where), body(s.first, s.second)}; },
             start, {}, where)
      .second;
}

/// switch_(index, branches, operands...): runs branches[index](operands...), index an integer
/// scalar clamped to [0, branches.size() - 1] like jax.lax.switch. `branches` is a sequence of
/// callables (e.g. a std::vector<std::function<...>>) that return trees of one structure and
/// the same types.
template <class Branches, class... Operands>
auto switch_(Operand index, const Branches& branches, const Operands&... operands) {
  using Branch = std::remove_cvref_t<decltype(*std::begin(branches))>;
  using Result = std::remove_cvref_t<std::invoke_result_t<const Branch&, Traced<Operands>...>>;
  const std::tuple<const Operands&...> tree(operands...);
  const detail::Flattened flat = flatten(tree);
  std::optional<Result> result_tree;
  std::string structure;
  std::vector<detail::FlatFn> flat_branches;
  for (const auto& branch : branches) {
    flat_branches.push_back([&](const Tensors& leaves) {
      Result result = std::apply(branch, unflatten(tree, leaves));
      const std::string got = flatten(result).structure;
      if (!result_tree) {
        structure = got;
        result_tree.emplace(std::move(result));
        return flatten(*result_tree).leaves;
      }
      return detail::leaves_of(result, structure, "switch_: a branch", index.where);
    });
  }
  const Tensors out = detail::switch_flat(index.tensor, flat_branches, flat.leaves, index.where);
  return unflatten(*result_tree, out);
}

/// pred ? true_fn(operands...) : false_fn(operands...) for a pred scalar. Both branches return
/// trees of the same structure and types.
template <class TrueFn, class FalseFn, class... Operands>
auto cond(Operand pred, const TrueFn& true_fn, const FalseFn& false_fn,
          const Operands&... operands) {
  using Result = std::remove_cvref_t<std::invoke_result_t<const TrueFn&, Traced<Operands>...>>;
  using Branch = std::function<Result(const Traced<Operands>&...)>;
  detail::check_predicate(pred.tensor, pred.where);
  // A pred index selects branch 0 when false and 1 when true.
  return switch_(pred, std::vector<Branch>{Branch(false_fn), Branch(true_fn)}, operands...);
}

/// What scan returns: the final carry, and the per-step outputs stacked along a new axis 0.
template <class Carry, class Ys>
struct ScanResult {
  Carry carry;
  Ys ys;
};

/// scan(fn, init, xs): for i in [0, n): (carry, y_i) = fn(carry, x_i), where x_i is xs with
/// every leaf indexed at row i (all leaves share the leading dimension n); returns the final
/// carry and the y_i stacked along a new axis 0. fn returns a std::pair (carry, y). One HLO while
/// loop that reads and writes rows in place.
template <class Fn, class Carry, class Xs>
auto scan(const Fn& fn, const Carry& init, const Xs& xs, Where where = Where::current()) {
  using Step = std::remove_cvref_t<std::invoke_result_t<const Fn&, Traced<Carry>, Traced<Xs>>>;
  using Ys = std::remove_cvref_t<typename Step::second_type>;
  const detail::Flattened carry = flatten(init);
  const detail::Flattened rows = flatten(xs);
  std::optional<Ys> ys_tree;
  const Tensors out = detail::scan_flat(
      [&](const Tensors& leaves) {
        const auto split = leaves.begin() + static_cast<int64_t>(carry.leaves.size());
        Step step = fn(unflatten(init, Tensors(leaves.begin(), split)),
                       unflatten(xs, Tensors(split, leaves.end())));
        Tensors result = detail::leaves_of(Traced<Carry>(step.first), carry.structure,
                                           "scan: the function's carry", where);
        const Tensors ys = flatten(step.second).leaves;
        ys_tree.emplace(std::move(step.second));
        result.insert(result.end(), ys.begin(), ys.end());
        return result;
      },
      carry.leaves.size(), carry.leaves, rows.leaves, where);
  const auto split = out.begin() + static_cast<int64_t>(carry.leaves.size());
  return ScanResult<Traced<Carry>, Traced<Ys>>{unflatten(init, Tensors(out.begin(), split)),
                                               unflatten(*ys_tree, Tensors(split, out.end()))};
}

template <class T>
Tensors detail::leaves_of(const T& result, const std::string& expected, const char* what,
                          const Where& where) {
  Flattened flat = flatten(result);
  if (flat.structure != expected) throw_structure_mismatch(what, expected, flat.structure, where);
  return std::move(flat.leaves);
}

}  // namespace hlocc
