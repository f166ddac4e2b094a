// Creation, shape, slicing and indexing operations (include/hlocc/indexing.h): numpy semantics
// resolved at trace time (axes, Python slice clamping, index wrapping), then one or a few HLO ops.
#include "hlocc/indexing.h"

#include <algorithm>
#include <cmath>

#include "hlocc/ops.h"
#include "trace/op_helpers.h"
#include "trace/tensor_node.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::dims_attr;
using tracing::emit;
using tracing::normalize_axis;
using tracing::throw_op_error;

std::string braced(const std::vector<int64_t>& values) {
  std::string text;
  for (int64_t v : values) text += (text.empty() ? "" : ",") + std::to_string(v);
  return "{" + text + "}";
}

// Shapes are built from user dims, and ir::Shape does not check them.
void check_dims(const char* op, DType dtype, const std::vector<int64_t>& dims, const Where& where) {
  if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 0; })) {
    throw_op_error(op, "dimensions must not be negative; got " + shape_string(dtype, dims), {},
                   where);
  }
}

Tensor filled(const char* op, const std::vector<int64_t>& dims, double value, DType dtype,
              const Where& where) {
  check_dims(op, dtype, dims, where);
  return broadcast_to(full_like_scalar(value, dtype, where), dims, where);
}

// Indices checked to be integers and widened from 8 or 16 bits to s32, so that adding an axis
// size (wrapping) or comparing with an iota up to a depth cannot overflow.
Tensor index_tensor(const Tensor& indices, const char* op, const Where& where) {
  const DType dtype = indices.dtype();
  if (!ir::is_integer(dtype)) {
    throw_op_error(op, "indices must have an integer dtype", {indices}, where,
                   "convert them with astype(indices, DType::S32)");
  }
  const bool narrow = ir::dtype_byte_size(dtype) < 4;
  return narrow ? astype(indices, DType::S32, where) : indices;
}

// numpy's wrap of negative indices into an axis of size n: i < 0 ? i + n : i.
Tensor wrap_negative(const Tensor& indices, int64_t n, const Where& where) {
  if (!ir::is_signed_int(indices.dtype())) return indices;
  const DType dtype = indices.dtype();
  const Tensor negative = less(indices, full_like_scalar(0, dtype, where), where);
  return hlocc::where(negative, add(indices, full_like_scalar(double(n), dtype, where), where),
                      indices, where);
}

// Gather and scatter index one axis `axis` of x with indices of rank `index_rank`; x's other
// axes keep their order around the index dims: the result (or updates) positions of those axes.
std::vector<int64_t> window_positions(int64_t rank, int64_t axis, int64_t index_rank) {
  std::vector<int64_t> positions;
  for (int64_t d = 0; d < rank; ++d) {
    if (d != axis) positions.push_back(d < axis ? d : d - 1 + index_rank);
  }
  return positions;
}

// x[:axis] + index_dims + x[axis+1:]
std::vector<int64_t> indexed_dims(const std::vector<int64_t>& x_dims, int64_t axis,
                                  const std::vector<int64_t>& index_dims) {
  std::vector<int64_t> dims(x_dims.begin(), x_dims.begin() + axis);
  dims.insert(dims.end(), index_dims.begin(), index_dims.end());
  dims.insert(dims.end(), x_dims.begin() + axis + 1, x_dims.end());
  return dims;
}

void check_axis_not_empty(const char* op, const Tensor& x, int64_t axis, const Tensor& indices,
                          const Where& where) {
  if (x.dims()[static_cast<size_t>(axis)] == 0 && indices.element_count() > 0) {
    throw_op_error(op, "cannot index axis " + std::to_string(axis) + " of size 0", {x, indices},
                   where);
  }
}

// The start indices of dynamic-slice and dynamic-update-slice: one integer scalar per axis of x.
// HLO needs them all of one type; mixed types are converted to s64.
std::vector<Tensor> start_operands(const char* op, const Tensor& x,
                                   const std::vector<Tensor>& start_indices, const Where& where) {
  if (static_cast<int64_t>(start_indices.size()) != x.rank()) {
    throw_op_error(op,
                   "needs one start index per axis (" + std::to_string(x.rank()) + "); got " +
                       std::to_string(start_indices.size()),
                   {x}, where);
  }
  bool mixed = false;
  for (size_t i = 0; i < start_indices.size(); ++i) {
    const Tensor& index = start_indices[i];
    if (!index.defined() || index.rank() != 0 || !ir::is_integer(index.dtype())) {
      throw_op_error(op, "start index " + std::to_string(i) + " must be an integer scalar",
                     {x, index}, where, "e.g. Tensor(HostArray::scalar<int32_t>(i))");
    }
    mixed = mixed || index.dtype() != start_indices[0].dtype();
  }
  std::vector<Tensor> operands = {x};
  for (const Tensor& index : start_indices) {
    operands.push_back(mixed ? astype(index, DType::S64, where) : index);
  }
  return operands;
}

