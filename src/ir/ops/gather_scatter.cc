// Rules of gather and scatter with XLA's semantics, batching dimensions included: shape inference
// that checks every dimension number, and evaluation. Gather clamps each start index so its slice
// stays inside the operand; scatter skips (never clamps) any update window that would leave it.
#include <algorithm>
#include <cstring>

#include "ir/computation.h"
#include "ir/ops/gather_scatter.h"
#include "ir/ops/native_routines.h"
#include "ir/ops/rule_helpers.h"
#include "ir/ops/scalar_fn.h"

namespace hlocc::ir::detail {
namespace {

using ops::braced;
using ops::complement_dims;
using ops::contains;
using ops::IndexDimNames;
using ops::IndexDims;
using ops::kGatherDimNames;
using ops::kScatterDimNames;
using ops::op_error;
using ops::read_index_dims;

// ---- Dimension numbers shared by gather and scatter (read by ops::read_index_dims) -----------

std::vector<int64_t> pick(const std::vector<int64_t>& values,
                          const std::vector<int64_t>& positions) {
  std::vector<int64_t> picked;
  for (int64_t p : positions) picked.push_back(values[static_cast<size_t>(p)]);
  return picked;
}

// The operand dims a window spans: those neither collapsed (inserted) nor batching, ascending.
std::vector<int64_t> window_operand_dims(const IndexDims& dims, int64_t operand_rank) {
  return complement_dims(operand_rank, dims.collapsed_dims, dims.operand_batching_dims);
}

// The index array's dims with an implicit trailing 1 when index_vector_dim == rank.
std::vector<int64_t> expanded_index_dims(const Shape& indices, int64_t index_vector_dim) {
  std::vector<int64_t> expanded = indices.dims();
  if (index_vector_dim == indices.rank()) expanded.push_back(1);
  return expanded;
}

// The expanded index array's dims without index_vector_dim: the batch positions of the op.
std::vector<int64_t> batch_sizes(const std::vector<int64_t>& expanded, int64_t index_vector_dim) {
  std::vector<int64_t> sizes = expanded;
  sizes.erase(sizes.begin() + index_vector_dim);
  return sizes;
}

// ---- Checks -----------------------------------------------------------------------------------

std::string range_text(int64_t bound) { return "[0, " + std::to_string(bound) + ")"; }

Status check_dims_in_range(const Instruction& inst, const char* name,
                           const std::vector<int64_t>& dims, int64_t bound, const char* what) {
  for (int64_t d : dims) {
    if (d < 0 || d >= bound) {
      return op_error(inst, std::string(name) + " must hold " + what + ", in " + range_text(bound) +
                                "; got " + braced(dims));
    }
  }
  return ok_status();
}

// `dims` must be in range and strictly ascending (XLA's rule for the sets of window-like dims).
Status check_sorted_dims(const Instruction& inst, const char* name,
                         const std::vector<int64_t>& dims, int64_t bound, const char* what) {
  for (size_t i = 1; i < dims.size(); ++i) {
    if (dims[i - 1] >= dims[i]) {
      return op_error(inst, std::string(name) +
                                " must be sorted and must not repeat a dimension; got " +
                                braced(dims));
    }
  }
  return check_dims_in_range(inst, name, dims, bound, what);
}

// `dims` must be in range and without repeats, in any order (maps such as start_index_map).
Status check_unique_dims(const Instruction& inst, const char* name,
                         const std::vector<int64_t>& dims, int64_t bound, const char* what) {
  HLOCC_TRY_STATUS(check_dims_in_range(inst, name, dims, bound, what));
  std::vector<int64_t> sorted = dims;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return op_error(inst, std::string(name) + " must not repeat a dimension; got " + braced(dims));
  }
  return ok_status();
}

Status check_disjoint(const Instruction& inst, const char* name_a, const std::vector<int64_t>& a,
                      const char* name_b, const std::vector<int64_t>& b) {
  for (int64_t d : a) {
    if (contains(b, d)) {
      return op_error(inst, std::string(name_a) + " and " + name_b +
                                " must not share a dimension; got " + braced(a) + " and " +
                                braced(b));
    }
  }
  return ok_status();
}

// Batching dims pair operand dims with index array dims of the same size.
Status check_batching_dims(const Instruction& inst, const IndexDimNames& names,
                           const IndexDims& dims, const Shape& operand, const Shape& indices) {
  const auto& operand_dims = dims.operand_batching_dims;
  const auto& indices_dims = dims.indices_batching_dims;
  if (operand_dims.size() != indices_dims.size()) {
    return op_error(inst, std::string(names.operand_batching) + " and " + names.indices_batching +
                              " must have the same length; got " + braced(operand_dims) + " and " +
                              braced(indices_dims));
  }
  HLOCC_TRY_STATUS(check_unique_dims(inst, names.indices_batching, indices_dims, indices.rank(),
                                     (std::string("dimensions of ") + names.indices).c_str()));
  if (contains(indices_dims, dims.index_vector_dim)) {
    return op_error(inst,
                    std::string(names.indices_batching) + " must not contain index_vector_dim " +
                        std::to_string(dims.index_vector_dim) + "; got " + braced(indices_dims));
  }
  for (size_t i = 0; i < operand_dims.size(); ++i) {
    const int64_t operand_size = operand.dim(operand_dims[i]);
    const int64_t indices_size = indices.dim(indices_dims[i]);
    if (operand_size != indices_size) {
      return op_error(inst, "batching dimensions must have equal sizes; got operand dimension " +
                                std::to_string(operand_dims[i]) + " of size " +
                                std::to_string(operand_size) + " and " + names.indices +
                                " dimension " + std::to_string(indices_dims[i]) + " of size " +
                                std::to_string(indices_size));
    }
  }
  return ok_status();
}

// The index array and the operand-side dimension numbers; returns the expanded index dims.
Result<std::vector<int64_t>> check_index_dims(const Instruction& inst, const IndexDimNames& names,
                                              const IndexDims& dims, const Shape& operand,
                                              const Shape& indices) {
  if (!is_integer(indices.dtype())) {
    return op_error(inst, std::string(names.indices) + " must have an integer element type; got " +
                              indices.to_string(false));
  }
  const int64_t index_vector_dim = dims.index_vector_dim;
  if (index_vector_dim < 0 || index_vector_dim > indices.rank()) {
    return op_error(inst, "index_vector_dim must be in [0, " + std::to_string(indices.rank()) +
                              "] (the rank of " + names.indices + "); got " +
                              std::to_string(index_vector_dim));
  }
  const std::vector<int64_t> expanded = expanded_index_dims(indices, index_vector_dim);
  const int64_t index_size = expanded[static_cast<size_t>(index_vector_dim)];
  if (static_cast<int64_t>(dims.index_map.size()) != index_size) {
    const std::string where = index_vector_dim == indices.rank()
                                  ? "the implicit trailing dimension of "
                                  : "dimension " + std::to_string(index_vector_dim) + " of ";
    return op_error(inst, std::string(names.index_map) + " must have " +
                              std::to_string(index_size) +
                              " entries, the size of index_vector_dim (" + where + names.indices +
                              " " + indices.to_string(false) + "); got " + braced(dims.index_map));
  }
  const int64_t rank = operand.rank();
  HLOCC_TRY_STATUS(
      check_unique_dims(inst, names.index_map, dims.index_map, rank, "operand dimensions"));
  HLOCC_TRY_STATUS(
      check_sorted_dims(inst, names.collapsed, dims.collapsed_dims, rank, "operand dimensions"));
  HLOCC_TRY_STATUS(check_sorted_dims(inst, names.operand_batching, dims.operand_batching_dims, rank,
                                     "operand dimensions"));
  HLOCC_TRY_STATUS(check_disjoint(inst, names.collapsed, dims.collapsed_dims,
                                  names.operand_batching, dims.operand_batching_dims));
  HLOCC_TRY_STATUS(check_disjoint(inst, names.index_map, dims.index_map, names.operand_batching,
                                  dims.operand_batching_dims));
  HLOCC_TRY_STATUS(check_batching_dims(inst, names, dims, operand, indices));
  const size_t covered =
      dims.window_dims.size() + dims.collapsed_dims.size() + dims.operand_batching_dims.size();
  if (static_cast<int64_t>(covered) != rank) {
    return op_error(
        inst, std::string("the lengths of ") + names.window + ", " + names.collapsed + " and " +
                  names.operand_batching + " must add up to the operand rank " +
                  std::to_string(rank) + "; got " + braced(dims.window_dims) + ", " +
                  braced(dims.collapsed_dims) + " and " + braced(dims.operand_batching_dims) +
                  " for operand " + operand.to_string(false));
  }
  return expanded;
}

// ---- Gather shape -----------------------------------------------------------------------------

// Collapsed and batching dims contribute one element per slice, so their slice size is 0 or 1.
Status check_unit_slices(const Instruction& inst, const char* name,
                         const std::vector<int64_t>& dims,
                         const std::vector<int64_t>& slice_sizes) {
  for (int64_t d : dims) {
    if (slice_sizes[static_cast<size_t>(d)] > 1) {
      return op_error(inst, std::string(name) + " must have slice sizes 0 or 1; got slice_sizes[" +
                                std::to_string(d) +
                                "] = " + std::to_string(slice_sizes[static_cast<size_t>(d)]) +
                                " in " + braced(slice_sizes));
    }
  }
  return ok_status();
}

Status check_slice_sizes(const Instruction& inst, const IndexDims& dims,
                         const std::vector<int64_t>& slice_sizes, const Shape& operand) {
  if (static_cast<int64_t>(slice_sizes.size()) != operand.rank()) {
    return op_error(inst, "slice_sizes must have one entry per operand dimension; got " +
                              braced(slice_sizes) + " for operand " + operand.to_string(false));
  }
  for (int64_t d = 0; d < operand.rank(); ++d) {
    const int64_t size = slice_sizes[static_cast<size_t>(d)];
    if (size < 0 || size > operand.dim(d)) {
      return op_error(inst, "slice_sizes[" + std::to_string(d) + "] must be in [0, " +
                                std::to_string(operand.dim(d)) +
                                "] (the operand's size there); got " + braced(slice_sizes) +
                                " for operand " + operand.to_string(false));
    }
  }
  HLOCC_TRY_STATUS(
      check_unit_slices(inst, "collapsed_slice_dims", dims.collapsed_dims, slice_sizes));
  return check_unit_slices(inst, "operand_batching_dims", dims.operand_batching_dims, slice_sizes);
}

// Result dim i is offset_dims' next window size if i is in offset_dims, else the next batch size.
std::vector<int64_t> interleave(int64_t rank, const std::vector<int64_t>& window_dims,
                                const std::vector<int64_t>& window_sizes,
                                const std::vector<int64_t>& batch) {
  std::vector<int64_t> dims;
  size_t next_window = 0;
  size_t next_batch = 0;
  for (int64_t i = 0; i < rank; ++i) {
    dims.push_back(contains(window_dims, i) ? window_sizes[next_window++] : batch[next_batch++]);
  }
  return dims;
}

Result<Shape> infer_gather(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* indices, ops::array_operand(inst, 1));
  HLOCC_TRY(const IndexDims dims, read_index_dims(inst));
  HLOCC_TRY(const std::vector<int64_t>* slice_sizes,
            ops::require_attr<std::vector<int64_t>>(inst, "slice_sizes"));
  HLOCC_TRY(const std::vector<int64_t> expanded,
            check_index_dims(inst, kGatherDimNames, dims, *operand, *indices));
  const int64_t rank = static_cast<int64_t>(dims.window_dims.size() + expanded.size()) - 1;
  HLOCC_TRY_STATUS(
      check_sorted_dims(inst, "offset_dims", dims.window_dims, rank, "dimensions of the result"));
  HLOCC_TRY_STATUS(check_slice_sizes(inst, dims, *slice_sizes, *operand));
  const std::vector<int64_t> window_sizes =
      pick(*slice_sizes, window_operand_dims(dims, operand->rank()));
  return Shape::array(operand->dtype(), interleave(rank, dims.window_dims, window_sizes,
                                                   batch_sizes(expanded, dims.index_vector_dim)));
}

