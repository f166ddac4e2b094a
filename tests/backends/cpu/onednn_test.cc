// oneDNN kernels against the reference evaluator: each test runs the root of an HLO module on
// oneDNN and on the evaluator with the same random inputs and compares the relative L2 error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "autodiff/reverse.h"
#include "backends/cpu/onednn/dnn_kernel.h"
#include "backends/cpu/onednn/mappings.h"
#include "backends/reference/evaluator.h"
#include "ir/ops/contraction.h"
#include "ir/printer.h"
#include "test_helpers.h"

namespace hlocc::cpu {
namespace {

constexpr double kF32Tolerance = 1e-4;
constexpr double kBF16Tolerance = 1e-2;

const DnnOptions kDirect{ConvAlgorithm::Direct, MatmulPrecision::F32};
const DnnOptions kWinograd{ConvAlgorithm::Winograd, MatmulPrecision::F32};
const DnnOptions kBF16{ConvAlgorithm::Direct, MatmulPrecision::BF16};

// ||actual - expected|| / ||expected|| over all elements.
double relative_l2(const ir::Literal& expected, const ir::Literal& actual) {
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < expected.element_count(); ++i) {
    const double e = expected.get_as_double(i), a = actual.get_as_double(i);
    diff += (a - e) * (a - e);
    norm += e * e;
  }
  return std::sqrt(diff / std::max(norm, 1e-30));
}

struct Outcome {
  double error = INFINITY;
  std::string description;
};

std::vector<ir::Literal> random_args(const ir::Computation& entry, uint64_t seed) {
  std::vector<ir::Literal> args;
  for (int64_t i = 0; i < entry.parameter_count(); ++i) {
    const ir::Shape& shape = entry.parameter(i)->shape();
    ir::Literal values = testing::random_f32(shape.dims(), seed + static_cast<uint64_t>(i));
    args.push_back(ir::ops::convert_literal(values, shape.dtype()));
  }
  return args;
}

// Runs `kernel` for the entry root of `module` (whose operands are entry parameters) and the
// reference evaluator on `args`; the relative L2 error.
double compare_run(const ir::Module& module, DnnKernel& kernel,
                   const std::vector<ir::Literal>& args) {
  Result<ir::Literal> expected = reference::evaluate(module, args);
  EXPECT_TRUE(expected.ok()) << expected.error().message();
  if (!expected.ok()) return INFINITY;
  const ir::Instruction& root = *module.entry()->root();
  std::vector<const void*> inputs;
  for (const ir::Instruction* operand : root.operands()) {
    inputs.push_back(args[static_cast<size_t>(operand->parameter_number())].raw());
  }
  ir::Literal actual(root.shape());
  kernel.run(inputs, actual.raw());
  return relative_l2(*expected, actual);
}

Outcome run_root(const ir::Module& module, const DnnOptions& options) {
  Result<std::unique_ptr<DnnKernel>> kernel = make_dnn_kernel(*module.entry()->root(), options);
  EXPECT_TRUE(kernel.ok()) << kernel.error().message();
  if (!kernel.ok()) return {};
  const std::vector<ir::Literal> args = random_args(*module.entry(), 17);
  return {compare_run(module, **kernel, args), (*kernel)->describe()};
}

Outcome run_text(const std::string& hlo, const DnnOptions& options) {
  const std::unique_ptr<ir::Module> module = testing::parse_and_verify(hlo);
  if (!module) return {};
  return run_root(*module, options);
}

// A module whose root is one convolution of two parameters.
std::string conv_module(const std::string& lhs, const std::string& rhs, const std::string& out,
                        const std::string& attrs) {
  return "HloModule conv\nENTRY main {\n  x = " + lhs + " parameter(0)\n  w = " + rhs +
         " parameter(1)\n  ROOT y = " + out + " convolution(x, w), " + attrs + "\n}\n";
}

struct Param {
  std::string name, shape;
};

// A module whose root is one kOutput fusion of `params` (named f.NAME in the fused computation,
// NAME in the entry) computing `body`: the fused computation's lines after its parameters, the
// last one its ROOT, of shape `result`.
std::string output_fusion(const std::vector<Param>& params, const std::string& body,
                          const std::string& result) {
  std::string fused = "HloModule fused\nfused {\n", entry = "ENTRY main {\n", operands;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string parameter =
        " = " + params[i].shape + " parameter(" + std::to_string(i) + ")\n";
    fused += "  f." + params[i].name + parameter;
    entry += "  " + params[i].name + parameter;
    operands += (i == 0 ? "" : ", ") + params[i].name;
  }
  return fused + body + "}\n" + entry + "  ROOT y = " + result + " fusion(" + operands +
         "), kind=kOutput, calls=fused\n}\n";
}

