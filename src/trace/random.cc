// Counter-based random numbers (include/hlocc/random.h): JAX's threefry2x32 PRNG in its classic,
// non-partitionable mode, built from HLO integer and float ops only. Each public function stages
// its whole computation (tracing::staged), so an eager call runs one module, not one per op.
#include "hlocc/random.h"

#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

#include "hlocc/ops.h"
#include "trace/erfinv.h"
#include "trace/op_helpers.h"
#include "trace/trace_context.h"

namespace hlocc::random {
namespace {

using tracing::dims_attr;
using tracing::emit;
using tracing::throw_op_error;

// JAX draws more than this many 32-bit words as blocks under split keys; one draw that large
// (16 GiB) is far beyond this evaluator, so it is refused instead.
constexpr uint64_t kMaxWords = 0xFFFFFFFEull;

Tensor u32(uint32_t value) { return HostArray::scalar<uint32_t>(value); }

Tensor unsigned_scalar(uint64_t value, DType dtype) {
  if (dtype == DType::U8) return HostArray::scalar<uint8_t>(static_cast<uint8_t>(value));
  if (dtype == DType::U16) return HostArray::scalar<uint16_t>(static_cast<uint16_t>(value));
  if (dtype == DType::U32) return HostArray::scalar<uint32_t>(static_cast<uint32_t>(value));
  return HostArray::scalar<uint64_t>(value);
}

// A constant of a float dtype; f16 and bf16 (no C++ type in HostArray) go through a convert.
Tensor float_scalar(double value, DType dtype, const Where& where) {
  if (dtype == DType::F64) return HostArray::scalar<double>(value);
  if (dtype == DType::F32) return HostArray::scalar<float>(static_cast<float>(value));
  return full_like_scalar(value, dtype, where);
}

// a `op` b, elementwise; b is a scalar or has a's shape.
Tensor apply(ir::Op op, const Tensor& a, const Tensor& b, const Where& where) {
  return emit(op, {a, broadcast_to(b, a.dims(), where)}, {}, {}, where);
}

Tensor slice_1d(const Tensor& x, int64_t start, int64_t limit, const Where& where) {
  ir::SliceConfig config;
  config.dims.push_back(ir::SliceDim{start, limit, 1});
  ir::Attributes attrs;
  attrs.set("slice", std::move(config));
  return emit(ir::Op::Slice, {x}, std::move(attrs), {}, where);
}

Tensor concatenate_1d(const Tensor& a, const Tensor& b, const Where& where) {
  return emit(ir::Op::Concatenate, {a, b}, dims_attr("dimensions", {0}), {}, where);
}

Tensor iota(DType dtype, const std::vector<int64_t>& dims, int64_t dimension, const Where& where) {
  ir::Attributes attrs;
  attrs.set("iota_dimension", dimension);
  return emit(ir::Op::Iota, {}, std::move(attrs), ir::Shape::array(dtype, dims), where);
}

// Runs `body` on the key (and other operands) as one staged computation.
Tensor staged(const std::vector<Tensor>& operands,
              const std::function<Tensor(const std::vector<Tensor>&)>& body) {
  return tracing::staged(operands, [&](const std::vector<Tensor>& args) {
    return std::vector<Tensor>{body(args)};
  })[0];
}

void check_key(const Tensor& key, const char* op, const Where& where) {
  if (key.defined() && key.dtype() == DType::U32 && key.dims() == std::vector<int64_t>{2}) return;
  throw_op_error(op, "the key must be u32[2]", {key}, where,
                 "make keys with random::key(seed), random::split or random::fold_in");
}

// The element count of `dims`, checked: no negative dims, and at most kMaxWords words of
// `bit_width`-bit values.
int64_t checked_count(const char* op, DType dtype, const std::vector<int64_t>& dims, int bit_width,
                      const Where& where) {
  for (int64_t d : dims) {
    if (d < 0) {
      throw_op_error(op, "dimensions must not be negative; got " + shape_string(dtype, dims), {},
                     where);
    }
    if (d == 0) return 0;
  }
  const int64_t limit = static_cast<int64_t>(kMaxWords * 32 / static_cast<uint64_t>(bit_width));
  int64_t count = 1;
  for (int64_t d : dims) {
    if (count > limit / d) {
      throw_op_error(op, "too many values for one draw; got " + shape_string(dtype, dims), {},
                     where,
                     "split the key and draw at most " + std::to_string(limit) + " values per key");
    }
    count *= d;
  }
  return count;
}

// "0.1", not std::to_string's "0.100000".
std::string number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

Tensor key_word(const Tensor& key, int64_t i, const Where& where) {
  return reshape(slice_1d(key, i, i + 1, where), {}, where);
}

Tensor rotate_left(const Tensor& x, uint32_t bits, const Where& where) {
  return apply(ir::Op::Or, apply(ir::Op::ShiftLeft, x, u32(bits), where),
               apply(ir::Op::ShiftRightLogical, x, u32(32 - bits), where), where);
}

struct Block {
  Tensor x0, x1;
};

// Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC'11; the schedule of JAX's _threefry2x32_lowering): five groups of four Mix rounds, each
// group followed by a key injection that also adds the group number.
Block threefry_rounds(const Tensor& key, Block x, const Where& where) {
  constexpr uint32_t kRotations[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  const Tensor k0 = key_word(key, 0, where);
  const Tensor k1 = key_word(key, 1, where);
  const std::array<Tensor, 3> ks = {
      k0, k1, apply(ir::Op::Xor, apply(ir::Op::Xor, k0, k1, where), u32(0x1BD11BDA), where)};
  x.x0 = apply(ir::Op::Add, x.x0, ks[0], where);
  x.x1 = apply(ir::Op::Add, x.x1, ks[1], where);
  for (uint32_t group = 0; group < 5; ++group) {
    for (uint32_t rotation : kRotations[group % 2]) {
      x.x0 = apply(ir::Op::Add, x.x0, x.x1, where);
      x.x1 = apply(ir::Op::Xor, x.x0, rotate_left(x.x1, rotation, where), where);
    }
    x.x0 = apply(ir::Op::Add, x.x0, ks[(group + 1) % 3], where);
    const Tensor injected = apply(ir::Op::Add, ks[(group + 2) % 3], u32(group + 1), where);
    x.x1 = apply(ir::Op::Add, x.x1, injected, where);
  }
  return x;
}

// jax's threefry_2x32 on a 1-D count: the first half of the count (zero-padded to even length)
// holds the first word of each block, the second half the second word; the output keeps that
// layout, unpadded.
Tensor hash(const Tensor& key, const Tensor& count, const Where& where) {
  const int64_t n = count.dims()[0];
  const int64_t half = (n + 1) / 2;
  const bool odd = n % 2 != 0;
  const Tensor zero = HostArray::from_vector<uint32_t>({1}, {0});
  const Tensor padded = odd ? concatenate_1d(count, zero, where) : count;
  const Block out = threefry_rounds(
      key, {slice_1d(padded, 0, half, where), slice_1d(padded, half, 2 * half, where)}, where);
  const Tensor both = concatenate_1d(out.x0, out.x1, where);
  return odd ? slice_1d(both, 0, n, where) : both;
}

// jax's _threefry_random_bits_original: `count` values of `bit_width` bits (as u8..u64) from the
// hash of iota(words). 64-bit values take their high half from the first half of the words;
// 8- and 16-bit values are the words' pieces, least significant first.
Tensor random_bits(const Tensor& key, int bit_width, int64_t count, const Where& where) {
  const int64_t words = (bit_width * count + 31) / 32;
  const Tensor hashed = hash(key, iota(DType::U32, {words}, 0, where), where);
  if (bit_width == 32) return hashed;
  if (bit_width == 64) {
    const Tensor high = astype(slice_1d(hashed, 0, count, where), DType::U64, where);
    const Tensor low = astype(slice_1d(hashed, count, 2 * count, where), DType::U64, where);
    return apply(ir::Op::Or, apply(ir::Op::ShiftLeft, high, unsigned_scalar(32, DType::U64), where),
                 low, where);
  }
  const int64_t per_word = 32 / bit_width;
  const Tensor spread = emit(ir::Op::Broadcast, {hashed}, dims_attr("dimensions", {0}),
                             ir::Shape::array(DType::U32, {words, per_word}), where);
  const Tensor shifts = apply(ir::Op::Multiply, iota(DType::U32, {words, per_word}, 1, where),
                              u32(static_cast<uint32_t>(bit_width)), where);
  const Tensor pieces =
      apply(ir::Op::And, emit(ir::Op::ShiftRightLogical, {spread, shifts}, {}, {}, where),
            u32((1u << bit_width) - 1), where);
  const DType dtype = bit_width == 8 ? DType::U8 : DType::U16;
  return slice_1d(astype(reshape(pieces, {words * per_word}, where), dtype, where), 0, count,
                  where);
}

int unsigned_width(DType dtype) {
  if (dtype == DType::U8) return 8;
  if (dtype == DType::U16) return 16;
  if (dtype == DType::U32) return 32;
  if (dtype == DType::U64) return 64;
  return 0;
}

// What jax.random.uniform needs of a float dtype: the same-width unsigned type, the mantissa
// width, and the bits of 1.0.
struct FloatFormat {
  DType bits_dtype;
  int width;
  int mantissa;
  uint64_t one;
};

std::optional<FloatFormat> float_format(DType dtype) {
  if (dtype == DType::F16) return FloatFormat{DType::U16, 16, 10, 0x3c00};
  if (dtype == DType::BF16) return FloatFormat{DType::U16, 16, 7, 0x3f80};
  if (dtype == DType::F32) return FloatFormat{DType::U32, 32, 23, 0x3f800000};
  if (dtype == DType::F64) return FloatFormat{DType::U64, 64, 52, 0x3ff0000000000000};
  return std::nullopt;
}

FloatFormat checked_float_format(const char* op, DType dtype, const Where& where) {
  const std::optional<FloatFormat> format = float_format(dtype);
  if (!format) {
    throw_op_error(op, "the dtype must be f16, bf16, f32 or f64; got " + to_string(dtype), {},
                   where);
  }
  return *format;
}

// jax.random._uniform: random mantissa bits under the exponent of 1.0 give [1, 2); minus 1,
// scaled and shifted, and clamped below so rounding never leaves [minval, maxval).
Tensor uniform_samples(const Tensor& key, const std::vector<int64_t>& dims, int64_t count,
                       DType dtype, double minval, double maxval, const Where& where) {
  const FloatFormat format = *float_format(dtype);
  // Fewer than 8 mantissa bits (bf16) draw 8-bit values, as JAX does.
  const int rng_bits = format.mantissa < 8 ? 8 : format.width;
  const Tensor bits = astype(random_bits(key, rng_bits, count, where), format.bits_dtype, where);
  const Tensor shift =
      unsigned_scalar(static_cast<uint64_t>(rng_bits - format.mantissa), format.bits_dtype);
  const Tensor float_bits = apply(ir::Op::Or, apply(ir::Op::ShiftRightLogical, bits, shift, where),
                                  unsigned_scalar(format.one, format.bits_dtype), where);
  const Tensor one_to_two =
      emit(ir::Op::BitcastConvert, {float_bits}, {}, ir::Shape::array(dtype, {count}), where);
  const Tensor floats = subtract(one_to_two, float_scalar(1, dtype, where), where);
  const Tensor low = float_scalar(minval, dtype, where);
  const Tensor high = float_scalar(maxval, dtype, where);
  const Tensor scaled = add(multiply(floats, subtract(high, low, where), where), low, where);
  return reshape(maximum(low, scaled, where), dims, where);
}

}  // namespace

// A key is plain host data: nothing here can fail, so the place is unused.
Tensor key(uint64_t seed, Where) {
  return HostArray::from_vector<uint32_t>(
      {2}, {static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(seed & 0xffffffffu)});
}

Tensor split(const Tensor& key, int64_t num, Where where) {
  check_key(key, "random.split", where);
  if (num < 0) {
    throw_op_error("random.split", "num must not be negative; got num=" + std::to_string(num), {},
                   where);
  }
  // Two words per new key.
  const int64_t count = checked_count("random.split", DType::U32, {num, 2}, 32, where);
  return staged({key}, [&](const std::vector<Tensor>& args) {
    return reshape(hash(args[0], iota(DType::U32, {count}, 0, where), where), {num, 2}, where);
  });
}

Tensor fold_in(const Tensor& key, uint32_t data, Where where) {
  check_key(key, "random.fold_in", where);
  // jax's threefry_seed(data) for a 32-bit datum: the block {0, data}.
  const Tensor block = HostArray::from_vector<uint32_t>({2}, {0, data});
  return staged({key},
                [&](const std::vector<Tensor>& args) { return hash(args[0], block, where); });
}

Tensor bits(const Tensor& key, const std::vector<int64_t>& dims, DType dtype, Where where) {
  check_key(key, "random.bits", where);
  const int width = unsigned_width(dtype);
  if (width == 0) {
    throw_op_error("random.bits", "the dtype must be u8, u16, u32 or u64; got " + to_string(dtype),
                   {}, where);
  }
  const int64_t count = checked_count("random.bits", dtype, dims, width, where);
  return staged({key}, [&](const std::vector<Tensor>& args) {
    return reshape(random_bits(args[0], width, count, where), dims, where);
  });
}

Tensor uniform(const Tensor& key, const std::vector<int64_t>& dims, DType dtype, double minval,
               double maxval, Where where) {
  check_key(key, "random.uniform", where);
  const FloatFormat format = checked_float_format("random.uniform", dtype, where);
  const int64_t count = checked_count("random.uniform", dtype, dims, format.width, where);
  if (!(std::isfinite(minval) && std::isfinite(maxval) && minval <= maxval)) {
    throw_op_error("random.uniform",
                   "the range must be finite with minval <= maxval; got minval=" + number(minval) +
                       ", maxval=" + number(maxval),
                   {}, where);
  }
  return staged({key}, [&](const std::vector<Tensor>& args) {
    return uniform_samples(args[0], dims, count, dtype, minval, maxval, where);
  });
}

Tensor normal(const Tensor& key, const std::vector<int64_t>& dims, DType dtype, Where where) {
  check_key(key, "random.normal", where);
  const FloatFormat format = checked_float_format("random.normal", dtype, where);
  const int64_t count = checked_count("random.normal", dtype, dims, format.width, where);
  // The float just above -1 (numpy.nextafter(-1, 0) in dtype), so erfinv stays finite.
  const double low = std::ldexp(1.0, -(format.mantissa + 1)) - 1;
  return staged({key}, [&](const std::vector<Tensor>& args) {
    const Tensor u = uniform_samples(args[0], dims, count, dtype, low, 1, where);
    const Tensor inverse = tracing::erfinv(u, where);
    return multiply(float_scalar(std::sqrt(2.0), dtype, where), inverse, where);
  });
}

Tensor bernoulli(const Tensor& key, double p, const std::vector<int64_t>& dims, Where where) {
  check_key(key, "random.bernoulli", where);
  if (!(p >= 0 && p <= 1)) {
    throw_op_error("random.bernoulli", "p must be in [0, 1]; got p=" + number(p), {}, where);
  }
  const int64_t count = checked_count("random.bernoulli", DType::F32, dims, 32, where);
  return staged({key}, [&](const std::vector<Tensor>& args) {
    const Tensor u = uniform_samples(args[0], dims, count, DType::F32, 0, 1, where);
    return less(u, float_scalar(p, DType::F32, where), where);
  });
}

Tensor threefry_2x32(const Tensor& key, const Tensor& count, Where where) {
  check_key(key, "random.threefry_2x32", where);
  if (!count.defined() || count.dtype() != DType::U32) {
    throw_op_error("random.threefry_2x32", "the count must be u32", {key, count}, where);
  }
  return staged({key, count}, [&](const std::vector<Tensor>& args) {
    const Tensor flat = reshape(args[1], {args[1].element_count()}, where);
    return reshape(hash(args[0], flat, where), args[1].dims(), where);
  });
}

}  // namespace hlocc::random
