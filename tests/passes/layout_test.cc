// layout on traced VGG programs (the front end's NCHW convolutions): every convolution of the
// feature extractor reads and writes its activations feature-last, with no transpose left in the
// forward pass and the backward one, and the values stay bit for bit the same. The HLO-text tests
// are in tests/passes/layout/.
#include <gtest/gtest.h>

#include "backends/reference/evaluator.h"
#include "hlocc/nn/vgg.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/pass.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

// A VGG small enough for the evaluator: three convs in two blocks, a linear classifier.
nn::VggConfig small_vgg() {
  nn::VggConfig config;
  config.features = {4, nn::kMaxPool, 6, 6, nn::kMaxPool};
  config.image_size = 8;
  config.classifier_hidden = {};
  config.num_classes = 3;
  return config;
}

std::unique_ptr<ir::Module> inlined(const Module& program) {
  std::unique_ptr<ir::Module> module = parse_and_verify(program.to_string());
  if (module == nullptr) return nullptr;
  const Status status = passes::run_passes(*module, {"inline", "cse", "dce"});
  EXPECT_TRUE(status.ok()) << status.error().message();
  return module;
}

struct LayoutCounts {
  int64_t transposes = 0;
  int64_t convolutions = 0;
  int64_t feature_last_convolutions = 0;  // with an operand or the result channels-last
};

LayoutCounts count_layouts(const ir::Computation& entry) {
  LayoutCounts counts;
  for (const auto& inst : entry.instructions()) {
    counts.transposes += inst->op() == ir::Op::Transpose;
    if (inst->op() != ir::Op::Convolution) continue;
    ++counts.convolutions;
    const auto& labels = *inst->attrs().get<ir::ConvDimLabels>("dim_labels");
    const int64_t last = static_cast<int64_t>(inst->shape().dims().size()) - 1;
    const bool input_last = labels.input_feature == last || labels.input_batch == last;
    const bool kernel_last =
        labels.kernel_input_feature == last || labels.kernel_output_feature == last;
    const bool output_last = labels.output_feature == last || labels.output_batch == last;
    counts.feature_last_convolutions += input_last || kernel_last || output_last;
  }
  return counts;
}

// Random floats for the float parameters, zeros for the rest (the labels: class 0).
std::vector<ir::Literal> inputs_for(const ir::Computation& entry) {
  std::vector<ir::Literal> inputs;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    const ir::Shape& shape = entry.parameter(i)->shape();
    inputs.push_back(shape.dtype() == ir::DType::F32
                         ? random_f32(shape.dims(), static_cast<uint64_t>(i) + 1)
                         : ir::Literal(shape));
  }
  return inputs;
}

// Runs layout on `module`; "" when its values are the same bits before and after.
std::string layout_changes_values(ir::Module& module) {
  const std::vector<ir::Literal> inputs = inputs_for(*module.entry());
  const Result<ir::Literal> before = reference::evaluate(module, inputs);
  if (!before.ok()) return before.error().message();
  const Status status = passes::run_passes(module, {"layout"});
  if (!status.ok()) return status.error().message();
  const Result<ir::Literal> after = reference::evaluate(module, inputs);
  if (!after.ok()) return after.error().message() + "\n" + ir::print_module(module);
  return compare_literals(*before, *after, Tolerance{0, 0});
}

TEST(Layout, VggForwardRunsEveryConvolutionFeatureLastWithoutTransposes) {
  const std::unique_ptr<ir::Module> module = inlined(nn::vgg_forward_program(small_vgg(), 2));
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(layout_changes_values(*module), "");
  const LayoutCounts counts = count_layouts(*module->entry());
  EXPECT_EQ(counts.convolutions, 3);
  EXPECT_EQ(counts.feature_last_convolutions, 3) << ir::print_module(*module);
  EXPECT_EQ(counts.transposes, 0) << ir::print_module(*module);
}

// The training gradient: the forward convs, the input-gradient convs and the kernel-gradient
// convs all meet their activations feature-last. The last block's chain now feeds the backward
// pass too (its pool's select-and-scatter, its relu mask), so it runs feature-last as well, and
// the classifier's flatten keeps one transpose each way: NHWC -> NCHW before the reshape, and
// the gradient's NCHW -> NHWC after the reshape back.
TEST(Layout, VggGradientRunsEveryConvolutionFeatureLastWithATransposeEachWayAtTheFlatten) {
  const std::unique_ptr<ir::Module> module = inlined(nn::vgg_gradient_program(small_vgg(), 2));
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(layout_changes_values(*module), "");
  const LayoutCounts counts = count_layouts(*module->entry());
  EXPECT_EQ(counts.convolutions, 9);  // 3 forward, 3 kernel gradients, 3 input gradients
  EXPECT_EQ(counts.feature_last_convolutions, counts.convolutions) << ir::print_module(*module);
  EXPECT_EQ(counts.transposes, 2) << ir::print_module(*module);
}

TEST(Layout, LogsEachChainAndWhy) {
  std::unique_ptr<ir::Module> module = inlined(nn::vgg_forward_program(small_vgg(), 1));
  ASSERT_NE(module, nullptr);
  const std::unique_ptr<passes::Pass> pass = passes::make_pass("layout");
  ASSERT_NE(pass, nullptr);
  ASSERT_TRUE(pass->run(*module).ok());
  const std::string log = pass->decision_log();
  EXPECT_NE(log.find("2 convolution edges, 0 fixed edges -> feature-last"), std::string::npos)
      << log;
  EXPECT_NE(log.find("1 convolution edges, 1 fixed edges -> as it is"), std::string::npos) << log;
}

}  // namespace
}  // namespace hlocc::testing
