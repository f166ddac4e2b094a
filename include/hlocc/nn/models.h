/// Small models built from nn::Sequential, and the training step of a classifier as one function
/// of pytrees (jit it to run forward, loss, gradient and update as a single program).
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include "hlocc/nn/layers.h"
#include "hlocc/nn/optim.h"
#include "hlocc/nn/vgg.h"
#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc::nn {

/// A CNN for 1x28x28 images (Fashion-MNIST, MNIST): [conv 3x3 (pad 1) -> BatchNorm -> ReLU ->
/// 2x2 max pool] with 32 then 64 channels, Flatten, Linear(64*7*7, 128), ReLU, Dropout(p),
/// Linear(128, num_classes). Indices: 0 conv, 1 bn, 4 conv, 5 bn, 9 linear, 12 linear.
Sequential fashion_mnist_cnn(int64_t num_classes = 10, double dropout = 0.25);

/// A multilayer perceptron: Flatten, then Linear + ReLU for each hidden width, then a Linear to
/// num_classes. Takes [N, ...] inputs whose trailing dims hold in_features elements.
Sequential mlp(int64_t in_features, const std::vector<int64_t>& hidden, int64_t num_classes);

/// torchvision's VGG with batch norm (vgg11_bn ... vgg19_bn) for a VggConfig (vgg_config(depth)
/// or vgg_cifar_config(depth)): `features` holds conv 3x3 (pad 1), BatchNorm2d, ReLU per channel
/// entry and a 2x2 max pool per kMaxPool; `classifier` holds Linear, ReLU, Dropout per hidden
/// width, then the last Linear. Names are torchvision's: "features.1.running_mean", ...
class VggBn {
 public:
  explicit VggBn(const VggConfig& config);
  const Sequential& features() const { return features_; }
  const Sequential& classifier() const { return classifier_; }

  std::map<std::string, TensorSpec> param_specs() const;
  /// torchvision's init: conv weights kaiming_normal(fan_out, relu), Linear weights N(0, 0.01),
  /// biases 0, BatchNorm weights 1. Layer i of features (classifier) draws from fold_in(key, i)
  /// (fold_in(key, 1000 + i)).
  TensorMap init(const Tensor& key, Where where = Where::current()) const;
  TensorMap init_state(Where where = Where::current()) const;
  /// Logits and the updated state (torchvision's AdaptiveAvgPool2d((7, 7)) is left out, as in
  /// vgg_forward: the configs' feature maps are 7x7, or 1x1 for the CIFAR variant).
  std::pair<Tensor, TensorMap> forward(const TensorMap& params, const TensorMap& state,
                                       const Tensor& images, const ForwardOptions& options = {},
                                       Where where = Where::current()) const;
  /// Eval mode without state updates: forward(params, state, images).first.
  Tensor operator()(const TensorMap& params, const TensorMap& state, const Tensor& images,
                    Where where = Where::current()) const {
    return forward(params, state, images, {}, where).first;
  }

 private:
  Sequential features_, classifier_;
};

/// What one training step of a classifier returns: new params, new model state (BatchNorm
/// statistics), new optimizer state and the mean softmax cross-entropy loss of the batch
/// (computed before the update).
using TrainStepResult = std::tuple<TensorMap, TensorMap, OptimizerState, Tensor>;

/// One training step: model.forward in training mode (dropout draws from `key`), the loss
/// softmax_cross_entropy(logits, labels), its gradient with respect to params, and the optimizer's
/// update. Traced or eager, like any function of Tensors.
TrainStepResult classifier_train_step(const Sequential& model, const Optimizer& optimizer,
                                      const TensorMap& params, const TensorMap& state,
                                      const OptimizerState& optimizer_state, const Tensor& images,
                                      const Tensor& labels, const Tensor& key,
                                      Where where = Where::current());
/// The same step for a VggBn (dropout keys as VggBn::forward draws them).
TrainStepResult classifier_train_step(const VggBn& model, const Optimizer& optimizer,
                                      const TensorMap& params, const TensorMap& state,
                                      const OptimizerState& optimizer_state, const Tensor& images,
                                      const Tensor& labels, const Tensor& key,
                                      Where where = Where::current());

}  // namespace hlocc::nn