void expect_conv(const std::string& lhs, const std::string& rhs, const std::string& out,
                 const std::string& attrs, const DnnOptions& options = kDirect,
                 double tolerance = kF32Tolerance) {
  const Outcome outcome = run_text(conv_module(lhs, rhs, out, attrs), options);
  EXPECT_LE(outcome.error, tolerance) << outcome.description << "\n" << attrs;
}

TEST(OneDnnConv, NchwWithPadding) {
  expect_conv("f32[2,8,9,9]", "f32[16,8,3,3]", "f32[2,16,9,9]",
              "window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01");
}

TEST(OneDnnConv, NhwcStride2AsymmetricPadding) {
  expect_conv("f32[2,11,10,8]", "f32[3,3,8,12]", "f32[2,6,5,12]",
              "window={size=3x3 stride=2x2 pad=0_2x1_0}, dim_labels=b01f_01io->b01f");
}

TEST(OneDnnConv, PermutedDimLabels) {
  expect_conv("f32[7,4,2,6]", "f32[5,3,3,2]", "f32[5,6,7,4]",
              "window={size=3x3 pad=1_1x1_1}, dim_labels=01fb_o01i->fb01");
  expect_conv("f32[6,3,2,7]", "f32[3,3,5,3]", "f32[2,5,6,7]",
              "window={size=3x3 pad=1_1x1_1}, dim_labels=0fb1_i0o1->bf01");
}

TEST(OneDnnConv, RhsDilation) {
  expect_conv("f32[2,4,12,12]", "f32[6,4,3,3]", "f32[2,6,8,10]",
              "window={size=3x3 pad=0_0x1_1 rhs_dilate=2x2}, dim_labels=bf01_oi01->bf01");
}

TEST(OneDnnConv, FeatureGroupsAndDepthwise) {
  expect_conv("f32[2,8,7,7]", "f32[12,2,3,3]", "f32[2,12,7,7]",
              "window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01, feature_group_count=4");
  expect_conv("f32[2,7,7,16]", "f32[3,3,1,32]", "f32[2,7,7,32]",
              "window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f, feature_group_count=16");
}

TEST(OneDnnConv, NegativePaddingSlicesTheInput) {
  expect_conv("f32[2,3,10,9]", "f32[4,3,3,3]", "f32[2,4,7,5]",
              "window={size=3x3 pad=-1_0x0_-2}, dim_labels=bf01_oi01->bf01");
}

TEST(OneDnnConv, WindowReversal) {
  expect_conv("f32[2,3,8,8]", "f32[4,3,3,2]", "f32[2,4,8,7]",
              "window={size=3x2 pad=1_1x0_0 rhs_reversal=1x1}, dim_labels=bf01_oi01->bf01");
}

TEST(OneDnnConv, LhsDilationIsATransposedConvolution) {
  expect_conv("f32[2,4,5,5]", "f32[6,4,3,3]", "f32[2,6,11,11]",
              "window={size=3x3 pad=2_2x2_2 lhs_dilate=2x2}, dim_labels=bf01_oi01->bf01");
  // Padding that leaves output rows no tap reaches (zeros), and a reversed kernel.
  expect_conv("f32[2,4,5,5]", "f32[6,4,3,3]", "f32[2,6,14,7]",
              "window={size=3x3 pad=3_4x-1_1 lhs_dilate=2x2 rhs_reversal=1x0}, "
              "dim_labels=bf01_oi01->bf01");
}

TEST(OneDnnConv, GroupedTransposedConvolution) {
  expect_conv("f32[2,6,4,5]", "f32[3,3,3,4]", "f32[2,9,9,4]",
              "window={size=3x3 pad=2_2x1_1 lhs_dilate=2x2}, dim_labels=bf01_01io->b01f, "
              "feature_group_count=2");
}

