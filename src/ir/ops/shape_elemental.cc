// Elemental rules of the data-movement ops: each result element is one operand element (or the
// padding value) at an index computed from the result index, with the evaluator's clamping of
// dynamic and gathered start indices. Reads that could leave an operand sit inside if_else.
#include <algorithm>
#include <optional>

#include "ir/op_rules.h"
#include "ir/ops/elemental_helpers.h"
#include "ir/ops/gather_scatter.h"
#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::detail {
namespace {

using ops::CompareDirection;
using ops::contains;
using ops::single;

const std::vector<int64_t>& int_list(const Instruction& inst, std::string_view name) {
  const auto* value = inst.attrs().get<std::vector<int64_t>>(name);
  HLOCC_CHECK(value) << inst.name() << " lacks " << name << " (unverified?)";
  return *value;
}

const Shape& operand_shape(const Instruction& inst, int64_t i) { return inst.operand(i)->shape(); }

// broadcast: operand dim k is result dim dimensions[k].
Result<std::vector<EValue>> broadcast_element(ElementalBuilder& b, const EIndex& index) {
  EIndex operand_index;
  for (int64_t d : int_list(b.instruction(), "dimensions")) {
    operand_index.push_back(index[static_cast<size_t>(d)]);
  }
  return single(b.operand(0, operand_index));
}

// reshape: the element at the same row-major position.
Result<std::vector<EValue>> reshape_element(ElementalBuilder& b, const EIndex& index) {
  const std::vector<int64_t>& from = operand_shape(b.instruction(), 0).dims();
  const std::vector<int64_t>& to = b.instruction().shape().dims();
  if (from == to) return single(b.operand(0, index));
  return single(b.operand(0, ops::delinearize(b, ops::linearize(b, index, to), from)));
}

// The logical index of `shape` in its physical (layout) order, and its dims in that order.
std::pair<EIndex, std::vector<int64_t>> physical(const Shape& shape, const EIndex& index) {
  std::pair<EIndex, std::vector<int64_t>> result;
  for (int64_t d : shape.major_to_minor()) {
    result.first.push_back(index[static_cast<size_t>(d)]);
    result.second.push_back(shape.dim(d));
  }
  return result;
}

// Same-width reinterpretation of one element; pred reads any nonzero byte as true.
Result<EValue> reinterpret(ElementalBuilder& b, EValue value, DType to) {
  const Instruction& inst = b.instruction();
  if (value.dtype == to) return value;
  if (dtype_byte_size(value.dtype) != dtype_byte_size(to)) {
    return ops::op_error(inst, "element types of different widths have no elemental form; got " +
                                   ops::operand_shapes(inst) + " -> " + inst.shape().to_string());
  }
  if (to == DType::Pred) {
    return b.compare(CompareDirection::Ne, ops::default_compare_type(value.dtype), value,
                     b.int_constant(value.dtype, 0));
  }
  if (value.dtype == DType::Pred) return b.convert(value, to);
  return b.bitcast_convert(value, to);
}

// bitcast: the element at the same position in physical (layout) order, its bits reinterpreted.
Result<std::vector<EValue>> bitcast_element(ElementalBuilder& b, const EIndex& index) {
  const Shape& from = operand_shape(b.instruction(), 0);
  const auto [result_index, result_dims] = physical(b.instruction().shape(), index);
  const EValue linear = ops::linearize(b, result_index, result_dims);
  const std::vector<int64_t> order = from.major_to_minor();
  std::vector<int64_t> physical_dims;
  for (int64_t d : order) physical_dims.push_back(from.dim(d));
  const EIndex physical_index = ops::delinearize(b, linear, physical_dims);
  EIndex operand_index(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    operand_index[static_cast<size_t>(order[k])] = physical_index[k];
  }
  HLOCC_TRY(const EValue value,
            reinterpret(b, b.operand(0, operand_index), b.instruction().shape().dtype()));
  return single(value);
}

// transpose: result dim i is operand dim dimensions[i].
Result<std::vector<EValue>> transpose_element(ElementalBuilder& b, const EIndex& index) {
  const std::vector<int64_t>& dims = int_list(b.instruction(), "dimensions");
  EIndex operand_index(index.size());
  for (size_t i = 0; i < dims.size(); ++i) operand_index[static_cast<size_t>(dims[i])] = index[i];
  return single(b.operand(0, operand_index));
}

Result<std::vector<EValue>> reverse_element(ElementalBuilder& b, const EIndex& index) {
  const Shape& shape = b.instruction().shape();
  EIndex operand_index = index;
  for (int64_t d : int_list(b.instruction(), "dimensions")) {
    EValue& i = operand_index[static_cast<size_t>(d)];
    i = b.subtract(b.index_constant(shape.dim(d) - 1), i);
  }
  return single(b.operand(0, operand_index));
}

Result<std::vector<EValue>> slice_element(ElementalBuilder& b, const EIndex& index) {
  const SliceConfig& slice = *b.instruction().attrs().get<SliceConfig>("slice");
  EIndex operand_index;
  for (size_t d = 0; d < index.size(); ++d) {
    operand_index.push_back(ops::affine(b, index[d], slice.dims[d].stride, slice.dims[d].start));
  }
  return single(b.operand(0, operand_index));
}

// pad: result position p of a dim holds operand element (p - low) / (interior + 1) when that
// division is exact and lands inside the operand; every other position holds the padding value.
Result<std::vector<EValue>> pad_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const PaddingConfig& padding = *inst.attrs().get<PaddingConfig>("padding");
  const Shape& operand = operand_shape(inst, 0);
  if (operand.element_count() == 0) return single(b.operand(1, {}));
  EIndex operand_index;
  std::vector<EValue> conditions;
  for (size_t d = 0; d < index.size(); ++d) {
    const PadDim& p = padding.dims[d];
    const int64_t size = operand.dim(static_cast<int64_t>(d));
    const int64_t step = p.interior + 1;
    const EValue position = ops::affine(b, index[d], 1, -p.low);
    const bool always_inside = p.interior == 0 && p.low <= 0 && p.high <= 0;
    if (!always_inside) conditions.push_back(ops::in_range(b, position, 0, (size - 1) * step + 1));
    if (step == 1) {
      operand_index.push_back(position);
      continue;
    }
    const EValue step_value = b.index_constant(step);
    conditions.push_back(b.index_compare(CompareDirection::Eq, b.remainder(position, step_value),
                                         b.index_constant(0)));
    operand_index.push_back(b.divide(position, step_value));
  }
  if (conditions.empty()) return single(b.operand(0, operand_index));
  return b.if_else(
      ops::all_true(b, conditions),
      [&] { return std::vector<EValue>{b.operand(0, operand_index)}; },
      [&] { return std::vector<EValue>{b.operand(1, {})}; });
}