// ---- Scatter shape ----------------------------------------------------------------------------

int64_t scatter_operand_count(const Instruction& inst) { return (inst.operand_count() - 1) / 2; }

// N operands of one dimensions, then the indices, then N updates of one dimensions, each update
// of its operand's element type.
Status check_scatter_arrays(const Instruction& inst) {
  const int64_t count = inst.operand_count();
  if (count < 3 || count % 2 == 0) {
    return op_error(inst,
                    "expects N operands, scatter_indices and N updates (an odd count of at least "
                    "3); got " +
                        std::to_string(count) + " operand(s)");
  }
  for (int64_t i = 0; i < count; ++i) HLOCC_TRY_STATUS(ops::array_operand(inst, i));
  const int64_t n = scatter_operand_count(inst);
  for (int64_t i = 0; i < n; ++i) {
    const Shape& operand = inst.operand(i)->shape();
    const Shape& updates = inst.operand(n + 1 + i)->shape();
    if (operand.dims() != inst.operand(0)->shape().dims() ||
        updates.dims() != inst.operand(n + 1)->shape().dims()) {
      return op_error(inst,
                      "all operands must have the same dimensions, and all updates too; got " +
                          ops::operand_shapes(inst));
    }
    if (operand.dtype() != updates.dtype()) {
      return op_error(inst, "updates " + std::to_string(i) +
                                " must have the element type of operand " + std::to_string(i) +
                                "; got " + operand.to_string(false) + " and " +
                                updates.to_string(false));
    }
  }
  return ok_status();
}

