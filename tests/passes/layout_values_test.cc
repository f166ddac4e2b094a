// layout keeps values bit for bit: every golden module (except EXPECT_ERROR files), every
// gradient-file module and the vjp of each (the training programs whose backward convolutions the
// pass relabels) evaluate to the same bits before and after the pass, and a second run of the
// pass changes nothing.
#include <gtest/gtest.h>

#include "autodiff/gradient_check.h"
#include "autodiff/gradient_files.h"
#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "golden/golden_files.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/pass.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

// Evaluates `module` on `args`, runs the pass, evaluates again: "" when the bits agree and a
// second run finds nothing to do, else a report.
std::string layout_changes_values(ir::Module& module, const std::vector<ir::Literal>& args) {
  const Result<ir::Literal> before = reference::evaluate(module, args);
  if (!before.ok()) return "before layout: " + before.error().message();
  const Status status = passes::run_passes(module, {"layout"});
  if (!status.ok()) return "layout: " + status.error().message();
  const Result<ir::Literal> after = reference::evaluate(module, args);
  if (!after.ok())
    return "after layout: " + after.error().message() + "\n" + ir::print_module(module);
  const std::string differences = compare_literals(*before, *after, Tolerance{0, 0});
  if (!differences.empty()) return differences + "\n" + ir::print_module(module);
  const Result<bool> again = passes::make_pass("layout")->run(module);
  if (!again.ok() || *again) return "a second run changed the module\n" + ir::print_module(module);
  return "";
}

std::vector<fs::path> golden_files_with_values() {
  std::vector<fs::path> files;
  for (const fs::path& file : golden_files()) {
    if (!parse_golden_directives(read_text_file(file)).expect_error) files.push_back(file);
  }
  return files;
}

class LayoutKeepsGoldenValues : public ::testing::TestWithParam<fs::path> {};

TEST_P(LayoutKeepsGoldenValues, BitForBit) {
  const GoldenCase golden = parse_golden_directives(read_text_file(GetParam()));
  const std::unique_ptr<ir::Module> module = parse_and_verify(golden.text);
  ASSERT_NE(module, nullptr);
  std::vector<ir::Literal> args;
  for (const std::string& arg : golden.args) args.push_back(literal(arg));
  EXPECT_EQ(layout_changes_values(*module, args), "");
}

INSTANTIATE_TEST_SUITE_P(Golden, LayoutKeepsGoldenValues,
                         ::testing::ValuesIn(golden_files_with_values()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return test_name_for(info.param, golden_dir());
                         });

std::vector<fs::path> gradient_files_with_values() {
  std::vector<fs::path> files;
  for (const fs::path& file : gradient_files()) {
    if (!parse_gradient_directives(read_text_file(file)).expect_error) files.push_back(file);
  }
  return files;
}

class LayoutKeepsGradientValues : public ::testing::TestWithParam<fs::path> {};

TEST_P(LayoutKeepsGradientValues, ForwardAndVjp) {
  const std::string text = read_text_file(GetParam());
  const GradientCase gradient = parse_gradient_directives(text);
  const std::unique_ptr<ir::Module> module = parse_and_verify(text);
  ASSERT_NE(module, nullptr);
  const Result<std::vector<ir::Literal>> inputs = gradient_inputs(gradient, *module->entry(), 0);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message();
  EXPECT_EQ(layout_changes_values(*module, *inputs), "") << "the module itself";

  // The vjp: (inputs..., cotangent) -> (value, cotangents...), as the entry of a fresh copy.
  Result<std::unique_ptr<ir::Module>> backward = ir::parse_module(text);
  ASSERT_TRUE(backward.ok());
  Result<ir::Computation*> vjp = autodiff::build_vjp(*(*backward)->entry(), "vjp");
  if (!vjp.ok()) GTEST_SKIP() << "no vjp (the file expects that): " << vjp.error().message();
  (*backward)->set_entry(*vjp);
  std::vector<ir::Literal> vjp_inputs = *inputs;
  const ir::Shape& cotangent = (*vjp)->parameter(static_cast<int64_t>(inputs->size()))->shape();
  vjp_inputs.push_back(cotangent.is_array() && cotangent.dtype() == ir::DType::F64
                           ? random_f64(cotangent, 99)
                           : ir::Literal(cotangent));
  EXPECT_EQ(layout_changes_values(**backward, vjp_inputs), "") << "its vjp";
}

INSTANTIATE_TEST_SUITE_P(Gradients, LayoutKeepsGradientValues,
                         ::testing::ValuesIn(gradient_files_with_values()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return test_name_for(info.param, fs::path(HLOCC_TEST_DATA_DIR) /
                                                                "autodiff" / "gradients");
                         });

}  // namespace
}  // namespace hlocc::testing
