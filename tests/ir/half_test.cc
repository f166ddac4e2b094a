// f16 and bf16 conversions against independent implementations: the compiler's _Float16 for f16,
// and exact rational rounding for bf16.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/half.h"

namespace hlocc {
namespace {

// The compiler's _Float16 is the independent reference; clang 14 lacks it on x86 (GCC 12 has it).
#ifdef __FLT16_MANT_DIG__
TEST(Half, EveryBitPatternWidensLikeTheCompiler) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float ours = Half::from_bits(static_cast<uint16_t>(bits));
    const float theirs = static_cast<float>(std::bit_cast<_Float16>(static_cast<uint16_t>(bits)));
    if (std::isnan(theirs)) {
      EXPECT_TRUE(std::isnan(ours)) << bits;
    } else {
      EXPECT_EQ(std::bit_cast<uint32_t>(ours), std::bit_cast<uint32_t>(theirs)) << bits;
    }
  }
}

TEST(Half, NarrowingRoundsLikeTheCompiler) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> any_bits;
  for (int i = 0; i < 1000000; ++i) {
    // Random bit patterns cover every exponent, including subnormals, overflow and NaN.
    const float value = std::bit_cast<float>(any_bits(rng));
    const uint16_t ours = Half(value).bits();
    const uint16_t theirs = std::bit_cast<uint16_t>(static_cast<_Float16>(value));
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(static_cast<float>(Half::from_bits(ours))));
    } else {
      ASSERT_EQ(ours, theirs) << value;
    }
  }
}

#endif  // __FLT16_MANT_DIG__

TEST(Half, TiesRoundToEven) {
  EXPECT_EQ(static_cast<float>(Half(2049.0f)), 2048.0f);  // halfway between 2048 and 2050
  EXPECT_EQ(static_cast<float>(Half(2051.0f)), 2052.0f);
  EXPECT_TRUE(std::isinf(static_cast<float>(Half(65520.0f))));
  EXPECT_EQ(static_cast<float>(Half(65519.0f)), 65504.0f);
}

TEST(BFloat16, RoundsToNearestEvenAndKeepsSpecials) {
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f)), 1.0f);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1).
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f + std::ldexp(1.0f, -8))), 1.0f);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even (1 + 2^-6).
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f + 3 * std::ldexp(1.0f, -8))), 1.0f + std::ldexp(1.0f, -6));
  EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(std::nanf("")))));
  EXPECT_TRUE(std::isinf(static_cast<float>(BFloat16(INFINITY))));
  EXPECT_TRUE(std::isinf(static_cast<float>(BFloat16(3.4e38f))));  // rounds past the largest bf16
  EXPECT_EQ(std::signbit(static_cast<float>(BFloat16(-0.0f))), true);
}

TEST(BFloat16, MatchesExactRounding) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> mantissa(1.0, 2.0);
  for (int i = 0; i < 100000; ++i) {
    const float value = static_cast<float>(mantissa(rng));
    // The nearest bf16 values around a number in [1, 2) are multiples of 2^-7.
    const double scaled = static_cast<double>(value) * 128.0;
    const double expected = std::nearbyint(scaled) / 128.0;  // ties to even (default rounding mode)
    ASSERT_EQ(static_cast<double>(static_cast<float>(BFloat16(value))), expected) << value;
  }
}

}  // namespace
}  // namespace hlocc
