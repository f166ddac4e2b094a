// Rules of the ops that cut or pad boxes of an array: slice, dynamic-slice, dynamic-update-slice
// and pad. Values move with strided_copy; element types are never inspected.
#include <algorithm>
#include <limits>

#include "ir/ops/rule_helpers.h"
#include "ir/ops/strided_copy.h"

namespace hlocc::ir::detail {
namespace {

using ops::op_error;

std::string shape_text(const Shape& shape) { return shape.to_string(false); }

std::string dim_text(int64_t d) { return "dimension " + std::to_string(d); }

// ---- slice: start/limit/stride per dimension
// ------------------------------------------------------
Status check_slice_dim(const Instruction& inst, const Shape& operand, int64_t d,
                       const SliceDim& s) {
  const std::string where = "; got [" + std::to_string(s.start) + ":" + std::to_string(s.limit) +
                            ":" + std::to_string(s.stride) + "] in " + dim_text(d) + " of " +
                            shape_text(operand);
  if (s.stride <= 0) return op_error(inst, "stride must be positive" + where);
  if (s.start < 0 || s.limit > operand.dim(d)) {
    return op_error(inst, "slice is out of bounds (0 <= start, limit <= " +
                              std::to_string(operand.dim(d)) + ")" + where);
  }
  if (s.start > s.limit) return op_error(inst, "start must not exceed limit" + where);
  return ok_status();
}

Result<Shape> slice_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const SliceConfig* slice, ops::require_attr<SliceConfig>(inst, "slice"));
  if (static_cast<int64_t>(slice->dims.size()) != operand->rank()) {
    return op_error(inst, "slice needs one [start:limit:stride] per operand dimension; got " +
                              std::to_string(slice->dims.size()) + " for " + shape_text(*operand));
  }
  std::vector<int64_t> result_dims;
  for (int64_t d = 0; d < operand->rank(); ++d) {
    const SliceDim& s = slice->dims[static_cast<size_t>(d)];
    HLOCC_TRY_STATUS(check_slice_dim(inst, *operand, d, s));
    result_dims.push_back((s.limit - s.start + s.stride - 1) / s.stride);
  }
  return Shape::array(operand->dtype(), result_dims);
}

Result<Literal> slice_eval(const Instruction& inst, std::span<const Literal* const> operands,
                           EvalContext&) {
  const SliceConfig& slice = *inst.attrs().get<SliceConfig>("slice");
  ops::StridedView view = ops::dense_view(operands[0]->shape().dims());
  for (size_t d = 0; d < slice.dims.size(); ++d) {
    view.offset += slice.dims[d].start * view.strides[d];
    view.strides[d] *= slice.dims[d].stride;
  }
  Literal result(inst.shape());
  ops::strided_copy(operands[0]->raw(), view, result.raw(), ops::dense_view(inst.shape().dims()),
                    inst.shape().dims(), dtype_byte_size(inst.shape().dtype()));
  return result;
}

// ---- dynamic-slice and dynamic-update-slice: start indices are runtime scalars
// --------------------- Operands first_index.. are one scalar per dimension, all of the same
// integer type (XLA).
Status check_start_indices(const Instruction& inst, int64_t first_index, const Shape& operand) {
  const int64_t count = inst.operand_count() - first_index;
  if (count != operand.rank()) {
    return op_error(inst, "needs one start index per operand dimension (" +
                              std::to_string(operand.rank()) + "); got " + std::to_string(count) +
                              " for " + shape_text(operand));
  }
  for (int64_t i = first_index; i < inst.operand_count(); ++i) {
    const Shape& index = inst.operand(i)->shape();
    const Shape& first = inst.operand(first_index)->shape();
    if (!index.is_scalar() || !is_integer(index.dtype()) || !(index == first)) {
      return op_error(inst, "start indices must be integer scalars of one type; got " +
                                ops::operand_shapes(inst));
    }
  }
  return ok_status();
}

