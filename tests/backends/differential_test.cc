// The differential harness itself: the tolerance table's edges, the failure report, and that a
// backend which is a little wrong is caught. Also the reference and passes backends.
#include "backends/differential.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/backends_under_test.h"
#include "backends/random_program.h"
#include "backends/reference/reference_backend.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

using ir::Literal;

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Literal f32(std::vector<double> values) {
  std::vector<float> narrowed(values.begin(), values.end());
  return Literal::from_vector<float>({int64_t(values.size())}, narrowed);
}

TEST(CompareResults, F32WithinRelativeToleranceMatches) {
  EXPECT_EQ(compare_results(f32({1, 2, 3}), f32({1 + 5e-6, 2, 3})), "");
}

TEST(CompareResults, F32BeyondToleranceNamesTheFirstElement) {
  const std::string diff = compare_results(f32({1, 2, 3, 4}), f32({1, 2.001, 3, 4.5}));
  EXPECT_NE(diff.find("2 of 4 elements differ; first at [1]: expected 2, got 2.0009"),
            std::string::npos)
      << diff;
}

TEST(CompareResults, FloorScalesWithTheLargestElement) {
  // 1e-3 off on an element of 1e-3 is 100% off, but 1e-6 of the array's largest (1000).
  EXPECT_EQ(compare_results(f32({1000, 1e-3}), f32({1000, 2e-3})), "");
  EXPECT_NE(compare_results(f32({1, 1e-3}), f32({1, 2e-3})), "");
}

TEST(CompareResults, NormCatchesSmallErrorsEverywhere) {
  // Every element within the floor (9e-6 <= 1e-5 * 1), but the L2 error sqrt(n) * 9e-6 passes
  // 1e-4 * ||expected|| = 1e-4 once n > 123.
  std::vector<double> expected(400, 0.0), actual(400, 9e-6);
  expected[0] = actual[0] = 1;
  EXPECT_EQ(compare_results(f32({expected.begin(), expected.begin() + 100}),
                            f32({actual.begin(), actual.begin() + 100})),
            "");
  const std::string diff = compare_results(f32(expected), f32(actual));
  EXPECT_NE(diff.find("relative L2 error"), std::string::npos) << diff;
}

TEST(CompareResults, NanMatchesNanAndInfinitiesMatchExactly) {
  EXPECT_EQ(compare_results(f32({kNan, kInf, -kInf}), f32({kNan, kInf, -kInf})), "");
  EXPECT_NE(compare_results(f32({kNan}), f32({1})), "");
  EXPECT_NE(compare_results(f32({1}), f32({kNan})), "");
  EXPECT_NE(compare_results(f32({kInf}), f32({-kInf})), "");
  EXPECT_NE(compare_results(f32({kInf}), f32({3e38})), "");
}

TEST(CompareResults, IntegersAndPredExactly) {
  EXPECT_EQ(compare_results(literal("s32[2] {1, 2}"), literal("s32[2] {1, 2}")), "");
  const std::string diff =
      compare_results(literal("s32[2,2] {{1, 2}, {3, 4}}"), literal("s32[2,2] {{1, 2}, {3, 5}}"));
  EXPECT_NE(diff.find("1 of 4 elements differ; first at [1,1]: expected 4, got 5"),
            std::string::npos)
      << diff;
  EXPECT_NE(compare_results(literal("pred[2] {true, false}"), literal("pred[2] {true, true}")), "");
}

TEST(CompareResults, F64IsTighterThanF32) {
  EXPECT_EQ(compare_results(literal("f64[1] {1}"), literal("f64[1] {1.0000000000001}")), "");
  EXPECT_NE(compare_results(literal("f64[1] {1}"), literal("f64[1] {1.000001}")), "");
}

