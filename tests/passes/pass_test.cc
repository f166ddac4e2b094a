// Runs every tests/passes/**/*.hlo file: the passes named on its line
//   // RUN: hlocc opt %s --passes=<names> | FileCheck-19 %s
// run on its module, and the output must satisfy its CHECK lines (passes/file_check.h). Each file
// also checks that the passes keep the module's values (on fixed inputs) and reach a fixed point.
// Then run_passes and make_pass themselves: names, errors, HLOCC_VERIFY and HLOCC_DUMP.
#include "passes/pass.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "autodiff/gradient_check.h"
#include "backends/reference/evaluator.h"
#include "golden/golden_files.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/file_check.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kPassTestDir = fs::path(HLOCC_TEST_DATA_DIR) / "passes";

std::vector<fs::path> pass_test_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kPassTestDir)) {
    if (entry.path().extension() == ".hlo") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The names after --passes= on the file's RUN line; empty if it has no such line.
std::vector<std::string> run_line_passes(const std::string& text) {
  static const std::regex kRunLine(
      R"(^// RUN: hlocc opt %s --passes=([a-z,]+) \| FileCheck-19 %s$)", std::regex::multiline);
  std::smatch match;
  if (!std::regex_search(text, match, kRunLine)) return {};
  std::vector<std::string> names;
  std::stringstream list(match[1].str());
  for (std::string name; std::getline(list, name, ',');) names.push_back(name);
  return names;
}

// Fixed inputs: random floats, zeros for everything else (integers, pred, tuples).
std::vector<ir::Literal> inputs_for(const ir::Computation& entry) {
  std::vector<ir::Literal> inputs;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    const ir::Shape& shape = entry.parameter(i)->shape();
    const uint64_t seed = static_cast<uint64_t>(i) + 1;
    if (shape.is_array() && shape.dtype() == ir::DType::F32) {
      inputs.push_back(random_f32(shape.dims(), seed));
    } else if (shape.is_array() && shape.dtype() == ir::DType::F64) {
      inputs.push_back(random_f64(shape, seed));
    } else {
      inputs.push_back(ir::Literal(shape));
    }
  }
  return inputs;
}

class PassFile : public ::testing::TestWithParam<fs::path> {};

TEST_P(PassFile, MatchesChecks) {
  const std::string text = read_text_file(GetParam());
  const std::vector<std::string> names = run_line_passes(text);
  ASSERT_FALSE(names.empty()) << "no `// RUN: hlocc opt %s --passes=... | FileCheck-19 %s` line";
  const std::unique_ptr<ir::Module> module = parse_and_verify(text);
  ASSERT_NE(module, nullptr);
  const std::vector<ir::Literal> inputs = inputs_for(*module->entry());
  const Result<ir::Literal> before = reference::evaluate(*module, inputs);
  ASSERT_TRUE(before.ok()) << before.error().message();

  const Status status = passes::run_passes(*module, names);
  ASSERT_TRUE(status.ok()) << status.error().message();
  const std::string output = ir::print_module(*module);
  EXPECT_EQ(file_check(text, output), "") << "output:\n" << output;

  const Result<ir::Literal> after = reference::evaluate(*module, inputs);
  ASSERT_TRUE(after.ok()) << after.error().message();
  EXPECT_EQ(compare_literals(*before, *after, Tolerance{0, 0}), "");
  for (const std::string& name : names) {
    const Result<bool> changed = passes::make_pass(name)->run(*module);
    ASSERT_TRUE(changed.ok());
    EXPECT_FALSE(*changed) << name << " changed the module again";
  }
  EXPECT_EQ(ir::print_module(*module), output);
}

INSTANTIATE_TEST_SUITE_P(Files, PassFile, ::testing::ValuesIn(pass_test_files()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name =
                               fs::relative(info.param, kPassTestDir).replace_extension().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

constexpr std::string_view kCallModule = R"(HloModule call
negate_it {
  x = f32[2] parameter(0)
  ROOT y = f32[2] negate(x)
}
ENTRY main {
  a = f32[2] parameter(0)
  ROOT b = f32[2] call(a), to_apply=negate_it
}
)";

TEST(MakePass, FindsEachPassByItsName) {
  for (const std::string_view name : {"inline", "cse", "dce", "simplify", "fold"}) {
    const std::unique_ptr<passes::Pass> pass = passes::make_pass(name);
    ASSERT_NE(pass, nullptr) << name;
    EXPECT_EQ(pass->name(), name);
  }
  EXPECT_EQ(passes::make_pass("nosuch"), nullptr);
  EXPECT_EQ(passes::make_pass(""), nullptr);
}

TEST(RunPasses, RejectsAnUnknownPassBeforeRunningAny) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kCallModule);
  const std::string original = ir::print_module(*module);
  const Status status = passes::run_passes(*module, {"inline", "nosuch"});
  ASSERT_FALSE(status.ok());
  // The list goes on with every pass registered after these.
  EXPECT_EQ(status.error().message().rfind(
                "passes: unknown pass 'nosuch'; known passes: inline, cse, dce", 0),
            0u)
      << status.error().message();
  EXPECT_EQ(ir::print_module(*module), original) << "inline ran although a later name was bad";
}

