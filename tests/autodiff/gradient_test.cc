// Runs every tests/autodiff/gradients/**/*.hlo file: each module's reverse-mode gradient (with a
// random cotangent) and forward-mode tangent (for random tangents) must match float64 central
// differences at random inputs. A loop that reverse mode refuses for its data-dependent trip count
// is still checked in forward mode.
//
// Directives (lines before `HloModule`):
//   // ARG: <literal>          fixes parameter i (in order; e.g. integer indices); `// ARG: random`
//                              keeps a parameter random
//   // RANGE: <low> <high>     random f64 inputs in [low, high) (default -1 1), e.g. for log's domain
//   // WRT: 0 2                only these parameters (default: every f64 parameter)
//   // TRIALS: <n>             random trials (default 3)
//   // EXPECT_ERROR: <text>    value_and_grad must fail with this text
//   // NO_FORWARD: <why>       skip the forward-mode check (a known gap, stated)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "autodiff/gradient_check.h"
#include "autodiff/gradient_files.h"
#include "autodiff/reverse.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

class GradientFile : public ::testing::TestWithParam<fs::path> {};

TEST_P(GradientFile, MatchesCentralDifferences) {
  std::ifstream in(GetParam());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const GradientCase c = parse_gradient_directives(buffer.str());
  auto module = ir::parse_module(buffer.str(), GetParam().filename().string());
  ASSERT_TRUE(module.ok()) << module.error().message();
  ASSERT_TRUE(ir::verify(**module).ok()) << ir::verify(**module).error().message();
  const bool forward_only = c.expect_error &&
                            c.expect_error->find("data-dependent trip count") != std::string::npos;
  if (c.expect_error) {
    auto grad = autodiff::value_and_grad(**module, c.wrt);
    ASSERT_FALSE(grad.ok()) << "expected an error containing: " << *c.expect_error;
    EXPECT_NE(grad.error().message().find(*c.expect_error), std::string::npos)
        << grad.error().message();
    if (!forward_only) return;
  }
  const ir::Computation& entry = *(*module)->entry();
  for (int trial = 0; trial < c.trials; ++trial) {
    Result<std::vector<ir::Literal>> inputs = gradient_inputs(c, entry, trial);
    ASSERT_TRUE(inputs.ok()) << inputs.error().message();
    const std::vector<ir::Literal>& args = *inputs;
    if (!forward_only) {
      const std::string report = check_gradients(
          **module, args, static_cast<uint64_t>(trial + 7), GradientCheckOptions{.wrt = c.wrt});
      EXPECT_EQ(report, "") << "trial " << trial;
    }
    // Forward mode on the same module (reverse mode's rules, transposed).
    if (!c.forward) continue;
    const std::string forward = check_jvp(**module, args, static_cast<uint64_t>(trial + 11),
                                          GradientCheckOptions{.wrt = c.wrt});
    EXPECT_EQ(forward, "") << "forward mode, trial " << trial;
  }
}

INSTANTIATE_TEST_SUITE_P(Autodiff, GradientFile, ::testing::ValuesIn(gradient_files()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.parent_path().filename().string() + "_" +
                                              info.param.stem().string();
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace hlocc::testing
