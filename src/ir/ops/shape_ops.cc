// Rules of the layout-free data-movement ops: broadcast, reshape, bitcast, transpose, reverse and
// concatenate. Values move with strided_copy; element types are never inspected, so every dtype
// works.
#include <algorithm>

#include "ir/ops/rule_helpers.h"
#include "ir/ops/strided_copy.h"

namespace hlocc::ir::detail {
namespace {

using ops::op_error;

std::string shape_text(const Shape& shape) { return shape.to_string(false); }

// The declared result shape, which must be an array (these ops never produce tuples).
Result<const Shape*> array_result(const Instruction& inst) {
  if (!inst.shape().is_array()) {
    return op_error(inst, "result must be an array; got " + shape_text(inst.shape()));
  }
  return &inst.shape();
}

Status same_dtype(const Instruction& inst, const Shape& operand, const Shape& result) {
  if (operand.dtype() == result.dtype()) return ok_status();
  return op_error(inst, "result element type must equal the operand's; got operand " +
                            shape_text(operand) + " and result " + shape_text(result));
}

// `dimensions` must name distinct dimensions of an array of rank `rank`.
Status distinct_dims_in_range(const Instruction& inst, const std::vector<int64_t>& dims,
                              int64_t rank, const Shape& shape) {
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t d : dims) {
    if (d < 0 || d >= rank) {
      return op_error(inst, "dimension " + std::to_string(d) + " is out of range for rank " +
                                std::to_string(rank) + "; got dimensions=" + ops::braced(dims) +
                                " and " + shape_text(shape));
    }
    if (seen[static_cast<size_t>(d)]) {
      return op_error(inst, "dimension " + std::to_string(d) +
                                " appears twice; got dimensions=" + ops::braced(dims));
    }
    seen[static_cast<size_t>(d)] = true;
  }
  return ok_status();
}

Literal copy_with_view(const Literal& operand, const ops::StridedView& view, const Shape& shape) {
  Literal result(shape);
  ops::strided_copy(operand.raw(), view, result.raw(), ops::dense_view(shape.dims()), shape.dims(),
                    dtype_byte_size(shape.dtype()));
  return result;
}

// ---- broadcast: result[i] = operand[i restricted to `dimensions`]
// --------------------------------- HLO's broadcast (unlike the client-level one) never expands
// size-1 dims: each operand dim equals the result dim it maps to. Like XLA, `dimensions` need not
// be sorted (a broadcast may transpose).
Result<Shape> broadcast_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* result, array_result(inst));
  HLOCC_TRY(const auto* dims, ops::require_attr<std::vector<int64_t>>(inst, "dimensions"));
  HLOCC_TRY_STATUS(same_dtype(inst, *operand, *result));
  if (static_cast<int64_t>(dims->size()) != operand->rank()) {
    return op_error(inst, "dimensions must have one entry per operand dimension; got dimensions=" +
                              ops::braced(*dims) + " for operand " + shape_text(*operand));
  }
  HLOCC_TRY_STATUS(distinct_dims_in_range(inst, *dims, result->rank(), *result));
  for (int64_t i = 0; i < operand->rank(); ++i) {
    const int64_t to = (*dims)[static_cast<size_t>(i)];
    if (operand->dim(i) != result->dim(to)) {
      return op_error(inst, "operand dimension " + std::to_string(i) + " (size " +
                                std::to_string(operand->dim(i)) + ") must equal result dimension " +
                                std::to_string(to) + " (size " + std::to_string(result->dim(to)) +
                                "); got " + shape_text(*operand) + " -> " + shape_text(*result));
    }
  }
  return *result;
}

Result<Literal> broadcast_eval(const Instruction& inst, std::span<const Literal* const> operands,
                               EvalContext&) {
  const auto& dims = *inst.attrs().get<std::vector<int64_t>>("dimensions");
  const std::vector<int64_t> operand_strides = row_major_strides(operands[0]->shape().dims());
  ops::StridedView view{.offset = 0,
                        .strides = std::vector<int64_t>(inst.shape().dims().size(), 0)};
  for (size_t i = 0; i < dims.size(); ++i) {
    view.strides[static_cast<size_t>(dims[i])] = operand_strides[i];
  }
  return copy_with_view(*operands[0], view, inst.shape());
}

// ---- reshape: same elements in row-major order, new dims
// ------------------------------------------
Result<Shape> reshape_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* result, array_result(inst));
  HLOCC_TRY_STATUS(same_dtype(inst, *operand, *result));
  if (operand->element_count() != result->element_count()) {
    return op_error(inst, "element counts differ; got " + shape_text(*operand) + " (" +
                              std::to_string(operand->element_count()) + " elements) -> " +
                              shape_text(*result) + " (" + std::to_string(result->element_count()) +
                              " elements)");
  }
  return *result;
}

