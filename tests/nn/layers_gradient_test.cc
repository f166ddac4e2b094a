// Every nn layer's gradient in float64 against central differences (tests/autodiff's
// check_gradients on the traced module, parsed back), at random inputs away from kinks.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "autodiff/gradient_check.h"
#include "hlocc/nn/layers.h"
#include "hlocc/nn/losses.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "hlocc/trace.h"
#include "ir/parser.h"

namespace hlocc::nn {
namespace {

TensorSpec f64(std::vector<int64_t> dims) { return {DType::F64, std::move(dims)}; }

// Traces fn on f64 inputs of `specs` and checks its vjp at two random points.
void expect_gradients(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                      const std::vector<TensorSpec>& specs) {
  const Module traced = trace(fn, specs);
  auto module = ir::parse_module(traced.to_string());
  ASSERT_TRUE(module.ok()) << module.error().message();
  for (uint64_t trial = 0; trial < 2; ++trial) {
    std::vector<ir::Literal> args;
    for (const ir::Instruction* parameter : (*module)->entry()->parameters())
      args.push_back(hlocc::testing::random_f64(parameter->shape(), 10 * trial + args.size()));
    EXPECT_EQ(hlocc::testing::check_gradients(**module, args, trial), "") << traced.to_string();
  }
}

TEST(LayerGradients, LinearAndConv) {
  expect_gradients([](const auto& in) { return linear(in[0], in[1], in[2]); },
                   {f64({3, 2, 5}), f64({4, 5}), f64({4})});
  const Conv2d conv{.in_channels = 4,
                    .out_channels = 2,
                    .stride = {2, 1},
                    .padding = {1, 2},
                    .dilation = {1, 2},
                    .groups = 2};
  expect_gradients([&](const auto& in) { return conv2d_layer(conv, in[0], in[1], in[2]); },
                   {f64({2, 4, 5, 6}), f64({2, 2, 3, 3}), f64({2})});
}

TEST(LayerGradients, Pools) {
  const MaxPool2d max_pool{.kernel_size = {3, 2}, .stride = {2, 2}, .padding = {1, 1}};
  expect_gradients([&](const auto& in) { return max_pool2d_layer(max_pool, in[0]); },
                   {f64({2, 2, 5, 6})});
  for (const bool include_pad : {true, false}) {
    const AvgPool2d avg_pool{.kernel_size = {3, 3},
                             .stride = {2, 2},
                             .padding = {1, 1},
                             .count_include_pad = include_pad};
    expect_gradients([&](const auto& in) { return avg_pool2d_layer(avg_pool, in[0]); },
                     {f64({2, 2, 5, 6})});
  }
}

TEST(LayerGradients, BatchNormInTrainingAndEval) {
  const BatchNorm2d layer{.num_features = 3};
  // Running statistics are constants (a random variance could be negative).
  const BatchNormState state{HostArray::from_vector<double>({3}, {0.1, -0.2, 0.3}),
                             HostArray::from_vector<double>({3}, {0.5, 1.5, 2.0}),
                             HostArray::scalar<int64_t>(0)};
  for (const bool train : {true, false}) {
    expect_gradients(
        [&](const auto& in) {
          return batch_norm2d(layer, in[0], in[1], in[2], state, train).first;
        },
        {f64({4, 3, 2, 3}), f64({3}), f64({3})});
  }
}

TEST(LayerGradients, ActivationsDropoutFlattenAndMse) {
  expect_gradients([](const auto& in) { return gelu(in[0] * 3.0); }, {f64({16})});
  expect_gradients([](const auto& in) { return gelu(in[0] * 3.0, true); }, {f64({16})});
  expect_gradients([](const auto& in) { return erf(in[0] * 2.0); }, {f64({16})});
  expect_gradients([](const auto& in) { return dropout(in[0], 0.4, random::key(3), true); },
                   {f64({4, 8})});
  expect_gradients([](const auto& in) { return flatten_batch(in[0]); }, {f64({2, 3, 2})});
  expect_gradients([](const auto& in) { return mse_loss(in[0], in[1]); },
                   {f64({3, 4}), f64({3, 4})});
}

TEST(LayerGradients, SequentialInTraining) {
  const Sequential model({Conv2d{.in_channels = 1, .out_channels = 2, .padding = {1, 1}},
                          BatchNorm2d{.num_features = 2}, ReLU{}, AvgPool2d{}, Flatten{},
                          Linear{.in_features = 8, .out_features = 3}, Sigmoid{}, Tanh{}});
  const TensorMap state = {{"1.running_mean", HostArray::from_vector<double>({2}, {0, 0})},
                           {"1.running_var", HostArray::from_vector<double>({2}, {1, 1})},
                           {"1.num_batches_tracked", HostArray::scalar<int64_t>(0)}};
  const std::vector<std::string> names = {"0.bias",   "0.weight", "1.bias",
                                          "1.weight", "5.bias",   "5.weight"};
  std::vector<TensorSpec> specs = {f64({2, 1, 4, 4})};
  for (const std::string& name : names) specs.push_back(f64(model.param_specs().at(name).dims));
  expect_gradients(
      [&](const std::vector<Tensor>& in) {
        TensorMap params;
        for (size_t i = 0; i < names.size(); ++i) params[names[i]] = in[i + 1];
        return model.forward(params, state, in[0], {.train = true}).first;
      },
      specs);
}

}  // namespace
}  // namespace hlocc::nn