// An f64 result converted from an f32 value carries f32 rounding (a backend's tanh one f32 ulp
// from the reference's was the first false alarm): the module's narrowest float sets the bar.
TEST(CompareResults, NarrowestFloatOfTheModuleSetsThePrecision) {
  const std::unique_ptr<ir::Module> mixed = parse_and_verify(R"(HloModule mixed
ENTRY main {
  x = f32[2] parameter(0)
  t = f32[2] tanh(x)
  ROOT y = f64[2] convert(t)
})");
  const std::unique_ptr<ir::Module> pure = parse_and_verify(R"(HloModule pure
ENTRY main {
  x = f64[2] parameter(0)
  ROOT t = f64[2] tanh(x)
})");
  ASSERT_NE(mixed, nullptr);
  ASSERT_NE(pure, nullptr);
  EXPECT_EQ(narrowest_float(*mixed), ir::DType::F32);
  EXPECT_EQ(narrowest_float(*pure), ir::DType::F64);
  const Literal expected = literal("f64[2] {0.66172730922698975, 1}");
  const Literal one_f32_ulp_off = literal("f64[2] {0.66172736883163452, 1}");
  EXPECT_EQ(compare_results(expected, one_f32_ulp_off, narrowest_float(*mixed)), "");
  EXPECT_NE(compare_results(expected, one_f32_ulp_off, narrowest_float(*pure)), "");
}

TEST(CompareResults, TuplesShapesAndComplexParts) {
  const std::string diff =
      compare_results(literal("(s32[], f32[1]) (1, {2})"), literal("(s32[], f32[1]) (1, {3})"));
  EXPECT_EQ(diff.rfind("tuple element 1: ", 0), 0u) << diff;
  EXPECT_NE(compare_results(literal("f32[2] {1, 2}"), literal("f32[1,2] {{1, 2}}")).find("shape"),
            std::string::npos);
  const std::string complex_diff =
      compare_results(literal("c64[2] {(1, 2), (3, 4)}"), literal("c64[2] {(1, 2), (3, 5)}"));
  EXPECT_NE(complex_diff.find("first at [1] imag: expected 4, got 5"), std::string::npos)
      << complex_diff;
}

// The reference evaluator with every f32 result nudged by `relative`: a backend that is a
// little wrong, which the harness must catch.
class NudgingBackend final : public runtime::Backend {
 public:
  explicit NudgingBackend(double relative) : relative_(relative) {}
  std::string name() const override { return "nudging"; }
  int64_t compile_count() const { return compile_count_; }
  Result<std::unique_ptr<runtime::Executable>> compile(const ir::Module& module) override {
    ++compile_count_;
    HLOCC_TRY(std::unique_ptr<runtime::Executable> inner,
              reference::ReferenceBackend(kDifferentialEvalOptions).compile(module));
    return std::unique_ptr<runtime::Executable>(new Nudged(std::move(inner), relative_));
  }

 private:
  class Nudged final : public runtime::Executable {
   public:
    Nudged(std::unique_ptr<runtime::Executable> inner, double relative)
        : inner_(std::move(inner)), relative_(relative) {}
    Result<Literal> run(std::span<const Literal> args) override {
      HLOCC_TRY(Literal result, inner_->run(args));
      nudge(result);
      return result;
    }

   private:
    void nudge(Literal& literal) const {
      for (Literal& element : literal.elements()) nudge(element);
      if (!literal.shape().is_array() || literal.shape().dtype() != ir::DType::F32) return;
      for (float& value : literal.data<float>()) value += float(relative_ * (1 + std::fabs(value)));
    }
    std::unique_ptr<runtime::Executable> inner_;
    double relative_;
  };
  double relative_;
  int64_t compile_count_ = 0;
};

constexpr const char* kSumOfSquares = R"(HloModule sum_of_squares
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT r = f32[] add(a, b)
}
ENTRY main {
  x = f32[4] parameter(0)
  squares = f32[4] multiply(x, x)
  zero = f32[] constant(0)
  ROOT sum = f32[] reduce(squares, zero), dimensions={0}, to_apply=add
})";