// Updates dims are the window dims (bounded by the operand's window dims) and the scatter dims
// (equal to the index array's dims without index_vector_dim).
Status check_updates_shape(const Instruction& inst, const IndexDims& dims, const Shape& operand,
                           const Shape& updates, const std::vector<int64_t>& expanded) {
  const int64_t rank = static_cast<int64_t>(dims.window_dims.size() + expanded.size()) - 1;
  if (updates.rank() != rank) {
    return op_error(inst,
                    "updates must have rank " + std::to_string(rank) +
                        " (the update_window_dims and the scatter_indices dimensions other than "
                        "index_vector_dim); got " +
                        updates.to_string(false));
  }
  HLOCC_TRY_STATUS(check_sorted_dims(inst, "update_window_dims", dims.window_dims, rank,
                                     "dimensions of updates"));
  const std::vector<int64_t> operand_window = window_operand_dims(dims, operand.rank());
  for (size_t k = 0; k < dims.window_dims.size(); ++k) {
    if (updates.dim(dims.window_dims[k]) > operand.dim(operand_window[k])) {
      return op_error(inst, "update window dimension " + std::to_string(dims.window_dims[k]) +
                                " must not exceed operand dimension " +
                                std::to_string(operand_window[k]) + "; got updates " +
                                updates.to_string(false) + " and operand " +
                                operand.to_string(false));
    }
  }
  const std::vector<int64_t> scatter_dims = complement_dims(rank, dims.window_dims);
  const std::vector<int64_t> expected = batch_sizes(expanded, dims.index_vector_dim);
  if (pick(updates.dims(), scatter_dims) != expected) {
    return op_error(inst, "the scatter dimensions " + braced(scatter_dims) +
                              " of updates must have the sizes " + braced(expected) +
                              " of the scatter_indices dimensions other than index_vector_dim; got "
                              "updates " +
                              updates.to_string(false) + " and scatter_indices " +
                              inst.operand(scatter_operand_count(inst))->shape().to_string(false));
  }
  return ok_status();
}

