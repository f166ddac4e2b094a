// Elemental rules of the elementwise ops and conversions: one builder call per op, on the
// operands' elements at the result's index. Scalar semantics (NaN, wrapping, rounding of f16/bf16)
// are the builder's, specified by scalar_math.h.
#include "ir/op_rules.h"
#include "ir/ops/elemental_helpers.h"
#include "ir/ops/elementwise_helpers.h"

namespace hlocc::ir::detail {
namespace {

using B = ElementalBuilder;

template <EValue (B::*kMethod)(EValue)>
ElementalRule unary() {
  return [](B& b, const EIndex& index) { return ops::single((b.*kMethod)(b.operand(0, index))); };
}

template <EValue (B::*kMethod)(EValue, EValue)>
ElementalRule binary() {
  return [](B& b, const EIndex& index) {
    return ops::single((b.*kMethod)(b.operand(0, index), b.operand(1, index)));
  };
}

/// Operand i at `index`, or its one element when it is a scalar (clamp bounds, select predicate).
EValue scalar_or_element(B& b, int64_t i, const EIndex& index) {
  return b.operand(i, b.instruction().operand(i)->shape().is_scalar() ? EIndex{} : index);
}

EValue is_nan(B& b, EValue x) {
  return b.compare(ops::CompareDirection::Ne, ops::default_compare_type(x.dtype), x, x);
}

// XLA's clamp: the first NaN of (min, operand, max) wins, else minimum(max, maximum(x, min)).
Result<std::vector<EValue>> clamp(B& b, const EIndex& index) {
  const EValue low = scalar_or_element(b, 0, index);
  const EValue x = b.operand(1, index);
  const EValue high = scalar_or_element(b, 2, index);
  const EValue clamped = b.minimum(high, b.maximum(x, low));
  return ops::single(b.select(is_nan(b, low), low, b.select(is_nan(b, x), x, clamped)));
}

Result<std::vector<EValue>> compare(B& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  HLOCC_TRY(const std::string* direction_name, ops::require_attr<std::string>(inst, "direction"));
  const auto direction = ops::compare_direction_from_name(*direction_name);
  const std::string* type_name = inst.attrs().get<std::string>("type");
  const auto type = type_name ? ops::compare_type_from_name(*type_name)
                              : ops::default_compare_type(inst.operand(0)->shape().dtype());
  if (!direction || !type) return ops::op_error(inst, "unverified direction or type");
  return ops::single(b.compare(*direction, *type, b.operand(0, index), b.operand(1, index)));
}

/// The unsigned integer type of `bytes` bytes (for bit surgery on bitcast-convert).
DType unsigned_of_size(int64_t bytes) {
  return bytes == 1 ? DType::U8 : bytes == 2 ? DType::U16 : bytes == 4 ? DType::U32 : DType::U64;
}

// bitcast-convert to a type k times narrower adds a minor dim of k: element (i..., j) is the j-th
// narrow piece (little-endian) of wide element (i...). To a type k times wider it consumes the
// last dim: element (i...) joins pieces (i..., 0..k-1).
Result<std::vector<EValue>> bitcast_convert(B& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const DType from = inst.operand(0)->shape().dtype();
  const DType to = inst.shape().dtype();
  const int64_t from_bytes = dtype_byte_size(from);
  const int64_t to_bytes = dtype_byte_size(to);
  if (from_bytes == to_bytes) return ops::single(b.bitcast_convert(b.operand(0, index), to));
  if (is_complex(from)) return ops::op_error(inst, "complex bitcast-convert across widths");
  const DType wide = unsigned_of_size(std::max(from_bytes, to_bytes));
  const DType narrow = unsigned_of_size(std::min(from_bytes, to_bytes));
  const auto piece_shift = [&](EValue piece) {  // piece * 8 * narrow bytes, as `wide`
    return b.convert(b.index_mul(piece, 8 * std::min(from_bytes, to_bytes)), wide);
  };
  if (from_bytes > to_bytes) {
    const EIndex outer(index.begin(), index.end() - 1);
    const EValue bits = b.bitcast_convert(b.operand(0, outer), wide);
    const EValue piece = b.shift_right_logical(bits, piece_shift(index.back()));
    return ops::single(b.bitcast_convert(b.convert(piece, narrow), to));
  }
  EValue joined = b.int_constant(wide, 0);
  for (int64_t j = 0; j < to_bytes / from_bytes; ++j) {
    EIndex inner = index;
    inner.push_back(b.index_constant(j));
    const EValue piece = b.convert(b.bitcast_convert(b.operand(0, inner), narrow), wide);
    joined = b.logical_or(joined, b.shift_left(piece, piece_shift(b.index_constant(j))));
  }
  return ops::single(b.bitcast_convert(joined, to));
}

Result<std::vector<EValue>> reduce_precision(B& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  HLOCC_TRY(const int64_t* exponent_bits, ops::require_attr<int64_t>(inst, "exponent_bits"));
  HLOCC_TRY(const int64_t* mantissa_bits, ops::require_attr<int64_t>(inst, "mantissa_bits"));
  return ops::single(b.reduce_precision(b.operand(0, index), *exponent_bits, *mantissa_bits));
}

}  // namespace

void register_elementwise_elementals(OpRuleTable& table) {
  const auto set = [&table](Op op, ElementalRule rule) {
    table[static_cast<size_t>(op)].elemental = std::move(rule);
  };
  set(Op::Abs, unary<&B::abs>());
  set(Op::Cbrt, unary<&B::cbrt>());
  set(Op::Ceil, unary<&B::ceil>());
  set(Op::Clz, unary<&B::count_leading_zeros>());
  set(Op::Copy, [](B& b, const EIndex& index) { return ops::single(b.operand(0, index)); });
  set(Op::Cosine, unary<&B::cos>());
  set(Op::Exp, unary<&B::exp>());
  set(Op::Expm1, unary<&B::expm1>());
  set(Op::Floor, unary<&B::floor>());
  set(Op::Imag, unary<&B::imag>());
  set(Op::IsFinite, unary<&B::is_finite>());
  set(Op::Log, unary<&B::log>());
  set(Op::Log1p, unary<&B::log1p>());
  set(Op::Logistic, unary<&B::logistic>());
  set(Op::Negate, unary<&B::negate>());
  set(Op::Not, unary<&B::logical_not>());
  set(Op::Popcnt, unary<&B::popcount>());
  set(Op::Real, unary<&B::real>());
  set(Op::RoundNearestAfz, unary<&B::round_nearest_afz>());
  set(Op::RoundNearestEven, unary<&B::round_nearest_even>());
  set(Op::Rsqrt, unary<&B::rsqrt>());
  set(Op::Sign, unary<&B::sign>());
  set(Op::Sine, unary<&B::sin>());
  set(Op::Sqrt, unary<&B::sqrt>());
  set(Op::Tan, unary<&B::tan>());
  set(Op::Tanh, unary<&B::tanh>());

  set(Op::Add, binary<&B::add>());
  set(Op::And, binary<&B::logical_and>());
  set(Op::Atan2, binary<&B::atan2>());
  set(Op::Compare, compare);
  set(Op::Complex, binary<&B::complex>());
  set(Op::Divide, binary<&B::divide>());
  set(Op::Maximum, binary<&B::maximum>());
  set(Op::Minimum, binary<&B::minimum>());
  set(Op::Multiply, binary<&B::multiply>());
  set(Op::Or, binary<&B::logical_or>());
  set(Op::Power, binary<&B::power>());
  set(Op::Remainder, binary<&B::remainder>());
  set(Op::ShiftLeft, binary<&B::shift_left>());
  set(Op::ShiftRightArithmetic, binary<&B::shift_right_arithmetic>());
  set(Op::ShiftRightLogical, binary<&B::shift_right_logical>());
  set(Op::Subtract, binary<&B::subtract>());
  set(Op::Xor, binary<&B::logical_xor>());

  set(Op::Clamp, clamp);
  set(Op::Select, [](B& b, const EIndex& index) {
    return ops::single(
        b.select(scalar_or_element(b, 0, index), b.operand(1, index), b.operand(2, index)));
  });
  set(Op::Convert, [](B& b, const EIndex& index) {
    return ops::single(b.convert(b.operand(0, index), b.instruction().shape().dtype()));
  });
  set(Op::BitcastConvert, bitcast_convert);
  set(Op::ReducePrecision, reduce_precision);
}

}  // namespace hlocc::ir::detail
