// Simplifier rules for data movement and conversion: a reshape, transpose, broadcast, slice,
// concatenate, pad or convert that changes nothing is bypassed, and two in a row become one.
#include <algorithm>

#include "passes/simplify_rules.h"

namespace hlocc::passes::simplify {
namespace {

using ir::DType;
using ir::Instruction;

bool is_identity(const std::vector<int64_t>& dims) {
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

// reshape(x) => x when x has the result's shape. reshape(reshape(x)) => reshape(x): a reshape
// reads its operand in row-major order whatever that operand's dims are.
Instruction* simplify_reshape(Instruction& reshape) {
  Instruction* operand = reshape.operand(0);
  if (operand->shape().equal_with_layout(reshape.shape())) return operand;
  if (operand->op() != ir::Op::Reshape) return nullptr;
  reshape.replace_operand(0, operand->operand(0));
  return &reshape;
}

// transpose(x, {0, ..., r-1}) => x. transpose(transpose(x, inner), outer) => transpose(x, c) with
// c[i] = inner[outer[i]]: result dim i is the inner result's dim outer[i], which is x's dim
// inner[outer[i]].
Instruction* simplify_transpose(Instruction& transpose) {
  Instruction* operand = transpose.operand(0);
  const std::vector<int64_t> outer = transpose.attrs().int_list_or_empty("dimensions");
  if (is_identity(outer)) return operand;
  if (operand->op() != ir::Op::Transpose) return nullptr;
  const std::vector<int64_t> inner = operand->attrs().int_list_or_empty("dimensions");
  std::vector<int64_t> composed;
  for (const int64_t d : outer) composed.push_back(inner[static_cast<size_t>(d)]);
  transpose.attrs().set("dimensions", composed);
  transpose.replace_operand(0, operand->operand(0));
  return &transpose;
}

// broadcast(x, {0, ..., r-1}) onto x's own shape => x. broadcast(broadcast(x, inner), outer) =>
// broadcast(x, c) with c[i] = outer[inner[i]]: x's dim i lands in the middle result's dim inner[i],
// which lands in the outer result's dim outer[inner[i]].
Instruction* simplify_broadcast(Instruction& broadcast) {
  Instruction* operand = broadcast.operand(0);
  const std::vector<int64_t> outer = broadcast.attrs().int_list_or_empty("dimensions");
  if (operand->shape() == broadcast.shape() && is_identity(outer)) return operand;
  if (operand->op() != ir::Op::Broadcast) return nullptr;
  std::vector<int64_t> composed;
  for (const int64_t d : operand->attrs().int_list_or_empty("dimensions")) {
    composed.push_back(outer[static_cast<size_t>(d)]);
  }
  broadcast.attrs().set("dimensions", composed);
  broadcast.replace_operand(0, operand->operand(0));
  return &broadcast;
}

// slice(x, {[0:n0:1], ..., [0:nk:1]}) => x, where x is [n0, ..., nk]
Instruction* simplify_slice(Instruction& slice) {
  Instruction* operand = slice.operand(0);
  const auto* config = slice.attrs().get<ir::SliceConfig>("slice");
  if (config == nullptr || !operand->shape().is_array()) return nullptr;
  for (size_t i = 0; i < config->dims.size(); ++i) {
    const ir::SliceDim& dim = config->dims[i];
    if (dim.start != 0 || dim.stride != 1 || dim.limit != operand->shape().dim(i)) return nullptr;
  }
  return operand;
}

// concatenate(x) => x
Instruction* simplify_concatenate(Instruction& concatenate) {
  return concatenate.operand_count() == 1 ? concatenate.operand(0) : nullptr;
}

// pad(x, v, padding=0_0x...x0_0) => x
Instruction* simplify_pad(Instruction& pad) {
  const auto* config = pad.attrs().get<ir::PaddingConfig>("padding");
  if (config == nullptr) return nullptr;
  const bool nothing_added = std::ranges::all_of(config->dims, [](const ir::PadDim& dim) {
    return dim.low == 0 && dim.high == 0 && dim.interior == 0;
  });
  return nothing_added ? pad.operand(0) : nullptr;
}

// Significand bits (the implicit one included): integers of up to this many bits convert exactly.
int significand_bits(DType dtype) {
  switch (dtype) {
    case DType::F16:
      return 11;
    case DType::BF16:
      return 8;
    case DType::F32:
      return 24;
    case DType::F64:
      return 53;
    default:
      return 0;
  }
}

// Bits an integer type's magnitudes need: s8 -> 7, u8 -> 8.
int64_t value_bits(DType dtype) {
  return ir::dtype_byte_size(dtype) * 8 - (ir::is_signed_int(dtype) ? 1 : 0);
}

// Whether every value of `from` is a value of `to`, so that converting there and back is exact.
bool widens(DType from, DType to) {
  if (from == DType::Pred) return ir::is_integer(to) || ir::is_float(to);  // 0 and 1
  if (ir::is_integer(from) && ir::is_integer(to)) {
    const bool sign_ok = ir::is_signed_int(to) || ir::is_unsigned_int(from);
    return sign_ok && value_bits(from) <= value_bits(to);
  }
  if (ir::is_integer(from) && ir::is_float(to)) return value_bits(from) <= significand_bits(to);
  if (ir::is_float(from) && ir::is_float(to)) {
    // f16 and bf16 both fit in f32 (and f64); neither fits in the other.
    return significand_bits(from) < significand_bits(to) && to != DType::F16 && to != DType::BF16;
  }
  return false;
}

// convert(x) => x when x has the result type already. convert(convert(x: T -> U) -> T) => x when
// every T value is a U value (a widening there and back).
Instruction* simplify_convert(Instruction& convert) {
  Instruction* operand = convert.operand(0);
  if (!operand->shape().is_array()) return nullptr;
  const DType dtype = convert.shape().dtype();
  if (operand->shape().dtype() == dtype) return operand;
  if (operand->op() != ir::Op::Convert) return nullptr;
  Instruction* source = operand->operand(0);
  const bool round_trip = source->shape().dtype() == dtype;
  return round_trip && widens(dtype, operand->shape().dtype()) ? source : nullptr;
}

}  // namespace

void register_shape_rules(RuleTable& table) {
  table[static_cast<size_t>(ir::Op::Reshape)] = simplify_reshape;
  table[static_cast<size_t>(ir::Op::Transpose)] = simplify_transpose;
  table[static_cast<size_t>(ir::Op::Broadcast)] = simplify_broadcast;
  table[static_cast<size_t>(ir::Op::Slice)] = simplify_slice;
  table[static_cast<size_t>(ir::Op::Concatenate)] = simplify_concatenate;
  table[static_cast<size_t>(ir::Op::Pad)] = simplify_pad;
  table[static_cast<size_t>(ir::Op::Convert)] = simplify_convert;
}

}  // namespace hlocc::passes::simplify