// to_apply: (current values..., update values...) -> new values, all scalars of the operand types;
// one result may be a bare scalar or a 1-tuple.
Status check_update_computation(const Instruction& inst, const Computation& to_apply, int64_t n) {
  std::vector<Shape> scalars;
  for (int64_t i = 0; i < n; ++i) {
    scalars.push_back(Shape::scalar(inst.operand(i)->shape().dtype()));
  }
  std::vector<Shape> expected_params = scalars;
  expected_params.insert(expected_params.end(), scalars.begin(), scalars.end());
  const Shape params = Shape::tuple(to_apply.parameter_shapes());
  if (!(params == Shape::tuple(expected_params))) {
    return op_error(inst, "to_apply must take the parameters " +
                              Shape::tuple(expected_params).to_string(false) +
                              " (current values, then updates); got " + params.to_string(false));
  }
  const Shape& result = to_apply.result_shape();
  const Shape expected_result = n == 1 ? scalars[0] : Shape::tuple(scalars);
  if (!(result == expected_result || result == Shape::tuple(scalars))) {
    return op_error(inst, "to_apply must return " + expected_result.to_string(false) + "; got " +
                              result.to_string(false));
  }
  return ok_status();
}

Result<Shape> infer_scatter(const Instruction& inst) {
  HLOCC_TRY_STATUS(check_scatter_arrays(inst));
  const int64_t n = scatter_operand_count(inst);
  HLOCC_TRY(const IndexDims dims, read_index_dims(inst));
  HLOCC_TRY(Computation* const* to_apply, ops::require_attr<Computation*>(inst, "to_apply"));
  const Shape& operand = inst.operand(0)->shape();
  const Shape& indices = inst.operand(n)->shape();
  HLOCC_TRY(const std::vector<int64_t> expanded,
            check_index_dims(inst, kScatterDimNames, dims, operand, indices));
  HLOCC_TRY_STATUS(
      check_updates_shape(inst, dims, operand, inst.operand(n + 1)->shape(), expanded));
  HLOCC_TRY_STATUS(check_update_computation(inst, **to_apply, n));
  if (n == 1) return operand;
  std::vector<Shape> results;
  for (int64_t i = 0; i < n; ++i) results.push_back(inst.operand(i)->shape());
  return Shape::tuple(std::move(results));
}

