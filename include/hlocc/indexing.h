/// Creating, reshaping, slicing and indexing tensors, with numpy/JAX names and semantics, each
/// lowered to HLO (iota, concatenate, reverse, pad, slice, dynamic-slice, gather, scatter...).
/// Axes may be negative (counted from the end). Index tensors may have any integer dtype.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

// ---- creation

/// numpy.zeros / ones / full: `value` converted to `dtype` (like astype), broadcast to `dims`.
Tensor zeros(const std::vector<int64_t>& dims, DType dtype = DType::F32,
             Where where = Where::current());
Tensor ones(const std::vector<int64_t>& dims, DType dtype = DType::F32,
            Where where = Where::current());
Tensor full(const std::vector<int64_t>& dims, double value, DType dtype = DType::F32,
            Where where = Where::current());
Tensor zeros_like(const Tensor& x, Where where = Where::current());
Tensor ones_like(const Tensor& x, Where where = Where::current());
/// HLO iota: result[i0, ..., in] = i[axis]. `dims` needs rank >= 1; dtype is not pred.
Tensor iota(DType dtype, const std::vector<int64_t>& dims, int64_t axis = 0,
            Where where = Where::current());
/// numpy.arange: start, start + step, ... while below `stop` (above it for a negative step).
/// Each value is start + i * step computed in f64, then converted to `dtype`.
Tensor arange(double start, double stop, double step = 1, DType dtype = DType::S32,
              Where where = Where::current());

// ---- shape

/// numpy.expand_dims: a size-1 axis inserted at `axis` (in [-rank-1, rank]).
Tensor expand_dims(const Tensor& x, int64_t axis, Where where = Where::current());
/// numpy.squeeze: drops the named size-1 axes, or every size-1 axis when `axes` is empty.
/// Naming an axis whose size is not 1 is an error.
Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes = {},
               Where where = Where::current());
/// numpy.concatenate: same dtype and rank, equal dims except along `axis`.
Tensor concatenate(const std::vector<Tensor>& xs, int64_t axis = 0, Where where = Where::current());
/// numpy.stack: tensors of one shape joined along a new axis (in [-rank-1, rank]).
Tensor stack(const std::vector<Tensor>& xs, int64_t axis = 0, Where where = Where::current());
/// numpy.flip over `axes` (none: x unchanged).
Tensor reverse(const Tensor& x, const std::vector<int64_t>& axes, Where where = Where::current());

/// One axis of pad(): `low` and `high` elements at the ends (negative crops, like HLO pad),
/// `interior` elements between neighbours.
struct PadWidth {
  int64_t low = 0, high = 0, interior = 0;
};
/// HLO pad with `value` (converted to x's dtype); one PadWidth per axis.
Tensor pad(const Tensor& x, const std::vector<PadWidth>& widths, double value = 0,
           Where where = Where::current());

// ---- slicing

/// One axis of numpy basic slicing, start:stop:step. Missing start/stop mean the whole axis in
/// the step's direction; negative ones count from the end; all are clamped like Python's.
/// (Default member initializers let `{1}` or `{1, 3}` omit the rest without -Wextra warnings.)
struct Slice {
  std::optional<int64_t> start = std::nullopt, stop = std::nullopt;
  int64_t step = 1;
};
/// x[s0, s1, ...]: one Slice per leading axis; axes past the list are kept whole.
/// A negative step reverses the axis first (HLO slice strides are positive).
Tensor slice(const Tensor& x, const std::vector<Slice>& slices, Where where = Where::current());
/// HLO dynamic-slice: a box of `sizes` starting at runtime integer scalars, one per axis. Starts
/// are clamped so that the box stays inside x (XLA), never an error.
Tensor dynamic_slice(const Tensor& x, const std::vector<Tensor>& start_indices,
                     const std::vector<int64_t>& sizes, Where where = Where::current());
/// HLO dynamic-update-slice: x with the box at the (clamped) starts replaced by `update`.
Tensor dynamic_update_slice(const Tensor& x, const Tensor& update,
                            const std::vector<Tensor>& start_indices,
                            Where where = Where::current());

// ---- gather and scatter by an index tensor

/// numpy.take(x, indices, axis): result dims are x[:axis] + indices.dims + x[axis+1:]. Negative
/// indices wrap once like numpy's; indices still out of range are clamped to [0, n-1] (XLA
/// gather), where numpy would raise.
Tensor take(const Tensor& x, const Tensor& indices, int64_t axis = 0,
            Where where = Where::current());
/// numpy.take_along_axis: x and indices have one rank; along the other axes their dims broadcast
/// against each other. Indices wrap and clamp as in take().
Tensor take_along_axis(const Tensor& x, const Tensor& indices, int64_t axis,
                       Where where = Where::current());
/// numpy.add.at(x, (:, ..., :, indices), updates), returned as a new tensor: updates dims are
/// x[:axis] + indices.dims + x[axis+1:]; updates to one index accumulate. Negative indices wrap
/// once; updates still out of range are dropped (XLA scatter). On pred, adding is logical or.
Tensor scatter_add(const Tensor& x, const Tensor& indices, const Tensor& updates, int64_t axis = 0,
                   Where where = Where::current());
/// jax.nn.one_hot: result[..., i, ...] = (indices[...] == i) for i in [0, depth), the new axis at
/// `axis` of the result. Negative and out-of-range indices give all zeros.
Tensor one_hot(const Tensor& indices, int64_t depth, DType dtype = DType::F32, int64_t axis = -1,
               Where where = Where::current());

}  // namespace hlocc