TEST(OneDnnConv, OneAndThreeSpatialDims) {
  expect_conv("f32[3,17,5]", "f32[3,5,7]", "f32[3,9,7]",
              "window={size=3 stride=2 pad=1_1}, dim_labels=b0f_0io->b0f");
  expect_conv("f32[2,4,6,5,6]", "f32[8,4,3,3,3]", "f32[2,8,6,5,6]",
              "window={size=3x3x3 pad=1_1x1_1x1_1}, dim_labels=bf012_oi012->bf012");
}

const char* const kWinogradShape[] = {"f32[2,16,12,12]", "f32[32,16,3,3]", "f32[2,32,12,12]",
                                      "window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01"};

TEST(OneDnnConv, WinogradAndDirect) {
  const std::string hlo =
      conv_module(kWinogradShape[0], kWinogradShape[1], kWinogradShape[2], kWinogradShape[3]);
  const Outcome winograd = run_text(hlo, kWinograd);
  EXPECT_LE(winograd.error, kF32Tolerance) << winograd.description;
  EXPECT_NE(winograd.description.find("wino"), std::string::npos) << winograd.description;
  const Outcome direct = run_text(hlo, kDirect);
  EXPECT_LE(direct.error, kF32Tolerance) << direct.description;
  EXPECT_EQ(direct.description.find("wino"), std::string::npos) << direct.description;
}

TEST(OneDnnConv, AutotuneMeasuresOncePerShape) {
  const std::string hlo =
      conv_module("f32[1,16,10,10]", "f32[16,16,3,3]", "f32[1,16,10,10]", kWinogradShape[3]);
  const int64_t before = detail::autotune_measurements();
  const Outcome first = run_text(hlo, DnnOptions{});
  EXPECT_LE(first.error, kF32Tolerance) << first.description;
  EXPECT_NE(first.description.find("autotuned"), std::string::npos) << first.description;
  const Outcome second = run_text(hlo, DnnOptions{});
  EXPECT_EQ(detail::autotune_measurements(), before + 1);
  EXPECT_EQ(first.description, second.description);
}

// The reordered weights are kept between runs: new values at the same address must be seen.
TEST(OneDnnConv, WeightsChangedInPlaceAreReorderedAgain) {
  for (const DnnOptions& options : {kDirect, kWinograd}) {
    const std::unique_ptr<ir::Module> module = testing::parse_and_verify(
        conv_module(kWinogradShape[0], kWinogradShape[1], kWinogradShape[2], kWinogradShape[3]));
    ASSERT_NE(module, nullptr);
    auto kernel = make_dnn_kernel(*module->entry()->root(), options);
    ASSERT_TRUE(kernel.ok()) << kernel.error().message();
    std::vector<ir::Literal> args = random_args(*module->entry(), 1);
    EXPECT_LE(compare_run(*module, **kernel, args), kF32Tolerance);
    EXPECT_LE(compare_run(*module, **kernel, args), kF32Tolerance);
    const ir::Literal new_weights = testing::random_f32(args[1].shape().dims(), 99);
    std::copy(new_weights.data<float>().begin(), new_weights.data<float>().end(),
              args[1].data<float>().begin());
    EXPECT_LE(compare_run(*module, **kernel, args), kF32Tolerance) << (*kernel)->describe();
  }
}

// A convolution reading what the one run just before it wrote takes that over in oneDNN's layout
// instead of reordering it again; not when a step ran between them, which may have changed it.
TEST(OneDnnConv, NextKernelTakesOverTheResultInOnednnLayout) {
  const std::string hlo = conv_module("f32[2,16,12,12]", "f32[16,16,3,3]", "f32[2,16,12,12]",
                                      kWinogradShape[3]);
  const std::unique_ptr<ir::Module> module = testing::parse_and_verify(hlo);
  ASSERT_NE(module, nullptr);
  auto first = make_dnn_kernel(*module->entry()->root(), kWinograd);
  auto second = make_dnn_kernel(*module->entry()->root(), kWinograd);
  ASSERT_TRUE(first.ok() && second.ok());
  std::vector<ir::Literal> args = random_args(*module->entry(), 5);
  const ir::Literal other_weights = testing::random_f32(args[1].shape().dims(), 6);
  ir::Literal middle(module->entry()->root()->shape()), result(middle.shape());
  const auto run_pair = [&](bool step_between) {
    // Two boundaries: what an earlier test ran on this thread (kernels run without a program's
    // boundaries, on buffers whose addresses ours may reuse) cannot be taken over.
    mark_step_boundary();
    mark_step_boundary();
    (*first)->run(std::vector<const void*>{args[0].raw(), args[1].raw()}, middle.raw());
    if (step_between) {
      mark_step_boundary();
      for (float& x : middle.data<float>()) x = -2 * x;
    }
    mark_step_boundary();
    (*second)->run(std::vector<const void*>{middle.raw(), other_weights.raw()}, result.raw());
    const std::vector<ir::Literal> inputs = {middle, other_weights};
    Result<ir::Literal> expected = reference::evaluate(*module, inputs);
    ASSERT_TRUE(expected.ok()) << expected.error().message();
    EXPECT_LE(relative_l2(*expected, result), kF32Tolerance) << (*second)->describe();
  };
  const int64_t before = detail::conversions_taken_over();
  run_pair(false);
  EXPECT_EQ(detail::conversions_taken_over(), before + 1);
  run_pair(true);
  EXPECT_EQ(detail::conversions_taken_over(), before + 1);
}

