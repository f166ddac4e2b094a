// Typed scalar semantics of HLO arithmetic, shared by every rule that combines elements
// (elementwise ops, reduce, scatter, sort, ...): XLA's wrapping, NaN, division and shift rules live
// here and nowhere else. Every function takes and returns storage types (Half, BFloat16 included);
// f16/bf16 compute in float and round back to nearest even after each op, as XLA's evaluator does.
#pragma once

#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>

#include "ir/dtype.h"
#include "ir/ops/compare_kind.h"

namespace hlocc::ir::ops {

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;
template <class T>
inline constexpr bool is_complex_v =
    std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>>;
/// Integers other than bool (pred has its own logical semantics).
template <class T>
inline constexpr bool is_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T>
inline constexpr bool is_real_float_v = std::is_floating_point_v<T> || is_half_v<T>;

/// The type arithmetic on T happens in: float for f16/bf16, T otherwise.
template <class T>
using ComputeType = std::conditional_t<is_half_v<T>, float, T>;

namespace detail {

/// An unsigned type at least as wide as int: integer arithmetic in it wraps instead of overflowing
/// (uint16 * uint16 would otherwise promote to a signed int and overflow).
template <class T>
using WrapType = std::make_unsigned_t<decltype(T{} + T{})>;

/// Applies fn in T's compute type and rounds the result back to T.
template <class T, class Fn>
T in_compute_type(Fn&& fn, T a, T b) {
  if constexpr (is_half_v<T>) {
    return T(static_cast<float>(fn(static_cast<float>(a), static_cast<float>(b))));
  } else {
    return static_cast<T>(fn(a, b));
  }
}

template <class T>
bool is_nan(T x) {
  if constexpr (is_real_float_v<T>) {
    return std::isnan(static_cast<ComputeType<T>>(x));
  } else {
    return false;
  }
}

/// Exponentiation by squaring in unsigned arithmetic (wraps like repeated multiplication).
template <class U>
U integer_power(U base, U exponent) {
  WrapType<U> result = 1;
  WrapType<U> factor = base;
  for (U e = exponent; e != 0; e >>= 1) {
    if (e & 1) result = static_cast<U>(result * factor);
    factor = static_cast<U>(factor * factor);
  }
  return static_cast<U>(result);
}

/// A shift amount outside [0, bit width) (negative amounts included, read as unsigned).
template <class T>
bool shift_out_of_bounds(T amount) {
  using U = std::make_unsigned_t<T>;
  return static_cast<U>(amount) >= static_cast<U>(std::numeric_limits<U>::digits);
}

}  // namespace detail

// --- Arithmetic. Integers wrap (two's complement); pred: add = or, multiply = and. ---

template <class T>
T hlo_add(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || b;
  } else if constexpr (is_int_v<T>) {
    using W = detail::WrapType<T>;
    return static_cast<T>(static_cast<W>(a) + static_cast<W>(b));
  } else {
    return detail::in_compute_type([](auto x, auto y) { return x + y; }, a, b);
  }
}

template <class T>
T hlo_subtract(T a, T b) {
  if constexpr (is_int_v<T>) {
    using W = detail::WrapType<T>;
    return static_cast<T>(static_cast<W>(a) - static_cast<W>(b));
  } else {
    return detail::in_compute_type([](auto x, auto y) { return x - y; }, a, b);
  }
}

template <class T>
T hlo_multiply(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a && b;
  } else if constexpr (is_int_v<T>) {
    using W = detail::WrapType<T>;
    return static_cast<T>(static_cast<W>(a) * static_cast<W>(b));
  } else {
    return detail::in_compute_type([](auto x, auto y) { return x * y; }, a, b);
  }
}

/// Integer division follows XLA's evaluator: x / 0 = -1 (all bits set, so the unsigned maximum),
/// INT_MIN / -1 = INT_MIN; otherwise truncation toward zero.
template <class T>
T hlo_divide(T a, T b) {
  if constexpr (is_int_v<T>) {
    if (b == 0) return static_cast<T>(-1);
    if constexpr (std::is_signed_v<T>) {
      if (b == -1 && a == std::numeric_limits<T>::min()) return a;
    }
    return static_cast<T>(a / b);
  } else {
    return detail::in_compute_type([](auto x, auto y) { return x / y; }, a, b);
  }
}