Result<Literal> reshape_eval(const Instruction& inst, std::span<const Literal* const> operands,
                             EvalContext&) {
  Literal result = *operands[0];
  result.reshape_in_place(inst.shape());
  return result;
}

// ---- bitcast: reinterprets the operand's physical bytes in the result's shape
// ---------------------- The bytes are read and written in each shape's physical order, given by
// its layout (row-major when it has none), so a layout-assigned module's transposing bitcasts
// evaluate as XLA runs them. Layout tiling (the part after ':') is ignored. Element types may
// differ when the byte sizes agree.
Status check_layout(const Instruction& inst, const Shape& shape) {
  if (!shape.layout()) return ok_status();
  std::vector<int64_t> sorted = shape.layout()->minor_to_major;
  std::sort(sorted.begin(), sorted.end());
  bool permutation = static_cast<int64_t>(sorted.size()) == shape.rank();
  for (size_t i = 0; permutation && i < sorted.size(); ++i) {
    permutation = sorted[i] == static_cast<int64_t>(i);
  }
  if (permutation) return ok_status();
  return op_error(inst, "layout must be a permutation of the dimensions; got " + shape.to_string());
}

Result<Shape> bitcast_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* result, array_result(inst));
  if (operand->byte_size() != result->byte_size()) {
    return op_error(inst, "operand and result must have the same byte size; got " +
                              shape_text(*operand) + " (" + std::to_string(operand->byte_size()) +
                              " bytes) -> " + shape_text(*result) + " (" +
                              std::to_string(result->byte_size()) + " bytes)");
  }
  HLOCC_TRY_STATUS(check_layout(inst, inst.operand(0)->shape()));
  HLOCC_TRY_STATUS(check_layout(inst, *result));
  return *result;
}

// The view of a logical row-major array walked in physical order: index k of the walk is
// logical dimension order[k].
ops::StridedView physical_view(const Shape& shape, std::vector<int64_t>& physical_dims) {
  const std::vector<int64_t> order = shape.major_to_minor();
  const std::vector<int64_t> strides = row_major_strides(shape.dims());
  ops::StridedView view;
  physical_dims.clear();
  for (int64_t d : order) {
    physical_dims.push_back(shape.dim(d));
    view.strides.push_back(strides[static_cast<size_t>(d)]);
  }
  return view;
}

Result<Literal> bitcast_eval(const Instruction& inst, std::span<const Literal* const> operands,
                             EvalContext&) {
  const Shape& operand_shape = inst.operand(0)->shape();
  std::vector<int64_t> physical_dims;
  const ops::StridedView read = physical_view(operand_shape, physical_dims);
  Literal bytes(Shape::array(operand_shape.dtype(), physical_dims));
  ops::strided_copy(operands[0]->raw(), read, bytes.raw(), ops::dense_view(physical_dims),
                    physical_dims, dtype_byte_size(operand_shape.dtype()));
  Literal result(inst.shape());
  const ops::StridedView write = physical_view(inst.shape(), physical_dims);
  ops::strided_copy(bytes.raw(), ops::dense_view(physical_dims), result.raw(), write, physical_dims,
                    dtype_byte_size(inst.shape().dtype()));
  if (inst.shape().dtype() == DType::Pred) {
    // Any nonzero byte is true; keep the storage a valid bool.
    for (int64_t i = 0; i < result.raw_size(); ++i) {
      result.raw()[i] = result.raw()[i] != std::byte{0} ? std::byte{1} : std::byte{0};
    }
  }
  return result;
}

// ---- transpose: result dim i is operand dim dimensions[i]
// -------------------------------------------
Result<Shape> transpose_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const auto* dims, ops::require_attr<std::vector<int64_t>>(inst, "dimensions"));
  std::vector<int64_t> sorted = *dims;
  std::sort(sorted.begin(), sorted.end());
  bool permutation = static_cast<int64_t>(sorted.size()) == operand->rank();
  for (size_t i = 0; permutation && i < sorted.size(); ++i) {
    permutation = sorted[i] == static_cast<int64_t>(i);
  }
  if (!permutation) {
    return op_error(inst, "dimensions must be a permutation of the operand's " +
                              std::to_string(operand->rank()) + " dimensions; got dimensions=" +
                              ops::braced(*dims) + " for " + shape_text(*operand));
  }
  std::vector<int64_t> result_dims;
  for (int64_t d : *dims) result_dims.push_back(operand->dim(d));
  return Shape::array(operand->dtype(), result_dims);
}