// One axis of numpy basic slicing resolved like Python's slice.indices(n): the first index and
// how many elements, stepping by `step`.
struct AxisRange {
  int64_t start = 0;
  int64_t count = 0;
};

AxisRange resolve_slice(const Slice& s, int64_t n) {
  // Negative positions count from the end, then clamp to [0, n] going forward or [-1, n-1]
  // going backward (-1: before the first element).
  const int64_t low = s.step > 0 ? 0 : -1;
  const int64_t high = s.step > 0 ? n : n - 1;
  auto position = [&](std::optional<int64_t> value, int64_t otherwise) {
    if (!value) return otherwise;
    return std::clamp(*value < 0 ? *value + n : *value, low, high);
  };
  const int64_t start = position(s.start, s.step > 0 ? 0 : n - 1);
  const int64_t stop = position(s.stop, s.step > 0 ? n : -1);
  // 1 + (distance - 1) / |step| elements when the distance is positive; written without |step|,
  // which overflows for INT64_MIN (C++ division truncates, so p / -q == -(p / q)).
  if (s.step > 0) return {start, stop > start ? 1 + (stop - start - 1) / s.step : 0};
  return {start, start > stop ? 1 - (start - stop - 1) / s.step : 0};
}

}  // namespace

// ---- creation

Tensor zeros(const std::vector<int64_t>& dims, DType dtype, Where where) {
  return filled("zeros", dims, 0, dtype, where);
}
Tensor ones(const std::vector<int64_t>& dims, DType dtype, Where where) {
  return filled("ones", dims, 1, dtype, where);
}
Tensor full(const std::vector<int64_t>& dims, double value, DType dtype, Where where) {
  return filled("full", dims, value, dtype, where);
}
Tensor zeros_like(const Tensor& x, Where where) {
  return filled("zeros_like", x.dims(), 0, x.dtype(), where);
}
Tensor ones_like(const Tensor& x, Where where) {
  return filled("ones_like", x.dims(), 1, x.dtype(), where);
}

Tensor iota(DType dtype, const std::vector<int64_t>& dims, int64_t axis, Where where) {
  check_dims("iota", dtype, dims, where);
  const std::string got = "; got " + shape_string(dtype, dims);
  if (!ir::is_integer(dtype) && !ir::is_inexact(dtype)) {
    throw_op_error("iota", "the dtype must be an integer, floating-point or complex type" + got, {},
                   where);
  }
  const auto rank = static_cast<int64_t>(dims.size());
  if (rank == 0) throw_op_error("iota", "needs at least one dimension" + got, {}, where);
  const int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    throw_op_error("iota", "axis " + std::to_string(axis) + " is out of range" + got, {}, where,
                   "axes run from " + std::to_string(-rank) + " to " + std::to_string(rank - 1));
  }
  ir::Attributes attrs;
  attrs.set("iota_dimension", normalized);
  return emit(ir::Op::Iota, {}, std::move(attrs), ir::Shape::array(dtype, dims), where);
}

Tensor arange(double start, double stop, double step, DType dtype, Where where) {
  const std::string got = "; got start=" + std::to_string(start) + " stop=" + std::to_string(stop) +
                          " step=" + std::to_string(step);
  if (step == 0) throw_op_error("arange", "step must not be 0" + got, {}, where);
  const double count = std::ceil((stop - start) / step);
  // Beyond 2^53 consecutive integers are no longer exact in f64 (and no such array fits anyway).
  if (!std::isfinite(count) || count > 9007199254740992.0) {
    throw_op_error("arange", "the number of elements is not finite or is too large" + got, {},
                   where);
  }
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  const Tensor steps =
      multiply(iota(DType::F64, {n}, 0, where), full_like_scalar(step, DType::F64, where), where);
  return astype(add(steps, full_like_scalar(start, DType::F64, where), where), dtype, where);
}

// ---- shape

