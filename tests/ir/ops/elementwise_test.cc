// Scalar semantics of scalar_math.h on the integer widths and float types that the golden files
// (tests/golden/elementwise, tests/golden/convert) do not each cover: wrapping, division edge
// cases, shifts and conversions at every width.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "ir/ops/scalar_math.h"

namespace hlocc::ir::ops {
namespace {

template <class T>
class SignedOps : public ::testing::Test {};
using SignedTypes = ::testing::Types<int8_t, int16_t, int32_t, int64_t>;
TYPED_TEST_SUITE(SignedOps, SignedTypes);

TYPED_TEST(SignedOps, DivisionEdgeCasesFollowXlaEvaluator) {
  using T = TypeParam;
  constexpr T kMin = std::numeric_limits<T>::min();
  EXPECT_EQ(hlo_divide<T>(kMin, -1), kMin);
  EXPECT_EQ(hlo_divide<T>(5, 0), T(-1));
  EXPECT_EQ(hlo_divide<T>(-7, 2), T(-3));
  EXPECT_EQ(hlo_remainder<T>(kMin, -1), T(0));
  EXPECT_EQ(hlo_remainder<T>(-7, 0), T(-7));
  EXPECT_EQ(hlo_remainder<T>(-7, 2), T(-1));
}

TYPED_TEST(SignedOps, ArithmeticWraps) {
  using T = TypeParam;
  constexpr T kMin = std::numeric_limits<T>::min();
  constexpr T kMax = std::numeric_limits<T>::max();
  EXPECT_EQ(hlo_add<T>(kMax, 1), kMin);
  EXPECT_EQ(hlo_subtract<T>(kMin, 1), kMax);
  EXPECT_EQ(hlo_multiply<T>(kMin, -1), kMin);
  EXPECT_EQ(hlo_power<T>(2, std::numeric_limits<T>::digits), kMin);
  EXPECT_EQ(hlo_power<T>(-1, -3), T(0));
  EXPECT_EQ(hlo_power<T>(1, -3), T(1));
  EXPECT_EQ(hlo_power<T>(-3, 3), T(-27));
}

TYPED_TEST(SignedOps, ShiftsOutOfRange) {
  using T = TypeParam;
  constexpr T kBits = static_cast<T>(sizeof(T) * 8);
  EXPECT_EQ(hlo_shift_left<T>(1, kBits - 1), std::numeric_limits<T>::min());
  EXPECT_EQ(hlo_shift_left<T>(1, kBits), T(0));
  EXPECT_EQ(hlo_shift_right_arithmetic<T>(-2, kBits), T(-1));
  EXPECT_EQ(hlo_shift_right_arithmetic<T>(-4, 1), T(-2));
  EXPECT_EQ(hlo_shift_right_logical<T>(-1, kBits - 1), T(1));
  EXPECT_EQ(hlo_shift_right_logical<T>(-1, -1), T(0));
}

template <class T>
class UnsignedOps : public ::testing::Test {};
using UnsignedTypes = ::testing::Types<uint8_t, uint16_t, uint32_t, uint64_t>;
TYPED_TEST_SUITE(UnsignedOps, UnsignedTypes);

TYPED_TEST(UnsignedOps, WrapDivideAndShift) {
  using T = TypeParam;
  constexpr T kMax = std::numeric_limits<T>::max();
  EXPECT_EQ(hlo_add<T>(kMax, 1), T(0));
  EXPECT_EQ(hlo_subtract<T>(0, 1), kMax);
  EXPECT_EQ(hlo_multiply<T>(kMax, kMax), T(1));
  EXPECT_EQ(hlo_divide<T>(7, 0), kMax);
  EXPECT_EQ(hlo_remainder<T>(7, 0), T(7));
  EXPECT_EQ(hlo_power<T>(kMax, 2), T(1));
  const T top_bit = static_cast<T>(T(1) << (sizeof(T) * 8 - 1));
  EXPECT_EQ(hlo_shift_right_arithmetic<T>(top_bit, static_cast<T>(sizeof(T) * 8 - 1)), kMax);
  EXPECT_EQ(hlo_shift_right_logical<T>(top_bit, static_cast<T>(sizeof(T) * 8)), T(0));
}

TEST(ScalarMath, PredIsLogical) {
  EXPECT_TRUE(hlo_add(true, true));
  EXPECT_FALSE(hlo_multiply(true, false));
  EXPECT_TRUE(hlo_maximum(false, true));
  EXPECT_FALSE(hlo_minimum(false, true));
  EXPECT_FALSE(hlo_xor(true, true));
}

TEST(ScalarMath, HalfTypesRoundEachResult) {
  // bf16: 1 + 2^-8 is a tie between 1 and 1 + 2^-7 and goes to the even 1.
  EXPECT_EQ(static_cast<float>(hlo_add(BFloat16(1.0f), BFloat16(0.00390625f))), 1.0f);
  // f16: 2048 + 1 is a tie between 2048 and 2050 and goes to 2048.
  EXPECT_EQ(static_cast<float>(hlo_add(Half(2048.0f), Half(1.0f))), 2048.0f);
  EXPECT_TRUE(std::isnan(static_cast<float>(hlo_maximum(Half(1.0f), Half(NAN)))));
}

TEST(ScalarMath, TotalOrderOnEveryFloatType) {
  const auto lt = [](auto a, auto b) {
    return hlo_compare(CompareDirection::Lt, CompareType::TotalOrder, a, b);
  };
  EXPECT_TRUE(lt(-0.0, 0.0));
  EXPECT_TRUE(lt(-std::numeric_limits<double>::infinity(), -1e300));
  EXPECT_TRUE(lt(Half(-0.0f), Half(0.0f)));
  EXPECT_TRUE(lt(BFloat16(1.0f), BFloat16(NAN)));
  EXPECT_TRUE(lt(-NAN, -std::numeric_limits<float>::infinity()));
  EXPECT_FALSE(lt(NAN, std::numeric_limits<float>::infinity()));
}

TEST(ScalarMath, ConvertSaturatesAndWraps) {
  EXPECT_EQ(hlo_convert<int8_t>(1e10), int8_t{127});
  EXPECT_EQ(hlo_convert<uint64_t>(-5.0f), uint64_t{0});
  EXPECT_EQ(hlo_convert<int64_t>(std::nan("")), int64_t{0});
  EXPECT_EQ(hlo_convert<uint16_t>(Half(-1.0f)), uint16_t{0});
  EXPECT_EQ(hlo_convert<int8_t>(int64_t{-129}), int8_t{127});
  EXPECT_EQ(hlo_convert<uint32_t>(std::complex<double>(3.9, 8)), uint32_t{3});
  EXPECT_EQ(hlo_convert<float>(uint64_t{18446744073709551615u}), 18446744073709551616.0f);
  EXPECT_EQ(static_cast<float>(hlo_convert<BFloat16>(int64_t{257})), 256.0f);
  EXPECT_TRUE(hlo_convert<bool>(std::complex<float>(0, -1)));
  EXPECT_EQ(hlo_convert<std::complex<float>>(true), std::complex<float>(1, 0));
}

}  // namespace
}  // namespace hlocc::ir::ops
