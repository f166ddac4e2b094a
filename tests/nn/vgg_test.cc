// nn::vgg and nn::softmax_cross_entropy: configurations and parameter names against torchvision,
// a tiny VGG's logits, loss, gradients and SGD training steps against PyTorch, with batch norm too
// (tests/nn/fixtures/vgg_tiny/ and vgg_bn_tiny/, written by scripts/fixtures/gen_vgg_fixtures.py),
// initialization
// statistics, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <string>

#include "backends/reference/evaluator.h"
#include "hlocc/autodiff.h"
#include "hlocc/indexing.h"
#include "hlocc/nn/losses.h"
#include "hlocc/nn/models.h"
#include "hlocc/nn/optim.h"
#include "hlocc/nn/vgg.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "hlocc/trace.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/pass.h"
#include "test_helpers.h"
#include "trace/tensor_node.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc::nn {
using tensor_testing::error_of;
using tensor_testing::f32;
using tensor_testing::f64;
using tensor_testing::values_of;
namespace {

// torchvision's vgg19().state_dict().keys() (printed by gen_vgg_fixtures.py --vgg19-names).
const std::vector<std::string> kVgg19Names = {
    "features.0.weight",   "features.0.bias",   "features.2.weight",   "features.2.bias",
    "features.5.weight",   "features.5.bias",   "features.7.weight",   "features.7.bias",
    "features.10.weight",  "features.10.bias",  "features.12.weight",  "features.12.bias",
    "features.14.weight",  "features.14.bias",  "features.16.weight",  "features.16.bias",
    "features.19.weight",  "features.19.bias",  "features.21.weight",  "features.21.bias",
    "features.23.weight",  "features.23.bias",  "features.25.weight",  "features.25.bias",
    "features.28.weight",  "features.28.bias",  "features.30.weight",  "features.30.bias",
    "features.32.weight",  "features.32.bias",  "features.34.weight",  "features.34.bias",
    "classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias",
    "classifier.6.weight", "classifier.6.bias"};

// The fixtures' model: 3x8x8 images, conv 4, pool, conv 8, pool, Linear(32, 6), Linear(6, 5).
VggConfig tiny_config() {
  VggConfig config;
  config.name = "vgg_tiny";
  config.features = {4, kMaxPool, 8, kMaxPool};
  config.image_size = 8;
  config.classifier_hidden = {6};
  config.num_classes = 5;
  return config;
}

HostArray fixture(const std::string& name) {
  return HostArray::load_npy(std::string(HLOCC_TEST_DATA_DIR) + "/nn/fixtures/vgg_tiny/" + name +
                             ".npy");
}

// The fixtures' leaves named `prefix` + param name, in flattening order.
std::vector<Tensor> fixture_leaves(const std::string& prefix) {
  std::vector<Tensor> leaves;
  for (const std::string& name : param_names(tiny_config()))
    leaves.push_back(fixture(prefix + name));
  return leaves;
}

// f32 against PyTorch's float64: relative 1e-4 of the tensor's largest magnitude.
void expect_close(const HostArray& expected, const Tensor& actual, const std::string& what) {
  double largest = 0;
  for (int64_t i = 0; i < expected.element_count(); ++i)
    largest = std::max(largest, std::abs(expected.as_double(i)));
  EXPECT_EQ(testing::compare_literals(tracing::to_literal(expected),
                                      tracing::to_literal(actual.to_host()),
                                      testing::Tolerance{1e-4, 1e-4 * largest}),
            "")
      << what;
}

int64_t parameter_count(const VggConfig& config) {
  int64_t count = 0;
  for (const TensorSpec& spec : vgg_param_specs(config)) {
    int64_t n = 1;
    for (const int64_t dim : spec.dims) n *= dim;
    count += n;
  }
  return count;
}

TEST(Vgg, ParamNamesAreTorchvisions) {
  EXPECT_EQ(param_names(vgg_config(19)), kVgg19Names);
  EXPECT_EQ(param_names(tiny_config()),
            (std::vector<std::string>{"features.0.weight", "features.0.bias", "features.3.weight",
                                      "features.3.bias", "classifier.0.weight", "classifier.0.bias",
                                      "classifier.3.weight", "classifier.3.bias"}));
  // The pytree flattens in the same order: leaf i of vgg_init's result has spec i's shape.
  const VggConfig config = tiny_config();
  const std::vector<Tensor> leaves = flatten(vgg_init(config, random::key(0))).leaves;
  const std::vector<TensorSpec> specs = vgg_param_specs(config);
  ASSERT_EQ(leaves.size(), specs.size());
  for (size_t i = 0; i < leaves.size(); ++i) EXPECT_EQ(leaves[i].dims(), specs[i].dims) << i;
}

TEST(Vgg, ShapesAndParameterCountsAreTorchvisions) {
  // torchvision's documented parameter counts of vgg11/13/16/19.
  EXPECT_EQ(parameter_count(vgg_config(11)), 132863336);
  EXPECT_EQ(parameter_count(vgg_config(13)), 133047848);
  EXPECT_EQ(parameter_count(vgg_config(16)), 138357544);
  EXPECT_EQ(parameter_count(vgg_config(19)), 143667240);
  const std::vector<TensorSpec> specs = vgg_param_specs(vgg_config(19));
  EXPECT_EQ(specs[0].dims, (std::vector<int64_t>{64, 3, 3, 3}));
  EXPECT_EQ(specs[1].dims, std::vector<int64_t>{64});
  EXPECT_EQ(specs[32].dims, (std::vector<int64_t>{4096, 25088}));
  EXPECT_EQ(specs[36].dims, (std::vector<int64_t>{1000, 4096}));
  const VggConfig cifar = vgg_cifar_config(16, 10);
  EXPECT_EQ(cifar.image_size, 32);
  EXPECT_EQ(vgg_param_specs(cifar).back().dims, std::vector<int64_t>{10});
  EXPECT_EQ(vgg_param_specs(cifar)[26].dims, (std::vector<int64_t>{10, 512}));
  EXPECT_EQ(param_names(cifar)[26], "classifier.0.weight");
}

TEST(Vgg, ForwardMatchesTorchEagerAndJitted) {
  const VggConfig config = tiny_config();
  const VggParams params = vgg_params_from_leaves(config, fixture_leaves(""));
  const Tensor images = fixture("images");
  expect_close(fixture("logits"), vgg_forward(config, params, images), "eager");
  auto forward = [&](const VggParams& p, const Tensor& x) { return vgg_forward(config, p, x); };
  expect_close(fixture("logits"), jit(forward)(params, images), "jit");
}

TEST(Vgg, LossAndGradientsMatchTorch) {
  const VggConfig config = tiny_config();
  const VggParams params = vgg_params_from_leaves(config, fixture_leaves(""));
  auto loss = [&](const VggParams& p, const Tensor& x, const Tensor& y) {
    return softmax_cross_entropy(vgg_forward(config, p, x), y);
  };
  const Tensor images = fixture("images"), labels = fixture("labels");
  expect_close(fixture("loss"), loss(params, images, labels), "loss");
  const std::vector<std::string> names = param_names(config);
  const std::vector<Tensor> expected = fixture_leaves("grad.");
  const std::vector<Tensor> eager = flatten(grad(loss)(params, images, labels)).leaves;
  const std::vector<Tensor> jitted = flatten(jit(grad(loss))(params, images, labels)).leaves;
  ASSERT_EQ(eager.size(), names.size());
  ASSERT_EQ(jitted.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    expect_close(expected[i].to_host(), eager[i], "eager grad " + names[i]);
    expect_close(expected[i].to_host(), jitted[i], "jit grad " + names[i]);
  }
}

TEST(Vgg, InitFollowsTorchvision) {
  // One wide conv (64 x 16 x 3 x 3 weights) and one Linear(64, 300): enough samples for the
  // standard deviations to be within a few percent.
  VggConfig config;
  config.features = {64};
  config.in_channels = 16;
  config.image_size = 1;
  config.classifier_hidden = {};
  config.num_classes = 300;
  const VggParams params = vgg_init(config, random::key(42));
  auto std_of = [](const Tensor& t) { return std::sqrt(values_of(mean(t * t))[0]); };
  EXPECT_NEAR(std_of(params.features[0].weight), std::sqrt(2.0 / (64 * 9)), 0.03 * 0.059);
  EXPECT_NEAR(std_of(params.classifier[0].weight), 0.01, 0.0005);
  EXPECT_EQ(values_of(params.features[0].bias), std::vector<float>(64, 0.0f));
  EXPECT_EQ(values_of(params.classifier[0].bias), std::vector<float>(300, 0.0f));
  // A pure function of the key.
  EXPECT_EQ(values_of(vgg_init(config, random::key(42)).features[0].weight),
            values_of(params.features[0].weight));
  EXPECT_NE(values_of(vgg_init(config, random::key(43)).features[0].weight),
            values_of(params.features[0].weight));
}

TEST(SoftmaxCrossEntropy, MatchesTorchAndIsStable) {
  // F.cross_entropy in float64: rows give 1000, 0.5239090561799078 and log(3).
  const Tensor logits = f64({3, 3}, {1000, 0, -1000, 1.5, -0.5, 2.0, -3, -3, -3});
  const Tensor labels = HostArray::from_vector<int32_t>({3}, {1, 2, 0});
  EXPECT_NEAR(values_of<double>(softmax_cross_entropy(logits, labels))[0], 333.874173781616, 1e-9);
  const Tensor logits32 = astype(logits, DType::F32);
  const Tensor labels64 = astype(labels, DType::S64);
  EXPECT_NEAR(values_of(jit([](const Tensor& l, const Tensor& y) {
                return softmax_cross_entropy(l, y);
              })(logits32, labels64))[0],
              333.874173781616, 1e-3);
}

// Expects `fn` to throw an hlocc::Error whose message contains `text`.
void expect_error(const std::function<void()>& fn, const std::string& text) {
  const std::string message = error_of(fn);
  EXPECT_NE(message.find(text), std::string::npos) << message;
}

TEST(SoftmaxCrossEntropy, Errors) {
  const Tensor logits = f32({2, 3}, {0, 1, 2, 3, 4, 5});
  const Tensor labels = HostArray::from_vector<int32_t>({2}, {0, 2});
  expect_error(
      [&] {
        softmax_cross_entropy(logits, f32({2}, {0, 2}));
      },
      "softmax_cross_entropy: labels must have an integer type; got logits f32[2,3] and "
      "labels f32[2]");
  expect_error(
      [&] {
        softmax_cross_entropy(logits, HostArray::from_vector<int32_t>({3}, {0, 1, 2}));
      },
      "labels must be [batch]");
  expect_error([&] { softmax_cross_entropy(reshape(logits, {6}), labels); },
               "logits must be f32 or f64 [batch, classes]");
  auto out_of_range = [&] {
    softmax_cross_entropy(logits, HostArray::from_vector<int32_t>({2}, {0, 3}));
  };
  expect_error(out_of_range, "label 3 at row 1 is outside [0, 3)");
  expect_error(out_of_range, "\n  at ");
  expect_error(out_of_range, "vgg_test.cc");
}

TEST(Vgg, Errors) {
  const VggConfig config = tiny_config();
  const VggParams params = vgg_params_from_leaves(config, fixture_leaves(""));
  auto wrong_size = [&] { vgg_forward(config, params, zeros({2, 3, 16, 16})); };
  expect_error(wrong_size, "vgg_forward: vgg_tiny takes images [N,3,8,8]; got f32[2,3,16,16]");
  expect_error(wrong_size, "vgg_test.cc");
  expect_error(wrong_size, "hint: ");
  expect_error(
      [&] {
        vgg_forward(vgg_config(11), params, zeros({1, 3, 224, 224}));
      },
      "vgg_forward: vgg11 has 8 conv and 3 Linear layers; got params for 2 and 2");
  VggParams wrong = params;
  wrong.features[1].weight = zeros({8, 3, 3, 3});
  auto wrong_weight = [&] { vgg_forward(config, wrong, fixture("images")); };
  expect_error(wrong_weight,
               "vgg_forward: features.3.weight must have dims [8,4,3,3]; got f32[8,3,3,3]");
  expect_error(wrong_weight, "vgg_test.cc");
  std::vector<Tensor> leaves = fixture_leaves("");
  leaves.pop_back();
  expect_error([&] { vgg_params_from_leaves(config, leaves); },
               "vgg_params_from_leaves: vgg_tiny has 8 parameters; got 7");
  leaves.push_back(zeros({4}));
  expect_error([&] { vgg_params_from_leaves(config, leaves); },
               "classifier.3.bias must have dims [5]; got f32[4]");
  expect_error([] { vgg_config(12); }, "vgg_config: depth must be 11, 13, 16 or 19; got 12");
  expect_error([] { vgg_forward_program(vgg_config(11), 0); },
               "vgg: the batch size must be at least 1; got 0");
  VggConfig small = vgg_config(11);
  small.image_size = 16;  // 16 -> 8 -> 4 -> 2 -> 1, then a pool of a 1x1 map
  expect_error([&] { param_names(small); }, "image_size 16 is too small");
}

// The traced program's IR (parsed from its text: a copy to optimize), after inline, cse and dce;
// verified.
std::unique_ptr<ir::Module> optimized(const Module& program) {
  Result<std::unique_ptr<ir::Module>> module = ir::parse_module(program.to_string());
  if (!module.ok()) throw module.error();
  const Status passes = passes::run_passes(**module, {"inline", "cse", "dce"});
  if (!passes.ok()) throw passes.error();
  const Status verified = ir::verify(**module);
  if (!verified.ok()) throw verified.error();
  return std::move(*module);
}

int64_t instruction_count(const ir::Module& module) {
  int64_t count = 0;
  for (const auto& computation : module.computations()) count += computation->instruction_count();
  return count;
}

// The programs vgg_forward_program and vgg_gradient_program build, run on the tiny config before
// and after the passes, give PyTorch's logits and gradients.
TEST(VggProgram, TinyProgramsMatchTorchBeforeAndAfterPasses) {
  const VggConfig config = tiny_config();
  std::vector<HostArray> host_inputs;
  for (const Tensor& leaf : fixture_leaves("")) host_inputs.push_back(leaf.to_host());
  host_inputs.push_back(fixture("images"));
  std::vector<ir::Literal> inputs;
  for (const HostArray& input : host_inputs) inputs.push_back(tracing::to_literal(input));
  const Module forward = vgg_forward_program(config, 2);
  expect_close(fixture("logits"), Tensor(forward.run(host_inputs)[0]), "forward");
  Result<ir::Literal> logits = reference::evaluate(*optimized(forward), inputs);
  ASSERT_TRUE(logits.ok()) << logits.error().message();
  expect_close(fixture("logits"), Tensor(tracing::to_host_array(*logits)), "optimized forward");

  inputs.push_back(tracing::to_literal(fixture("labels")));
  Result<ir::Literal> grads =
      reference::evaluate(*optimized(vgg_gradient_program(config, 2)), inputs);
  ASSERT_TRUE(grads.ok()) << grads.error().message();
  const std::vector<std::string> names = param_names(config);
  const std::vector<Tensor> expected = fixture_leaves("grad.");
  ASSERT_EQ(grads->elements().size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    expect_close(expected[i].to_host(), Tensor(tracing::to_host_array(grads->elements()[i])),
                 "optimized gradient " + names[i]);
  }
}

// The autodiff issue's acceptance check: VGG19's training gradient (batch 2, 3x224x224; built and
// verified, never run) has at most 3x the forward program's instructions after inline, cse, dce.
TEST(VggProgram, Vgg19GradientIsAtMostThreeTimesTheForward) {
  const VggConfig config = vgg_config(19);
  const std::unique_ptr<ir::Module> forward = optimized(vgg_forward_program(config, 2));
  const std::unique_ptr<ir::Module> backward = optimized(vgg_gradient_program(config, 2));
  const int64_t forward_count = instruction_count(*forward);
  const int64_t backward_count = instruction_count(*backward);
  std::cout << "vgg19 instructions after inline,cse,dce: forward " << forward_count << ", backward "
            << backward_count << "\n";
  EXPECT_LE(backward_count, 3 * forward_count);
  // The programs' interfaces: 38 parameters + images (+ labels) in, logits or 38 gradients out.
  EXPECT_EQ(forward->entry()->parameter_count(), 39);
  EXPECT_EQ(backward->entry()->parameter_count(), 40);
  EXPECT_EQ(forward->entry()->result_shape().to_string(false), "f32[2,1000]");
  EXPECT_EQ(backward->entry()->result_shape().tuple_size(), 38);
}


// The fixtures' optimizer: torch.optim.SGD(lr=0.05, momentum=0.9, weight_decay=5e-4).
Optimizer fixture_sgd() { return sgd({.lr = 0.05, .momentum = 0.9, .weight_decay = 5e-4}); }

// Expects `actual` (flattening order) to be the fixtures' weights named `prefix` + param name.
void expect_weights(const std::string& prefix, const std::vector<Tensor>& actual,
                    const std::string& what) {
  const std::vector<std::string> names = param_names(tiny_config());
  const std::vector<Tensor> expected = fixture_leaves(prefix);
  ASSERT_EQ(actual.size(), names.size()) << what;
  for (size_t i = 0; i < names.size(); ++i)
    expect_close(expected[i].to_host(), actual[i], what + " " + prefix + names[i]);
}

// vgg_train_step_program, compiled and run (Module::run: the CPU backend), twice, feeding the
// first step's parameters and optimizer state to the second: PyTorch's loss, logits and weights
// after each SGD step. The second step's momentum buffers are no longer the gradients, so it
// also checks the state the program carries.
TEST(VggTrainStep, TwoSgdStepsOfTheCompiledProgramMatchTorch) {
  const VggConfig config = tiny_config();
  const Module program = vgg_train_step_program(config, 2, fixture_sgd());
  const size_t param_count = param_names(config).size();
  std::vector<HostArray> inputs;
  for (const Tensor& leaf : fixture_leaves("")) inputs.push_back(leaf.to_host());
  for (const Tensor& leaf : flatten(fixture_sgd().init(fixture_leaves(""))).leaves)
    inputs.push_back(leaf.to_host());
  ASSERT_EQ(inputs.size(), 2 * param_count + 1);  // the step count and one buffer per parameter
  inputs.push_back(fixture("images"));
  inputs.push_back(fixture("labels"));

  // Outputs: loss, logits, the parameters, the step count, the momentum buffers.
  const auto leaves_of = [&](const std::vector<HostArray>& outputs, size_t begin) {
    return std::vector<Tensor>(outputs.begin() + static_cast<std::ptrdiff_t>(begin),
                               outputs.begin() + static_cast<std::ptrdiff_t>(begin + param_count));
  };
  const std::vector<HostArray> first = program.run(inputs);
  ASSERT_EQ(first.size(), 2 * param_count + 3);
  expect_close(fixture("loss"), Tensor(first[0]), "step 1 loss");
  expect_close(fixture("logits"), Tensor(first[1]), "step 1 logits");
  expect_weights("sgd1.", leaves_of(first, 2), "step 1");
  EXPECT_EQ(values_of<int32_t>(Tensor(first[2 + param_count])), std::vector<int32_t>{1});
  // torch's first step starts each momentum buffer as the gradient plus weight decay.
  const std::vector<Tensor> params = fixture_leaves(""), grads = fixture_leaves("grad.");
  for (size_t i = 0; i < param_count; ++i) {
    const Tensor expected = grads[i] + params[i] * 5e-4;
    expect_close(expected.to_host(), Tensor(first[3 + param_count + i]), "step 1 buffer");
  }

  std::vector<HostArray> next(first.begin() + 2, first.end());
  next.push_back(fixture("images"));
  next.push_back(fixture("labels"));
  const std::vector<HostArray> second = program.run(next);
  expect_close(fixture("sgd2.loss"), Tensor(second[0]), "step 2 loss");
  expect_weights("sgd2.", leaves_of(second, 2), "step 2");
  EXPECT_EQ(values_of<int32_t>(Tensor(second[2 + param_count])), std::vector<int32_t>{2});
}

// VGG19's training step (batch 2; built and verified, never run): weights, step count and
// momentum buffers, images and labels in; loss, logits, weights and state out. After inline, cse
// and dce it is the gradient program plus the logits output and the update: a handful of
// elementwise ops per parameter, not another backward pass.
TEST(VggTrainStep, Vgg19ProgramIsTheGradientPlusTheUpdate) {
  const VggConfig config = vgg_config(19);
  const std::unique_ptr<ir::Module> gradient = optimized(vgg_gradient_program(config, 2));
  const std::unique_ptr<ir::Module> step = optimized(
      vgg_train_step_program(config, 2, sgd({.lr = 0.01, .momentum = 0.9, .weight_decay = 5e-4})));
  std::cout << "vgg19 instructions after inline,cse,dce: gradient " << instruction_count(*gradient)
            << ", training step " << instruction_count(*step) << "\n";
  // torch.optim.SGD's update is about a dozen scalar-and-elementwise instructions per parameter
  // (weight decay, momentum, the first-step select, the learning rate) ...
  EXPECT_LE(instruction_count(*step), instruction_count(*gradient) + 16 * 38);
  // ... and the convolutions and dots are the gradient program's, no more.
  const auto count_of = [](const ir::Module& module, const std::string& op) {
    const std::string text = ir::print_module(module);
    int64_t count = 0;
    for (size_t at = text.find(" " + op + "("); at != std::string::npos;
         at = text.find(" " + op + "(", at + 1))
      ++count;
    return count;
  };
  for (const std::string op : {"convolution", "dot"}) {
    EXPECT_GT(count_of(*gradient, op), 0) << op;
    EXPECT_EQ(count_of(*step, op), count_of(*gradient, op)) << op;
  }
  EXPECT_EQ(step->entry()->parameter_count(), 38 + 1 + 38 + 2);
  EXPECT_EQ(step->entry()->parameter(38)->shape().to_string(false), "s32[]");
  EXPECT_EQ(step->entry()->parameter(39 + 32)->shape().to_string(false), "f32[4096,25088]");
  EXPECT_EQ(step->entry()->parameter(77)->shape().to_string(false), "f32[2,3,224,224]");
  const ir::Shape& result = step->entry()->result_shape();
  ASSERT_EQ(result.tuple_size(), 2 + 38 + 1 + 38);
  EXPECT_EQ(result.tuple_shape(1).to_string(false), "f32[2,1000]");
  EXPECT_EQ(result.tuple_shape(2 + 32).to_string(false), "f32[4096,25088]");
}

// The same step as a function of pytrees, jitted and eager.
TEST(VggTrainStep, JittedAndEagerStepsMatchTorch) {
  const VggConfig config = tiny_config();
  const Optimizer optimizer = fixture_sgd();
  const VggParams params = vgg_params_from_leaves(config, fixture_leaves(""));
  const Tensor images = fixture("images"), labels = fixture("labels");
  const auto step = [&](const VggParams& p, const OptimizerState& s, const Tensor& x,
                        const Tensor& y) { return vgg_train_step(config, optimizer, p, s, x, y); };
  const auto jitted = jit(step);
  const VggTrainStep first = jitted(params, optimizer.init(params), images, labels);
  expect_close(fixture("loss"), first.loss, "jit loss");
  expect_close(fixture("logits"), first.logits, "jit logits");
  expect_weights("sgd1.", flatten(first.params).leaves, "jit");
  const VggTrainStep second = jitted(first.params, first.optimizer_state, images, labels);
  expect_close(fixture("sgd2.loss"), second.loss, "jit loss 2");
  expect_weights("sgd2.", flatten(second.params).leaves, "jit step 2");
  EXPECT_EQ(jitted.trace_count(), 1);

  const VggTrainStep eager = step(params, optimizer.init(params), images, labels);
  expect_close(fixture("loss"), eager.loss, "eager loss");
  expect_weights("sgd1.", flatten(eager.params).leaves, "eager");
}

// vgg_bn_tiny: the tiny VGG with batch norm (VggBn) in training mode, one SGD step jitted as one
// program (forward with batch statistics, loss, gradient, update): PyTorch's logits, loss,
// updated weights and BatchNorm running statistics.
TEST(VggTrainStep, BatchNormStepMatchesTorch) {
  VggConfig config = tiny_config();
  config.dropout = 0;  // torch's Dropout(p=0): the step is deterministic
  const VggBn model(config);
  const auto bn_fixture = [](const std::string& name) {
    return HostArray::load_npy(std::string(HLOCC_TEST_DATA_DIR) + "/nn/fixtures/vgg_bn_tiny/" +
                               name + ".npy");
  };
  TensorMap params;
  for (const auto& entry : model.param_specs()) params[entry.first] = bn_fixture(entry.first);
  ASSERT_EQ(params.size(), 12u);  // 2 convs, 2 BatchNorms, 2 Linears
  const Optimizer optimizer = fixture_sgd();
  const auto step = jit([&](const TensorMap& p, const TensorMap& s, const OptimizerState& o,
                            const Tensor& x, const Tensor& y) {
    const auto loss_fn = [&](const TensorMap& q, const TensorMap& t, const Tensor& images,
                             const Tensor& labels) {
      auto [logits, next] = model.forward(q, t, images, {.train = true, .key = random::key(0)});
      return std::pair{softmax_cross_entropy(logits, labels), std::pair{logits, next}};
    };
    auto [value, grads] = value_and_grad(loss_fn, Argnums<0>{}, has_aux)(p, s, x, y);
    auto [new_params, new_optimizer_state] = optimizer.update(p, grads, o);
    return std::tuple{value.first, value.second.first, value.second.second, new_params,
                      new_optimizer_state};
  });
  const auto [loss, logits, state, updated, optimizer_state] =
      step(params, model.init_state(), optimizer.init(params), Tensor(bn_fixture("images")),
           Tensor(bn_fixture("labels")));
  expect_close(bn_fixture("loss"), loss, "bn loss");
  expect_close(bn_fixture("logits"), logits, "bn logits");
  for (const auto& entry : params)
    expect_close(bn_fixture("sgd1." + entry.first), updated.at(entry.first), "bn " + entry.first);
  int64_t statistics = 0;
  for (const auto& entry : state) {
    if (entry.first.find("running_") == std::string::npos) continue;
    expect_close(bn_fixture("state1." + entry.first), entry.second, "bn " + entry.first);
    ++statistics;
  }
  EXPECT_EQ(statistics, 4);
}

// The program's interface follows the optimizer: Adam carries two buffers per parameter.
TEST(VggTrainStep, ProgramInterfaceFollowsTheOptimizer) {
  const VggConfig config = tiny_config();
  const std::unique_ptr<ir::Module> with_adam =
      optimized(vgg_train_step_program(config, 3, adam({})));
  EXPECT_EQ(with_adam->entry()->parameter_count(), 8 + 1 + 16 + 2);
  EXPECT_EQ(with_adam->entry()->parameter(25)->shape().to_string(false), "f32[3,3,8,8]");
  EXPECT_EQ(with_adam->entry()->parameter(26)->shape().to_string(false), "s32[3]");
  EXPECT_EQ(with_adam->entry()->result_shape().tuple_size(), 2 + 8 + 1 + 16);
  const std::unique_ptr<ir::Module> plain_sgd =
      optimized(vgg_train_step_program(config, 3, sgd({.lr = 0.1})));
  EXPECT_EQ(plain_sgd->entry()->parameter_count(), 8 + 1 + 2);  // no momentum: no buffers
  EXPECT_EQ(plain_sgd->entry()->result_shape().tuple_shapes()[0].to_string(false), "f32[]");
  EXPECT_EQ(plain_sgd->entry()->result_shape().tuple_shapes()[1].to_string(false), "f32[3,5]");
  const std::string message = error_of([&] { vgg_train_step_program(config, 0, adam({})); });
  EXPECT_NE(message.find("vgg: the batch size must be at least 1; got 0"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace hlocc::nn
