// Large dot and convolution shapes checked at sampled points against a naive formula. Nothing is
// timed, but the convolution is the size of a VGG layer (~925 M multiply-adds), so a slow
// evaluator shows up as a slow test. Small cases live in tests/golden/dot_conv/*.hlo.
#include <gtest/gtest.h>

#include "test_helpers.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "backends/reference/evaluator.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc::ir {
namespace {


Literal run(const std::string& text, std::span<const Literal> args) {
  auto module = parse_module(text, "dot_conv_test");
  EXPECT_TRUE(module.ok()) << module.error().message();
  const Status verified = verify(**module);
  EXPECT_TRUE(verified.ok()) << verified.error().message();
  Result<Literal> result = reference::evaluate(**module, args);
  EXPECT_TRUE(result.ok()) << result.error().message();
  return std::move(result).value();
}

TEST(Convolution, Vgg3x3LayerMatchesNaiveFormulaAtSampledPoints) {
  constexpr int64_t kBatch = 8, kFeatures = 64, kSize = 56;
  const std::string text =
      "HloModule conv3x3\n"
      "ENTRY main {\n"
      "  x = f32[8,64,56,56] parameter(0)\n"
      "  k = f32[64,64,3,3] parameter(1)\n"
      "  ROOT c = f32[8,64,56,56] convolution(x, k), window={size=3x3 pad=1_1x1_1}, "
      "dim_labels=bf01_oi01->bf01\n"
      "}\n";
  const Literal args[] = {testing::random_f32({kBatch, kFeatures, kSize, kSize}, 1),
                          testing::random_f32({kFeatures, kFeatures, 3, 3}, 2)};
  const Literal result = run(text, args);
  const std::span<const float> x = args[0].data<float>(), k = args[1].data<float>();
  const std::span<const float> out = result.data<float>();
  // Sampled points include the borders, where padding drops taps.
  for (int64_t sample = 0; sample < 64; ++sample) {
    const int64_t b = sample % kBatch, o = (sample * 7) % kFeatures;
    const int64_t h = sample % 4 == 0 ? 0 : (sample * 13) % kSize;
    const int64_t w = sample % 5 == 0 ? kSize - 1 : (sample * 29) % kSize;
    double expected = 0;
    for (int64_t c = 0; c < kFeatures; ++c) {
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t j = 0; j < 3; ++j) {
          const int64_t y = h + i - 1, z = w + j - 1;
          if (y < 0 || y >= kSize || z < 0 || z >= kSize) continue;
          expected += double(x[((b * kFeatures + c) * kSize + y) * kSize + z]) *
                      double(k[((o * kFeatures + c) * 3 + i) * 3 + j]);
        }
      }
    }
    const double actual = out[static_cast<size_t>(((b * kFeatures + o) * kSize + h) * kSize + w)];
    EXPECT_NEAR(actual, expected, 1e-4) << "at b=" << b << " o=" << o << " h=" << h << " w=" << w;
  }
}

TEST(Dot, LargeBatchedDotMatchesNaiveFormulaAtSampledPoints) {
  const std::string text =
      "HloModule big_dot\n"
      "ENTRY main {\n"
      "  a = f32[3,96,512] parameter(0)\n"
      "  b = f32[3,256,512] parameter(1)\n"
      "  ROOT d = f32[3,96,256] dot(a, b), lhs_batch_dims={0}, lhs_contracting_dims={2}, "
      "rhs_batch_dims={0}, rhs_contracting_dims={2}\n"
      "}\n";
  const Literal args[] = {testing::random_f32({3, 96, 512}, 3), testing::random_f32({3, 256, 512}, 4)};
  const Literal result = run(text, args);
  const std::span<const float> a = args[0].data<float>(), b = args[1].data<float>();
  for (int64_t sample = 0; sample < 32; ++sample) {
    const int64_t batch = sample % 3, m = (sample * 11) % 96, n = (sample * 37) % 256;
    double expected = 0;
    for (int64_t k = 0; k < 512; ++k) {
      expected += double(a[(batch * 96 + m) * 512 + k]) * double(b[(batch * 256 + n) * 512 + k]);
    }
    EXPECT_NEAR(result.data<float>()[static_cast<size_t>((batch * 96 + m) * 256 + n)], expected,
                1e-4)
        << "at batch=" << batch << " m=" << m << " n=" << n;
  }
}

}  // namespace
}  // namespace hlocc::ir