// ---- Evaluation -------------------------------------------------------------------------------

// How gather and scatter walk their arrays: an outer loop over batch positions (the index array's
// dims without index_vector_dim) and an inner loop over window positions, whose offsets are
// precomputed. "x" is the array that holds both kinds of dims: the gather result, or updates.
struct Walk {
  std::vector<int64_t> batch_sizes;
  std::vector<int64_t> batch_x_strides;      // stride in x of each batch dim
  std::vector<int64_t> batch_index_strides;  // stride in the index array of each batch dim
  std::vector<int64_t> batching_positions;   // for each batching dim pair, its batch position
  int64_t index_vector_stride = 0;
  std::vector<int64_t> operand_strides;
  std::vector<int64_t> window_x;        // per window position (row-major): its offset in x
  std::vector<int64_t> window_operand;  // per window position: its offset in the operand
};

// window_sizes: the window's extent along each of dims.window_dims (in x).
Walk make_walk(const IndexDims& dims, const Shape& operand, const Shape& indices, const Shape& x,
               const std::vector<int64_t>& window_sizes) {
  Walk walk;
  const int64_t index_vector_dim = dims.index_vector_dim;
  const std::vector<int64_t> expanded = expanded_index_dims(indices, index_vector_dim);
  const std::vector<int64_t> index_strides = row_major_strides(expanded);
  const std::vector<int64_t> x_strides = row_major_strides(x.dims());
  walk.batch_sizes = batch_sizes(expanded, index_vector_dim);
  walk.batch_x_strides = pick(x_strides, complement_dims(x.rank(), dims.window_dims));
  walk.batch_index_strides = index_strides;
  walk.batch_index_strides.erase(walk.batch_index_strides.begin() + index_vector_dim);
  walk.index_vector_stride = index_strides[static_cast<size_t>(index_vector_dim)];
  for (int64_t d : dims.indices_batching_dims) {
    walk.batching_positions.push_back(d < index_vector_dim ? d : d - 1);
  }
  walk.operand_strides = row_major_strides(operand.dims());
  const std::vector<int64_t> x_window_strides = pick(x_strides, dims.window_dims);
  const std::vector<int64_t> operand_window_strides =
      pick(walk.operand_strides, window_operand_dims(dims, operand.rank()));
  ops::for_each_index(window_sizes, [&](std::span<const int64_t> position) {
    int64_t x_offset = 0;
    int64_t operand_offset = 0;
    for (size_t k = 0; k < position.size(); ++k) {
      x_offset += position[k] * x_window_strides[k];
      operand_offset += position[k] * operand_window_strides[k];
    }
    walk.window_x.push_back(x_offset);
    walk.window_operand.push_back(operand_offset);
  });
  return walk;
}

