// Control flow, custom-call and sort behaviour that golden files cannot express: the while trip
// limit (EvalOptions), custom-call handlers registered by the test, and sort on adversarial data
// (NaN under a plain LT comparator; the compare fast path against the general comparator path).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "backends/reference/evaluator.h"
#include "ir/custom_call.h"
#include "ir/printer.h"
#include "test_helpers.h"

namespace hlocc::ir {
namespace {

using testing::literal;
using testing::parse_and_verify;

// ---- while trip limit -------------------------------------------------------------------------

// Counts i from 0 up to the bound n (parameter 0); returns i.
constexpr std::string_view kCountingLoop = R"(
HloModule counting_loop

cond {
  c.state = (s32[], s32[]) parameter(0)
  c.i = s32[] get-tuple-element(c.state), index=0
  c.n = s32[] get-tuple-element(c.state), index=1
  ROOT c.lt = pred[] compare(c.i, c.n), direction=LT
}

body {
  b.state = (s32[], s32[]) parameter(0)
  b.i = s32[] get-tuple-element(b.state), index=0
  b.n = s32[] get-tuple-element(b.state), index=1
  b.one = s32[] constant(1)
  b.next = s32[] add(b.i, b.one)
  ROOT b.out = (s32[], s32[]) tuple(b.next, b.n)
}

ENTRY main {
  n = s32[] parameter(0)
  zero = s32[] constant(0)
  init = (s32[], s32[]) tuple(zero, n)
  loop = (s32[], s32[]) while(init), condition=cond, body=body
  ROOT r = s32[] get-tuple-element(loop), index=0
}
)";

Result<Literal> run_counting_loop(int32_t trips, int64_t limit) {
  auto module = parse_and_verify(kCountingLoop);
  HLOCC_CHECK(module != nullptr);
  const Literal args[] = {Literal::scalar<int32_t>(trips)};
  return reference::evaluate(*module, args, {.max_while_trips = limit});
}

TEST(While, RunsExactlyTheLimit) {
  Result<Literal> result = run_counting_loop(5, 5);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->data<int32_t>()[0], 5);
}

TEST(While, FailsPastTheLimit) {
  Result<Literal> result = run_counting_loop(6, 5);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("while: exceeded the limit of 5 iterations"),
            std::string::npos)
      << result.error().message();
}

TEST(While, LimitZeroAllowsOnlyLoopsThatNeverRun) {
  EXPECT_TRUE(run_counting_loop(0, 0).ok());
  EXPECT_FALSE(run_counting_loop(1, 0).ok());
}

TEST(While, InfiniteLoopStopsAtTheLimit) {
  auto module = parse_and_verify(R"(
HloModule forever

always {
  c.x = s32[] parameter(0)
  ROOT c.true = pred[] constant(true)
}

same {
  ROOT b.x = s32[] parameter(0)
}

ENTRY main {
  x = s32[] constant(0)
  ROOT loop = s32[] while(x), condition=always, body=same
}
)");
  ASSERT_NE(module, nullptr);
  Result<Literal> result = reference::evaluate(*module, {}, {.max_while_trips = 1000});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("exceeded the limit of 1000 iterations"),
            std::string::npos);
}

// ---- custom-call ------------------------------------------------------------------------------

constexpr std::string_view kCustomCall = R"(
HloModule custom

ENTRY main {
  x = f32[3] parameter(0)
  y = f32[3] parameter(1)
  ROOT r = f32[3] custom-call(x, y), custom_call_target="test.fused_multiply_add_one"
}
)";

Result<Literal> run_custom_call() {
  auto module = parse_and_verify(kCustomCall);
  HLOCC_CHECK(module != nullptr);
  const Literal args[] = {literal("f32[3] {1, 2, 3}"), literal("f32[3] {10, 20, 30}")};
  return reference::evaluate(*module, args);
}

