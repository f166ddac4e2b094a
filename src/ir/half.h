// 16-bit floating-point storage types: IEEE binary16 (f16) and bfloat16 (bf16).
// Arithmetic happens in float; conversion from float rounds to nearest even, keeps NaN and infinity.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace hlocc {

class Half {
 public:
  Half() = default;
  explicit Half(float value) : bits_(from_float(value)) {}
  explicit Half(double value) : Half(static_cast<float>(value)) {}
  template <class I, class = std::enable_if_t<std::is_integral_v<I>>>
  explicit Half(I value) : Half(static_cast<float>(value)) {}
  static Half from_bits(uint16_t bits) {
    Half h;
    h.bits_ = bits;
    return h;
  }
  uint16_t bits() const { return bits_; }
  operator float() const { return to_float(bits_); }  // NOLINT: implicit widening is exact

 private:
  static uint16_t from_float(float value) {
    const uint32_t f = std::bit_cast<uint32_t>(value);
    const uint32_t sign = (f >> 16) & 0x8000u;
    const uint32_t abs = f & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or nan
      return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u | ((abs >> 13) & 0x3ffu) : 0));
    }
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to inf
    if (abs < 0x38800000u) {  // result is subnormal or zero: scale by 2^24 and round
      const float scaled = std::bit_cast<float>(abs) * 16777216.0f;  // exact
      return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(scaled)));
    }
    const uint32_t mantissa_odd = (abs >> 13) & 1u;
    const uint32_t rounded = abs + 0xfffu + mantissa_odd;  // round to nearest even
    return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
  }
  static float to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    const uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0) {
      const float magnitude = static_cast<float>(mantissa) / 16777216.0f;
      return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
  uint16_t bits_ = 0;
};

class BFloat16 {
 public:
  BFloat16() = default;
  explicit BFloat16(float value) : bits_(from_float(value)) {}
  explicit BFloat16(double value) : BFloat16(static_cast<float>(value)) {}
  template <class I, class = std::enable_if_t<std::is_integral_v<I>>>
  explicit BFloat16(I value) : BFloat16(static_cast<float>(value)) {}
  static BFloat16 from_bits(uint16_t bits) {
    BFloat16 b;
    b.bits_ = bits;
    return b;
  }
  uint16_t bits() const { return bits_; }
  operator float() const { return std::bit_cast<float>(static_cast<uint32_t>(bits_) << 16); }  // NOLINT

 private:
  static uint16_t from_float(float value) {
    const uint32_t f = std::bit_cast<uint32_t>(value);
    if ((f & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((f >> 16) | 0x40u);  // quiet nan
    const uint32_t rounded = f + 0x7fffu + ((f >> 16) & 1u);
    return static_cast<uint16_t>(rounded >> 16);
  }
  uint16_t bits_ = 0;
};

}  // namespace hlocc
