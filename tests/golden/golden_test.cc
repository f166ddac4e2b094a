// Runs every tests/golden/**/*.hlo file (format: tests/golden/README.md) on the reference evaluator,
// and checks that each file's module round-trips through the printer.
#include <gtest/gtest.h>

#include <filesystem>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/evaluator.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "golden/golden_files.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

class Golden : public ::testing::TestWithParam<fs::path> {};

void check_round_trip(const ir::Module& module) {
  const std::string printed = ir::print_module(module);
  auto reparsed = ir::parse_module(printed, "<printed>");
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message() << "\nprinted text:\n" << printed;
  EXPECT_EQ(ir::print_module(**reparsed), printed) << "print(parse(print(m))) differs from print(m)";
}

TEST_P(Golden, Runs) {
  const GoldenCase golden = parse_golden_directives(read_text_file(GetParam()));
  ASSERT_TRUE(golden.expect.has_value() != golden.expect_error.has_value())
      << "a golden file needs exactly one of EXPECT and EXPECT_ERROR";
  auto module = ir::parse_module(golden.text, GetParam().filename().string());
  ASSERT_TRUE(module.ok()) << module.error().message();
  check_round_trip(**module);

  const Status verified = ir::verify(**module);
  std::vector<ir::Literal> args;
  for (const std::string& arg : golden.args) args.push_back(literal(arg));
  Result<ir::Literal> result = verified.ok() ? reference::evaluate(**module, args)
                                             : Result<ir::Literal>(verified.error());
  if (golden.expect_error) {
    ASSERT_FALSE(result.ok()) << "expected an error containing: " << *golden.expect_error;
    EXPECT_NE(result.error().message().find(*golden.expect_error), std::string::npos)
        << "error message: " << result.error().message();
    return;
  }
  ASSERT_TRUE(result.ok()) << result.error().message();
  const ir::Literal expected = literal(*golden.expect);
  const std::string diff = compare_literals(expected, *result, golden.tolerance);
  EXPECT_TRUE(diff.empty()) << diff << "result: " << ir::print_literal(*result);
}

// The CPU backend must give the file's EXPECT values too, within the tolerance the backends are
// held to (f32 1e-5 relative; integers and pred exactly) or the file's own if that is looser.
TEST_P(Golden, RunsOnCpu) {
  const GoldenCase golden = parse_golden_directives(read_text_file(GetParam()));
  if (!golden.expect) GTEST_SKIP() << "an EXPECT_ERROR case: the verifier's business";
  auto module = ir::parse_module(golden.text, GetParam().filename().string());
  ASSERT_TRUE(module.ok()) << module.error().message();
  std::vector<ir::Literal> args;
  for (const std::string& arg : golden.args) args.push_back(literal(arg));
  static const std::unique_ptr<runtime::Backend> backend = cpu::make_cpu_backend();
  auto executable = backend->compile(**module);
  ASSERT_TRUE(executable.ok()) << executable.error().message();
  Result<ir::Literal> result = (*executable)->run(args);
  ASSERT_TRUE(result.ok()) << result.error().message();
  const ir::Literal expected = literal(*golden.expect);
  Tolerance tolerance = backend_tolerance(expected.shape().is_tuple()
                                              ? ir::DType::F32
                                              : expected.shape().dtype());
  if (golden.tolerance) {
    tolerance = {std::max(tolerance.rtol, golden.tolerance->rtol),
                 std::max(tolerance.atol, golden.tolerance->atol)};
  }
  const std::string diff = compare_literals(expected, *result, tolerance);
  EXPECT_TRUE(diff.empty()) << diff << "result: " << ir::print_literal(*result);
}

std::string test_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string name = fs::relative(info.param, golden_dir()).replace_extension().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, Golden, ::testing::ValuesIn(golden_files()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Golden);

}  // namespace
}  // namespace hlocc::testing
