/// Control flow staged into HLO: while_loop, cond and fori_loop become one HLO while or
/// conditional each, so loops stay loops in the compiled program. Tensors that the functions use
/// from the enclosing code become loop state or branch operands automatically. Outside a trace
/// they run at once, like every other operation.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

using Tensors = std::vector<Tensor>;
using TensorsFunction = std::function<Tensors(const Tensors&)>;

/// state = init; while (cond(state)) state = body(state); returns state. cond returns a pred
/// scalar; body returns tensors of the same dtypes and shapes as init.
Tensors while_loop(const std::function<Tensor(const Tensors&)>& cond, const TensorsFunction& body,
                   const Tensors& init, Where where = Where::current());

/// pred ? true_fn(operands) : false_fn(operands) for a pred scalar; both branches must return
/// tensors of the same dtypes and shapes.
Tensors cond(const Tensor& pred, const TensorsFunction& true_fn, const TensorsFunction& false_fn,
             const Tensors& operands, Where where = Where::current());

/// for (i = lower; i < upper; ++i) state = body(i, state); i is an s32 scalar.
Tensors fori_loop(int32_t lower, int32_t upper,
                  const std::function<Tensors(const Tensor&, const Tensors&)>& body,
                  const Tensors& init, Where where = Where::current());

/// What scan returns: the final carry, and the per-step outputs stacked along a new axis 0.
struct ScanResult {
  Tensors carry;
  Tensors ys;
};
/// fn(carry, x) returns (new carry, y) for one step.
using ScanFunction =
    std::function<std::pair<Tensors, Tensors>(const Tensors& carry, const Tensors& x)>;

/// for i in [0, n): carry, y_i = fn(carry, {xs[0][i], xs[1][i], ...}); ys = stack(y_i). All xs
/// share the leading dimension n. One HLO while loop with the slices read and written in place.
ScanResult scan(const ScanFunction& fn, const Tensors& init, const Tensors& xs,
                Where where = Where::current());

}  // namespace hlocc
