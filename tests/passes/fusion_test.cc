// The fusion pass beyond its HLO-text tests (tests/passes/fusion/*.hlo): the decisions it logs and
// dumps, and how VGG's traced programs fuse (every convolution and dot of the forward pass runs
// with its bias and relu as one kOutput fusion, in inference and in training).
#include "passes/fusion.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "golden/golden_files.h"
#include "hlocc/nn/vgg.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

namespace fs = std::filesystem;

// exponential is read by two fusions (one feeds a dot, one the result) and a dot is never fused.
constexpr std::string_view kExpensiveShared = R"(HloModule expensive_shared
ENTRY main {
  x = f32[4,4] parameter(0)
  y = f32[4,4] parameter(1)
  shared = f32[4,4] exponential(x)
  left = f32[4,4] multiply(shared, x)
  matrix = f32[4,4] dot(left, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  right = f32[4,4] subtract(shared, matrix)
  ROOT out = f32[4,4] negate(right)
}
)";

TEST(Fusion, LogsEachFusionAndWhyProducersStayOut) {
  const std::unique_ptr<ir::Module> module = parse_and_verify(kExpensiveShared);
  ASSERT_NE(module, nullptr);
  passes::Fusion fusion;
  const Result<bool> changed = fusion.run(*module);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  const std::string log = fusion.decision_log();
  EXPECT_NE(log.find("computation %main:"), std::string::npos) << log;
  EXPECT_NE(log.find("%shared is not copied into the fusions of %left, %out (exponential is "
                     "expensive): it is its own loop"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("%matrix stays out of the fusions of %out: a contraction runs in oneDNN"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("%matrix: epilogue ends after %matrix: %right (subtract) is not a bias add"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("kind=kLoop calls=%fused_computation.0: right out"), std::string::npos) << log;
}

TEST(Fusion, HloccDumpWritesTheDecisionsBesideTheModule) {
  const fs::path dir =
      fs::temp_directory_path() / ("hlocc_fusion_dump_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::unique_ptr<ir::Module> module = parse_and_verify(kExpensiveShared);
  ASSERT_NE(module, nullptr);
  setenv("HLOCC_DUMP", dir.c_str(), 1);
  const Status status = passes::run_passes(*module, {"dce", "fusion"});
  unsetenv("HLOCC_DUMP");
  ASSERT_TRUE(status.ok()) << status.error().message();
  const std::string decisions = read_text_file(dir / "expensive_shared.2.fusion_decisions.txt");
  EXPECT_NE(decisions.find("it is its own loop"), std::string::npos) << decisions;
  EXPECT_FALSE(fs::exists(dir / "expensive_shared.1.dce_decisions.txt"))
      << "dce has nothing to say";
  EXPECT_EQ(read_text_file(dir / "expensive_shared.2.fusion.hlo"), ir::print_module(*module));
  fs::remove_all(dir);
}

struct FusionCounts {
  int64_t loop = 0, output = 0;
  int64_t unfused_contractions = 0;  // convolutions and dots outside any fusion
  int64_t unfused_epilogue_ops = 0;  // add, select, maximum left in the entry
};

FusionCounts count_fusions(const ir::Computation& entry) {
  FusionCounts counts;
  for (const auto& inst : entry.instructions()) {
    const ir::Op op = inst->op();
    if (op == ir::Op::Fusion) {
      (*inst->attrs().get<std::string>("kind") == "kLoop" ? counts.loop : counts.output) += 1;
    }
    counts.unfused_contractions += op == ir::Op::Convolution || op == ir::Op::Dot;
    counts.unfused_epilogue_ops +=
        op == ir::Op::Add || op == ir::Op::Select || op == ir::Op::Maximum;
  }
  return counts;
}

std::unique_ptr<ir::Module> optimized(const Module& program) {
  Result<std::unique_ptr<ir::Module>> module = ir::parse_module(program.to_string());
  EXPECT_TRUE(module.ok()) << module.error().message();
  if (!module.ok()) return nullptr;
  const Status status = passes::run_passes(**module, {"inline", "cse", "dce", "fusion"});
  EXPECT_TRUE(status.ok()) << status.error().message();
  return std::move(*module);
}

// VGG11 for CIFAR: 8 convolutions and 1 dot, each followed by a bias add (and a relu but the last).
TEST(Fusion, VggForwardRunsEveryContractionWithItsEpilogue) {
  const std::unique_ptr<ir::Module> module =
      optimized(nn::vgg_forward_program(nn::vgg_cifar_config(11), 2));
  ASSERT_NE(module, nullptr);
  const FusionCounts counts = count_fusions(*module->entry());
  EXPECT_EQ(counts.output, 9) << ir::print_module(*module);
  EXPECT_EQ(counts.unfused_contractions, 0);
  EXPECT_EQ(counts.unfused_epilogue_ops, 0) << ir::print_module(*module);
}

// The training gradient holds the same forward pass: its 9 contractions still take their bias and
// relu along (the backward pass reads the relu's mask from the relu's result instead), and the
// backward pass's elementwise work (relu', bias gradients, softmax) is all in loops.
TEST(Fusion, VggGradientKeepsTheForwardEpiloguesFused) {
  const std::unique_ptr<ir::Module> module =
      optimized(nn::vgg_gradient_program(nn::vgg_cifar_config(11), 2));
  ASSERT_NE(module, nullptr);
  const FusionCounts counts = count_fusions(*module->entry());
  EXPECT_EQ(counts.output, 9) << ir::print_module(*module);
  EXPECT_GT(counts.loop, 9);
  EXPECT_EQ(counts.unfused_epilogue_ops, 0) << ir::print_module(*module);
}

}  // namespace
}  // namespace hlocc::testing