// Runs the convolution `kernel` of `module` once per seed, each with weights (operand 1) drawn
// from that seed (0: the first random ones), in place as a training step leaves them; every run
// must be right.
void run_with_weights(const ir::Module& module, DnnKernel& kernel,
                      std::initializer_list<uint64_t> seeds) {
  std::vector<ir::Literal> args = random_args(*module.entry(), 3);
  for (uint64_t seed : seeds) {
    if (seed != 0) {
      const ir::Literal weights = testing::random_f32(args[1].shape().dims(), seed);
      std::copy(weights.data<float>().begin(), weights.data<float>().end(),
                args[1].data<float>().begin());
    }
    EXPECT_LE(compare_run(module, kernel, args), kF32Tolerance) << "weights seed " << seed;
  }
}

// Autotuned Winograd runs while the weights repeat and direct once they change (a training
// step), back to Winograd after two runs on the same weights; every run must be right.
TEST(OneDnnConv, AutotunedWinogradFallsBackToDirectWhileWeightsChange) {
  const std::unique_ptr<ir::Module> module = testing::parse_and_verify(
      conv_module(kWinogradShape[0], kWinogradShape[1], kWinogradShape[2], kWinogradShape[3]));
  ASSERT_NE(module, nullptr);
  detail::override_autotune_for_testing(true);
  auto kernel = make_dnn_kernel(*module->entry()->root(), DnnOptions{});
  detail::override_autotune_for_testing(std::nullopt);
  ASSERT_TRUE(kernel.ok()) << kernel.error().message();
  EXPECT_NE((*kernel)->describe().find("while its weights repeat"), std::string::npos)
      << (*kernel)->describe();
  // Weights: A (winograd), B, C (direct), C (direct), C, C (winograd again), D (direct).
  run_with_weights(*module, **kernel, {0, 41, 42, 42, 42, 42, 43});
}

// Pinned Winograd runs on prepared weights while they repeat and transforms them in the kernel
// while they change (oneDNN's training mode): every run must be right, the switch both ways.
TEST(OneDnnConv, PinnedWinogradTransformsChangingWeightsInTheKernel) {
  const std::unique_ptr<ir::Module> module = testing::parse_and_verify(
      conv_module(kWinogradShape[0], kWinogradShape[1], kWinogradShape[2], kWinogradShape[3]));
  ASSERT_NE(module, nullptr);
  auto kernel = make_dnn_kernel(*module->entry()->root(), kWinograd);
  ASSERT_TRUE(kernel.ok()) << kernel.error().message();
  const std::string description = (*kernel)->describe();
  const size_t otherwise = description.find("while its weights repeat, else");
  ASSERT_NE(otherwise, std::string::npos) << description;
  EXPECT_NE(description.find("wino", otherwise), std::string::npos) << description;
  // Weights: A (prepared), B, C (in the kernel), C, C (prepared again), D (in the kernel).
  run_with_weights(*module, **kernel, {0, 51, 52, 52, 52, 52, 53});
}