// Reads index scalar `value` as int64. Like XLA, u64 indices are reinterpreted as s64 (so values
// above 2^63 act as negative and clamp to 0); narrower unsigned ones zero-extend.
int64_t index_value(const Literal& value) {
  return dispatch_dtype(value.shape().dtype(), [&](auto tag) -> int64_t {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T>) {
      return static_cast<int64_t>(value.data<T>()[0]);
    } else {
      HLOCC_CHECK(false) << "non-integer start index " << value.shape().to_string();
      return 0;
    }
  });
}

// Start indices clamped so that a box of `sizes` fits inside `dims`: clamp(start, 0, dim - size).
std::vector<int64_t> clamped_starts(std::span<const Literal* const> indices,
                                    const std::vector<int64_t>& dims,
                                    const std::vector<int64_t>& sizes) {
  std::vector<int64_t> starts;
  for (size_t d = 0; d < dims.size(); ++d) {
    starts.push_back(std::clamp<int64_t>(index_value(*indices[d]), 0, dims[d] - sizes[d]));
  }
  return starts;
}

Result<Shape> dynamic_slice_shape(const Instruction& inst) {
  if (inst.operand_count() == 0) return op_error(inst, "needs an operand; got none");
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY_STATUS(check_start_indices(inst, 1, *operand));
  HLOCC_TRY(const auto* sizes,
            ops::require_attr<std::vector<int64_t>>(inst, "dynamic_slice_sizes"));
  if (static_cast<int64_t>(sizes->size()) != operand->rank()) {
    return op_error(inst, "dynamic_slice_sizes needs one size per operand dimension; got " +
                              ops::braced(*sizes) + " for " + shape_text(*operand));
  }
  for (int64_t d = 0; d < operand->rank(); ++d) {
    const int64_t size = (*sizes)[static_cast<size_t>(d)];
    if (size < 0 || size > operand->dim(d)) {
      return op_error(inst, "slice size must be in [0, operand dimension]; got size " +
                                std::to_string(size) + " in " + dim_text(d) + " of " +
                                shape_text(*operand));
    }
  }
  return Shape::array(operand->dtype(), *sizes);
}

Result<Literal> dynamic_slice_eval(const Instruction& inst,
                                   std::span<const Literal* const> operands, EvalContext&) {
  const Shape& operand = operands[0]->shape();
  const std::vector<int64_t> starts =
      clamped_starts(operands.subspan(1), operand.dims(), inst.shape().dims());
  ops::StridedView view = ops::dense_view(operand.dims());
  for (size_t d = 0; d < starts.size(); ++d) view.offset += starts[d] * view.strides[d];
  Literal result(inst.shape());
  ops::strided_copy(operands[0]->raw(), view, result.raw(), ops::dense_view(inst.shape().dims()),
                    inst.shape().dims(), dtype_byte_size(inst.shape().dtype()));
  return result;
}

Result<Shape> dynamic_update_slice_shape(const Instruction& inst) {
  if (inst.operand_count() < 2) {
    return op_error(inst, "needs an operand and an update; got " + ops::operand_shapes(inst));
  }
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* update, ops::array_operand(inst, 1));
  bool fits = update->dtype() == operand->dtype() && update->rank() == operand->rank();
  for (int64_t d = 0; fits && d < operand->rank(); ++d) fits = update->dim(d) <= operand->dim(d);
  if (!fits) {
    return op_error(inst,
                    "update must have the operand's element type and rank, and fit inside it; "
                    "got operand " +
                        shape_text(*operand) + " and update " + shape_text(*update));
  }
  HLOCC_TRY_STATUS(check_start_indices(inst, 2, *operand));
  return operand->without_layout();
}

Result<Literal> dynamic_update_slice_eval(const Instruction&,
                                          std::span<const Literal* const> operands, EvalContext&) {
  const Literal& update = *operands[1];
  Literal result = *operands[0];
  ops::copy_into(update, result,
                 clamped_starts(operands.subspan(2), result.shape().dims(), update.shape().dims()));
  return result;
}

