// Dot and convolution vjp rules where the operands' types differ from the result's: the gradient
// flows through XLA's implicit convert to the result type, and back to each operand's type;
// integer operands get zero cotangents. Exact expected values (the FD tests use f64 only).
#include <gtest/gtest.h>

#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc::testing {
namespace {

// value_and_grad of `text` at `args`, evaluated: (value, gradients...).
ir::Literal value_and_grads(const std::string& text, const std::vector<ir::Literal>& args) {
  auto module = ir::parse_module(text, "test.hlo");
  EXPECT_TRUE(module.ok()) << module.error().message();
  EXPECT_TRUE(ir::verify(**module).ok()) << ir::verify(**module).error().message();
  auto grad = autodiff::value_and_grad(**module, {});
  EXPECT_TRUE(grad.ok()) << grad.error().message();
  EXPECT_TRUE(ir::verify(**grad).ok()) << ir::verify(**grad).error().message();
  auto result = reference::evaluate(**grad, args);
  EXPECT_TRUE(result.ok()) << result.error().message();
  return std::move(*result);
}

constexpr const char* kSumAdd = R"(
add {
  a = f64[] parameter(0)
  b = f64[] parameter(1)
  ROOT s = f64[] add(a, b)
}
)";

// sum(x @ y + n @ y) with x f32, n s32, y f64: dx[i,k] = sum_j y[k,j] (as f32),
// dy[k,j] = sum_i x[i,k] + n[i,k], dn = 0.
TEST(AutodiffDotVjp, MixedOperandTypes) {
  const std::string text = std::string("HloModule mixed_dot\n") + kSumAdd + R"(
ENTRY main {
  x = f32[2,3] parameter(0)
  y = f64[3,2] parameter(1)
  n = s32[2,3] parameter(2)
  d = f64[2,2] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  e = f64[2,2] dot(n, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  total = f64[2,2] add(d, e)
  zero = f64[] constant(0)
  ROOT r = f64[] reduce(total, zero), dimensions={0,1}, to_apply=add
})";
  const ir::Literal result =
      value_and_grads(text, {ir::Literal::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                             ir::Literal::from_vector<double>({3, 2}, {1, 2, 3, 4, 5, 6}),
                             ir::Literal::from_vector<int32_t>({2, 3}, {1, 0, -1, 2, 0, 1})});
  ASSERT_EQ(result.elements().size(), 4u);
  const ir::Literal& dx = result.element(1);
  ASSERT_EQ(dx.shape().to_string(false), "f32[2,3]");
  EXPECT_EQ(std::vector<float>(dx.data<float>().begin(), dx.data<float>().end()),
            (std::vector<float>{3, 7, 11, 3, 7, 11}));
  const ir::Literal& dy = result.element(2);
  ASSERT_EQ(dy.shape().to_string(false), "f64[3,2]");
  EXPECT_EQ(std::vector<double>(dy.data<double>().begin(), dy.data<double>().end()),
            (std::vector<double>{8, 8, 7, 7, 9, 9}));
  const ir::Literal& dn = result.element(3);
  ASSERT_EQ(dn.shape().to_string(false), "s32[2,3]");
  for (int32_t v : dn.data<int32_t>()) EXPECT_EQ(v, 0);
}

// sum(conv(x, k)) with x f64 and k f32 (a 1-D valid convolution, one channel):
// dx[p] = sum of the taps that read p, dk[t] = sum of the inputs tap t reads.
TEST(AutodiffConvolutionVjp, MixedOperandTypes) {
  const std::string text = std::string("HloModule mixed_conv\n") + kSumAdd + R"(
ENTRY main {
  x = f64[1,1,4] parameter(0)
  k = f32[1,1,2] parameter(1)
  c = f64[1,1,3] convolution(x, k), window={size=2}, dim_labels=bf0_oi0->bf0
  zero = f64[] constant(0)
  ROOT r = f64[] reduce(c, zero), dimensions={0,1,2}, to_apply=add
})";
  const ir::Literal result =
      value_and_grads(text, {ir::Literal::from_vector<double>({1, 1, 4}, {1, 2, 3, 4}),
                             ir::Literal::from_vector<float>({1, 1, 2}, {10, 100})});
  const ir::Literal& dx = result.element(1);
  EXPECT_EQ(std::vector<double>(dx.data<double>().begin(), dx.data<double>().end()),
            (std::vector<double>{10, 110, 110, 100}));
  const ir::Literal& dk = result.element(2);
  ASSERT_EQ(dk.shape().to_string(false), "f32[1,1,2]");
  EXPECT_EQ(std::vector<float>(dk.data<float>().begin(), dk.data<float>().end()),
            (std::vector<float>{6, 9}));
}

// A zero-sized result: nothing is summed, so both cotangents are zeros (and no zero-sized window
// convolution is built).
TEST(AutodiffConvolutionVjp, EmptyResultGivesZeros) {
  const std::string text = std::string("HloModule empty_conv\n") + kSumAdd + R"(
ENTRY main {
  x = f64[0,1,4] parameter(0)
  k = f64[1,1,2] parameter(1)
  c = f64[0,1,3] convolution(x, k), window={size=2}, dim_labels=bf0_oi0->bf0
  zero = f64[] constant(0)
  ROOT r = f64[] reduce(c, zero), dimensions={0,1,2}, to_apply=add
})";
  const ir::Literal result =
      value_and_grads(text, {ir::Literal(ir::Shape::array(ir::DType::F64, {0, 1, 4})),
                             ir::Literal::from_vector<double>({1, 1, 2}, {1, 2})});
  EXPECT_EQ(result.element(1).element_count(), 0);
  for (double v : result.element(2).data<double>()) EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace hlocc::testing
