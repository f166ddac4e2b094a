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

// A complex value's bytes are its real part's, then its imaginary part's: it is handled as two
// words of half its size. These helpers move between values and such unsigned words.

// The unsigned word of `bytes` (<= 8) holding the bits of x (a c64 joins its two halves).
EValue bits_of(B& b, EValue x, int64_t bytes) {
  const DType word = unsigned_of_size(bytes);
  if (!is_complex(x.dtype)) return b.bitcast_convert(x, word);
  const DType half = unsigned_of_size(bytes / 2);
  const EValue low = b.convert(b.bitcast_convert(b.real(x), half), word);
  const EValue high = b.convert(b.bitcast_convert(b.imag(x), half), word);
  return b.logical_or(low, b.shift_left(high, b.int_constant(word, 4 * bytes)));
}

// A value of type `to` from its words: one for a real type, (real, imaginary) for a complex one.
EValue from_words(B& b, const std::vector<EValue>& words, DType to) {
  if (!is_complex(to)) return b.bitcast_convert(words[0], to);
  const DType part = complex_component_type(to);
  return b.complex(b.bitcast_convert(words[0], part), b.bitcast_convert(words[1], part));
}

// The `bytes` bytes at byte `offset` (an S64 value) of a value held as `words` of `word_bytes`
// each, as an unsigned integer; the bytes lie inside one word.
EValue extract_bytes(B& b, const std::vector<EValue>& words, int64_t word_bytes, EValue offset,
                     int64_t bytes) {
  EValue word = words[0];
  if (words.size() == 2) {
    const EValue in_high = b.index_compare(ops::CompareDirection::Ge, offset,
                                           b.index_constant(word_bytes));
    word = b.select(in_high, words[1], words[0]);
  }
  const EValue within = b.remainder(offset, b.index_constant(word_bytes));
  const EValue shift = b.convert(b.index_mul(within, 8), word.dtype);
  return b.convert(b.shift_right_logical(word, shift), unsigned_of_size(bytes));
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
  const int64_t to_words = is_complex(to) ? 2 : 1;
  const int64_t to_word_bytes = to_bytes / to_words;
  std::vector<EValue> target;
  if (from_bytes > to_bytes) {
    const EIndex outer(index.begin(), index.end() - 1);
    const EValue source = b.operand(0, outer);
    const int64_t from_word_bytes = is_complex(from) ? from_bytes / 2 : from_bytes;
    std::vector<EValue> words;
    if (is_complex(from)) {
      const DType half = unsigned_of_size(from_word_bytes);
      words = {b.bitcast_convert(b.real(source), half), b.bitcast_convert(b.imag(source), half)};
    } else {
      words = {b.bitcast_convert(source, unsigned_of_size(from_bytes))};
    }
    const EValue start = b.index_mul(index.back(), to_bytes);
    for (int64_t w = 0; w < to_words; ++w) {
      target.push_back(extract_bytes(b, words, from_word_bytes,
                                     b.index_add(start, w * to_word_bytes), to_word_bytes));
    }
    return ops::single(from_words(b, target, to));
  }
  // Wider: each target word joins whole source elements.
  const DType word_type = unsigned_of_size(to_word_bytes);
  const int64_t pieces = to_word_bytes / from_bytes;
  for (int64_t w = 0; w < to_words; ++w) {
    EValue joined = b.int_constant(word_type, 0);
    for (int64_t p = 0; p < pieces; ++p) {
      EIndex inner = index;
      inner.push_back(b.index_constant(w * pieces + p));
      const EValue piece = b.convert(bits_of(b, b.operand(0, inner), from_bytes), word_type);
      joined = b.logical_or(joined,
                            b.shift_left(piece, b.int_constant(word_type, 8 * from_bytes * p)));
    }
    target.push_back(joined);
  }
  return ops::single(from_words(b, target, to));
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
