/// Sorting along an axis with numpy's order (NaNs last, -0 equal to 0), stable, lowered to HLO
/// sort; argsort and top_k carry an iota of indices through the same sort.
#pragma once

#include <cstdint>
#include <utility>

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

/// x sorted along `axis`, ascending (NaNs last) or descending (NaNs first).
Tensor sort(const Tensor& x, int64_t axis = -1, bool descending = false,
            Where where = Where::current());
/// The s32 indices that sort x along `axis`; equal elements keep their original order.
Tensor argsort(const Tensor& x, int64_t axis = -1, bool descending = false,
               Where where = Where::current());
/// The k largest elements along the last axis, descending (NaN counts as largest), and their s32
/// indices (the lowest index first among equals), like jax.lax.top_k.
std::pair<Tensor, Tensor> top_k(const Tensor& x, int64_t k, Where where = Where::current());

}  // namespace hlocc