// Calls fn(x_offset, start) for each batch position in row-major order, where start is the operand
// index of the window's first element before clamping (gather) or bounds checks (scatter).
template <class Fn>
void for_each_window(const Walk& walk, const IndexDims& dims, const std::vector<int64_t>& indices,
                     Fn&& fn) {
  std::vector<int64_t> start(walk.operand_strides.size());
  ops::for_each_index(walk.batch_sizes, [&](std::span<const int64_t> batch) {
    int64_t x_offset = 0;
    int64_t index_offset = 0;
    for (size_t j = 0; j < batch.size(); ++j) {
      x_offset += batch[j] * walk.batch_x_strides[j];
      index_offset += batch[j] * walk.batch_index_strides[j];
    }
    std::fill(start.begin(), start.end(), 0);
    for (size_t k = 0; k < dims.index_map.size(); ++k) {
      const auto at =
          static_cast<size_t>(index_offset + static_cast<int64_t>(k) * walk.index_vector_stride);
      start[static_cast<size_t>(dims.index_map[k])] = indices[at];
    }
    for (size_t i = 0; i < dims.operand_batching_dims.size(); ++i) {
      start[static_cast<size_t>(dims.operand_batching_dims[i])] =
          batch[static_cast<size_t>(walk.batching_positions[i])];
    }
    fn(x_offset, std::span<int64_t>(start));
  });
}

// Index values of any integer type, as int64 (unsigned values past INT64_MAX wrap negative, as in
// XLA, and are then clamped or skipped like any other out-of-range index).
std::vector<int64_t> indices_as_int64(const Literal& indices) {
  return dispatch_dtype(indices.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<int64_t> values;
    if constexpr (std::is_integral_v<T>) {
      values.reserve(static_cast<size_t>(indices.element_count()));
      for (T v : indices.data<T>()) values.push_back(static_cast<int64_t>(v));
    } else {
      HLOCC_CHECK(false) << "gather/scatter indices of type " << indices.shape().to_string();
    }
    return values;
  });
}

Result<Literal> evaluate_gather(const Instruction& inst, std::span<const Literal* const> operands,
                                EvalContext&) {
  HLOCC_TRY(const IndexDims dims, read_index_dims(inst));
  const Literal& operand = *operands[0];
  const Shape& operand_shape = operand.shape();
  Literal result(inst.shape());
  // An empty operand with a non-empty result needs a size-0 collapsed slice: nothing to read.
  if (result.element_count() == 0 || operand.element_count() == 0) return result;
  const std::vector<int64_t>& slice_sizes = *inst.attrs().get<std::vector<int64_t>>("slice_sizes");
  const Walk walk = make_walk(dims, operand_shape, operands[1]->shape(), result.shape(),
                              pick(slice_sizes, window_operand_dims(dims, operand_shape.rank())));
  const std::vector<int64_t> indices = indices_as_int64(*operands[1]);
  const int64_t element_size = dtype_byte_size(operand_shape.dtype());
  const std::byte* source = operand.raw();
  std::byte* target = result.raw();
  for_each_window(walk, dims, indices, [&](int64_t x_offset, std::span<int64_t> start) {
    int64_t operand_offset = 0;
    for (size_t d = 0; d < start.size(); ++d) {
      // XLA clamps to [0, dim - slice]; max(slice, 1) keeps a size-0 collapsed slice in bounds.
      const int64_t slice = std::max<int64_t>(slice_sizes[d], 1);
      const int64_t clamped =
          std::clamp<int64_t>(start[d], 0, operand_shape.dim(static_cast<int64_t>(d)) - slice);
      operand_offset += clamped * walk.operand_strides[d];
    }
    for (size_t w = 0; w < walk.window_x.size(); ++w) {
      std::memcpy(target + (x_offset + walk.window_x[w]) * element_size,
                  source + (operand_offset + walk.window_operand[w]) * element_size,
                  static_cast<size_t>(element_size));
    }
  });
  return result;
}

