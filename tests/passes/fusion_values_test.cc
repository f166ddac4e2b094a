// fusion keeps values bit for bit: every golden module (tests/golden, except EXPECT_ERROR files),
// every gradient-file module (tests/autodiff/gradients) and the vjp of each (the backward programs
// that fusion meets in training) evaluate to the same bits before and after the pass.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "autodiff/gradient_check.h"
#include "autodiff/reverse.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/reference/evaluator.h"
#include "golden/golden_files.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/pass.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

// Evaluates `module` on `args`, fuses it, evaluates again: "" when the bits agree, else a report.
std::string fused_values_differ(ir::Module& module, const std::vector<ir::Literal>& args) {
  const Result<ir::Literal> before = reference::evaluate(module, args);
  if (!before.ok()) return "before fusion: " + before.error().message();
  // The CPU backend's whole pipeline, so the gradient programs meet every pass before fusion.
  const Status status =
      passes::run_passes(module, cpu::CpuOptions{}.passes);
  if (!status.ok()) return "fusion: " + status.error().message();
  const Result<ir::Literal> after = reference::evaluate(module, args);
  if (!after.ok())
    return "after fusion: " + after.error().message() + "\n" + ir::print_module(module);
  const std::string differences = compare_literals(*before, *after, Tolerance{0, 0});
  return differences.empty() ? "" : differences + "\n" + ir::print_module(module);
}

std::string test_name(const fs::path& file, const fs::path& root) {
  std::string name = fs::relative(file, root).replace_extension().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::vector<fs::path> golden_files_with_values() {
  std::vector<fs::path> files;
  for (const fs::path& file : golden_files()) {
    if (!parse_golden_directives(read_text_file(file)).expect_error) files.push_back(file);
  }
  return files;
}

class FusionKeepsGoldenValues : public ::testing::TestWithParam<fs::path> {};

TEST_P(FusionKeepsGoldenValues, BitForBit) {
  const GoldenCase golden = parse_golden_directives(read_text_file(GetParam()));
  const std::unique_ptr<ir::Module> module = parse_and_verify(golden.text);
  ASSERT_NE(module, nullptr);
  std::vector<ir::Literal> args;
  for (const std::string& arg : golden.args) args.push_back(literal(arg));
  EXPECT_EQ(fused_values_differ(*module, args), "");
}

INSTANTIATE_TEST_SUITE_P(Golden, FusionKeepsGoldenValues,
                         ::testing::ValuesIn(golden_files_with_values()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return test_name(info.param, golden_dir());
                         });

const fs::path kGradientDir = fs::path(HLOCC_TEST_DATA_DIR) / "autodiff" / "gradients";

std::vector<fs::path> gradient_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kGradientDir)) {
    if (entry.path().extension() == ".hlo") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

ir::Literal random_or_zeros(const ir::Shape& shape, uint64_t seed, double low = -1,
                            double high = 1) {
  if (shape.is_array() && shape.dtype() == ir::DType::F64)
    return random_f64(shape, seed, low, high);
  return ir::Literal(shape);
}

// The file's inputs: its `// ARG:` literals, else random f64 in its `// RANGE:` (default
// [-1, 1)), else zeros.
std::vector<ir::Literal> gradient_file_inputs(const std::string& text,
                                              const ir::Computation& entry) {
  std::vector<std::string> fixed;
  double low = -1, high = 1;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("// ARG: ", 0) == 0) fixed.push_back(line.substr(8));
    if (line.rfind("// RANGE: ", 0) == 0) std::istringstream(line.substr(10)) >> low >> high;
  }
  std::vector<ir::Literal> inputs;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    const ir::Shape& shape = entry.parameter(i)->shape();
    const size_t j = static_cast<size_t>(i);
    if (j < fixed.size() && fixed[j] != "random") {
      inputs.push_back(literal(fixed[j]));
    } else {
      inputs.push_back(random_or_zeros(shape, static_cast<uint64_t>(i) + 1, low, high));
    }
  }
  return inputs;
}

class FusionKeepsGradientValues : public ::testing::TestWithParam<fs::path> {};

TEST_P(FusionKeepsGradientValues, ForwardAndVjp) {
  const std::string text = read_text_file(GetParam());
  const std::unique_ptr<ir::Module> module = parse_and_verify(text);
  ASSERT_NE(module, nullptr);
  const std::vector<ir::Literal> inputs = gradient_file_inputs(text, *module->entry());
  EXPECT_EQ(fused_values_differ(*module, inputs), "") << "the module itself";

  // The vjp: (inputs..., cotangent) -> (value, cotangents...), as the entry of a fresh copy.
  Result<std::unique_ptr<ir::Module>> backward = ir::parse_module(text);
  ASSERT_TRUE(backward.ok());
  Result<ir::Computation*> vjp = autodiff::build_vjp(*(*backward)->entry(), "vjp");
  if (!vjp.ok()) GTEST_SKIP() << "no vjp (the file expects that): " << vjp.error().message();
  (*backward)->set_entry(*vjp);
  std::vector<ir::Literal> vjp_inputs = inputs;
  const auto cotangent = static_cast<int64_t>(inputs.size());
  vjp_inputs.push_back(random_or_zeros((*vjp)->parameter(cotangent)->shape(), 99));
  EXPECT_EQ(fused_values_differ(**backward, vjp_inputs), "") << "its vjp";
}

INSTANTIATE_TEST_SUITE_P(Gradients, FusionKeepsGradientValues,
                         ::testing::ValuesIn(gradient_files()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return test_name(info.param, kGradientDir);
                         });

}  // namespace
}  // namespace hlocc::testing