TEST(CompareBackends, ReportsContextBackendsValuesAndModule) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kSumOfSquares);
  ASSERT_NE(module, nullptr);
  const std::vector<Literal> args = {f32({1, 2, 3, 4})};
  reference::ReferenceBackend reference;
  NudgingBackend wrong(1e-3);
  const Difference difference = compare_backends(*module, args, reference, wrong, "seed 42");
  ASSERT_FALSE(difference.ok());
  EXPECT_FALSE(difference.reference_failed);
  EXPECT_NE(difference.report.find("seed 42: nudging differs from reference: 1 of 1 elements "
                                   "differ; first at []: expected 30, got 30.03"),
            std::string::npos)
      << difference.report;
  EXPECT_NE(difference.report.find("module:\nHloModule sum_of_squares"), std::string::npos);
  NudgingBackend close_enough(1e-7);
  EXPECT_TRUE(compare_backends(*module, args, reference, close_enough).ok());
}

TEST(CompareBackends, CatchesASlightlyWrongBackendOnRandomPrograms) {
  const std::unique_ptr<runtime::Backend> reference = reference_backend();
  NudgingBackend wrong(1e-4);
  int64_t caught = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const Result<RandomProgram> program = random_program(seed);
    ASSERT_TRUE(program.ok()) << program.error().message();
    const Difference difference = compare_backends(*program->module, program->args, *reference,
                                                   wrong, "seed " + std::to_string(seed));
    if (!difference.ok()) {
      ++caught;
      EXPECT_EQ(difference.report.rfind("seed " + std::to_string(seed) + ": nudging", 0), 0u);
    }
  }
  // Programs whose results are all integers or pred are immune to the nudge; most are not.
  EXPECT_GE(caught, 10);
}

TEST(CompareBackends, ReferenceFailureSkipsTheCandidate) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(R"(HloModule forever
cond {
  c.s = s32[] parameter(0)
  ROOT c.true = pred[] constant(true)
}
body {
  ROOT b.s = s32[] parameter(0)
}
ENTRY main {
  zero = s32[] constant(0)
  ROOT loop = s32[] while(zero), condition=cond, body=body
})");
  ASSERT_NE(module, nullptr);
  const std::unique_ptr<runtime::Backend> reference = reference_backend();
  NudgingBackend never_run(0);
  const Difference difference = compare_backends(*module, {}, *reference, never_run);
  EXPECT_TRUE(difference.reference_failed);
  EXPECT_EQ(never_run.compile_count(), 0);
  EXPECT_NE(difference.report.find("reference failed"), std::string::npos) << difference.report;
}

TEST(ReferenceBackend, CompilesACopy) {
  std::unique_ptr<ir::Module> module = parse_and_verify(kSumOfSquares);
  ASSERT_NE(module, nullptr);
  auto executable = reference::ReferenceBackend().compile(*module);
  ASSERT_TRUE(executable.ok()) << executable.error().message();
  module.reset();  // the executable owns its own copy
  const Result<Literal> result = (*executable)->run(std::vector<Literal>{f32({1, 2, 3, 4})});
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(compare_results(literal("f32[] 30"), *result), "");
}

TEST(PassesThenReference, RunsThePassesAndNamesThem) {
  PassesThenReference backend({"inline", "cse", "dce"});
  EXPECT_EQ(backend.name(), "inline,cse,dce+reference");
  const std::unique_ptr<ir::Module> module = parse_and_verify(kSumOfSquares);
  ASSERT_NE(module, nullptr);
  PassesThenReference unknown({"no-such-pass"});
  EXPECT_FALSE(unknown.compile(*module).ok());
  auto executable = backend.compile(*module);
  ASSERT_TRUE(executable.ok()) << executable.error().message();
  const Result<Literal> result = (*executable)->run(std::vector<Literal>{f32({1, 2, 3, 4})});
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(compare_results(literal("f32[] 30"), *result), "");
}

}  // namespace
}  // namespace hlocc::testing
