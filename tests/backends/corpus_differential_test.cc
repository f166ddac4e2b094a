// Every module of the test corpus through every backend under test, compared with the
// reference evaluator: the golden files (tests/golden, except EXPECT_ERROR files) on their own
// ARG inputs and on random ones, and the gradient files (tests/autodiff/gradients) on random
// inputs, both the module and its vjp (the module a training step runs).
// Random inputs are `hlocc run FILE --random SEED`'s. A module that the reference cannot run on
// random inputs (a loop that never ends for negative numbers) is skipped for those inputs only.
#include <gtest/gtest.h>

#include <filesystem>

#include "autodiff/reverse.h"
#include "backends/backends_under_test.h"
#include "backends/differential.h"
#include "backends/random_program.h"
#include "golden/golden_files.h"
#include "ir/clone.h"
#include "ir/verifier.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kRandomSeeds[] = {1, 2};

fs::path tests_dir() { return fs::path(HLOCC_TEST_DATA_DIR); }

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  for (const fs::path& file : golden_files()) {
    if (!parse_golden_directives(read_text_file(file)).expect_error) files.push_back(file);
  }
  for (const fs::path& file : hlo_files_under(tests_dir() / "autodiff" / "gradients")) {
    files.push_back(file);
  }
  return files;
}

// The module's vjp as an entry computation: (parameters..., cotangent) -> (value, cotangents).
// Null when the module is not differentiable (the gradient files that expect an error).
std::unique_ptr<ir::Module> vjp_module(const ir::Module& module) {
  std::unique_ptr<ir::Module> copy = ir::clone_module(module);
  auto vjp = autodiff::build_vjp(*copy->entry(), "differential_vjp");
  if (!vjp.ok()) return nullptr;
  copy->set_entry(*vjp);
  if (!ir::verify(*copy).ok()) return nullptr;
  return copy;
}

struct Inputs {
  std::string label;
  std::vector<ir::Literal> args;
  bool random;
};

std::vector<Inputs> inputs_for(const ir::Module& module, const std::vector<std::string>& args) {
  std::vector<Inputs> inputs;
  if (!args.empty()) {
    Inputs own{.label = "its ARG inputs", .args = {}, .random = false};
    for (const std::string& arg : args) own.args.push_back(literal(arg));
    inputs.push_back(std::move(own));
  }
  for (uint64_t seed : kRandomSeeds) {
    inputs.push_back(
        {.label = "random inputs (hlocc run FILE --random " + std::to_string(seed) + ")",
         .args = random_arguments(*module.entry(), seed),
         .random = true});
  }
  return inputs;
}

// Runs `module` on each input set through every backend under test; returns how many input
// sets the reference could not run (random inputs only: a failure on a file's own is an error).
int64_t check_module(const ir::Module& module, const std::vector<std::string>& args,
                     const std::string& name) {
  const std::unique_ptr<runtime::Backend> reference = reference_backend();
  int64_t skipped = 0;
  for (const Inputs& inputs : inputs_for(module, args)) {
    for (const std::unique_ptr<runtime::Backend>& backend : backends_under_test()) {
      const Difference difference =
          compare_backends(module, inputs.args, *reference, *backend, name + " on " + inputs.label);
      if (difference.reference_failed && inputs.random) {
        ++skipped;
        break;
      }
      EXPECT_TRUE(difference.ok()) << difference.report;
    }
  }
  return skipped;
}

class CorpusDifferential : public ::testing::TestWithParam<fs::path> {};

TEST_P(CorpusDifferential, MatchesTheReference) {
  const fs::path& file = GetParam();
  const std::string name = fs::relative(file, tests_dir()).string();
  const bool golden = file.string().rfind(golden_dir().string(), 0) == 0;
  const GoldenCase directives = parse_golden_directives(read_text_file(file));
  const std::unique_ptr<ir::Module> module = parse_and_verify(directives.text);
  ASSERT_NE(module, nullptr);
  // Gradient files' ARG lines may say `random`; their values are the random ones anyway.
  int64_t skipped =
      check_module(*module, golden ? directives.args : std::vector<std::string>{}, name);
  if (!golden) {
    if (const std::unique_ptr<ir::Module> vjp = vjp_module(*module)) {
      skipped += check_module(*vjp, {}, name + " (vjp)");
    }
  }
  if (skipped > 0) RecordProperty("skipped_random_inputs", int(skipped));
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusDifferential, ::testing::ValuesIn(corpus_files()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return test_name_for(info.param, tests_dir());
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CorpusDifferential);

}  // namespace
}  // namespace hlocc::testing