// A big batch runs in chunks (each chunk's views further on, the weights reordered once); with
// a residual, the residual is read per chunk too.
TEST(OneDnnConv, BatchChunks) {
  detail::override_chunk_bytes_for_testing((2 * 8 * 10 * 10 + 2 * 16 * 10 * 10) * 4);  // 2 images
  for (const DnnOptions& options : {kDirect, kWinograd}) {
    const Outcome plain = run_text(conv_module("f32[6,10,10,8]", "f32[16,8,3,3]", "f32[6,10,10,16]",
                                               "window={size=3x3 pad=1_1x1_1}, "
                                               "dim_labels=b01f_oi01->b01f"),
                                   options);
    EXPECT_LE(plain.error, kF32Tolerance) << plain.description;
    EXPECT_NE(plain.description.find("in 3 chunks of 2"), std::string::npos) << plain.description;
  }
  const Outcome residual = run_text(
      output_fusion(
          {{"x", "f32[6,8,10,10]"}, {"w", "f32[16,8,3,3]"}, {"r", "f32[6,16,10,10]"}},
          R"(  f.conv = f32[6,16,10,10] convolution(f.x, f.w), window={size=3x3 pad=1_1x1_1},
      dim_labels=bf01_oi01->bf01
  ROOT f.sum = f32[6,16,10,10] add(f.conv, f.r)
)",
          "f32[6,16,10,10]"),
      kDirect);
  detail::override_chunk_bytes_for_testing(std::nullopt);
  EXPECT_LE(residual.error, kF32Tolerance) << residual.description;
  EXPECT_NE(residual.description.find("chunks"), std::string::npos) << residual.description;
}

TEST(OneDnnConv, Bf16) {
  expect_conv("bf16[2,8,9,9]", "bf16[16,8,3,3]", "bf16[2,16,9,9]",
              "window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01", kDirect, kBF16Tolerance);
  expect_conv("f32[2,9,9,8]", "f32[3,3,8,16]", "f32[2,9,9,16]",
              "window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f", kBF16, kBF16Tolerance);
}

TEST(OneDnnConv, UnsupportedTypesAndBatchGroupsAreErrors) {
  for (const auto& [hlo, message] :
       {std::pair{conv_module("s32[1,2,4,4]", "s32[2,2,3,3]", "s32[1,2,2,2]",
                              "window={size=3x3}, dim_labels=bf01_oi01->bf01"),
                  "convolution: oneDNN runs f32 and bf16 only; got s32"},
        std::pair{conv_module("f32[4,2,4,4]", "f32[4,2,3,3]", "f32[2,4,2,2]",
                              "window={size=3x3}, dim_labels=bf01_oi01->bf01, "
                              "batch_group_count=2"),
                  "convolution: batch_group_count > 1 has no oneDNN mapping"}}) {
    const std::unique_ptr<ir::Module> module = testing::parse_and_verify(hlo);
    ASSERT_NE(module, nullptr);
    const auto kernel = make_dnn_kernel(*module->entry()->root(), kDirect);
    ASSERT_FALSE(kernel.ok());
    EXPECT_NE(kernel.error().message().find(message), std::string::npos)
        << kernel.error().message();
  }
}

// Every convolution of the vjp of `forward_hlo` (input and kernel gradients), run alone.
void expect_gradient_convolutions(const std::string& forward_hlo) {
  const std::unique_ptr<ir::Module> forward = testing::parse_and_verify(forward_hlo);
  ASSERT_NE(forward, nullptr);
  Result<ir::Computation*> vjp = autodiff::build_vjp(*forward->entry(), "vjp");
  ASSERT_TRUE(vjp.ok()) << vjp.error().message();
  int convolutions = 0;
  std::string descriptions;
  for (const auto& inst : (*vjp)->instructions()) {
    if (inst->op() != ir::Op::Convolution) continue;
    ++convolutions;
    // The same convolution, with its operands as parameters.
    std::string line = ir::print_instruction(*inst);
    line = std::regex_replace(line, std::regex(R"(convolution\([^)]*\))"), "convolution(a, b)");
    const std::string hlo =
        "HloModule grad\nENTRY main {\n  a = " + inst->operand(0)->shape().to_string(false) +
        " parameter(0)\n  b = " + inst->operand(1)->shape().to_string(false) +
        " parameter(1)\n  ROOT " + line + "\n}\n";
    const Outcome outcome = run_text(hlo, kDirect);
    EXPECT_LE(outcome.error, kF32Tolerance) << outcome.description << "\n" << hlo;
    descriptions += outcome.description + "\n";
    if (outcome.description.find("backward weights") == std::string::npos) continue;
    // Autodiff sums two contributions to a weight gradient with an add: a residual epilogue.
    const std::string out = inst->shape().to_string(false);
    const std::string a = inst->operand(0)->shape().to_string(false);
    const std::string b = inst->operand(1)->shape().to_string(false);
    const std::string fused = output_fusion(
        {{"a", a}, {"b", b}, {"r", out}},
        "  " +
            std::regex_replace(std::regex_replace(line, std::regex(R"(^%?[\w.-]+ =)"), "f.c ="),
                               std::regex(R"(convolution\(a, b\))"), "convolution(f.a, f.b)") +
            "\n  ROOT f.sum = " + out + " add(f.c, f.r)\n",
        out);
    const Outcome summed = run_text(fused, kDirect);
    EXPECT_LE(summed.error, kF32Tolerance) << summed.description << "\n" << fused;
    EXPECT_NE(summed.description.find("backward weights) "), std::string::npos)
        << summed.description;
    EXPECT_NE(summed.description.find("+residual"), std::string::npos) << summed.description;
  }
  EXPECT_EQ(convolutions, 3);  // the forward one, and the input and kernel gradients
  EXPECT_NE(descriptions.find("convolution (as backward weights)"), std::string::npos)
      << descriptions;
  EXPECT_NE(descriptions.find("convolution (transposed)"), std::string::npos) << descriptions;
}