// Applies combine(operand_offset, update_offset) at every in-bounds update position; a window
// that would leave the operand anywhere is skipped whole, as XLA does. Stops when combine
// returns false. Shapes come from the instruction; `indices` are the index array's values.
template <class Combine>
void scatter_walk(const Instruction& inst, const IndexDims& dims,
                  const std::vector<int64_t>& indices, Combine&& combine) {
  const int64_t n = scatter_operand_count(inst);
  const Shape& operand = inst.operand(0)->shape();
  const Shape& updates = inst.operand(n + 1)->shape();
  const std::vector<int64_t> window_sizes = pick(updates.dims(), dims.window_dims);
  const Walk walk = make_walk(dims, operand, inst.operand(n)->shape(), updates, window_sizes);
  // The window's extent along each operand dim: 1 where a dim is inserted or batching.
  std::vector<int64_t> extent(static_cast<size_t>(operand.rank()), 1);
  const std::vector<int64_t> operand_window = window_operand_dims(dims, operand.rank());
  for (size_t k = 0; k < operand_window.size(); ++k)
    extent[static_cast<size_t>(operand_window[k])] = window_sizes[k];
  bool running = true;
  for_each_window(walk, dims, indices, [&](int64_t x_offset, std::span<int64_t> start) {
    int64_t operand_offset = 0;
    for (size_t d = 0; d < start.size(); ++d) {
      if (start[d] < 0 || start[d] > operand.dim(static_cast<int64_t>(d)) - extent[d]) return;
      operand_offset += start[d] * walk.operand_strides[d];
    }
    for (size_t w = 0; running && w < walk.window_x.size(); ++w) {
      running = combine(operand_offset + walk.window_operand[w], x_offset + walk.window_x[w]);
    }
  });
}

template <class Combine>
void scatter_walk(const Instruction& inst, const IndexDims& dims,
                  std::span<const Literal* const> operands, Combine&& combine) {
  const auto n = static_cast<size_t>(scatter_operand_count(inst));
  scatter_walk(inst, dims, indices_as_int64(*operands[n]), std::forward<Combine>(combine));
}

// `ROOT p1` of (p0, p1): the update replaces the current value (JAX's x.at[i].set).
bool is_overwrite(const Computation& to_apply) {
  const Instruction* root = to_apply.root();
  return to_apply.parameter_count() == 2 && root->op() == Op::Parameter &&
         root->parameter_number() == 1;
}

// One operand whose to_apply is a byte copy or a simple binary op: no call per element.
bool scatter_fast(const Instruction& inst, const IndexDims& dims, const Computation& to_apply,
                  std::span<const Literal* const> operands, Literal& result) {
  const Literal& updates = *operands[2];
  if (is_overwrite(to_apply)) {
    const auto size = static_cast<size_t>(dtype_byte_size(result.shape().dtype()));
    scatter_walk(inst, dims, operands, [&](int64_t operand_offset, int64_t update_offset) {
      std::memcpy(result.raw() + operand_offset * static_cast<int64_t>(size),
                  updates.raw() + update_offset * static_cast<int64_t>(size), size);
      return true;
    });
    return true;
  }
  const std::optional<Op> op = ops::simple_binary_op(to_apply);
  if (!op) return false;
  dispatch_dtype(result.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ops::with_simple_binary<T>(*op, [&](auto binary) {
      const std::span<T> current = result.data<T>();
      const std::span<const T> update = updates.data<T>();
      scatter_walk(inst, dims, operands, [&](int64_t operand_offset, int64_t update_offset) {
        current[static_cast<size_t>(operand_offset)] =
            binary(current[static_cast<size_t>(operand_offset)],
                   update[static_cast<size_t>(update_offset)]);
        return true;
      });
    });
  });
  return true;
}