Tensor expand_dims(const Tensor& x, int64_t axis, Where where) {
  std::vector<int64_t> dims = x.dims();
  dims.insert(dims.begin() + normalize_axis(axis, x.rank() + 1, "expand_dims", x, where), 1);
  return reshape(x, dims, where);
}

Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes, Where where) {
  std::vector<bool> drop(x.dims().size(), axes.empty());
  for (int64_t axis : axes) {
    const int64_t normalized = normalize_axis(axis, x.rank(), "squeeze", x, where);
    if (x.dims()[static_cast<size_t>(normalized)] != 1) {
      throw_op_error("squeeze", "axis " + std::to_string(axis) + " does not have size 1", {x},
                     where);
    }
    drop[static_cast<size_t>(normalized)] = true;
  }
  std::vector<int64_t> dims;
  for (size_t d = 0; d < drop.size(); ++d) {
    if (!drop[d] || x.dims()[d] != 1) dims.push_back(x.dims()[d]);
  }
  return reshape(x, dims, where);
}

Tensor concatenate(const std::vector<Tensor>& xs, int64_t axis, Where where) {
  if (xs.empty()) throw_op_error("concatenate", "needs at least one tensor; got none", {}, where);
  const Tensor& first = xs[0];
  if (first.rank() == 0) {
    throw_op_error("concatenate", "cannot concatenate scalars", {first}, where,
                   "use stack, or expand_dims first");
  }
  const int64_t normalized = normalize_axis(axis, first.rank(), "concatenate", first, where);
  for (const Tensor& x : xs) {
    tracing::check_same_dtype(first, x, "concatenate", where);
    bool compatible = x.rank() == first.rank();
    for (int64_t d = 0; compatible && d < first.rank(); ++d) {
      compatible = d == normalized || x.dims()[size_t(d)] == first.dims()[size_t(d)];
    }
    if (!compatible) {
      throw_op_error("concatenate",
                     "dimensions must match except along axis " + std::to_string(normalized),
                     {first, x}, where);
    }
  }
  return emit(ir::Op::Concatenate, xs, dims_attr("dimensions", {normalized}), {}, where);
}

Tensor stack(const std::vector<Tensor>& xs, int64_t axis, Where where) {
  if (xs.empty()) throw_op_error("stack", "needs at least one tensor; got none", {}, where);
  const Tensor& first = xs[0];
  const int64_t normalized = normalize_axis(axis, first.rank() + 1, "stack", first, where);
  std::vector<Tensor> expanded;
  for (const Tensor& x : xs) {
    if (x.dtype() != first.dtype() || x.dims() != first.dims()) {
      throw_op_error("stack", "all tensors must have the same shape", {first, x}, where);
    }
    expanded.push_back(expand_dims(x, normalized, where));
  }
  return concatenate(expanded, normalized, where);
}

Tensor reverse(const Tensor& x, const std::vector<int64_t>& axes, Where where) {
  std::vector<int64_t> dims;
  for (int64_t axis : axes) {
    const int64_t normalized = normalize_axis(axis, x.rank(), "reverse", x, where);
    if (std::find(dims.begin(), dims.end(), normalized) != dims.end()) {
      throw_op_error("reverse", "axis " + std::to_string(axis) + " is repeated in " + braced(axes),
                     {x}, where);
    }
    dims.push_back(normalized);
  }
  if (dims.empty()) return x;
  return emit(ir::Op::Reverse, {x}, dims_attr("dimensions", std::move(dims)), {}, where);
}

Tensor pad(const Tensor& x, const std::vector<PadWidth>& widths, double value, Where where) {
  if (static_cast<int64_t>(widths.size()) != x.rank()) {
    throw_op_error("pad",
                   "needs one PadWidth per axis (" + std::to_string(x.rank()) + "); got " +
                       std::to_string(widths.size()),
                   {x}, where);
  }
  ir::PaddingConfig padding;
  for (size_t d = 0; d < widths.size(); ++d) {
    const PadWidth& w = widths[d];
    const int64_t n = x.dims()[d];
    const int64_t size = w.low + w.high + n + std::max<int64_t>(n - 1, 0) * w.interior;
    if (w.interior < 0 || size < 0) {
      throw_op_error("pad",
                     "axis " + std::to_string(d) + " with low=" + std::to_string(w.low) + " high=" +
                         std::to_string(w.high) + " interior=" + std::to_string(w.interior) +
                         " has a negative interior or result size",
                     {x}, where);
    }
    padding.dims.push_back({w.low, w.high, w.interior});
  }
  ir::Attributes attrs;
  attrs.set("padding", std::move(padding));
  return emit(ir::Op::Pad, {x, full_like_scalar(value, x.dtype(), where)}, std::move(attrs), {},
              where);
}

// ---- slicing