/// Integer remainder: x % 0 = x, INT_MIN % -1 = 0, sign of the dividend. Floats: fmod.
template <class T>
T hlo_remainder(T a, T b) {
  if constexpr (is_int_v<T>) {
    if (b == 0) return a;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1 && a == std::numeric_limits<T>::min()) return 0;
    }
    return static_cast<T>(a % b);
  } else {
    return detail::in_compute_type([](auto x, auto y) { return std::fmod(x, y); }, a, b);
  }
}

/// NaN-propagating maximum (the first NaN operand wins); ties return a, so max(-0, +0) = -0.
/// Complex (never reached from verified HLO, which rejects it) orders lexicographically.
template <class T>
T hlo_maximum(T a, T b) {
  if constexpr (is_complex_v<T>) {
    const bool less = a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
    return less ? b : a;
  } else {
    if (detail::is_nan(a)) return a;
    if (detail::is_nan(b)) return b;
    return static_cast<ComputeType<T>>(a) < static_cast<ComputeType<T>>(b) ? b : a;
  }
}

/// NaN-propagating minimum (the first NaN operand wins); ties return a.
template <class T>
T hlo_minimum(T a, T b) {
  if constexpr (is_complex_v<T>) {
    const bool less = b.real() < a.real() || (a.real() == b.real() && b.imag() < a.imag());
    return less ? b : a;
  } else {
    if (detail::is_nan(a)) return a;
    if (detail::is_nan(b)) return b;
    return static_cast<ComputeType<T>>(b) < static_cast<ComputeType<T>>(a) ? b : a;
  }
}

/// XLA's power: 1^x = 1 and x^0 = 1 for every x (NaN included). Integers: a negative exponent
/// gives 1 if the base is 1 and 0 otherwise; else exact wrapping exponentiation. Complex: inf^a
/// for real a is inf (a > 0) or 0 (a < 0); otherwise std::pow.
template <class T>
T hlo_power(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || !b;
  } else if constexpr (is_int_v<T>) {
    if (a == 1 || b == 0) return 1;
    if constexpr (std::is_signed_v<T>) {
      if (b < 0) return 0;
    }
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(detail::integer_power<U>(static_cast<U>(a), static_cast<U>(b)));
  } else if constexpr (is_complex_v<T>) {
    if (a == T(1) || b == T(0)) return T(1);
    const bool a_is_inf = a.imag() == 0 && a.real() > 0 && std::isinf(a.real());
    if (a_is_inf && b.imag() == 0 && b.real() > 0) return a;
    if (a_is_inf && b.imag() == 0 && b.real() < 0) return T(0);
    return std::pow(a, b);
  } else {
    return detail::in_compute_type(
        [](auto x, auto y) { return x == 1 || y == 0 ? decltype(x)(1) : std::pow(x, y); }, a, b);
  }
}

/// atan2(y, x); complex uses XLA's -i * log((x + iy) / sqrt(x^2 + y^2)).
template <class T>
T hlo_atan2(T y, T x) {
  if constexpr (is_complex_v<T>) {
    const T i(0, 1);
    return -i * std::log((x + i * y) / std::sqrt(x * x + y * y));
  } else {
    return detail::in_compute_type([](auto a, auto b) { return std::atan2(a, b); }, y, x);
  }
}

// --- Bitwise (pred and integers; pred is logical). ---

template <class T>
T hlo_and(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a && b;
  } else {
    return static_cast<T>(a & b);
  }
}

template <class T>
T hlo_or(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || b;
  } else {
    return static_cast<T>(a | b);
  }
}

template <class T>
T hlo_xor(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a != b;
  } else {
    return static_cast<T>(a ^ b);
  }
}

// --- Shifts (integers). An amount outside [0, bits) gives 0, or the sign fill for arithmetic. ---

template <class T>
T hlo_shift_left(T a, T amount) {
  using U = std::make_unsigned_t<T>;
  if (detail::shift_out_of_bounds(amount)) return 0;
  return static_cast<T>(static_cast<detail::WrapType<U>>(static_cast<U>(a)) << amount);
}

