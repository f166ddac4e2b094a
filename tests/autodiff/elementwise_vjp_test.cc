// Elementwise vjp rules at kinks, ties and singular points, where central differences cannot
// check them: the exact subgradients chosen (abs'(0) = 1 as in JAX, sqrt'(0) = inf, a tie in maximum
// splits the cotangent, clamp ties give nothing, power is safe at 0), and f32 paths.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc::testing {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// `body` computes `out`, an f64 array of the given rank, from the parameters it declares; the
// module's loss is sum(out).
std::string sum_module(const std::string& body, int64_t rank) {
  std::string dims;
  for (int64_t d = 0; d < rank; ++d) dims += (d ? "," : "") + std::to_string(d);
  return R"(HloModule test
add {
  a = f64[] parameter(0)
  b = f64[] parameter(1)
  ROOT s = f64[] add(a, b)
}
ENTRY main {
)" + body + R"(
  zero = f64[] constant(0)
  ROOT loss = f64[] reduce(out, zero), dimensions={)" +
         dims + "}, to_apply=add\n}\n";
}

// The gradient of the module `text` with respect to each parameter at `args`, as f64 values.
std::vector<std::vector<double>> gradients(const std::string& text,
                                           const std::vector<std::string>& args) {
  auto module = ir::parse_module(text, "test.hlo");
  EXPECT_TRUE(module.ok()) << module.error().message();
  if (!module.ok()) return {};
  auto grad = autodiff::value_and_grad(**module, {});
  EXPECT_TRUE(grad.ok()) << grad.error().message();
  if (!grad.ok()) return {};
  EXPECT_TRUE(ir::verify(**grad).ok()) << ir::verify(**grad).error().message();
  std::vector<ir::Literal> values;
  for (const std::string& arg : args) values.push_back(*ir::parse_literal(arg));
  auto result = reference::evaluate(**grad, values);
  EXPECT_TRUE(result.ok()) << result.error().message();
  if (!result.ok()) return {};
  std::vector<std::vector<double>> out;
  for (size_t i = 1; i < result->elements().size(); ++i) {
    const ir::Literal& g = result->element(static_cast<int64_t>(i));
    std::vector<double> values_of_g;
    if (g.shape().dtype() == ir::DType::F32) {
      for (float v : g.data<float>()) values_of_g.push_back(v);
    } else {
      for (double v : g.data<double>()) values_of_g.push_back(v);
    }
    out.push_back(values_of_g);
  }
  return out;
}

using Values = std::vector<double>;

TEST(AutodiffElementwiseVjp, AbsAtZeroIsOneAsInJax) {
  const auto g = gradients(sum_module(R"(
  x = f64[4] parameter(0)
  out = f64[4] abs(x))", 1),
                           {"f64[4] {0, -2, 3, -0}"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0], (Values{1, -1, 1, 1}));
}

TEST(AutodiffElementwiseVjp, ComplexAbsAtZeroIsZero) {
  const auto g = gradients(sum_module(R"(
  x = f64[2] parameter(0)
  y = f64[2] parameter(1)
  z = c128[2] complex(x, y)
  out = f64[2] abs(z))", 1),
                           {"f64[2] {0, 3}", "f64[2] {0, -4}"});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (Values{0, 0.6}));
  EXPECT_EQ(g[1], (Values{0, -0.8}));
}

TEST(AutodiffElementwiseVjp, SqrtAtZeroIsInfinite) {
  const auto g = gradients(sum_module(R"(
  x = f64[2] parameter(0)
  out = f64[2] sqrt(x))", 1),
                           {"f64[2] {0, 4}"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0], (Values{kInf, 0.25}));
}

TEST(AutodiffElementwiseVjp, MaximumAndMinimumSplitTies) {
  // relu(x) = max(x, 0): 0.5 at x = 0; and min(x, y) at x == y gives each half.
  const auto g = gradients(sum_module(R"(
  x = f64[3] parameter(0)
  y = f64[3] parameter(1)
  z = f64[] constant(0)
  zeros = f64[3] broadcast(z), dimensions={}
  relu = f64[3] maximum(x, zeros)
  m = f64[3] minimum(x, y)
  out = f64[3] add(relu, m))", 1),
                           {"f64[3] {0, -1, 2}", "f64[3] {0, -1, 5}"});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (Values{0.5 + 0.5, 0 + 0.5, 1 + 1}));
  EXPECT_EQ(g[1], (Values{0.5, 0.5, 0}));
}