Tensor slice(const Tensor& x, const std::vector<Slice>& slices, Where where) {
  if (static_cast<int64_t>(slices.size()) > x.rank()) {
    throw_op_error("slice",
                   "too many slices (" + std::to_string(slices.size()) + ") for rank " +
                       std::to_string(x.rank()),
                   {x}, where);
  }
  std::vector<int64_t> reversed;
  ir::SliceConfig config;
  for (size_t d = 0; d < x.dims().size(); ++d) {
    const int64_t n = x.dims()[d];
    if (d >= slices.size()) {
      config.dims.push_back({0, n, 1});
      continue;
    }
    const Slice& s = slices[d];
    if (s.step == 0) {
      throw_op_error("slice", "step must not be 0 (axis " + std::to_string(d) + ")", {x}, where);
    }
    AxisRange range = resolve_slice(s, n);
    // A backward slice is a forward one on the reversed axis, where index i is n - 1 - i.
    if (s.step < 0) {
      reversed.push_back(static_cast<int64_t>(d));
      range.start = n - 1 - range.start;
    }
    // With fewer than 2 elements the step is never taken (and |INT64_MIN| would overflow).
    const int64_t stride = range.count > 1 ? (s.step > 0 ? s.step : -s.step) : 1;
    if (range.count == 0) {
      config.dims.push_back({0, 0, 1});
    } else {
      config.dims.push_back({range.start, range.start + (range.count - 1) * stride + 1, stride});
    }
  }
  const Tensor source = reverse(x, reversed, where);
  ir::Attributes attrs;
  attrs.set("slice", std::move(config));
  return emit(ir::Op::Slice, {source}, std::move(attrs), {}, where);
}

Tensor dynamic_slice(const Tensor& x, const std::vector<Tensor>& start_indices,
                     const std::vector<int64_t>& sizes, Where where) {
  std::vector<Tensor> operands = start_operands("dynamic_slice", x, start_indices, where);
  bool fits = static_cast<int64_t>(sizes.size()) == x.rank();
  for (size_t d = 0; fits && d < sizes.size(); ++d) {
    fits = sizes[d] >= 0 && sizes[d] <= x.dims()[d];
  }
  if (!fits) {
    throw_op_error("dynamic_slice",
                   "sizes " + braced(sizes) + " must give each axis a size in [0, its dimension]",
                   {x}, where);
  }
  return emit(ir::Op::DynamicSlice, operands, dims_attr("dynamic_slice_sizes", sizes), {}, where);
}

Tensor dynamic_update_slice(const Tensor& x, const Tensor& update,
                            const std::vector<Tensor>& start_indices, Where where) {
  tracing::check_same_dtype(x, update, "dynamic_update_slice", where);
  bool fits = update.rank() == x.rank();
  for (int64_t d = 0; fits && d < x.rank(); ++d) {
    fits = update.dims()[size_t(d)] <= x.dims()[size_t(d)];
  }
  if (!fits) {
    throw_op_error("dynamic_update_slice", "update must have x's rank and fit inside x",
                   {x, update}, where);
  }
  std::vector<Tensor> operands = start_operands("dynamic_update_slice", x, start_indices, where);
  operands.insert(operands.begin() + 1, update);
  return emit(ir::Op::DynamicUpdateSlice, operands, {}, {}, where);
}

// ---- gather and scatter

Tensor take(const Tensor& x, const Tensor& indices, int64_t axis, Where where) {
  const int64_t normalized = normalize_axis(axis, x.rank(), "take", x, where);
  const Tensor index = index_tensor(indices, "take", where);
  check_axis_not_empty("take", x, normalized, indices, where);
  const Tensor wrapped = wrap_negative(index, x.dims()[size_t(normalized)], where);
  std::vector<int64_t> slice_sizes = x.dims();
  slice_sizes[size_t(normalized)] = std::min<int64_t>(slice_sizes[size_t(normalized)], 1);
  ir::Attributes attrs =
      dims_attr("offset_dims", window_positions(x.rank(), normalized, indices.rank()));
  attrs.set("collapsed_slice_dims", std::vector<int64_t>{normalized});
  attrs.set("start_index_map", std::vector<int64_t>{normalized});
  attrs.set("index_vector_dim", indices.rank());
  attrs.set("slice_sizes", std::move(slice_sizes));
  return emit(ir::Op::Gather, {x, wrapped}, std::move(attrs), {}, where);
}