// ---- pad: edge padding (negative slices) and interior padding
// ------------------------------------
Result<Shape> pad_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* value, ops::array_operand(inst, 1));
  HLOCC_TRY(const PaddingConfig* padding, ops::require_attr<PaddingConfig>(inst, "padding"));
  if (!value->is_scalar() || value->dtype() != operand->dtype()) {
    return op_error(inst, "padding value must be a scalar of the operand's element type; got " +
                              ops::operand_shapes(inst));
  }
  if (static_cast<int64_t>(padding->dims.size()) != operand->rank()) {
    return op_error(inst, "padding needs one low_high_interior per operand dimension; got " +
                              std::to_string(padding->dims.size()) + " for " +
                              shape_text(*operand));
  }
  std::vector<int64_t> result_dims;
  for (int64_t d = 0; d < operand->rank(); ++d) {
    const PadDim& p = padding->dims[static_cast<size_t>(d)];
    const std::string got = "; got " + std::to_string(p.low) + "_" + std::to_string(p.high) + "_" +
                            std::to_string(p.interior) + " in " + dim_text(d) + " of " +
                            shape_text(*operand);
    if (p.interior < 0) return op_error(inst, "interior padding must not be negative" + got);
    const int64_t size =
        p.low + p.high + operand->dim(d) + std::max<int64_t>(operand->dim(d) - 1, 0) * p.interior;
    if (size < 0) return op_error(inst, "padding makes a negative result dimension" + got);
    result_dims.push_back(size);
  }
  return Shape::array(operand->dtype(), result_dims);
}

// Source element i lands at result position low + i * (interior + 1). Only the elements that land
// inside [0, result_dim) are copied: negative low/high padding crops them.
struct PadCopy {
  ops::StridedView source;
  ops::StridedView target;
  std::vector<int64_t> counts;
};

PadCopy pad_copy(const PaddingConfig& padding, const Shape& operand, const Shape& result) {
  PadCopy copy{ops::dense_view(operand.dims()), ops::dense_view(result.dims()), {}};
  for (size_t d = 0; d < padding.dims.size(); ++d) {
    const PadDim& p = padding.dims[d];
    const int64_t step = p.interior + 1;
    const int64_t first = p.low >= 0 ? 0 : (-p.low + step - 1) / step;
    const int64_t last_position = result.dims()[d] - 1 - p.low;  // of i * step
    const int64_t last =
        last_position < 0 ? -1 : std::min(operand.dims()[d] - 1, last_position / step);
    copy.counts.push_back(std::max<int64_t>(last - first + 1, 0));
    copy.source.offset += first * copy.source.strides[d];
    copy.target.offset += (p.low + first * step) * copy.target.strides[d];
    copy.target.strides[d] *= step;
  }
  return copy;
}

Result<Literal> pad_eval(const Instruction& inst, std::span<const Literal* const> operands,
                         EvalContext&) {
  Literal result(inst.shape());
  ops::fill(result, *operands[1]);
  const PadCopy copy =
      pad_copy(*inst.attrs().get<PaddingConfig>("padding"), operands[0]->shape(), inst.shape());
  ops::strided_copy(operands[0]->raw(), copy.source, result.raw(), copy.target, copy.counts,
                    dtype_byte_size(inst.shape().dtype()));
  return result;
}

}  // namespace

void register_slice_ops(OpRuleTable& table) {
  auto set = [&](Op op, ShapeRule infer_shape, EvalRule evaluate) {
    table[static_cast<size_t>(op)] =
        OpRules{.infer_shape = std::move(infer_shape), .evaluate = std::move(evaluate)};
  };
  set(Op::Slice, slice_shape, slice_eval);
  set(Op::DynamicSlice, dynamic_slice_shape, dynamic_slice_eval);
  set(Op::DynamicUpdateSlice, dynamic_update_slice_shape, dynamic_update_slice_eval);
  set(Op::Pad, pad_shape, pad_eval);
}

}  // namespace hlocc::ir::detail