TEST(OneDnnConv, GradientConvolutionsFromAutodiff) {
  expect_gradient_convolutions(
      conv_module("f32[2,4,9,9]", "f32[6,4,3,3]", "f32[2,6,5,3]",
                  "window={size=3x3 stride=2x2 pad=1_1x0_0 rhs_dilate=1x2}, "
                  "dim_labels=bf01_oi01->bf01"));
  // Channels last, and input rows the forward never reads (sliced off in the kernel gradient).
  expect_gradient_convolutions(
      conv_module("f32[3,10,12,5]", "f32[3,3,5,8]", "f32[3,4,6,8]",
                  "window={size=3x3 stride=2x2 pad=0_-1x1_0}, dim_labels=b01f_01io->b01f"));
}

// ---- dot -------------------------------------------------------------------------------------

std::string dot_module(const std::string& lhs, const std::string& rhs, const std::string& out,
                       const std::string& attrs) {
  return "HloModule dot\nENTRY main {\n  a = " + lhs + " parameter(0)\n  b = " + rhs +
         " parameter(1)\n  ROOT c = " + out + " dot(a, b)" + (attrs.empty() ? "" : ", ") + attrs +
         "\n}\n";
}

void expect_dot(const std::string& lhs, const std::string& rhs, const std::string& out,
                const std::string& attrs, const DnnOptions& options = kDirect,
                double tolerance = kF32Tolerance, const std::string& how = "") {
  const Outcome outcome = run_text(dot_module(lhs, rhs, out, attrs), options);
  EXPECT_LE(outcome.error, tolerance) << outcome.description << "\n" << attrs;
  EXPECT_NE(outcome.description.find(how), std::string::npos) << outcome.description;
}

TEST(OneDnnDot, Matrix) {
  expect_dot("f32[33,70]", "f32[70,19]", "f32[33,19]",
             "lhs_contracting_dims={1}, rhs_contracting_dims={0}", kDirect, kF32Tolerance,
             "(3D, lhs strided, rhs strided");
}

TEST(OneDnnDot, LargeWeightsReadTransposedRunAs2D) {
  // A Linear layer's [out, in] weights of 2^22 elements: a 2D matmul (brgemm's form).
  expect_dot("f32[3,2048]", "f32[2048,2048]", "f32[3,2048]",
             "lhs_contracting_dims={1}, rhs_contracting_dims={1}", kDirect, kF32Tolerance,
             "(2D, lhs strided, rhs strided");
  // Smaller ones stay 3D.
  expect_dot("f32[3,64]", "f32[32,64]", "f32[3,32]",
             "lhs_contracting_dims={1}, rhs_contracting_dims={1}", kDirect, kF32Tolerance,
             "(3D, lhs strided, rhs strided");
}