// concatenate: operand k covers [offsets[k], offsets[k] + size) of the concatenated dimension;
// the operands are tried in order, each behind a test of the index against the next offset.
std::vector<EValue> concat_from(ElementalBuilder& b, const EIndex& index, int64_t dim,
                                int64_t operand, int64_t offset) {
  const Instruction& inst = b.instruction();
  const int64_t size = operand_shape(inst, operand).dim(dim);
  auto read = [&] {
    EIndex operand_index = index;
    operand_index[static_cast<size_t>(dim)] =
        ops::affine(b, index[static_cast<size_t>(dim)], 1, -offset);
    return std::vector<EValue>{b.operand(operand, operand_index)};
  };
  if (operand + 1 == inst.operand_count()) return read();
  if (size == 0) return concat_from(b, index, dim, operand + 1, offset);
  const EValue here = b.index_compare(CompareDirection::Lt, index[static_cast<size_t>(dim)],
                                      b.index_constant(offset + size));
  return b.if_else(here, read,
                   [&] { return concat_from(b, index, dim, operand + 1, offset + size); });
}

Result<std::vector<EValue>> concatenate_element(ElementalBuilder& b, const EIndex& index) {
  return concat_from(b, index, int_list(b.instruction(), "dimensions").front(), 0, 0);
}

Result<std::vector<EValue>> iota_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const EValue i = index[static_cast<size_t>(*inst.attrs().get<int64_t>("iota_dimension"))];
  const DType dtype = inst.shape().dtype();
  return single(dtype == DType::S64 ? i : b.convert(i, dtype));
}

// The start indices (operands first.., one scalar per dim) clamped so that a box of `sizes` fits:
// clamp(start, 0, dim - size), as XLA's dynamic-slice and dynamic-update-slice do.
EIndex clamped_starts(ElementalBuilder& b, int64_t first, const std::vector<int64_t>& sizes) {
  const Shape& operand = operand_shape(b.instruction(), 0);
  EIndex starts;
  for (size_t d = 0; d < sizes.size(); ++d) {
    const EValue start = ops::as_index(b, b.operand(first + static_cast<int64_t>(d), {}));
    starts.push_back(
        ops::clamp_index(b, start, 0, operand.dim(static_cast<int64_t>(d)) - sizes[d]));
  }
  return starts;
}

Result<std::vector<EValue>> dynamic_slice_element(ElementalBuilder& b, const EIndex& index) {
  const EIndex starts = clamped_starts(b, 1, b.instruction().shape().dims());
  EIndex operand_index;
  for (size_t d = 0; d < index.size(); ++d) operand_index.push_back(b.add(starts[d], index[d]));
  return single(b.operand(0, operand_index));
}