Tensor take_along_axis(const Tensor& x, const Tensor& indices, int64_t axis, Where where) {
  const char* op = "take_along_axis";
  if (x.rank() != indices.rank()) {
    throw_op_error(op, "x and indices must have the same rank", {x, indices}, where);
  }
  const int64_t normalized = normalize_axis(axis, x.rank(), op, x, where);
  const Tensor index = index_tensor(indices, op, where);
  check_axis_not_empty(op, x, normalized, indices, where);
  // Along the other axes x and indices broadcast against each other; those axes then become
  // gather's batching dims, pairing each index with x's elements at the same position.
  std::vector<int64_t> x_dims = x.dims(), index_dims = indices.dims(), batching;
  for (size_t d = 0; d < x_dims.size(); ++d) {
    if (static_cast<int64_t>(d) == normalized) continue;
    if (x_dims[d] != index_dims[d] && x_dims[d] != 1 && index_dims[d] != 1) {
      throw_op_error(op, "axis " + std::to_string(d) + " cannot be broadcast", {x, indices}, where,
                     "along axes other than `axis` the dimensions must match or be 1");
    }
    x_dims[d] = index_dims[d] = x_dims[d] == 1 ? index_dims[d] : x_dims[d];
    batching.push_back(static_cast<int64_t>(d));
  }
  const Tensor wrapped = wrap_negative(index, x_dims[size_t(normalized)], where);
  std::vector<int64_t> slice_sizes;
  for (int64_t size : x_dims) slice_sizes.push_back(std::min<int64_t>(size, 1));
  ir::Attributes attrs = dims_attr("offset_dims", {});
  attrs.set("collapsed_slice_dims", std::vector<int64_t>{normalized});
  attrs.set("start_index_map", std::vector<int64_t>{normalized});
  attrs.set("operand_batching_dims", batching);
  attrs.set("start_indices_batching_dims", batching);
  attrs.set("index_vector_dim", x.rank());
  attrs.set("slice_sizes", std::move(slice_sizes));
  return emit(ir::Op::Gather,
              {broadcast_to(x, x_dims, where), broadcast_to(wrapped, index_dims, where)},
              std::move(attrs), {}, where);
}

Tensor scatter_add(const Tensor& x, const Tensor& indices, const Tensor& updates, int64_t axis,
                   Where where) {
  const int64_t normalized = normalize_axis(axis, x.rank(), "scatter_add", x, where);
  tracing::check_same_dtype(x, updates, "scatter_add", where);
  const Tensor index = index_tensor(indices, "scatter_add", where);
  const std::vector<int64_t> expected = indexed_dims(x.dims(), normalized, indices.dims());
  if (updates.dims() != expected) {
    throw_op_error("scatter_add",
                   "updates must have the dimensions x[:axis] + indices.dims + x[axis+1:] = " +
                       braced(expected),
                   {x, indices, updates}, where);
  }
  return tracing::staged({x, index, updates}, [&](const std::vector<Tensor>& args) {
    const DType dtype = x.dtype();
    // On pred, numpy's add is logical or (True + True stays True).
    const ir::Op combine = dtype == DType::Pred ? ir::Op::Or : ir::Op::Add;
    ir::Attributes attrs =
        dims_attr("update_window_dims", window_positions(x.rank(), normalized, indices.rank()));
    attrs.set("inserted_window_dims", std::vector<int64_t>{normalized});
    attrs.set("scatter_dims_to_operand_dims", std::vector<int64_t>{normalized});
    attrs.set("index_vector_dim", indices.rank());
    attrs.set("to_apply", tracing::Trace::current()->scalar_computation(combine, dtype));
    const Tensor wrapped = wrap_negative(args[1], x.dims()[size_t(normalized)], where);
    return std::vector<Tensor>{
        emit(ir::Op::Scatter, {args[0], wrapped, args[2]}, std::move(attrs), {}, where)};
  })[0];
}

Tensor one_hot(const Tensor& indices, int64_t depth, DType dtype, int64_t axis, Where where) {
  if (depth < 0) {
    throw_op_error("one_hot", "depth " + std::to_string(depth) + " is negative", {indices}, where);
  }
  const int64_t normalized = normalize_axis(axis, indices.rank() + 1, "one_hot", indices, where);
  const Tensor index = index_tensor(indices, "one_hot", where);
  std::vector<int64_t> dims = indices.dims(), kept;
  dims.insert(dims.begin() + normalized, depth);
  for (int64_t d = 0; d <= indices.rank(); ++d) {
    if (d != normalized) kept.push_back(d);
  }
  const Tensor spread = emit(ir::Op::Broadcast, {index}, dims_attr("dimensions", std::move(kept)),
                             ir::Shape::array(index.dtype(), dims), where);
  return astype(equal(spread, iota(index.dtype(), dims, normalized, where), where), dtype, where);
}

}  // namespace hlocc