TEST(OneDnnDot, LargeWeightsReadInOrderRunAsAnInnerProductBackwardData) {
  // A Linear layer's input gradient: dy [batch, out] times its [out, in] weights.
  expect_dot("f32[3,2048]", "f32[2048,2048]", "f32[3,2048]",
             "lhs_contracting_dims={1}, rhs_contracting_dims={0}", kDirect, kF32Tolerance,
             "(inner product backward data, f32)");
  // Smaller weights, a transposed lhs and bf16 stay matmuls.
  expect_dot("f32[3,64]", "f32[64,32]", "f32[3,32]",
             "lhs_contracting_dims={1}, rhs_contracting_dims={0}", kDirect, kF32Tolerance, "(3D");
  expect_dot("f32[2048,3]", "f32[2048,2048]", "f32[3,2048]",
             "lhs_contracting_dims={0}, rhs_contracting_dims={0}", kDirect, kF32Tolerance, "(3D");
  expect_dot("f32[3,2048]", "f32[2048,2048]", "f32[3,2048]",
             "lhs_contracting_dims={1}, rhs_contracting_dims={0}", kBF16, kBF16Tolerance, "bf16");
}

TEST(OneDnnDot, VectorsAndOuterProducts) {
  expect_dot("f32[7]", "f32[7]", "f32[]", "lhs_contracting_dims={0}, rhs_contracting_dims={0}");
  expect_dot("f32[5]", "f32[2,3]", "f32[5,2,3]", "");
}

TEST(OneDnnDot, BatchDimsAndTransposedOperands) {
  // lhs [K, B, M], rhs [N, B, K]: both transposed, batch in the middle, all read through strides.
  expect_dot("f32[24,3,10]", "f32[7,3,24]", "f32[3,10,7]",
             "lhs_batch_dims={1}, lhs_contracting_dims={0}, rhs_batch_dims={1}, "
             "rhs_contracting_dims={2}");
  // Two contracting dims in opposite orders: the rhs cannot merge them in place.
  expect_dot("f32[2,5,4,6]", "f32[6,3,4]", "f32[2,5,3]",
             "lhs_contracting_dims={2,3}, rhs_contracting_dims={2,0}", kDirect, kF32Tolerance,
             "rhs gathered");
}

TEST(OneDnnDot, Bf16) {
  expect_dot("bf16[2,16,40]", "bf16[2,40,24]", "bf16[2,16,24]",
             "lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, "
             "rhs_contracting_dims={1}",
             kDirect, kBF16Tolerance);
  expect_dot("f32[16,40]", "f32[24,40]", "f32[16,24]",
             "lhs_contracting_dims={1}, rhs_contracting_dims={1}", kBF16, kBF16Tolerance, "bf16");
}

TEST(OneDnnDot, UnsupportedTypeIsAnError) {
  const std::unique_ptr<ir::Module> module = testing::parse_and_verify(dot_module(
      "f64[2,3]", "f64[3,4]", "f64[2,4]", "lhs_contracting_dims={1}, rhs_contracting_dims={0}"));
  ASSERT_NE(module, nullptr);
  const auto kernel = make_dnn_kernel(*module->entry()->root(), kDirect);
  ASSERT_FALSE(kernel.ok());
  EXPECT_NE(kernel.error().message().find("dot: oneDNN runs f32 and bf16 only; got f64"),
            std::string::npos)
      << kernel.error().message();
}

// ---- output fusions ----------------------------------------------------------------------------

TEST(OneDnnFusion, ConvBiasRelu) {
  const Outcome outcome =
      run_text(output_fusion(
                   {{"x", "f32[2,8,9,9]"}, {"w", "f32[16,8,3,3]"}, {"bias", "f32[16]"}},
                   R"(  f.conv = f32[2,16,9,9] convolution(f.x, f.w), window={size=3x3 pad=1_1x1_1},
      dim_labels=bf01_oi01->bf01
  f.bias.b = f32[2,16,9,9] broadcast(f.bias), dimensions={1}
  f.sum = f32[2,16,9,9] add(f.conv, f.bias.b)
  f.zero = f32[] constant(0)
  f.zeros = f32[2,16,9,9] broadcast(f.zero), dimensions={}
  ROOT f.relu = f32[2,16,9,9] maximum(f.sum, f.zeros)
)",
                   "f32[2,16,9,9]"),
               kDirect);
  EXPECT_LE(outcome.error, kF32Tolerance) << outcome.description;
  EXPECT_NE(outcome.description.find("+bias +relu"), std::string::npos) << outcome.description;
}