// Registers `fn` for the test's target for the lifetime of this object.
struct ScopedHandler {
  explicit ScopedHandler(CustomCallFn fn) {
    register_custom_call("test.fused_multiply_add_one", std::move(fn));
  }
  ~ScopedHandler() { unregister_custom_call("test.fused_multiply_add_one"); }
};

TEST(CustomCall, RunsTheRegisteredHandler) {
  ScopedHandler handler([](std::span<const Literal* const> operands,
                           const Instruction& inst) -> Result<Literal> {
    Literal result(inst.shape());
    for (size_t i = 0; i < 3; ++i) {
      result.data<float>()[i] = operands[0]->data<float>()[i] * operands[1]->data<float>()[i] + 1;
    }
    return result;
  });
  Result<Literal> result = run_custom_call();
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(testing::compare_literals(literal("f32[3] {11, 41, 91}"), *result), "");
}

TEST(CustomCall, HandlerErrorsPropagate) {
  ScopedHandler handler([](std::span<const Literal* const>, const Instruction&) -> Result<Literal> {
    return Error("test.fused_multiply_add_one: refuses");
  });
  Result<Literal> result = run_custom_call();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("refuses"), std::string::npos);
}

TEST(CustomCall, HandlerResultMustHaveTheDeclaredShape) {
  ScopedHandler handler([](std::span<const Literal* const>, const Instruction&) -> Result<Literal> {
    return Literal(Shape::array(DType::F32, {2}));
  });
  Result<Literal> result = run_custom_call();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("wrong shape; got f32[2] for declared f32[3]"),
            std::string::npos)
      << result.error().message();
}

TEST(CustomCall, UnregisteredTargetSaysHowToRegister) {
  Result<Literal> result = run_custom_call();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("register_custom_call(\"test.fused_multiply_add_one\""),
            std::string::npos)
      << result.error().message();
}

// ---- sort -------------------------------------------------------------------------------------

// Sorts (x, iota) along dimension 0 with comparator `compare(p0, p1), <compare_attrs>`. With
// `general`, the comparator's root is or(c, c), which the fast path does not recognise, so the
// comparator computation runs for every pair.
std::string sort_module(const std::string& dtype, int64_t n, const std::string& compare_attrs,
                        bool general) {
  const std::string scalar = dtype + "[]";
  const std::string array = dtype + "[" + std::to_string(n) + "]";
  const std::string index = "s32[" + std::to_string(n) + "]";
  std::string text = "HloModule sort\n\ncmp {\n  a = " + scalar + " parameter(0)\n  b = " + scalar +
                     " parameter(1)\n  i = s32[] parameter(2)\n  j = s32[] parameter(3)\n";
  if (general) {
    text += "  c = pred[] compare(a, b), " + compare_attrs + "\n  ROOT r = pred[] or(c, c)\n}\n";
  } else {
    text += "  ROOT c = pred[] compare(a, b), " + compare_attrs + "\n}\n";
  }
  text += "\nENTRY main {\n  x = " + array + " parameter(0)\n  iota = " + index +
          " iota(), iota_dimension=0\n  ROOT s = (" + array + ", " + index +
          ") sort(x, iota), dimensions={0}, to_apply=cmp\n}\n";
  return text;
}

Literal run_sort(const std::string& text, const Literal& x) {
  auto module = parse_and_verify(text);
  HLOCC_CHECK(module != nullptr) << text;
  Result<Literal> result = reference::evaluate(*module, std::span<const Literal>(&x, 1));
  HLOCC_CHECK(result.ok()) << result.error().message();
  return std::move(result).value();
}

// n floats drawn from a few values, so that ties, signed zeros, infinities and NaNs are common.
std::vector<float> adversarial_floats(int64_t n, uint32_t seed) {
  const float pool[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1.0f, -1.0f, 2.5f, 1e-30f};
  std::mt19937 rng(seed);
  std::vector<float> values(static_cast<size_t>(n));
  for (float& v : values) v = pool[rng() % std::size(pool)];
  return values;
}