Result<Literal> transpose_eval(const Instruction& inst, std::span<const Literal* const> operands,
                               EvalContext&) {
  const auto& dims = *inst.attrs().get<std::vector<int64_t>>("dimensions");
  const std::vector<int64_t> operand_strides = row_major_strides(operands[0]->shape().dims());
  ops::StridedView view;
  for (int64_t d : dims) view.strides.push_back(operand_strides[static_cast<size_t>(d)]);
  return copy_with_view(*operands[0], view, inst.shape());
}

// ---- reverse: flips the listed dimensions
// ---------------------------------------------------------
Result<Shape> reverse_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const auto* dims, ops::require_attr<std::vector<int64_t>>(inst, "dimensions"));
  HLOCC_TRY_STATUS(distinct_dims_in_range(inst, *dims, operand->rank(), *operand));
  return operand->without_layout();
}

Result<Literal> reverse_eval(const Instruction& inst, std::span<const Literal* const> operands,
                             EvalContext&) {
  const Shape& shape = operands[0]->shape();
  ops::StridedView view = ops::dense_view(shape.dims());
  for (int64_t d : *inst.attrs().get<std::vector<int64_t>>("dimensions")) {
    int64_t& stride = view.strides[static_cast<size_t>(d)];
    if (shape.dim(d) > 0) view.offset += (shape.dim(d) - 1) * stride;
    stride = -stride;
  }
  return copy_with_view(*operands[0], view, inst.shape());
}

// ---- concatenate: operands joined along dimensions={d}
// ----------------------------------------------
Result<int64_t> concat_dimension(const Instruction& inst, const Shape& first) {
  HLOCC_TRY(const auto* dims, ops::require_attr<std::vector<int64_t>>(inst, "dimensions"));
  if (dims->size() != 1) {
    return op_error(
        inst, "dimensions must name exactly one dimension; got dimensions=" + ops::braced(*dims));
  }
  const int64_t dim = dims->front();
  if (dim < 0 || dim >= first.rank()) {
    return op_error(inst, "dimension " + std::to_string(dim) + " is out of range for rank " +
                              std::to_string(first.rank()) + "; got " + ops::operand_shapes(inst));
  }
  return dim;
}

Result<Shape> concatenate_shape(const Instruction& inst) {
  if (inst.operand_count() == 0) return op_error(inst, "needs at least one operand; got none");
  for (int64_t i = 0; i < inst.operand_count(); ++i) HLOCC_TRY_STATUS(ops::array_operand(inst, i));
  const Shape& first = inst.operand(0)->shape();
  HLOCC_TRY(const int64_t dim, concat_dimension(inst, first));
  std::vector<int64_t> result_dims = first.dims();
  for (int64_t i = 1; i < inst.operand_count(); ++i) {
    const Shape& shape = inst.operand(i)->shape();
    bool compatible = shape.dtype() == first.dtype() && shape.rank() == first.rank();
    for (int64_t d = 0; compatible && d < first.rank(); ++d) {
      compatible = d == dim || shape.dim(d) == first.dim(d);
    }
    if (!compatible) {
      return op_error(inst,
                      "operands must have the same element type and equal dimensions except "
                      "dimension " +
                          std::to_string(dim) + "; got " + ops::operand_shapes(inst));
    }
    result_dims[static_cast<size_t>(dim)] += shape.dim(dim);
  }
  return Shape::array(first.dtype(), result_dims);
}

Result<Literal> concatenate_eval(const Instruction& inst, std::span<const Literal* const> operands,
                                 EvalContext&) {
  const int64_t dim = inst.attrs().get<std::vector<int64_t>>("dimensions")->front();
  Literal result(inst.shape());
  std::vector<int64_t> start(inst.shape().dims().size(), 0);
  for (const Literal* operand : operands) {
    ops::copy_into(*operand, result, start);
    start[static_cast<size_t>(dim)] += operand->shape().dim(dim);
  }
  return result;
}

}  // namespace

void register_shape_ops(OpRuleTable& table) {
  auto set = [&](Op op, ShapeRule infer_shape, EvalRule evaluate) {
    table[static_cast<size_t>(op)] =
        OpRules{.infer_shape = std::move(infer_shape), .evaluate = std::move(evaluate)};
  };
  set(Op::Broadcast, broadcast_shape, broadcast_eval);
  set(Op::Reshape, reshape_shape, reshape_eval);
  set(Op::Bitcast, bitcast_shape, bitcast_eval);
  set(Op::Transpose, transpose_shape, transpose_eval);
  set(Op::Reverse, reverse_shape, reverse_eval);
  set(Op::Concatenate, concatenate_shape, concatenate_eval);
}

}  // namespace hlocc::ir::detail