template <class T>
T hlo_shift_right_logical(T a, T amount) {
  using U = std::make_unsigned_t<T>;
  if (detail::shift_out_of_bounds(amount)) return 0;
  return static_cast<T>(static_cast<U>(a) >> amount);
}

template <class T>
T hlo_shift_right_arithmetic(T a, T amount) {
  using S = std::make_signed_t<T>;
  const S value = static_cast<S>(a);
  if (detail::shift_out_of_bounds(amount)) return static_cast<T>(value < 0 ? S(-1) : S(0));
  return static_cast<T>(value >> amount);
}

// --- Comparison. ---

// CompareDirection, CompareType and their parsers: ir/ops/compare_kind.h.

namespace detail {

template <class V>
bool compare_values(CompareDirection direction, V a, V b) {
  switch (direction) {
    case CompareDirection::Eq:
      return a == b;
    case CompareDirection::Ne:
      return a != b;
    case CompareDirection::Lt:
      return a < b;
    case CompareDirection::Le:
      return a <= b;
    case CompareDirection::Gt:
      return a > b;
    case CompareDirection::Ge:
      return a >= b;
  }
  return false;
}

}  // namespace detail

/// A signed integer whose order is the IEEE total order of the float x (-NaN < -inf < ... < -0 <
/// +0 < ... < inf < +NaN): flipping the magnitude bits of negatives turns sign-magnitude order
/// into two's complement order.
template <class T>
auto total_order_key(T x) {
  if constexpr (is_half_v<T>) {
    const auto bits = static_cast<int16_t>(x.bits());
    return static_cast<int16_t>(bits < 0 ? bits ^ 0x7fff : bits);
  } else {
    using S = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
    const S bits = std::bit_cast<S>(x);
    return bits < 0 ? static_cast<S>(bits ^ std::numeric_limits<S>::max()) : bits;
  }
}

/// compare(a, b) with direction and type. Complex admits only EQ and NE (the verifier checks).
template <class T>
bool hlo_compare(CompareDirection direction, CompareType type, T a, T b) {
  if constexpr (is_complex_v<T>) {
    return direction == CompareDirection::Ne ? a != b : a == b;
  } else if constexpr (is_real_float_v<T>) {
    if (type == CompareType::TotalOrder) {
      return detail::compare_values(direction, total_order_key(a),
                                    total_order_key(b));
    }
    return detail::compare_values(direction, static_cast<ComputeType<T>>(a),
                                  static_cast<ComputeType<T>>(b));
  } else {
    return detail::compare_values(direction, a, b);
  }
}

// --- Conversion (XLA's `convert`). ---

/// Converts one element as XLA's convert does: to pred is x != 0; float to integer truncates
/// toward zero, saturates at the integer's range and maps NaN to 0; complex to real keeps the real
/// part; real to complex has imaginary part 0; narrowing integers wrap; to f16/bf16 rounds to
/// nearest even (from f64 and 64-bit integers through f32, as Eigen's conversions do).
template <class To, class From>
To hlo_convert(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (is_complex_v<From>)
      return x != From(0);
    else
      return static_cast<ComputeType<From>>(x) != 0;
  } else if constexpr (is_complex_v<From>) {
    if constexpr (is_complex_v<To>) {
      using V = typename To::value_type;
      return To(static_cast<V>(x.real()), static_cast<V>(x.imag()));
    } else {
      return hlo_convert<To>(x.real());
    }
  } else if constexpr (std::is_same_v<From, bool>) {
    return hlo_convert<To>(static_cast<uint8_t>(x ? 1 : 0));
  } else if constexpr (is_half_v<From>) {
    return hlo_convert<To>(static_cast<float>(x));
  } else if constexpr (is_complex_v<To>) {
    using V = typename To::value_type;
    return To(hlo_convert<V>(x), V(0));
  } else if constexpr (is_int_v<To> && std::is_floating_point_v<From>) {
    if (std::isnan(x)) return 0;
    if (x >= static_cast<From>(std::numeric_limits<To>::max())) {
      return std::numeric_limits<To>::max();
    }
    if (x <= static_cast<From>(std::numeric_limits<To>::lowest())) {
      return std::numeric_limits<To>::lowest();
    }
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);  // int <-> int wraps; int/float -> float rounds to nearest
  }
}

}  // namespace hlocc::ir::ops
