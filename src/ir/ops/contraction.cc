// Helpers shared by the dot and convolution rules (see contraction.h).
#include "ir/ops/contraction.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <tuple>

namespace hlocc::ir::ops {
namespace {

template <class T>
inline constexpr bool kIsComplex = false;
template <class T>
inline constexpr bool kIsComplex<std::complex<T>> = true;

template <class T>
inline constexpr bool kIsHalfWidth = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// XLA's saturating float-to-integer conversion: NaN becomes 0, out-of-range values clamp.
template <class To>
To saturate_to_integer(double value) {
  if (std::isnan(value)) return To(0);
  constexpr double kLowest = static_cast<double>(std::numeric_limits<To>::lowest());
  constexpr double kMax = static_cast<double>(std::numeric_limits<To>::max());
  if (value <= kLowest) return std::numeric_limits<To>::lowest();
  if (value >= kMax) return std::numeric_limits<To>::max();
  return static_cast<To>(value);
}

template <class To, class From>
To convert_element(From value) {
  if constexpr (std::is_same_v<To, From>) {
    return value;
  } else if constexpr (kIsHalfWidth<From>) {
    return convert_element<To>(static_cast<float>(value));
  } else if constexpr (kIsComplex<To>) {
    using Part = typename To::value_type;
    if constexpr (kIsComplex<From>) {
      return To(static_cast<Part>(value.real()), static_cast<Part>(value.imag()));
    } else {
      return To(convert_element<Part>(value), Part(0));
    }
  } else if constexpr (kIsComplex<From>) {
    return convert_element<To>(value.real());  // unreachable: the shape rule forbids it
  } else if constexpr (std::is_same_v<To, bool>) {
    return value != From(0);
  } else if constexpr (std::is_integral_v<To> && !std::is_integral_v<From>) {
    return saturate_to_integer<To>(static_cast<double>(value));
  } else {
    return static_cast<To>(value);
  }
}

// XLA's primitive_util::HigherPrecisionType ordering: complex first, then floating-point range,
// then precision, then bit width, then signed over unsigned.
auto precision_key(DType dtype) {
  const DType part = complex_component_type(dtype);
  const bool floating = is_float(part);
  const int exponent = !floating ? -1 : part == DType::F16 ? 16 : part == DType::F64 ? 1024 : 128;
  const int significand = !floating             ? -1
                          : part == DType::F16  ? 11
                          : part == DType::BF16 ? 8
                          : part == DType::F32  ? 24
                                                : 53;
  return std::make_tuple(is_complex(dtype), exponent, significand, bit_width(part),
                         is_signed_int(part));
}

}  // namespace

int64_t bit_width(DType dtype) { return dtype == DType::Pred ? 1 : 8 * dtype_byte_size(dtype); }

Result<DType> contraction_result_dtype(const Instruction& inst) {
  const Shape& declared = inst.shape();
  const DType lhs = inst.operand(0)->shape().dtype(), rhs = inst.operand(1)->shape().dtype();
  const DType higher = precision_key(lhs) >= precision_key(rhs) ? lhs : rhs;
  // No declared array type (a builder asking for inference): the operands' type. A declared
  // non-array shape then fails the verifier's comparison with the inferred one.
  if (!declared.is_array()) return higher;
  const DType result = declared.dtype();
  if (result == higher) return result;
  const std::string got = "; got " + declared.to_string(false) + " from " + operand_shapes(inst);
  if (is_complex(higher) && !is_complex(result)) {
    return op_error(inst, "a real result type cannot hold complex operands" + got);
  }
  if (!is_float(higher) && bit_width(result) < bit_width(higher)) {
    return op_error(inst, "the result type must not be narrower than the operand type " +
                              std::string(dtype_name(higher)) + got);
  }
  return result;
}

Literal convert_literal(const Literal& literal, DType dtype) {
  if (literal.shape().dtype() == dtype) return literal;
  Literal result(literal.shape().with_dtype(dtype));
  dispatch_dtype(literal.shape().dtype(), [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    dispatch_dtype(dtype, [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      std::span<const From> source = literal.data<From>();
      std::span<To> target = result.data<To>();
      for (size_t i = 0; i < source.size(); ++i) target[i] = convert_element<To>(source[i]);
    });
  });
  return result;
}

const Literal& converted(const Literal& literal, DType dtype, Literal& storage) {
  if (literal.shape().dtype() == dtype) return literal;
  storage = convert_literal(literal, dtype);
  return storage;
}

void parallel_for(int64_t count, int64_t work, const std::function<void(int64_t, int64_t)>& fn) {
  constexpr int64_t kWorkPerThread = int64_t{1} << 22;  // below this, thread start-up dominates
  const int64_t hardware = std::max<int64_t>(1, std::thread::hardware_concurrency());
  const int64_t threads = std::min({hardware, count, std::max<int64_t>(1, work / kWorkPerThread)});
  if (threads <= 1) {
    if (count > 0) fn(0, count);
    return;
  }
  std::vector<std::thread> workers;
  for (int64_t t = 1; t < threads; ++t) {
    workers.emplace_back(fn, count * t / threads, count * (t + 1) / threads);
  }
  fn(0, count / threads);
  for (std::thread& worker : workers) worker.join();
}

}  // namespace hlocc::ir::ops