TEST(RunPasses, NoPassesLeaveTheModuleAsItWas) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kCallModule);
  const std::string original = ir::print_module(*module);
  ASSERT_TRUE(passes::run_passes(*module, {}).ok());
  EXPECT_EQ(ir::print_module(*module), original);
}

TEST(Passes, ReportWhetherTheyChangedAnything) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kCallModule);
  for (const std::string_view name : {"cse", "dce"}) {
    const Result<bool> changed = passes::make_pass(name)->run(*module);
    ASSERT_TRUE(changed.ok());
    EXPECT_FALSE(*changed) << name;
  }
  const Result<bool> inlined = passes::make_pass("inline")->run(*module);
  ASSERT_TRUE(inlined.ok());
  EXPECT_TRUE(*inlined);
}

// An (unverified) module that is wrong from the start: the passes leave the bad add alone, and the
// verification after them reports it; with HLOCC_VERIFY=1 right after the first pass.
constexpr std::string_view kBadShapes = R"(HloModule bad_shapes
ENTRY main {
  x = f32[2] parameter(0)
  y = f32[3] parameter(1)
  ROOT z = f32[2] add(x, y)
}
)";

TEST(RunPasses, VerifiesTheResult) {
  auto module = ir::parse_module(kBadShapes);
  ASSERT_TRUE(module.ok());
  const Status status = passes::run_passes(**module, {"cse", "dce"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message().rfind("passes: invalid module after the passes: add:", 0), 0u)
      << status.error().message();
}

TEST(RunPasses, VerifiesAfterEachPassWithHloccVerify) {
  auto module = ir::parse_module(kBadShapes);
  ASSERT_TRUE(module.ok());
  setenv("HLOCC_VERIFY", "1", 1);
  const Status status = passes::run_passes(**module, {"cse", "dce"});
  unsetenv("HLOCC_VERIFY");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message().rfind("pass cse left an invalid module: add:", 0), 0u)
      << status.error().message();
}

TEST(RunPasses, DumpsTheModuleAfterEachPassWithHloccDump) {
  const fs::path dir = fs::temp_directory_path() / ("hlocc_dump_test_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::unique_ptr<ir::Module> module = parse_and_verify(kCallModule);
  setenv("HLOCC_DUMP", dir.c_str(), 1);
  const Status status = passes::run_passes(*module, {"inline", "dce"});
  unsetenv("HLOCC_DUMP");
  ASSERT_TRUE(status.ok()) << status.error().message();
  const std::string input = read_text_file(dir / "call.0.input.hlo");
  const std::string inlined = read_text_file(dir / "call.1.inline.hlo");
  EXPECT_NE(input.find("call(%a), to_apply=%negate_it"), std::string::npos) << input;
  EXPECT_NE(inlined.find("ROOT %y.0 = f32[2] negate(%a)"), std::string::npos) << inlined;
  EXPECT_EQ(read_text_file(dir / "call.2.dce.hlo"), ir::print_module(*module));
  // A second module of the same name does not overwrite the first one's files.
  const std::unique_ptr<ir::Module> again = parse_and_verify(kCallModule);
  setenv("HLOCC_DUMP", dir.c_str(), 1);
  const Status status_again = passes::run_passes(*again, {"cse"});
  unsetenv("HLOCC_DUMP");
  ASSERT_TRUE(status_again.ok()) << status_again.error().message();
  EXPECT_EQ(read_text_file(dir / "call.0.input.hlo"), input);
  EXPECT_EQ(read_text_file(dir / "call-2.1.cse.hlo"), read_text_file(dir / "call-2.0.input.hlo"));
  EXPECT_EQ(read_text_file(dir / "call-2.1.cse.hlo"), input);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hlocc::testing
