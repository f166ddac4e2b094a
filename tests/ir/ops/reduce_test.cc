// scalar_fn.h's recognition of simple reducers, and a VGG-sized max-pool and its gradient checked
// against a naive formula at sampled points (a slow evaluator shows up as a slow test). Small
// cases live in tests/golden/reduce/*.hlo and tests/golden/torch/window_*.hlo.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "backends/reference/evaluator.h"
#include "ir/ops/scalar_fn.h"
#include "test_helpers.h"

namespace hlocc::ir {
namespace {

constexpr const char* kComputations = R"(HloModule reducers
add { a.0 = f32[] parameter(0)
  a.1 = f32[] parameter(1)
  ROOT a.r = f32[] add(a.0, a.1) }
add_swapped { b.0 = s32[] parameter(0)
  b.1 = s32[] parameter(1)
  ROOT b.r = s32[] add(b.1, b.0) }
max_swapped { c.0 = f32[] parameter(0)
  c.1 = f32[] parameter(1)
  ROOT c.r = f32[] maximum(c.1, c.0) }
sub { d.0 = f32[] parameter(0)
  d.1 = f32[] parameter(1)
  ROOT d.r = f32[] subtract(d.0, d.1) }
twice { e.0 = f32[] parameter(0)
  e.1 = f32[] parameter(1)
  e.s = f32[] add(e.0, e.1)
  ROOT e.r = f32[] add(e.s, e.1) }
ENTRY main { x = pred[] parameter(0)
  y = pred[] parameter(1)
  ROOT z = pred[] xor(x, y) }
)";

TEST(ScalarFn, RecognizesSingleOpReducers) {
  const auto module = testing::parse_and_verify(kComputations);
  ASSERT_TRUE(module);
  auto op_of = [&](const char* name) {
    return ops::simple_binary_op(*module->find_computation(name));
  };
  EXPECT_EQ(op_of("add"), Op::Add);
  EXPECT_EQ(op_of("add_swapped"), Op::Add);       // add(p1, p0) == add(p0, p1) exactly
  EXPECT_EQ(op_of("max_swapped"), std::nullopt);  // max(-0, +0) != max(+0, -0)
  EXPECT_EQ(op_of("sub"), std::nullopt);
  EXPECT_EQ(op_of("twice"), std::nullopt);
  EXPECT_EQ(op_of("main"), Op::Xor);
}

TEST(ScalarFn, AppliesWithScalarMathSemantics) {
  EXPECT_EQ(ops::apply_simple_binary<int8_t>(Op::Add, 127, 1), -128);  // wraps
  EXPECT_TRUE(std::isnan(ops::apply_simple_binary<float>(Op::Maximum, 1.0f, NAN)));
  EXPECT_EQ(ops::apply_simple_binary<bool>(Op::Xor, true, true), false);
  EXPECT_EQ(ops::apply_simple_binary<uint32_t>(Op::And, 6, 3), 2u);
}

// A VGG-sized 3x3 stride-2 max-pool (pad 1) and its gradient as select-and-scatter.
constexpr const char* kPool = R"(HloModule pool
max_f32 { max.a = f32[] parameter(0)
  max.b = f32[] parameter(1)
  ROOT max.r = f32[] maximum(max.a, max.b) }
add_f32 { add.a = f32[] parameter(0)
  add.b = f32[] parameter(1)
  ROOT add.r = f32[] add(add.a, add.b) }
ge_f32 { ge.a = f32[] parameter(0)
  ge.b = f32[] parameter(1)
  ROOT ge.r = pred[] compare(ge.a, ge.b), direction=GE }
ENTRY main {
  x = f32[8,64,112,112] parameter(0)
  dy = f32[8,64,56,56] parameter(1)
  low = f32[] constant(-inf)
  zero = f32[] constant(0)
  y = f32[8,64,56,56] reduce-window(x, low), window={size=1x1x3x3 stride=1x1x2x2 pad=0_0x0_0x1_1x1_1}, to_apply=max_f32
  dx = f32[8,64,112,112] select-and-scatter(x, dy, zero), window={size=1x1x3x3 stride=1x1x2x2 pad=0_0x0_0x1_1x1_1}, select=ge_f32, scatter=add_f32
  ROOT out = (f32[8,64,56,56], f32[8,64,112,112]) tuple(y, dx)
})";


TEST(ReduceWindow, VggMaxPoolAndGradientMatchNaiveFormula) {
  const auto module = testing::parse_and_verify(kPool);
  ASSERT_TRUE(module);
  const std::vector<Literal> args = {testing::random_f32({8, 64, 112, 112}, 1),
                                     testing::random_f32({8, 64, 56, 56}, 2)};
  Result<Literal> result = reference::evaluate(*module, args);
  ASSERT_TRUE(result.ok()) << result.error().message();
  const auto x = args[0].data<float>();
  const auto dy = args[1].data<float>();
  const auto y = result->element(0).data<float>();
  const auto dx = result->element(1).data<float>();
  // Every window holds real elements, so each upstream value lands exactly once.
  double dy_sum = 0, dx_sum = 0;
  for (float v : dy) dy_sum += v;
  for (float v : dx) dx_sum += v;
  EXPECT_NEAR(dx_sum, dy_sum, 1e-2);
  for (int64_t plane = 0; plane < 8 * 64; plane += 37) {
    for (int64_t i = 0; i < 56; i += 5) {
      for (int64_t j = 0; j < 56; j += 3) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t r = 2 * i - 1; r <= 2 * i + 1; ++r) {
          for (int64_t c = 2 * j - 1; c <= 2 * j + 1; ++c) {
            if (r >= 0 && r < 112 && c >= 0 && c < 112)
              best = std::max(best, x[(plane * 112 + r) * 112 + c]);
          }
        }
        ASSERT_EQ(y[(plane * 56 + i) * 56 + j], best)
            << "plane " << plane << " at " << i << "," << j;
      }
    }
  }
}

}  // namespace
}  // namespace hlocc::ir