Result<Literal> evaluate_scatter(const Instruction& inst, std::span<const Literal* const> operands,
                                 EvalContext& context) {
  HLOCC_TRY(const IndexDims dims, read_index_dims(inst));
  const auto n = static_cast<size_t>(scatter_operand_count(inst));
  const Computation& to_apply = **inst.attrs().get<Computation*>("to_apply");
  std::vector<Literal> results;
  for (size_t i = 0; i < n; ++i) results.push_back(*operands[i]);
  if (n == 1 && scatter_fast(inst, dims, to_apply, operands, results[0]))
    return std::move(results[0]);
  ops::CombinerCall combiner(context, to_apply);
  const std::span<const Literal* const> updates = operands.subspan(n + 1);
  Status status;
  scatter_walk(inst, dims, operands, [&](int64_t operand_offset, int64_t update_offset) {
    status = combiner.step(results, operand_offset, updates, update_offset);
    return status.ok();
  });
  if (!status.ok()) return status.error();
  if (n == 1) return std::move(results[0]);
  return Literal::tuple(std::move(results));
}

}  // namespace

void for_each_scatter_update(const Instruction& scatter, const Literal& indices,
                             const std::function<void(int64_t, int64_t)>& combine) {
  scatter_walk(scatter, ops::verified_index_dims(scatter), indices_as_int64(indices),
               [&](int64_t operand_offset, int64_t update_offset) {
                 combine(operand_offset, update_offset);
                 return true;
               });
}

void register_gather_scatter_ops(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Gather)] =
      OpRules{.infer_shape = infer_gather, .evaluate = evaluate_gather};
  table[static_cast<size_t>(Op::Scatter)] =
      OpRules{.infer_shape = infer_scatter, .evaluate = evaluate_scatter};
}

}  // namespace hlocc::ir::detail

namespace hlocc::ir::ops {
namespace {

Result<std::vector<int64_t>> int_list_attr(const Instruction& inst, const char* name,
                                           bool required) {
  if (!required && !inst.attrs().has(name)) return std::vector<int64_t>{};
  HLOCC_TRY(const std::vector<int64_t>* value, require_attr<std::vector<int64_t>>(inst, name));
  return *value;
}

}  // namespace

const IndexDimNames& index_dim_names(const Instruction& inst) {
  HLOCC_CHECK(inst.op() == Op::Gather || inst.op() == Op::Scatter)
      << "%" << inst.name() << " is a " << inst.info().name << ", not a gather or scatter";
  return inst.op() == Op::Gather ? kGatherDimNames : kScatterDimNames;
}

Result<IndexDims> read_index_dims(const Instruction& inst) {
  const IndexDimNames& names = index_dim_names(inst);
  IndexDims dims;
  HLOCC_TRY(dims.window_dims, int_list_attr(inst, names.window, true));
  HLOCC_TRY(dims.collapsed_dims, int_list_attr(inst, names.collapsed, true));
  HLOCC_TRY(dims.index_map, int_list_attr(inst, names.index_map, true));
  HLOCC_TRY(dims.operand_batching_dims, int_list_attr(inst, names.operand_batching, false));
  HLOCC_TRY(dims.indices_batching_dims, int_list_attr(inst, names.indices_batching, false));
  HLOCC_TRY(const int64_t* index_vector_dim, require_attr<int64_t>(inst, "index_vector_dim"));
  dims.index_vector_dim = *index_vector_dim;
  return dims;
}

IndexDims verified_index_dims(const Instruction& inst) {
  Result<IndexDims> dims = read_index_dims(inst);
  HLOCC_CHECK(dims.ok()) << inst.name() << ": " << dims.error().message();
  return std::move(dims).value();
}

void set_index_dims(Attributes& attrs, const IndexDims& dims, const IndexDimNames& names) {
  attrs.set(names.window, dims.window_dims);
  attrs.set(names.collapsed, dims.collapsed_dims);
  attrs.set(names.index_map, dims.index_map);
  if (!dims.operand_batching_dims.empty()) {
    attrs.set(names.operand_batching, dims.operand_batching_dims);
    attrs.set(names.indices_batching, dims.indices_batching_dims);
  }
  attrs.set("index_vector_dim", dims.index_vector_dim);
}

}  // namespace hlocc::ir::ops
