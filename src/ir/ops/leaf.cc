// Rules of the leaf ops, which take no array operands apart from the RNG state: parameter,
// constant, iota and rng-bit-generator (XLA's ThreeFry and Philox, bit for bit).
#include <bit>
#include <cstring>

#include "ir/ops/native_routines.h"
#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::detail {
namespace {

using ops::op_error;

std::string shape_text(const Shape& shape) { return shape.to_string(false); }

// ---- parameter and constant
// -----------------------------------------------------------------------
Result<Shape> parameter_shape(const Instruction& inst) { return inst.shape(); }

// The evaluator binds parameters to arguments itself; reaching this rule is a misuse.
Result<Literal> parameter_eval(const Instruction& inst, std::span<const Literal* const>,
                               EvalContext&) {
  return op_error(inst, "parameter evaluated outside a call");
}

Result<Shape> constant_shape(const Instruction& inst) {
  if (!inst.has_literal()) return op_error(inst, "has no value");
  if (!(inst.literal().shape() == inst.shape())) {
    return op_error(inst, "the value's shape must equal the declared shape; got value " +
                              shape_text(inst.literal().shape()) + " declared " +
                              shape_text(inst.shape()));
  }
  return inst.shape();
}

Result<Literal> constant_eval(const Instruction& inst, std::span<const Literal* const>,
                              EvalContext&) {
  return inst.literal();
}

// ---- iota: result[i] = i[iota_dimension]
// ------------------------------------------------------------- XLA allows integer, floating-point
// and complex element types (not pred) and rank >= 1.
Result<Shape> iota_shape(const Instruction& inst) {
  const Shape& shape = inst.shape();
  if (!shape.is_array() || shape.rank() == 0) {
    return op_error(inst, "result must be an array of rank >= 1; got " + shape_text(shape));
  }
  if (!is_integer(shape.dtype()) && !is_inexact(shape.dtype())) {
    return op_error(inst, "element type must be an integer, floating-point or complex type; got " +
                              shape_text(shape));
  }
  HLOCC_TRY(const int64_t* dim, ops::require_attr<int64_t>(inst, "iota_dimension"));
  if (*dim < 0 || *dim >= shape.rank()) {
    return op_error(inst, "iota_dimension must be in [0, rank); got iota_dimension=" +
                              std::to_string(*dim) + " for " + shape_text(shape));
  }
  return shape;
}

// Integers wrap modulo 2^bits (as XLA's static_cast); floats round to nearest; complex gets (i, 0).
template <class T>
T from_index(int64_t i) {
  if constexpr (std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>>) {
    return T(static_cast<typename T::value_type>(i), 0);
  } else {
    return static_cast<T>(i);
  }
}

Result<Literal> iota_eval(const Instruction& inst, std::span<const Literal* const>, EvalContext&) {
  const Shape& shape = inst.shape();
  const int64_t dim = *inst.attrs().get<int64_t>("iota_dimension");
  const int64_t stride = row_major_strides(shape.dims())[static_cast<size_t>(dim)];
  Literal result(shape);
  dispatch_dtype(shape.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      std::span<T> data = result.data<T>();
      for (size_t i = 0; i < data.size(); ++i) {
        data[i] = from_index<T>((static_cast<int64_t>(i) / stride) % shape.dim(dim));
      }
    }
  });
  return result;
}

// ---- rng-bit-generator
// ------------------------------------------------------------------------------ Follows XLA's
// RngBitGeneratorExpander (xla/hlo/transforms/expanders/rng_bit_generator_expander.cc) and the
// generators it calls in xla/hlo/builder/lib/prng.cc (ThreeFry2x32 with 20 rounds, Philox4x32 with
// 10 rounds, the ways counters are laid out over the shape and the state advanced). rng_default
// means Philox, as XLA's CPU and GPU compilers configure the expander. state[0] is the key.
// ThreeFry: state = u64[2], state[1] the counter. Philox: state = u64[2] (128-bit counter low =
// state[1], high = state[0]; only the low word is written back) or u64[3] (counter low = state[1],
// high = state[2]). Types of 64 bits use 64-bit words; narrower types use 32-bit words truncated to
// their low bits; the bits are then stored as the result type. Checked against the independent
// NumPy version in scripts/fixtures/rng_bits.py.
enum class RngAlgorithm { ThreeFry, Philox };

Result<RngAlgorithm> rng_algorithm(const Instruction& inst) {
  HLOCC_TRY(const std::string* name, ops::require_attr<std::string>(inst, "algorithm"));
  if (*name == "rng_three_fry") return RngAlgorithm::ThreeFry;
  if (*name == "rng_philox" || *name == "rng_default") return RngAlgorithm::Philox;
  return op_error(inst, "algorithm must be rng_default, rng_three_fry or rng_philox; got " + *name);
}