TEST(AutodiffElementwiseVjp, ClampTiesGiveNothingAndMaxWinsBelowMin) {
  // lo = 0, hi = 1: x at lo or hi gets nothing and neither do the bounds (JAX); inside, x gets
  // the cotangent; above, hi. With lo = 2 > hi = 1 the result is hi, which gets it.
  const auto g = gradients(sum_module(R"(
  lo = f64[] parameter(0)
  x = f64[4] parameter(1)
  hi = f64[] parameter(2)
  lo2 = f64[] parameter(3)
  c = f64[4] clamp(lo, x, hi)
  d = f64[4] clamp(lo2, x, hi)
  out = f64[4] add(c, d))", 1),
                           {"f64[] 0", "f64[4] {0, 1, 0.5, 2}", "f64[] 1", "f64[] 2"});
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[0], (Values{0}));
  EXPECT_EQ(g[1], (Values{0, 0, 1, 0}));
  EXPECT_EQ(g[2], (Values{1 + 4}));
  EXPECT_EQ(g[3], (Values{0}));
}

TEST(AutodiffElementwiseVjp, PowerIsSafeAtZero) {
  // d/dx x^0 = 0 (even at x = 0); d/dy x^y at x = 0 uses log(1): 0, not NaN.
  const auto g = gradients(sum_module(R"(
  x = f64[4] parameter(0)
  y = f64[4] parameter(1)
  out = f64[4] power(x, y))", 1),
                           {"f64[4] {0, 0, 2, 3}", "f64[4] {0, 2, 0, 2}"});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (Values{0, 0, 0, 6}));
  EXPECT_EQ(g[1], (Values{0, 0, std::log(2.0), 9 * std::log(3.0)}));
}

TEST(AutodiffElementwiseVjp, RemainderDivisorGetsMinusTruncatedQuotient) {
  const auto g = gradients(sum_module(R"(
  x = f64[3] parameter(0)
  y = f64[3] parameter(1)
  out = f64[3] remainder(x, y))", 1),
                           {"f64[3] {7, -7, 1}", "f64[3] {-2, 2, 3}"});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (Values{1, 1, 1}));
  EXPECT_EQ(g[1], (Values{3, 3, 0}));
}

TEST(AutodiffElementwiseVjp, PiecewiseConstantOpsHaveZeroGradient) {
  const auto g = gradients(sum_module(R"(
  x = f64[2] parameter(0)
  f = f64[2] floor(x)
  c = f64[2] ceil(x)
  r = f64[2] round-nearest-even(x)
  sg = f64[2] sign(x)
  fc = f64[2] add(f, c)
  rs = f64[2] add(r, sg)
  out = f64[2] add(fc, rs))", 1),
                           {"f64[2] {0.5, -1.25}"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0], (Values{0, 0}));
}

TEST(AutodiffElementwiseVjp, ConvertThroughF32AndBack) {
  // x (f32) -> f64 -> *3 -> f32 -> f64: the cotangent 3 comes back as f32.
  const auto g = gradients(sum_module(R"(
  x = f32[2] parameter(0)
  w = f64[2] convert(x)
  k = f64[] constant(3)
  ks = f64[2] broadcast(k), dimensions={}
  m = f64[2] multiply(w, ks)
  n = f32[2] convert(m)
  out = f64[2] convert(n))", 1),
                           {"f32[2] {1.5, -2}"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0], (Values{3, 3}));
}

TEST(AutodiffElementwiseVjp, ReducePrecisionRoundsTheCotangent) {
  // As JAX: the cotangent 1.3 goes through the same rounding (2 mantissa bits: 1.25).
  const auto g = gradients(sum_module(R"(
  x = f64[2] parameter(0)
  r = f64[2] reduce-precision(x), exponent_bits=8, mantissa_bits=2
  k = f64[] constant(1.3)
  ks = f64[2] broadcast(k), dimensions={}
  out = f64[2] multiply(r, ks))", 1),
                           {"f64[2] {1, 3}"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0], (Values{1.25, 1.25}));
}

TEST(AutodiffElementwiseVjp, IntegerOperandsGetNoCotangent) {
  // select's predicate and convert's s32 operand: zeros of their own types.
  auto module = ir::parse_module(sum_module(R"(
  p = pred[2] parameter(0)
  n = s32[2] parameter(1)
  x = f64[2] parameter(2)
  nf = f64[2] convert(n)
  m = f64[2] multiply(nf, x)
  out = f64[2] select(p, m, x))", 1));
  ASSERT_TRUE(module.ok()) << module.error().message();
  auto grad = autodiff::value_and_grad(**module, {});
  ASSERT_TRUE(grad.ok()) << grad.error().message();
  std::vector<ir::Literal> args = {*ir::parse_literal("pred[2] {1, 0}"),
                                   *ir::parse_literal("s32[2] {4, 5}"),
                                   *ir::parse_literal("f64[2] {1, 2}")};
  auto result = reference::evaluate(**grad, args);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->element(1).shape().to_string(false), "pred[2]");
  EXPECT_EQ(result->element(2).shape().to_string(false), "s32[2]");
  const auto dx = result->element(3).data<double>();
  EXPECT_EQ(Values(dx.begin(), dx.end()), (Values{4, 1}));
}

}  // namespace
}  // namespace hlocc::testing