// The permutation sort returned must be one: every index exactly once, values moved with it.
void expect_permutation(const Literal& x, const Literal& sorted) {
  std::vector<int32_t> indices(sorted.element(1).data<int32_t>().begin(),
                               sorted.element(1).data<int32_t>().end());
  std::vector<int32_t> seen = indices;
  std::sort(seen.begin(), seen.end());
  for (size_t k = 0; k < seen.size(); ++k) ASSERT_EQ(seen[k], static_cast<int32_t>(k));
  for (size_t k = 0; k < indices.size(); ++k) {
    const size_t from = static_cast<size_t>(indices[k]);
    EXPECT_EQ(std::memcmp(&sorted.element(0).data<float>()[k], &x.data<float>()[from], 4), 0);
  }
}

TEST(Sort, NanUnderPlainLessThanGivesAPermutationOnBothPaths) {
  // NaN makes LT no strict weak order; the merge sort must still return a permutation, and the
  // fast path must agree with the comparator path exactly.
  for (int64_t n : {1, 2, 7, 64, 1000}) {
    const Literal x = Literal::from_vector<float>({n}, adversarial_floats(n, 7));
    const Literal fast = run_sort(sort_module("f32", n, "direction=LT", false), x);
    const Literal slow = run_sort(sort_module("f32", n, "direction=LT", true), x);
    expect_permutation(x, fast);
    EXPECT_TRUE(fast == slow) << "n = " << n;
  }
}

TEST(Sort, TotalOrderFastPathMatchesComparatorPath) {
  const int64_t n = 300;
  const Literal x = Literal::from_vector<float>({n}, adversarial_floats(n, 11));
  for (const std::string direction : {"LT", "GT"}) {
    const std::string attrs = "direction=" + direction + ", type=TOTALORDER";
    const Literal fast = run_sort(sort_module("f32", n, attrs, false), x);
    const Literal slow = run_sort(sort_module("f32", n, attrs, true), x);
    expect_permutation(x, fast);
    EXPECT_TRUE(fast == slow) << direction;
  }
}

TEST(Sort, TotalOrderIsSortedAndStable) {
  const int64_t n = 500;
  const Literal x = Literal::from_vector<float>({n}, adversarial_floats(n, 3));
  const Literal sorted = run_sort(sort_module("f32", n, "direction=LT, type=TOTALORDER", false), x);
  // Sign-magnitude key: negative values order by decreasing magnitude bits.
  auto key = [](float v) {
    const auto bits = std::bit_cast<int32_t>(v);
    return bits < 0 ? bits ^ 0x7fffffff : bits;
  };
  const auto values = sorted.element(0).data<float>();
  const auto indices = sorted.element(1).data<int32_t>();
  for (size_t k = 1; k < values.size(); ++k) {
    ASSERT_LE(key(values[k - 1]), key(values[k])) << "at " << k;
    if (key(values[k - 1]) == key(values[k])) {
      ASSERT_LT(indices[k - 1], indices[k]) << "at " << k;
    }
  }
}

TEST(Sort, IntegerFastPathMatchesComparatorPath) {
  const int64_t n = 257;
  std::mt19937 rng(5);
  std::vector<int32_t> values(static_cast<size_t>(n));
  for (int32_t& v : values) v = static_cast<int32_t>(rng() % 9) - 4;
  const Literal x = Literal::from_vector<int32_t>({n}, values);
  for (const std::string direction : {"LT", "GT"}) {
    const Literal fast = run_sort(sort_module("s32", n, "direction=" + direction, false), x);
    const Literal slow = run_sort(sort_module("s32", n, "direction=" + direction, true), x);
    EXPECT_TRUE(fast == slow) << direction;
    const auto sorted = fast.element(0).data<int32_t>();
    const bool ordered = direction == "LT" ? std::is_sorted(sorted.begin(), sorted.end())
                                           : std::is_sorted(sorted.rbegin(), sorted.rend());
    EXPECT_TRUE(ordered) << direction;
  }
}

}  // namespace
}  // namespace hlocc::ir