Result<Shape> rng_bit_generator_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* state, ops::array_operand(inst, 0));
  HLOCC_TRY(const RngAlgorithm algorithm, rng_algorithm(inst));
  const bool three_fry = algorithm == RngAlgorithm::ThreeFry;
  const bool state_ok = state->dtype() == DType::U64 && state->rank() == 1 &&
                        (state->dim(0) == 2 || (!three_fry && state->dim(0) == 3));
  if (!state_ok) {
    return op_error(inst, std::string("state must be u64[2]") + (three_fry ? "" : " or u64[3]") +
                              " for this algorithm; got " + shape_text(*state));
  }
  const Shape& result = inst.shape();
  if (!result.is_tuple() || result.tuple_size() != 2 || !(result.tuple_shape(0) == *state) ||
      !result.tuple_shape(1).is_array()) {
    return op_error(inst,
                    "result must be a tuple (new state of the state's shape, bits array); got " +
                        shape_text(result) + " for state " + shape_text(*state));
  }
  const DType bits = result.tuple_shape(1).dtype();
  if (!is_integer(bits) && !is_float(bits)) {
    return op_error(inst, "bits must have an integer or floating-point element type; got " +
                              shape_text(result.tuple_shape(1)));
  }
  return result;
}

uint64_t low32(uint64_t x) { return x & 0xffffffffu; }
uint64_t join32(uint64_t low, uint64_t high) { return low32(low) | (high << 32); }

std::array<uint32_t, 2> three_fry_2x32(std::array<uint32_t, 2> key, std::array<uint32_t, 2> x) {
  constexpr int kRotations[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  const uint32_t ks[3] = {key[0], key[1], 0x1BD11BDAu ^ key[0] ^ key[1]};
  x[0] += ks[0];
  x[1] += ks[1];
  for (uint32_t group = 1; group <= 5; ++group) {
    for (int rotation : kRotations[(group - 1) % 2]) {
      x[0] += x[1];
      x[1] = std::rotl(x[1], rotation) ^ x[0];
    }
    x[0] += ks[group % 3];
    x[1] += ks[(group + 1) % 3] + group;
  }
  return x;
}

std::array<uint32_t, 4> philox_4x32(std::array<uint32_t, 4> x, std::array<uint32_t, 2> key) {
  for (int round = 0; round < 10; ++round) {
    const uint64_t product0 = static_cast<uint64_t>(x[0]) * 0xD2511F53u;
    const uint64_t product1 = static_cast<uint64_t>(x[2]) * 0xCD9E8D57u;
    x = {static_cast<uint32_t>(product1 >> 32) ^ x[1] ^ key[0], static_cast<uint32_t>(product1),
         static_cast<uint32_t>(product0 >> 32) ^ x[3] ^ key[1], static_cast<uint32_t>(product0)};
    key[0] += 0x9E3779B9u;
    key[1] += 0xBB67AE85u;
  }
  return x;
}

std::array<uint32_t, 2> split64(uint64_t x) {
  return {static_cast<uint32_t>(x), static_cast<uint32_t>(x >> 32)};
}

struct RngOutput {
  std::vector<uint64_t> state;
  std::vector<uint64_t> bits;  // one word per result element, row-major
};

// XLA's SplitShapeIntoHalves: the first even dimension, else the first largest one.
int64_t three_fry_split_dimension(const std::vector<int64_t>& dims) {
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] % 2 == 0) return static_cast<int64_t>(d);
  }
  return std::max_element(dims.begin(), dims.end()) - dims.begin();
}