// A per-feature bias (here kept as [1, C]) is the primitive's own bias, so Winograd, which takes
// no binary post-ops, still runs with bias and relu.
TEST(OneDnnFusion, ConvBiasReluOnWinograd) {
  const Outcome outcome = run_text(
      output_fusion(
          {{"x", "f32[1,13,13,16]"}, {"w", "f32[32,16,3,3]"}, {"bias", "f32[1,32]"}},
          R"(  f.conv = f32[1,13,13,32] convolution(f.x, f.w), window={size=3x3 pad=1_1x1_1},
      dim_labels=b01f_oi01->b01f
  f.bias.b = f32[1,13,13,32] broadcast(f.bias), dimensions={0,3}
  f.sum = f32[1,13,13,32] add(f.conv, f.bias.b)
  f.zero = f32[] constant(0)
  f.zeros = f32[1,13,13,32] broadcast(f.zero), dimensions={}
  ROOT f.relu = f32[1,13,13,32] maximum(f.sum, f.zeros)
)",
          "f32[1,13,13,32]"),
      kWinograd);
  EXPECT_LE(outcome.error, kF32Tolerance) << outcome.description;
  EXPECT_NE(outcome.description.find("wino"), std::string::npos) << outcome.description;
  EXPECT_NE(outcome.description.find("+bias +relu"), std::string::npos) << outcome.description;
}

TEST(OneDnnFusion, ConvBiasResidualSelectRelu) {
  const Outcome outcome = run_text(
      output_fusion({{"x", "f32[2,9,9,8]"},
                     {"w", "f32[3,3,8,8]"},
                     {"bias", "f32[8]"},
                     {"skip", "f32[2,9,9,8]"}},
                    R"(  f.conv = f32[2,9,9,8] convolution(f.x, f.w), window={size=3x3 pad=1_1x1_1},
      dim_labels=b01f_01io->b01f
  f.bias.b = f32[2,9,9,8] broadcast(f.bias), dimensions={3}
  f.biased = f32[2,9,9,8] add(f.bias.b, f.conv)
  f.residual = f32[2,9,9,8] add(f.biased, f.skip)
  f.zero = f32[] constant(0)
  f.zeros = f32[2,9,9,8] broadcast(f.zero), dimensions={}
  f.positive = pred[2,9,9,8] compare(f.zeros, f.residual), direction=LT
  ROOT f.relu = f32[2,9,9,8] select(f.positive, f.residual, f.zeros)
)",
                    "f32[2,9,9,8]"),
      kDirect);
  EXPECT_LE(outcome.error, kF32Tolerance) << outcome.description;
  EXPECT_NE(outcome.description.find("+bias +residual +relu"), std::string::npos)
      << outcome.description;
}

TEST(OneDnnFusion, DotBiasRelu) {
  const Outcome outcome = run_text(
      output_fusion(
          {{"x", "f32[12,40]"}, {"w", "f32[40,24]"}, {"bias", "f32[24]"}},
          R"(  f.dot = f32[12,24] dot(f.x, f.w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  f.bias.b = f32[12,24] broadcast(f.bias), dimensions={1}
  f.sum = f32[12,24] add(f.dot, f.bias.b)
  f.zero = f32[] constant(0)
  f.zeros = f32[12,24] broadcast(f.zero), dimensions={}
  ROOT f.relu = f32[12,24] maximum(f.zeros, f.sum)
)",
          "f32[12,24]"),
      kDirect);
  EXPECT_LE(outcome.error, kF32Tolerance) << outcome.description;
  EXPECT_NE(outcome.description.find("+bias +relu"), std::string::npos) << outcome.description;
}

TEST(OneDnnFusion, UnsupportedEpilogueIsAnError) {
  const std::unique_ptr<ir::Module> module = testing::parse_and_verify(output_fusion(
      {{"x", "f32[4,5]"}, {"w", "f32[5,6]"}},
      R"(  f.dot = f32[4,6] dot(f.x, f.w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  ROOT f.e = f32[4,6] exponential(f.dot)
)",
      "f32[4,6]"));
  ASSERT_NE(module, nullptr);
  const auto kernel = make_dnn_kernel(*module->entry()->root(), kDirect);
  ASSERT_FALSE(kernel.ok());
  EXPECT_NE(kernel.error().message().find("fusion: no oneDNN post-op for %f.e (exponential)"),
            std::string::npos)
      << kernel.error().message();
}

}  // namespace
}  // namespace hlocc::cpu
