// The subgradients the reduction vjp rules pick at kinks (ties, zeros), which central differences
// cannot check: exact gradients at chosen inputs.
#include <gtest/gtest.h>

#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "ir/parser.h"

namespace hlocc::testing {
namespace {

// The gradients of `hlo` (an entry returning an f64 scalar) at `args`, one vector per parameter.
std::vector<std::vector<double>> gradients(const std::string& hlo,
                                           const std::vector<std::string>& args) {
  auto module = ir::parse_module(hlo);
  EXPECT_TRUE(module.ok()) << module.error().message();
  if (!module.ok()) return {};
  auto grad = autodiff::value_and_grad(**module, {});
  EXPECT_TRUE(grad.ok()) << grad.error().message();
  if (!grad.ok()) return {};
  std::vector<ir::Literal> literals;
  for (const std::string& arg : args) literals.push_back(*ir::parse_literal(arg));
  auto result = reference::evaluate(**grad, literals);
  EXPECT_TRUE(result.ok()) << result.error().message();
  if (!result.ok()) return {};
  std::vector<std::vector<double>> out;
  for (size_t i = 0; i < args.size(); ++i) {
    auto data = result->element(static_cast<int64_t>(i + 1)).data<double>();
    out.emplace_back(data.begin(), data.end());
  }
  return out;
}

constexpr const char* kComputations = R"(
max_f64 {
  ma = f64[] parameter(0)
  mb = f64[] parameter(1)
  ROOT m = f64[] maximum(ma, mb)
}
add_f64 {
  aa = f64[] parameter(0)
  ab = f64[] parameter(1)
  ROOT s = f64[] add(aa, ab)
}
mul_f64 {
  pa = f64[] parameter(0)
  pb = f64[] parameter(1)
  ROOT p = f64[] multiply(pa, pb)
}
)";

std::string module(const std::string& entry) {
  return "HloModule t\n" + std::string(kComputations) + "ENTRY main {\n" + entry + "}\n";
}

using Grads = std::vector<std::vector<double>>;

TEST(ReduceVjp, MaxSplitsTiesEvenlyIncludingTheInitValue) {
  const std::string hlo = module(R"(
  x = f64[4] parameter(0)
  init = f64[] parameter(1)
  ROOT r = f64[] reduce(x, init), dimensions={0}, to_apply=max_f64
)");
  EXPECT_EQ(gradients(hlo, {"f64[4] {1, 3, 3, 2}", "f64[] -5"}), (Grads{{0, 0.5, 0.5, 0}, {0}}));
  EXPECT_EQ(gradients(hlo, {"f64[4] {1, 3, 3, 2}", "f64[] 3"}),
            (Grads{{0, 1.0 / 3, 1.0 / 3, 0}, {1.0 / 3}}));
  EXPECT_EQ(gradients(hlo, {"f64[4] {1, 3, 3, 2}", "f64[] 4"}), (Grads{{0, 0, 0, 0}, {1}}));
}

TEST(ReduceVjp, ProductIsExactAtZeros) {
  const std::string hlo = module(R"(
  x = f64[3] parameter(0)
  init = f64[] parameter(1)
  ROOT r = f64[] reduce(x, init), dimensions={0}, to_apply=mul_f64
)");
  EXPECT_EQ(gradients(hlo, {"f64[3] {0, 2, 3}", "f64[] 2"}), (Grads{{12, 0, 0}, {0}}));
  EXPECT_EQ(gradients(hlo, {"f64[3] {0, 0, 3}", "f64[] 2"}), (Grads{{0, 0, 0}, {0}}));
  EXPECT_EQ(gradients(hlo, {"f64[3] {4, 2, 3}", "f64[] 2"}), (Grads{{12, 24, 16}, {24}}));
}

TEST(ReduceVjp, MaxPoolGivesATiedWindowsCotangentToItsFirstMaximum) {
  const std::string hlo = module(R"(
  x = f64[6] parameter(0)
  ninf = f64[] constant(-inf)
  pooled = f64[3] reduce-window(x, ninf), window={size=2 stride=2}, to_apply=max_f64
  zero = f64[] constant(0)
  ROOT r = f64[] reduce(pooled, zero), dimensions={0}, to_apply=add_f64
)");
  EXPECT_EQ(gradients(hlo, {"f64[6] {5, 5, 1, 2, 7, 7}"}), (Grads{{1, 0, 0, 1, 1, 0}}));
}

TEST(ReduceVjp, ArgmaxValueSplitsTiesAndIgnoresIndices) {
  const std::string hlo = "HloModule t\n" + std::string(kComputations) + R"(
argmax {
  acc_v = f64[] parameter(0)
  acc_i = s32[] parameter(1)
  v = f64[] parameter(2)
  i = s32[] parameter(3)
  gt = pred[] compare(v, acc_v), direction=GT
  eq = pred[] compare(v, acc_v), direction=EQ
  lt = pred[] compare(i, acc_i), direction=LT
  tie = pred[] and(eq, lt)
  pick_i = pred[] or(gt, tie)
  out_v = f64[] select(gt, v, acc_v)
  out_i = s32[] select(pick_i, i, acc_i)
  ROOT t = (f64[], s32[]) tuple(out_v, out_i)
}
ENTRY main {
  x = f64[4] parameter(0)
  iota = s32[4] iota(), iota_dimension=0
  ninf = f64[] constant(-inf)
  zero = s32[] constant(0)
  r = (f64[], s32[]) reduce(x, iota, ninf, zero), dimensions={0}, to_apply=argmax
  ROOT value = f64[] get-tuple-element(r), index=0
}
)";
  EXPECT_EQ(gradients(hlo, {"f64[4] {2, 7, 7, 1}"}), (Grads{{0, 0.5, 0.5, 0}}));
}

TEST(ReduceVjp, SortRoutesTiedKeysInStableOrder) {
  const std::string hlo = "HloModule t\n" + std::string(kComputations) + R"(
less {
  la = f64[] parameter(0)
  lb = f64[] parameter(1)
  ROOT lt = pred[] compare(la, lb), direction=LT
}
ENTRY main {
  x = f64[3] parameter(0)
  sorted = f64[3] sort(x), dimensions={0}, to_apply=less
  weights = f64[3] constant({1, 2, 3})
  weighted = f64[3] multiply(sorted, weights)
  zero = f64[] constant(0)
  ROOT r = f64[] reduce(weighted, zero), dimensions={0}, to_apply=add_f64
}
)";
  EXPECT_EQ(gradients(hlo, {"f64[3] {3, 1, 3}"}), (Grads{{2, 1, 3}}));
}

}  // namespace
}  // namespace hlocc::testing
