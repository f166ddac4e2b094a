// nn::models: the Fashion-MNIST CNN's and the MLP's PyTorch names and sizes, and a whole training
// step (forward, loss, gradient, optimizer update) traced as one program that lowers the loss, for
// a Sequential and for VggBn.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hlocc/indexing.h"
#include "hlocc/nn/losses.h"
#include "hlocc/nn/models.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "hlocc/trace.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc::nn {
namespace {

std::vector<std::string> names_of(const std::map<std::string, TensorSpec>& specs) {
  std::vector<std::string> names;
  for (const auto& [name, spec] : specs) names.push_back(name);
  return names;
}

int64_t spec_count(const std::map<std::string, TensorSpec>& specs) {
  int64_t count = 0;
  for (const auto& [name, spec] : specs) {
    int64_t n = 1;
    for (const int64_t dim : spec.dims) n *= dim;
    count += n;
  }
  return count;
}

TEST(Models, CnnAndMlpHaveTorchsNamesAndSizes) {
  const Sequential cnn = fashion_mnist_cnn();
  EXPECT_EQ(
      names_of(cnn.param_specs()),
      (std::vector<std::string>{"0.bias", "0.weight", "1.bias", "1.weight", "12.bias", "12.weight",
                                "4.bias", "4.weight", "5.bias", "5.weight", "9.bias", "9.weight"}));
  // 320 + 64 (conv, bn) + 18496 + 128 + 401536 (Linear 3136 -> 128) + 1290 (Linear 128 -> 10).
  EXPECT_EQ(spec_count(cnn.param_specs()), 421834);
  EXPECT_EQ(cnn.param_specs().at("9.weight").dims, (std::vector<int64_t>{128, 3136}));
  const Sequential perceptron = mlp(784, {64}, 10);
  EXPECT_EQ(names_of(perceptron.param_specs()),
            (std::vector<std::string>{"1.bias", "1.weight", "3.bias", "3.weight"}));
  const Tensor logits = perceptron(perceptron.init(random::key(0)), {},
                                   random::normal(random::key(1), {4, 1, 28, 28}));
  EXPECT_EQ(logits.dims(), (std::vector<int64_t>{4, 10}));
}

TEST(Models, VggBnHasTorchvisionsNamesAndSizes) {
  // torchvision's documented parameter counts of vgg11_bn and vgg19_bn.
  EXPECT_EQ(spec_count(VggBn(vgg_config(11)).param_specs()), 132868840);
  EXPECT_EQ(spec_count(VggBn(vgg_config(19)).param_specs()), 143678248);
  const VggBn vgg11(vgg_config(11));
  const auto specs = vgg11.param_specs();
  EXPECT_EQ(specs.at("features.25.weight").dims, (std::vector<int64_t>{512, 512, 3, 3}));
  EXPECT_EQ(specs.at("features.26.bias").dims, std::vector<int64_t>{512});
  EXPECT_EQ(specs.at("classifier.6.weight").dims, (std::vector<int64_t>{1000, 4096}));
  const TensorMap state = vgg11.init_state();
  EXPECT_EQ(state.size(), 24u);  // 8 BatchNorms x (running_mean, running_var, count)
  EXPECT_EQ(state.count("features.26.num_batches_tracked"), 1u);
}

TEST(Models, VggBnForwardUpdatesItsStatistics) {
  VggConfig config;  // tiny: 3x8x8 images, conv 8, pool, conv 16, pool, Linear(64, 6), Linear(6, 5)
  config.features = {8, kMaxPool, 16, kMaxPool};
  config.image_size = 8;
  config.classifier_hidden = {6};
  config.num_classes = 5;
  const VggBn model(config);
  const TensorMap params = model.init(random::key(0));
  EXPECT_EQ(params.size(), model.param_specs().size());
  const Tensor images = random::normal(random::key(1), {2, 3, 8, 8});
  const auto forward = jit([&](const TensorMap& p, const TensorMap& s, const Tensor& x) {
    return model.forward(p, s, x, {.train = true, .key = random::key(2)});
  });
  const auto [logits, state] = forward(params, model.init_state(), images);
  EXPECT_EQ(logits.dims(), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(params.at("classifier.3.weight").dims(), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(state.at("features.1.num_batches_tracked").to_host().as_double(0), 1);
  EXPECT_NE(tensor_testing::values_of(state.at("features.1.running_mean")),
            std::vector<float>(8, 0));
}

// A tiny random batch: 8 images, labels in [0, 10).
struct TinyBatch {
  Tensor images = random::normal(random::key(7), {8, 1, 28, 28});
  Tensor labels =
      astype(floor(random::uniform(random::key(8), {8}, DType::F32, 0, 10)), DType::S32);
};

TEST(Models, CnnTrainingStepIsOneJittedProgramThatLowersTheLoss) {
  const Sequential model = fashion_mnist_cnn();
  const Optimizer optimizer = adam({.lr = 1e-3});
  TensorMap params = model.init(random::key(0)), state = model.init_state();
  OptimizerState optimizer_state = optimizer.init(params);
  const TinyBatch batch;
  const auto step_fn = [&](const TensorMap& p, const TensorMap& s, const OptimizerState& o,
                           const Tensor& x, const Tensor& y, const Tensor& key) {
    return classifier_train_step(model, optimizer, p, s, o, x, y, key);
  };
  // Traced alone, the step is one module holding the forward convolutions, their gradients and
  // the update, returning params, state, optimizer state and loss.
  const Module module =
      trace(step_fn, params, state, optimizer_state, batch.images, batch.labels, random::key(1));
  const std::string text = module.to_string();
  EXPECT_NE(text.find("convolution("), std::string::npos);
  EXPECT_NE(text.find("sqrt("), std::string::npos);  // Adam's denominator
  const auto step = jit(step_fn);
  std::vector<double> losses;
  for (uint32_t i = 0; i < 6; ++i) {
    Tensor loss;
    std::tie(params, state, optimizer_state, loss) =
        step(params, state, optimizer_state, batch.images, batch.labels, random::key(100 + i));
    losses.push_back(loss.to_host().as_double(0));
  }
  EXPECT_EQ(step.trace_count(), 1);
  EXPECT_LT(losses.back(), 0.5 * losses.front()) << losses.front() << " -> " << losses.back();
  EXPECT_EQ(state.at("1.num_batches_tracked").to_host().as_double(0), 6);
  EXPECT_EQ(optimizer_state.step.to_host().as_double(0), 6);
}

TEST(Models, MlpTrainsWithSgd) {
  const Sequential model = mlp(784, {32}, 10);
  const Optimizer optimizer = sgd({.lr = 0.1, .momentum = 0.9});
  TensorMap params = model.init(random::key(2)), state = model.init_state();
  OptimizerState optimizer_state = optimizer.init(params);
  const TinyBatch batch;
  const auto step = jit([&](const TensorMap& p, const OptimizerState& o, const Tensor& x,
                            const Tensor& y, const Tensor& key) {
    return classifier_train_step(model, optimizer, p, state, o, x, y, key);
  });
  std::vector<double> losses;
  for (uint32_t i = 0; i < 6; ++i) {
    auto [p, s, o, loss] =
        step(params, optimizer_state, batch.images, batch.labels, random::key(i));
    params = p;
    optimizer_state = o;
    losses.push_back(loss.to_host().as_double(0));
  }
  EXPECT_LT(losses.back(), 0.5 * losses.front()) << losses.front() << " -> " << losses.back();
}

TEST(Models, VggBnTrainingStepLowersTheLossAndUpdatesItsStatistics) {
  // Tiny (1x8x8 images, conv 4, pool, Linear(64, 10)): the CPU backend's LLVM compile time
  // grows with the step's kernels, and this is enough to exercise the VggBn overload.
  VggConfig config;
  config.features = {4, kMaxPool};
  config.in_channels = 1;
  config.image_size = 8;
  config.classifier_hidden = {};
  config.num_classes = 10;
  const VggBn model(config);
  const Optimizer optimizer = adam({.lr = 5e-2});
  TensorMap params = model.init(random::key(3)), state = model.init_state();
  OptimizerState optimizer_state = optimizer.init(params);
  const Tensor images = random::normal(random::key(7), {8, 1, 8, 8});
  const Tensor labels = TinyBatch{}.labels;
  // The step's loss is the cross-entropy of VggBn::forward in training mode.
  const auto [logits, unused_state] =
      model.forward(params, state, images, {.train = true, .key = random::key(100)});
  const double first_loss = softmax_cross_entropy(logits, labels).to_host().as_double(0);
  const auto step = jit([&](const TensorMap& p, const TensorMap& s, const OptimizerState& o,
                            const Tensor& x, const Tensor& y, const Tensor& key) {
    return classifier_train_step(model, optimizer, p, s, o, x, y, key);
  });
  std::vector<double> losses;
  for (uint32_t i = 0; i < 8; ++i) {
    Tensor loss;
    std::tie(params, state, optimizer_state, loss) =
        step(params, state, optimizer_state, images, labels, random::key(100 + i));
    losses.push_back(loss.to_host().as_double(0));
  }
  EXPECT_NEAR(losses.front(), first_loss, 1e-4 * first_loss);
  // Linear weights start at N(0, 0.01), so the logits start near 0 and the loss near log(10)
  EXPECT_LT(losses.back(), 0.6 * losses.front()) << losses.front() << " -> " << losses.back();
  EXPECT_EQ(state.at("features.1.num_batches_tracked").to_host().as_double(0), 8);
  EXPECT_EQ(step.trace_count(), 1);
}

}  // namespace
}  // namespace hlocc::nn