// 64-bit words: element i gets both output words of counter state[1] + i.
// 32-bit words: the shape is halved along one dimension; element i of that dimension takes output
// word i % 2 of the counter at half-index i / 2 (a scalar uses word 0 of one counter).
RngOutput three_fry(std::span<const uint64_t> state, const std::vector<int64_t>& dims, bool wide) {
  const std::array<uint32_t, 2> key = split64(state[0]);
  RngOutput out{{state[0], 0}, {}};
  if (wide) {
    int64_t count = 1;
    for (int64_t d : dims) count *= d;
    for (int64_t i = 0; i < count; ++i) {
      const auto x = three_fry_2x32(key, split64(state[1] + static_cast<uint64_t>(i)));
      out.bits.push_back(join32(x[0], x[1]));
    }
    out.state[1] = state[1] + static_cast<uint64_t>(count);
    return out;
  }
  const int64_t split = dims.empty() ? -1 : three_fry_split_dimension(dims);
  std::vector<int64_t> half_dims = dims;
  if (split >= 0)
    half_dims[static_cast<size_t>(split)] = (dims[static_cast<size_t>(split)] + 1) / 2;
  const std::vector<int64_t> half_strides = row_major_strides(half_dims);
  ops::for_each_index(dims, [&](std::span<const int64_t> index) {
    uint64_t half_index = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      const int64_t i = static_cast<int64_t>(d) == split ? index[d] / 2 : index[d];
      half_index += static_cast<uint64_t>(i * half_strides[d]);
    }
    const auto x = three_fry_2x32(key, split64(state[1] + half_index));
    out.bits.push_back(split >= 0 ? x[static_cast<size_t>(index[static_cast<size_t>(split)] % 2)]
                                  : x[0]);
  });
  int64_t half_count = 1;
  for (int64_t d : half_dims) half_count *= d;
  out.state[1] = state[1] + static_cast<uint64_t>(half_count);
  return out;
}

// Each 128-bit counter (state + k) yields four 32-bit words: elements 4k..4k+3 (32-bit words) or
// elements 2k, 2k+1 (64-bit words from word pairs (0,1) and (2,3)).
RngOutput philox(std::span<const uint64_t> state, int64_t count, bool wide) {
  const std::array<uint32_t, 2> key = split64(state[0]);
  const uint64_t low = state[1];
  const uint64_t high = state.size() == 3 ? state[2] : state[0];
  const int64_t words_per_counter = wide ? 2 : 4;
  const int64_t counters = (count + words_per_counter - 1) / words_per_counter;
  RngOutput out;
  for (int64_t k = 0; k < counters; ++k) {
    const uint64_t counter_low = low + static_cast<uint64_t>(k);
    const uint64_t counter_high = high + (counter_low < low ? 1 : 0);
    const auto [l0, l1] = split64(counter_low);
    const auto [h0, h1] = split64(counter_high);
    const auto x = philox_4x32({l0, l1, h0, h1}, key);
    if (wide) {
      out.bits.insert(out.bits.end(), {join32(x[0], x[1]), join32(x[2], x[3])});
    } else {
      out.bits.insert(out.bits.end(), {x[0], x[1], x[2], x[3]});
    }
  }
  out.bits.resize(static_cast<size_t>(count));
  const uint64_t new_low = low + static_cast<uint64_t>(counters);
  out.state = {state[0], new_low};
  if (state.size() == 3) out.state.push_back(high + (new_low < low ? 1 : 0));
  return out;
}

Result<Literal> rng_bit_generator_eval(const Instruction& inst,
                                       std::span<const Literal* const> operands, EvalContext&) {
  Literal new_state(operands[0]->shape());
  Literal bits(inst.shape().tuple_shape(1));
  generate_rng_bits(inst, operands[0]->data<uint64_t>(), new_state.data<uint64_t>().data(),
                    bits.raw());
  std::vector<Literal> elements;
  elements.push_back(std::move(new_state));
  elements.push_back(std::move(bits));
  return Literal::tuple(std::move(elements));
}

}  // namespace

void generate_rng_bits(const Instruction& rng, std::span<const uint64_t> state,
                       uint64_t* new_state, std::byte* bits) {
  static_assert(std::endian::native == std::endian::little, "bits are stored as the low bytes");
  const Shape& bits_shape = rng.shape().tuple_shape(1);
  const int64_t size = dtype_byte_size(bits_shape.dtype());
  const RngOutput out = *rng_algorithm(rng) == RngAlgorithm::ThreeFry
                            ? three_fry(state, bits_shape.dims(), size == 8)
                            : philox(state, bits_shape.element_count(), size == 8);
  for (size_t i = 0; i < out.bits.size(); ++i) {
    std::memcpy(bits + static_cast<int64_t>(i) * size, &out.bits[i], static_cast<size_t>(size));
  }
  std::copy(out.state.begin(), out.state.end(), new_state);
}

void register_leaf_ops(OpRuleTable& table) {
  auto set = [&](Op op, ShapeRule infer_shape, EvalRule evaluate) {
    table[static_cast<size_t>(op)] =
        OpRules{.infer_shape = std::move(infer_shape), .evaluate = std::move(evaluate)};
  };
  set(Op::Parameter, parameter_shape, parameter_eval);
  set(Op::Constant, constant_shape, constant_eval);
  set(Op::Iota, iota_shape, iota_eval);
  set(Op::RngBitGenerator, rng_bit_generator_shape, rng_bit_generator_eval);
}

}  // namespace hlocc::ir::detail