// dynamic-update-slice: the update's element inside its (clamped) box, the operand's elsewhere.
Result<std::vector<EValue>> dynamic_update_slice_element(ElementalBuilder& b, const EIndex& index) {
  const std::vector<int64_t>& update_dims = operand_shape(b.instruction(), 1).dims();
  const EIndex starts = clamped_starts(b, 2, update_dims);
  EIndex update_index;
  std::vector<EValue> inside;
  for (size_t d = 0; d < index.size(); ++d) {
    update_index.push_back(b.subtract(index[d], starts[d]));
    inside.push_back(ops::in_range(b, update_index.back(), 0, update_dims[d]));
  }
  return b.if_else(
      ops::all_true(b, inside), [&] { return std::vector<EValue>{b.operand(1, update_index)}; },
      [&] { return std::vector<EValue>{b.operand(0, index)}; });
}

// Component k of the start index vector at batch position `batch` (start_indices' dims without
// index_vector_dim), as S64.
EValue start_component(ElementalBuilder& b, const ops::IndexDims& dims, const EIndex& batch,
                       int64_t k) {
  EIndex indices_index = batch;
  if (dims.index_vector_dim < operand_shape(b.instruction(), 1).rank()) {
    indices_index.insert(indices_index.begin() + dims.index_vector_dim, b.index_constant(k));
  }
  return ops::as_index(b, b.operand(1, indices_index));
}

// gather: result dims in offset_dims index the slice window; the others are batch positions,
// which pick a start index vector (and the batching dims' positions) from start_indices. Each
// start is clamped so the slice stays inside the operand, as the evaluator does.
Result<std::vector<EValue>> gather_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const Shape& operand = operand_shape(inst, 0);
  // An empty operand with a non-empty result (a size-0 collapsed slice): the evaluator's zeros.
  if (operand.element_count() == 0) return single(b.constant(inst.shape().dtype(), 0));
  const ops::IndexDims dims = ops::verified_index_dims(inst);
  const auto& slice_sizes = int_list(inst, "slice_sizes");
  EIndex batch, offsets;
  for (size_t i = 0; i < index.size(); ++i) {
    (contains(dims.window_dims, static_cast<int64_t>(i)) ? offsets : batch).push_back(index[i]);
  }
  std::vector<std::optional<EValue>> starts(static_cast<size_t>(operand.rank()));
  for (size_t k = 0; k < dims.index_map.size(); ++k) {
    starts[static_cast<size_t>(dims.index_map[k])] =
        start_component(b, dims, batch, static_cast<int64_t>(k));
  }
  for (size_t i = 0; i < dims.operand_batching_dims.size(); ++i) {
    const int64_t d = dims.indices_batching_dims[i];
    starts[static_cast<size_t>(dims.operand_batching_dims[i])] =
        batch[static_cast<size_t>(d < dims.index_vector_dim ? d : d - 1)];
  }
  EIndex operand_index;
  size_t next_offset = 0;
  for (int64_t d = 0; d < operand.rank(); ++d) {
    const bool window =
        !contains(dims.collapsed_dims, d) && !contains(dims.operand_batching_dims, d);
    const std::optional<EValue>& start = starts[static_cast<size_t>(d)];
    // XLA clamps to [0, dim - slice]; max(slice, 1) keeps a size-0 collapsed slice in bounds.
    const int64_t slice = std::max<int64_t>(slice_sizes[static_cast<size_t>(d)], 1);
    EValue position =
        start ? ops::clamp_index(b, *start, 0, operand.dim(d) - slice) : b.index_constant(0);
    if (window) position = b.add(position, offsets[next_offset++]);
    operand_index.push_back(position);
  }
  return single(b.operand(0, operand_index));
}

}  // namespace

void register_shape_elementals(OpRuleTable& table) {
  auto set = [&](Op op, ElementalRule rule) {
    table[static_cast<size_t>(op)].elemental = std::move(rule);
  };
  set(Op::Broadcast, broadcast_element);
  set(Op::Reshape, reshape_element);
  set(Op::Bitcast, bitcast_element);
  set(Op::Transpose, transpose_element);
  set(Op::Reverse, reverse_element);
  set(Op::Slice, slice_element);
  set(Op::Pad, pad_element);
  set(Op::Concatenate, concatenate_element);
  set(Op::Iota, iota_element);
  set(Op::DynamicSlice, dynamic_slice_element);
  set(Op::DynamicUpdateSlice, dynamic_update_slice_element);
  set(Op::Gather, gather_element);
}

}  // namespace hlocc::ir::detail
