// Rules of the type conversion ops: convert (value conversion, hlo_convert in scalar_math.h),
// bitcast-convert (bit reinterpretation, reshaping the last dimension when widths differ) and
// reduce-precision (rounding to a narrower float format inside the same type).
#include <cstring>

#include "ir/ops/elementwise_helpers.h"

namespace hlocc::ir::detail {
namespace {

// --- convert ---

Result<Shape> infer_convert(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  const Shape& result = inst.shape();
  if (!result.is_array()) {
    return ops::op_error(inst, "the result must be an array; got " + result.to_string(false));
  }
  if (result.dims() != operand->dims()) {
    return ops::op_error(inst, "the result must have the operand's dimensions; got operand " +
                                   operand->to_string(false) + " and result " +
                                   result.to_string(false));
  }
  return result.without_layout();
}

Literal evaluate_convert(const Shape& result_shape, const Literal& operand) {
  Literal result(result_shape);
  dispatch_dtype(operand.shape().dtype(), [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    dispatch_dtype(result_shape.dtype(), [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      const std::span<const From> in = operand.data<From>();
      const std::span<To> out = result.data<To>();
      for (size_t i = 0; i < in.size(); ++i) out[i] = ops::hlo_convert<To>(in[i]);
    });
  });
  return result;
}

OpRules convert_rule() {
  return OpRules{
      .infer_shape = infer_convert,
      .evaluate = [](const Instruction& inst, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> {
        return evaluate_convert(inst.shape(), *operands[0]);
      },
  };
}

// --- bitcast-convert ---

/// XLA's rule: equal widths keep the dimensions; converting to a type k times narrower appends a
/// minor dimension of size k; converting to a type k times wider consumes a last dimension of k.
/// Complex and real types do not mix. pred (one bit in XLA, stored in a byte) only converts to
/// itself: its bit layout is not defined.
Result<Shape> infer_bitcast_convert(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  if (!inst.shape().is_array()) {
    return ops::op_error(inst, "the result must be an array; got " + inst.shape().to_string(false));
  }
  const DType from = operand->dtype();
  const DType to = inst.shape().dtype();
  const std::string conversion = operand->to_string(false) + " to " + std::string(dtype_name(to));
  if (is_complex(from) != is_complex(to)) {
    return ops::op_error(inst,
                         "cannot reinterpret between complex and real types; got " + conversion);
  }
  if ((from == DType::Pred) != (to == DType::Pred)) {
    return ops::op_error(inst, "pred has no defined bit layout to reinterpret; got " + conversion);
  }
  const int64_t from_bytes = dtype_byte_size(from);
  const int64_t to_bytes = dtype_byte_size(to);
  std::vector<int64_t> dims = operand->dims();
  if (from_bytes > to_bytes) {
    dims.push_back(from_bytes / to_bytes);
  } else if (from_bytes < to_bytes) {
    const int64_t ratio = to_bytes / from_bytes;
    if (dims.empty() || dims.back() != ratio) {
      return ops::op_error(inst, "converting to a type " + std::to_string(ratio) +
                                     " times wider needs a last dimension of " +
                                     std::to_string(ratio) + "; got " + conversion);
    }
    dims.pop_back();
  }
  return Shape::array(to, std::move(dims));
}

/// Reinterprets the dense little-endian bytes (the host's layout, as XLA's evaluator does).
Literal evaluate_bitcast_convert(const Shape& result_shape, const Literal& operand) {
  Literal result(result_shape);
  HLOCC_CHECK(result.raw_size() == operand.raw_size()) << "bitcast-convert: byte sizes differ";
  if (operand.raw_size() > 0)  // an empty literal's storage pointer may be null
    std::memcpy(result.raw(), operand.raw(), static_cast<size_t>(operand.raw_size()));
  return result;
}

OpRules bitcast_convert_rule() {
  return OpRules{
      .infer_shape = infer_bitcast_convert,
      .evaluate = [](const Instruction& inst, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> {
        return evaluate_bitcast_convert(inst.shape(), *operands[0]);
      },
  };
}

// --- reduce-precision ---

struct PrecisionBits {
  int64_t exponent_bits;
  int64_t mantissa_bits;
};

Result<PrecisionBits> precision_bits(const Instruction& inst) {
  HLOCC_TRY(const int64_t* exponent_bits, ops::require_attr<int64_t>(inst, "exponent_bits"));
  HLOCC_TRY(const int64_t* mantissa_bits, ops::require_attr<int64_t>(inst, "mantissa_bits"));
  // One exponent bit is needed to tell zero from infinity; zero mantissa bits are meaningful.
  if (*exponent_bits < 1) {
    return ops::op_error(inst,
                         "exponent_bits must be at least 1; got " + std::to_string(*exponent_bits));
  }
  if (*mantissa_bits < 0) {
    return ops::op_error(
        inst, "mantissa_bits must be non-negative; got " + std::to_string(*mantissa_bits));
  }
  return PrecisionBits{*exponent_bits, *mantissa_bits};
}

Result<Shape> infer_reduce_precision(const Instruction& inst) {
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 0));
  HLOCC_TRY_STATUS(ops::check_element_type(inst, *operand, ops::kFloatClass));
  HLOCC_TRY(const PrecisionBits bits, precision_bits(inst));
  (void)bits;  // validated here, read again by evaluate
  return operand->without_layout();
}

/// Rounds the mantissa in the bits of a float or double to `mantissa_bits` bits, to nearest even.
template <class F, class U>
U round_mantissa(U value, int64_t mantissa_bits) {
  constexpr int64_t kSourceMantissa = std::numeric_limits<F>::digits - 1;
  if (mantissa_bits >= kSourceMantissa) return value;
  const int64_t dropped = kSourceMantissa - mantissa_bits;
  const U last_kept_bit = U{1} << dropped;
  // Bias 0111... plus the last kept bit rounds halfway cases to even; a carry into the exponent
  // is correct (the mantissa becomes zero and the exponent grows by one).
  const U bias = (last_kept_bit >> 1) - 1 + ((value & last_kept_bit) >> dropped);
  return (value + bias) & ~(last_kept_bit - 1);
}

/// Flushes exponents outside the narrower range: overflow to signed infinity, underflow (and
/// every denormal) to signed zero.
template <class F, class U>
U clamp_exponent(U value, int64_t exponent_bits) {
  constexpr int64_t kSourceMantissa = std::numeric_limits<F>::digits - 1;
  constexpr int64_t kSourceExponent = int64_t{sizeof(F) * 8} - kSourceMantissa - 1;
  if (exponent_bits >= kSourceExponent) return value;
  const U sign_mask = U{1} << (sizeof(F) * 8 - 1);
  const U exponent_mask = ((U{1} << kSourceExponent) - 1) << kSourceMantissa;
  const U bias = (U{1} << (kSourceExponent - 1)) - 1;
  const U reduced_bias = (U{1} << (exponent_bits - 1)) - 1;
  const U exponent = value & exponent_mask;
  const U signed_zero = value & sign_mask;
  if (exponent > ((bias + reduced_bias) << kSourceMantissa)) return signed_zero | exponent_mask;
  if (exponent <= ((bias - reduced_bias) << kSourceMantissa)) return signed_zero;
  return value;
}

/// XLA's reduce-precision on a float or double; NaN stays NaN (becomes +inf with 0 mantissa bits,
/// as XLA does, since such a format has no NaN).
template <class F>
F reduce_precision(F x, PrecisionBits bits) {
  using U = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
  if (std::isnan(x)) return bits.mantissa_bits > 0 ? x : std::numeric_limits<F>::infinity();
  U value = std::bit_cast<U>(x);
  value = round_mantissa<F>(value, bits.mantissa_bits);
  value = clamp_exponent<F>(value, bits.exponent_bits);
  return std::bit_cast<F>(value);
}

OpRules reduce_precision_rule() {
  return OpRules{
      .infer_shape = infer_reduce_precision,
      .evaluate = [](const Instruction& inst, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> {
        HLOCC_TRY(const PrecisionBits bits, precision_bits(inst));
        // f16/bf16 reduce in float and round back, as XLA's evaluator does.
        return ops::map_unary<ops::kFloatClass>(inst.shape(), *operands[0], [bits](auto x) {
          using T = decltype(x);
          using C = ops::ComputeType<T>;
          return T(reduce_precision(static_cast<C>(x), bits));
        });
      },
  };
}

}  // namespace

void register_convert_ops(OpRuleTable& table) {
  ops::set_rules(table, Op::Convert, convert_rule());
  ops::set_rules(table, Op::BitcastConvert, bitcast_convert_rule());
  ops::set_rules(table, Op::ReducePrecision, reduce_precision_rule());
}

}  // namespace hlocc::ir::detail
