// The passes keep values: every golden module (tests/golden, except EXPECT_ERROR files) and every
// gradient module (value_and_grad of tests/autodiff/gradients) gives bit for bit the same result
// after inline, simplify, fold, cse and dce; and on a gradient module the passes compute the
// forward values once instead of twice.
#include <gtest/gtest.h>

#include <filesystem>

#include "autodiff/gradient_check.h"
#include "autodiff/gradient_files.h"
#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "golden/golden_files.h"
#include "ir/printer.h"
#include "passes/pass.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kPipeline = {"inline", "simplify", "fold", "cse", "dce"};

std::vector<fs::path> golden_files_with_values() {
  std::vector<fs::path> files;
  for (const fs::path& file : golden_files()) {
    if (!parse_golden_directives(read_text_file(file)).expect_error) files.push_back(file);
  }
  return files;
}

// The module's value on `args` is bit for bit the same after kPipeline.
void expect_passes_keep_value(ir::Module& module, const std::vector<ir::Literal>& args) {
  const Result<ir::Literal> before = reference::evaluate(module, args);
  ASSERT_TRUE(before.ok()) << before.error().message();
  const Status status = passes::run_passes(module, kPipeline);
  ASSERT_TRUE(status.ok()) << status.error().message();
  const Result<ir::Literal> after = reference::evaluate(module, args);
  ASSERT_TRUE(after.ok()) << after.error().message() << "\n" << ir::print_module(module);
  EXPECT_EQ(compare_literals(*before, *after, Tolerance{0, 0}), "") << ir::print_module(module);
}

class PassesKeepGoldenValues : public ::testing::TestWithParam<fs::path> {};

TEST_P(PassesKeepGoldenValues, AllPasses) {
  const GoldenCase golden = parse_golden_directives(read_text_file(GetParam()));
  const std::unique_ptr<ir::Module> module = parse_and_verify(golden.text);
  ASSERT_NE(module, nullptr);
  std::vector<ir::Literal> args;
  for (const std::string& arg : golden.args) args.push_back(literal(arg));
  expect_passes_keep_value(*module, args);
}

INSTANTIATE_TEST_SUITE_P(Golden, PassesKeepGoldenValues,
                         ::testing::ValuesIn(golden_files_with_values()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name =
                               fs::relative(info.param, golden_dir()).replace_extension().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PassesKeepGoldenValues);

int64_t count_op(const ir::Module& module, ir::Op op) {
  int64_t count = 0;
  for (const auto& computation : module.computations()) {
    for (const auto& instruction : computation->instructions()) count += instruction->op() == op;
  }
  return count;
}

int64_t instruction_count(const ir::Module& module) {
  int64_t count = 0;
  for (const auto& computation : module.computations()) count += computation->instruction_count();
  return count;
}

// value_and_grad of f(x, w) = dot(sine_squared(x), w), sine_squared a called computation: the
// call's forward values (sine(x)) are computed again inside the vjp of sine_squared. Inlining puts
// both copies of sine(x) in one computation, CSE merges them, DCE drops what is left unused.
TEST(PassPipeline, GradientComputesTheForwardValuesOnce) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(read_text_file(
      fs::path(HLOCC_TEST_DATA_DIR) / "autodiff" / "gradients" / "control" / "call_sine.hlo"));
  ASSERT_NE(module, nullptr);
  Result<std::unique_ptr<ir::Module>> gradient = autodiff::value_and_grad(*module, {});
  ASSERT_TRUE(gradient.ok()) << gradient.error().message();
  ir::Module& optimized = **gradient;
  const std::vector<ir::Literal> args = {random_f64(ir::Shape::array(ir::DType::F64, {3}), 1),
                                         random_f64(ir::Shape::array(ir::DType::F64, {3}), 2)};
  const Result<ir::Literal> before = reference::evaluate(optimized, args);
  ASSERT_TRUE(before.ok()) << before.error().message();
  const int64_t count_before = instruction_count(optimized);

  ASSERT_TRUE(passes::run_passes(optimized, {"inline"}).ok());
  EXPECT_EQ(count_op(optimized, ir::Op::Sine), 2) << ir::print_module(optimized);
  EXPECT_EQ(count_op(optimized, ir::Op::Call), 0);
  ASSERT_TRUE(passes::run_passes(optimized, kPipeline).ok());
  EXPECT_EQ(count_op(optimized, ir::Op::Sine), 1) << ir::print_module(optimized);
  EXPECT_EQ(optimized.computations().size(), 1u) << "only the entry is left";
  EXPECT_LT(instruction_count(optimized), count_before);

  const Result<ir::Literal> after = reference::evaluate(optimized, args);
  ASSERT_TRUE(after.ok()) << after.error().message();
  EXPECT_EQ(compare_literals(*before, *after, Tolerance{0, 0}), "");
}

}  // namespace
}  // namespace hlocc::testing
