// nn layers against PyTorch 1.13 (tests/nn/fixtures/nn_layers/, scripts/fixtures/nn_fixtures.py):
// each layer's output and the gradients of sum(output * cot) with respect to its inputs and
// parameters, computed as one jitted program; Sequential's names and state; dropout statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "hlocc/autodiff.h"
#include "hlocc/indexing.h"
#include "hlocc/nn/layers.h"
#include "hlocc/nn/losses.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "hlocc/trace.h"
#include "nn/nn_test_helpers.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc::nn {
namespace {

using testing::expect_close;
using LayerFn = std::function<Tensor(const TensorMap&)>;

HostArray layer_fixture(const std::string& name) { return testing::fixture("nn_layers", name); }

// Loads case `name`'s inputs, runs fn and grad(sum(fn * cot)) in one jitted program, and checks
// the output and every input's gradient against torch's.
void check_layer(const std::string& name, const std::vector<std::string>& inputs,
                 const LayerFn& fn) {
  TensorMap values;
  for (const std::string& input : inputs) values[input] = layer_fixture(name + "." + input);
  const auto program = jit([&](const TensorMap& in, const Tensor& cot) {
    const auto loss = [&](const TensorMap& x, const Tensor& c) { return sum(fn(x) * c); };
    return std::pair{fn(in), grad(loss)(in, cot)};
  });
  const auto [y, grads] = program(values, Tensor(layer_fixture(name + ".cot")));
  expect_close(layer_fixture(name + ".y"), y, name + ".y");
  for (const std::string& input : inputs)
    expect_close(layer_fixture(name + ".grad." + input), grads.at(input), name + ".grad." + input);
}

TEST(Layers, LinearMatchesTorch) {
  check_layer("linear", {"x", "weight", "bias"}, [](const TensorMap& in) {
    return linear(in.at("x"), in.at("weight"), in.at("bias"));
  });
}

TEST(Layers, Conv2dWithStridePaddingGroupsMatchesTorch) {
  const Conv2d conv{
      .in_channels = 4, .out_channels = 6, .stride = {2, 2}, .padding = {1, 1}, .groups = 2};
  check_layer("conv_groups", {"x", "weight", "bias"}, [&](const TensorMap& in) {
    return conv2d_layer(conv, in.at("x"), in.at("weight"), in.at("bias"));
  });
}

TEST(Layers, Conv2dDilatedWithoutBiasMatchesTorch) {
  const Conv2d conv{
      .in_channels = 4, .out_channels = 4, .padding = {2, 2}, .dilation = {2, 2}, .bias = false};
  check_layer("conv_dilated", {"x", "weight"}, [&](const TensorMap& in) {
    return conv2d_layer(conv, in.at("x"), in.at("weight"), Tensor());
  });
}

TEST(Layers, PoolsMatchTorch) {
  check_layer("max_pool", {"x"}, [](const TensorMap& in) {
    return max_pool2d_layer({.kernel_size = {3, 3}, .stride = {2, 2}, .padding = {1, 1}},
                            in.at("x"));
  });
  for (const bool include_pad : {true, false}) {
    const AvgPool2d pool{.kernel_size = {3, 3},
                         .stride = {2, 2},
                         .padding = {1, 1},
                         .count_include_pad = include_pad};
    check_layer(include_pad ? "avg_pool" : "avg_pool_exclude_pad", {"x"},
                [&](const TensorMap& in) { return avg_pool2d_layer(pool, in.at("x")); });
  }
}

TEST(Layers, ActivationsMatchTorch) {
  check_layer("gelu_none", {"x"}, [](const TensorMap& in) { return gelu(in.at("x")); });
  check_layer("gelu_tanh", {"x"}, [](const TensorMap& in) { return gelu(in.at("x"), true); });
  check_layer("sigmoid", {"x"}, [](const TensorMap& in) { return sigmoid(in.at("x")); });
  check_layer("tanh", {"x"}, [](const TensorMap& in) { return tanh(in.at("x")); });
  check_layer("relu", {"x"}, [](const TensorMap& in) { return relu(in.at("x")); });
}

TEST(Layers, ErfIsAccurateToFloat) {
  std::vector<float> xs;
  for (int i = -60; i <= 60; ++i) xs.push_back(0.1f * static_cast<float>(i));
  const std::vector<float> got =
      tensor_testing::values_of(erf(tensor_testing::f32({static_cast<int64_t>(xs.size())}, xs)));
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_NEAR(got[i], std::erf(xs[i]), 3e-7) << xs[i];
}

TEST(Layers, MseLossMatchesTorch) {
  check_layer("mse", {"x", "target"},
              [](const TensorMap& in) { return mse_loss(in.at("x"), in.at("target")); });
  EXPECT_NE(tensor_testing::error_of([] {
              mse_loss(zeros({2, 3}), zeros({3, 2}));
            })
                .find("mse_loss: predictions and targets must be f32 or f64 of one shape; got "
                      "f32[2,3] and f32[3,2]"),
            std::string::npos);
}

BatchNormState batch_norm_state(const std::string& name) {
  return {layer_fixture(name + ".running_mean"), layer_fixture(name + ".running_var"),
          zeros({}, DType::S64)};
}

TEST(Layers, BatchNormMatchesTorchInTrainingAndEval) {
  const BatchNorm2d layer{.num_features = 3};
  for (const bool train : {true, false}) {
    const std::string name = train ? "batch_norm_train" : "batch_norm_eval";
    const BatchNormState state = batch_norm_state(name);
    check_layer(name, {"x", "weight", "bias"}, [&](const TensorMap& in) {
      return batch_norm2d(layer, in.at("x"), in.at("weight"), in.at("bias"), state, train).first;
    });
    const BatchNormState next =
        batch_norm2d(layer, layer_fixture(name + ".x"), layer_fixture(name + ".weight"),
                     layer_fixture(name + ".bias"), state, train)
            .second;
    expect_close(layer_fixture(name + ".new_running_mean"), next.running_mean, name + " mean");
    expect_close(layer_fixture(name + ".new_running_var"), next.running_var, name + " var");
    EXPECT_EQ(next.num_batches_tracked.to_host().as_double(0), train ? 1 : 0);
  }
}

// tests/nn/fixtures/nn_layers/sequential.*: nn_fixtures.py's nn.Sequential, in training mode.
Sequential fixture_sequential() {
  return Sequential({Conv2d{.in_channels = 2, .out_channels = 3, .padding = {1, 1}},
                     BatchNorm2d{.num_features = 3}, ReLU{}, MaxPool2d{}, Flatten{},
                     Linear{.in_features = 12, .out_features = 5}, GELU{},
                     Linear{.in_features = 5, .out_features = 4}, Tanh{}});
}

TEST(Sequential, NamesParametersAndStateLikeTorch) {
  const Sequential model = fixture_sequential();
  std::vector<std::string> params, state;
  for (const auto& [name, spec] : model.param_specs()) params.push_back(name);
  for (const auto& [name, value] : model.init_state()) state.push_back(name);
  EXPECT_EQ(params, (std::vector<std::string>{"0.bias", "0.weight", "1.bias", "1.weight", "5.bias",
                                              "5.weight", "7.bias", "7.weight"}));
  EXPECT_EQ(state,
            (std::vector<std::string>{"1.num_batches_tracked", "1.running_mean", "1.running_var"}));
  const TensorMap init = model.init(random::key(0));
  ASSERT_EQ(init.size(), params.size());
  for (const auto& [name, spec] : model.param_specs()) EXPECT_EQ(init.at(name).dims(), spec.dims);
}

TEST(Sequential, ForwardGradientsAndStateMatchTorch) {
  const Sequential model = fixture_sequential();
  TensorMap params, state;
  for (const auto& [name, spec] : model.param_specs())
    params[name] = layer_fixture("sequential." + name);
  for (const auto& [name, value] : model.init_state())
    state[name] = layer_fixture("sequential." + name);
  const Tensor x = layer_fixture("sequential.x"), cot = layer_fixture("sequential.cot");
  const auto loss = [&](const TensorMap& p, const TensorMap& s, const Tensor& in, const Tensor& c) {
    auto [y, next] = model.forward(p, s, in, {.train = true});
    return std::pair{sum(y * c), std::pair{y, next}};
  };
  const auto program =
      jit([&](const TensorMap& p, const TensorMap& s, const Tensor& in, const Tensor& c) {
        return value_and_grad(loss, Argnums<0>{}, has_aux)(p, s, in, c);
      });
  const auto [value, grads] = program(params, state, x, cot);
  const auto& [y, next] = value.second;
  expect_close(layer_fixture("sequential.y"), y, "y");
  for (const auto& [name, g] : grads)
    expect_close(layer_fixture("sequential.grad." + name), g, name);
  for (const char* name : {"1.running_mean", "1.running_var"})
    expect_close(layer_fixture(std::string("sequential.new.") + name), next.at(name), name);
  EXPECT_EQ(next.at("1.num_batches_tracked").to_host().as_double(0), 1);
}

TEST(Sequential, MissingParameterIsNamed) {
  const Sequential model({Linear{.in_features = 3, .out_features = 2}});
  const std::string message = tensor_testing::error_of([&] {
    model(TensorMap{{"0.weight", zeros({2, 3})}}, {}, zeros({1, 3}));
  });
  // A missing bias means "no bias" (Linear{.bias = false} has none); a missing weight is an error.
  EXPECT_EQ(message, "no error");
  EXPECT_NE(tensor_testing::error_of([&] {
              model(TensorMap{{"0.bias", zeros({2})}}, {}, zeros({1, 3}));
            }).find("Sequential: no parameter named '0.weight'; got {0.bias}"),
            std::string::npos);
}

TEST(Layers, DropoutKeepsOneMinusPAndScales) {
  const Tensor x = ones({20000});
  const std::vector<float> y = tensor_testing::values_of(dropout(x, 0.3, random::key(1), true));
  int64_t zero = 0;
  for (const float v : y) {
    if (v == 0)
      ++zero;
    else
      EXPECT_FLOAT_EQ(v, 1 / 0.7f);
  }
  EXPECT_NEAR(static_cast<double>(zero) / 20000, 0.3, 0.015);
  EXPECT_EQ(tensor_testing::values_of(dropout(x, 0.3, Tensor(), false)),
            std::vector<float>(20000, 1));
  EXPECT_NE(tensor_testing::error_of([&] {
              dropout(x, 1.5, random::key(1), true);
            }).find("dropout: p must be in [0, 1]; got 1.5"),
            std::string::npos);
  EXPECT_NE(tensor_testing::error_of([&] {
              dropout(x, 0.5, Tensor(), true);
            }).find("dropout: training mode needs a random key"),
            std::string::npos);
}

TEST(Sequential, DropoutInTrainingWithoutKeyIsAnError) {
  const Sequential model({Dropout{.p = 0.5}});
  EXPECT_NE(tensor_testing::error_of([&] {
              model.forward({}, {}, ones({2, 2}), {.train = true});
            }).find("dropout: training mode needs a random key; got none"),
            std::string::npos);
  EXPECT_EQ(tensor_testing::values_of(model({}, {}, ones({2, 2}))), std::vector<float>(4, 1));
}

TEST(Layers, ConvOnAnImageWithoutBatchDimIsAnError) {
  EXPECT_NE(tensor_testing::error_of([] {
              conv2d_layer({.in_channels = 1, .out_channels = 1}, zeros({1, 5, 5}),
                           zeros({1, 1, 3, 3}), Tensor());
            }).find("conv2d_layer: the input must be f32 or f64 of rank 4; got f32[1,5,5]"),
            std::string::npos);
}

TEST(Layers, LinearShapeErrorNamesShapes) {
  EXPECT_NE(tensor_testing::error_of([] {
              linear(zeros({2, 3}), zeros({4, 5}), Tensor());
            })
                .find("linear: the input's last dim must be weight's dim 1 and bias must be [out]; "
                      "got x f32[2,3], weight f32[4,5]"),
            std::string::npos);
}

}  // namespace
}  // namespace hlocc::nn
