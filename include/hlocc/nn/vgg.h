/// VGG (Simonyan & Zisserman, 2014) as torchvision builds it: configurations A/B/D/E (VGG11/13/
/// 16/19), parameters as a pytree in torchvision's layouts and order, initialization, and the
/// forward pass in eval mode (dropout is the identity), and a training step (forward, loss,
/// gradient and optimizer update) as one traced program. NCHW f32 images.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hlocc/nn/optim.h"
#include "hlocc/pytree.h"
#include "hlocc/tensor.h"
#include "hlocc/trace.h"
#include "hlocc/where.h"

namespace hlocc::nn {

/// One entry of VggConfig::features that stands for a 2x2, stride-2 max pool (torchvision's 'M').
inline constexpr int64_t kMaxPool = -1;

struct VggConfig {
  std::string name = "vgg";
  /// Output channels of each 3x3 conv (pad 1, each followed by a ReLU), kMaxPool for a max pool.
  std::vector<int64_t> features;
  int64_t in_channels = 3;
  /// Height and width of the input images; the only size vgg_forward accepts.
  int64_t image_size = 224;
  /// Widths of the classifier's hidden Linear layers (each followed by ReLU and dropout).
  std::vector<int64_t> classifier_hidden = {4096, 4096};
  int64_t num_classes = 1000;
  /// Dropout probability of the classifier; ignored for now (vgg_forward is eval mode).
  double dropout = 0.5;
};

/// torchvision's vgg11/13/16/19 (cfgs A, B, D, E) for 224x224 images: the 7x7x512 feature map
/// feeds Linear(25088, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096,
/// num_classes). `depth` is 11, 13, 16 or 19.
VggConfig vgg_config(int depth, int64_t num_classes = 1000);
/// The usual CIFAR variant: 32x32 images, the same convs, and one Linear(512, num_classes).
VggConfig vgg_cifar_config(int depth, int64_t num_classes = 10);

/// A conv layer's parameters as PyTorch stores them: weight [out, in, 3, 3] (OIHW), bias [out].
struct Conv2dParams {
  Tensor weight;
  Tensor bias;
};
/// A Linear layer's parameters as PyTorch stores them: weight [out, in], bias [out].
struct LinearParams {
  Tensor weight;
  Tensor bias;
};
/// All parameters of a VGG, a pytree (grad returns gradients of this type). Flattening order is
/// torchvision's state_dict order: param_names(config) names each leaf.
struct VggParams {
  std::vector<Conv2dParams> features;
  std::vector<LinearParams> classifier;
};
HLOCC_PYTREE(Conv2dParams, weight, bias)
HLOCC_PYTREE(LinearParams, weight, bias)
HLOCC_PYTREE(VggParams, features, classifier)

/// torchvision's state_dict keys, in flattening order: "features.0.weight", "features.0.bias",
/// ..., "classifier.0.weight", ... (a module index counts convs, ReLUs and pools alike).
std::vector<std::string> param_names(const VggConfig& config);

/// The type of each parameter, in flattening order: trace with these (hlocc::trace accepts a
/// std::vector<TensorSpec>) and rebuild the VggParams inside with vgg_params_from_leaves.
std::vector<TensorSpec> vgg_param_specs(const VggConfig& config);
/// The VggParams holding `leaves` (in flattening order, of the types vgg_param_specs gives).
VggParams vgg_params_from_leaves(const VggConfig& config, const std::vector<Tensor>& leaves,
                                 Where where = Where::current());

/// torchvision's initialization from a random key (u32[2], hlocc::random::key): conv weights
/// kaiming_normal_(mode='fan_out', nonlinearity='relu'), i.e. normal * sqrt(2 / (out * 3 * 3)),
/// Linear weights normal(0, 0.01), biases 0. Leaf i draws from random::fold_in(key, i).
VggParams vgg_init(const VggConfig& config, const Tensor& key, Where where = Where::current());

/// The logits f32[N, num_classes] of images f32[N, in_channels, image_size, image_size], in eval
/// mode. torchvision's AdaptiveAvgPool2d((7, 7)) is left out: on 224x224 images it sees a 7x7
/// map and is the identity, and other sizes are rejected rather than pooled.
Tensor vgg_forward(const VggConfig& config, const VggParams& params, const Tensor& images,
                   Where where = Where::current());

/// The traced inference program: (parameters in flattening order..., images f32[batch, C, H, W])
/// -> logits f32[batch, num_classes]. Types only: no data is made or run.
Module vgg_forward_program(const VggConfig& config, int64_t batch);
/// The traced training gradient: (parameters..., images, labels s32[batch]) -> the gradient of
/// softmax_cross_entropy(vgg_forward(...), labels) with respect to each parameter, in flattening
/// order. It contains the forward pass it differentiates.
Module vgg_gradient_program(const VggConfig& config, int64_t batch);

/// What one VGG training step returns: the mean softmax cross-entropy loss and the logits of the
/// batch (both before the update), the updated parameters and the optimizer's next state.
struct VggTrainStep {
  Tensor loss;
  Tensor logits;
  VggParams params;
  OptimizerState optimizer_state;
};
HLOCC_PYTREE(VggTrainStep, loss, logits, params, optimizer_state)

/// One training step as torch does it with `model.eval()` (no dropout) and, e.g.,
/// torch.optim.SGD(lr, momentum, weight_decay): logits = vgg_forward(...), loss =
/// softmax_cross_entropy(logits, labels), its gradient with respect to params, then
/// optimizer.update. `optimizer_state` comes from optimizer.init(params) or the previous step.
/// Traced or eager, like any function of Tensors.
VggTrainStep vgg_train_step(const VggConfig& config, const Optimizer& optimizer,
                            const VggParams& params, const OptimizerState& optimizer_state,
                            const Tensor& images, const Tensor& labels,
                            Where where = Where::current());
/// The traced training step, one program: (parameters..., optimizer state..., images f32[batch,
/// C, H, W], labels s32[batch]) -> (loss f32[], logits f32[batch, num_classes], new parameters...,
/// new optimizer state...). Parameters are in flattening order; the optimizer state's leaves are
/// flatten(optimizer.init(params)).leaves (the s32[] step count, then the optimizer's buffers, one
/// per parameter: momentum buffers for SGD with momentum). Types only: no data is made or run.
Module vgg_train_step_program(const VggConfig& config, int64_t batch, const Optimizer& optimizer);

}  // namespace hlocc::nn
