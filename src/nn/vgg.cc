// VGG as torchvision builds it (models/vgg.py): the configurations, parameter names and shapes
// in state_dict order, initialization, the eval-mode forward pass and the training step.
#include "hlocc/nn/vgg.h"

#include <cmath>

#include "hlocc/autodiff.h"
#include "hlocc/conv.h"
#include "hlocc/indexing.h"
#include "hlocc/linalg.h"
#include "hlocc/nn/losses.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "nn/nn_error.h"

namespace hlocc::nn {
namespace {

using detail::throw_nn_error;

// torchvision's cfgs "A", "B", "D", "E".
std::vector<int64_t> features_of_depth(int depth) {
  const int64_t M = kMaxPool;
  switch (depth) {
    case 11:
      return {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    case 13:
      return {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    case 16:
      return {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    case 19:
      return {64,  64,  M,   128, 128, M,   256, 256, 256, 256, M,
              512, 512, 512, 512, M,   512, 512, 512, 512, M};
    default:
      throw Error("vgg_config: depth must be 11, 13, 16 or 19; got " + std::to_string(depth));
  }
}

std::string dims_string(const std::vector<int64_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? "," : "") + std::to_string(dims[i]);
  return text + "]";
}

// The layers' shapes, with torchvision's module index of each (convs, ReLUs and pools each take
// one index in `features`; Linear, ReLU and Dropout each take one in `classifier`).
struct Layer {
  std::string name;  // "features.0"
  std::vector<int64_t> weight, bias;
};

struct Layers {
  std::vector<Layer> convs, linears;
};

Layers layers_of(const VggConfig& config) {
  Layers layers;
  int64_t channels = config.in_channels, size = config.image_size, index = 0;
  for (const int64_t entry : config.features) {
    if (entry == kMaxPool) {
      if (size < 2) {
        throw Error("vgg: the feature map is " + std::to_string(size) + "x" + std::to_string(size) +
                    " at max pool features." + std::to_string(index) + "; image_size " +
                    std::to_string(config.image_size) + " is too small");
      }
      size /= 2;
      index += 1;
      continue;
    }
    if (entry <= 0)
      throw Error("vgg: channel counts must be positive; got " + std::to_string(entry));
    layers.convs.push_back({"features." + std::to_string(index), {entry, channels, 3, 3}, {entry}});
    channels = entry;
    index += 2;
  }
  int64_t in = channels * size * size;
  std::vector<int64_t> widths = config.classifier_hidden;
  widths.push_back(config.num_classes);
  for (size_t i = 0; i < widths.size(); ++i) {
    layers.linears.push_back({"classifier." + std::to_string(3 * i), {widths[i], in}, {widths[i]}});
    in = widths[i];
  }
  return layers;
}

template <class Visit>
void for_each_leaf(const Layers& layers, Visit&& visit) {
  for (const auto* group : {&layers.convs, &layers.linears}) {
    for (const Layer& layer : *group) {
      visit(layer.name + ".weight", layer.weight);
      visit(layer.name + ".bias", layer.bias);
    }
  }
}

// An empty VggParams with config's structure, for unflatten.
VggParams structure_of(const Layers& layers) {
  VggParams params;
  params.features.resize(layers.convs.size());
  params.classifier.resize(layers.linears.size());
  return params;
}

// Throws unless `leaves` are config's parameters in flattening order (count and dims).
void check_leaves(const VggConfig& config, const std::vector<Tensor>& leaves, const char* fn,
                  const Where& where) {
  const std::vector<std::string> names = param_names(config);
  const std::vector<TensorSpec> specs = vgg_param_specs(config);
  const std::string hint = "make the params with vgg_init or vgg_params_from_leaves of this config";
  if (leaves.size() != specs.size()) {
    throw_nn_error(std::string(fn) + ": " + config.name + " has " + std::to_string(specs.size()) +
                       " parameters; got " + std::to_string(leaves.size()),
                   where, hint);
  }
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (leaves[i].dims() != specs[i].dims) {
      throw_nn_error(std::string(fn) + ": " + names[i] + " must have dims " +
                         dims_string(specs[i].dims) + "; got " + leaves[i].shape_string(),
                     where, hint);
    }
  }
}

// The optimizer's state for parameters of these types, with placeholders (types only) at the
// leaves: the trace input that vgg_train_step_program takes. Optimizer::init decides which
// buffers there are, so it runs once in a throwaway trace (no data) and only its types are kept.
OptimizerState optimizer_state_specs(const Optimizer& optimizer,
                                     const std::vector<TensorSpec>& params) {
  OptimizerState specs;
  trace(
      [&](const std::vector<Tensor>& leaves) {
        const OptimizerState initial = optimizer.init(leaves);
        std::vector<Tensor> placeholders;
        for (const Tensor& leaf : flatten(initial).leaves)
          placeholders.push_back(hlocc::detail::spec_placeholder({leaf.dtype(), leaf.dims()}));
        specs = unflatten(initial, placeholders);
        return leaves;
      },
      params);
  return specs;
}

TensorSpec images_spec(const VggConfig& config, int64_t batch) {
  if (batch < 1)
    throw Error("vgg: the batch size must be at least 1; got " + std::to_string(batch));
  return {DType::F32, {batch, config.in_channels, config.image_size, config.image_size}};
}

}  // namespace

VggConfig vgg_config(int depth, int64_t num_classes) {
  VggConfig config;
  config.name = "vgg" + std::to_string(depth);
  config.features = features_of_depth(depth);
  config.num_classes = num_classes;
  return config;
}

VggConfig vgg_cifar_config(int depth, int64_t num_classes) {
  VggConfig config = vgg_config(depth, num_classes);
  config.name += "_cifar";
  config.image_size = 32;
  config.classifier_hidden = {};
  return config;
}

std::vector<std::string> param_names(const VggConfig& config) {
  std::vector<std::string> names;
  for_each_leaf(layers_of(config), [&](const std::string& name, const std::vector<int64_t>&) {
    names.push_back(name);
  });
  return names;
}

std::vector<TensorSpec> vgg_param_specs(const VggConfig& config) {
  std::vector<TensorSpec> specs;
  for_each_leaf(layers_of(config), [&](const std::string&, const std::vector<int64_t>& dims) {
    specs.push_back(TensorSpec{DType::F32, dims});
  });
  return specs;
}

VggParams vgg_params_from_leaves(const VggConfig& config, const std::vector<Tensor>& leaves,
                                 Where where) {
  check_leaves(config, leaves, "vgg_params_from_leaves", where);
  return unflatten(structure_of(layers_of(config)), leaves);
}

VggParams vgg_init(const VggConfig& config, const Tensor& key, Where where) {
  const Layers layers = layers_of(config);
  std::vector<Tensor> leaves;
  auto draw = [&](const Layer& layer, double stddev) {
    const Tensor leaf_key = random::fold_in(key, static_cast<uint32_t>(leaves.size()), where);
    leaves.push_back(random::normal(leaf_key, layer.weight, DType::F32, where) * stddev);
    leaves.push_back(zeros(layer.bias, DType::F32, where));
  };
  for (const Layer& conv : layers.convs) {
    const double fan_out = static_cast<double>(conv.weight[0] * conv.weight[2] * conv.weight[3]);
    draw(conv, std::sqrt(2.0 / fan_out));  // kaiming_normal_(mode='fan_out', relu): gain sqrt(2)
  }
  for (const Layer& linear : layers.linears) draw(linear, 0.01);
  return unflatten(structure_of(layers), leaves);
}

Tensor vgg_forward(const VggConfig& config, const VggParams& params, const Tensor& images,
                   Where where) {
  const std::vector<int64_t> want = {config.in_channels, config.image_size, config.image_size};
  if (images.rank() != 4 ||
      std::vector<int64_t>(images.dims().begin() + 1, images.dims().end()) != want) {
    throw_nn_error("vgg_forward: " + config.name + " takes images [N," +
                       std::to_string(config.in_channels) + "," +
                       std::to_string(config.image_size) + "," + std::to_string(config.image_size) +
                       "]; got " + images.shape_string(),
                   where, "resize the images, or set config.image_size (and in_channels)");
  }
  const Layers layers = layers_of(config);
  if (params.features.size() != layers.convs.size() ||
      params.classifier.size() != layers.linears.size()) {
    throw_nn_error("vgg_forward: " + config.name + " has " + std::to_string(layers.convs.size()) +
                       " conv and " + std::to_string(layers.linears.size()) +
                       " Linear layers; got params for " + std::to_string(params.features.size()) +
                       " and " + std::to_string(params.classifier.size()),
                   where, "make the params with vgg_init or vgg_params_from_leaves of this config");
  }
  check_leaves(config, flatten(params).leaves, "vgg_forward", where);
  const Conv2dOptions same{.padding = Padding::explicit_pads({{1, 1}, {1, 1}})};
  const Pool2dOptions pool{.window = {2, 2}, .stride = {2, 2}};
  Tensor x = images;
  size_t conv = 0;
  for (const int64_t entry : config.features) {
    if (entry == kMaxPool) {
      x = max_pool2d(x, pool);
      continue;
    }
    const Conv2dParams& p = params.features[conv++];
    x = relu(conv2d(x, p.weight, same) + reshape(p.bias, {1, entry, 1, 1}));
  }
  const int64_t flat = x.dims()[1] * x.dims()[2] * x.dims()[3];
  x = reshape(x, {x.dims()[0], flat});  // torch.flatten(x, 1)
  for (size_t i = 0; i < params.classifier.size(); ++i) {
    const LinearParams& p = params.classifier[i];
    // x @ w^T + b, as nn.Linear: one dot contracting both operands' dim 1, no transpose.
    x = dot_general(x, p.weight, {{1}, {1}, {}, {}}) + p.bias;
    if (i + 1 < params.classifier.size()) x = relu(x);  // (Dropout: the identity in eval)
  }
  return x;
}

Module vgg_forward_program(const VggConfig& config, int64_t batch) {
  const TensorSpec images = images_spec(config, batch);
  return trace(
      [&](const std::vector<Tensor>& leaves, const Tensor& x) {
        return vgg_forward(config, vgg_params_from_leaves(config, leaves), x);
      },
      vgg_param_specs(config), images);
}

Module vgg_gradient_program(const VggConfig& config, int64_t batch) {
  const TensorSpec images = images_spec(config, batch);
  const TensorSpec labels{DType::S32, {batch}};
  auto loss = [&](const std::vector<Tensor>& leaves, const Tensor& x, const Tensor& y) {
    return softmax_cross_entropy(vgg_forward(config, vgg_params_from_leaves(config, leaves), x), y);
  };
  return trace(grad(loss), vgg_param_specs(config), images, labels);
}

VggTrainStep vgg_train_step(const VggConfig& config, const Optimizer& optimizer,
                            const VggParams& params, const OptimizerState& optimizer_state,
                            const Tensor& images, const Tensor& labels, Where where) {
  // The loss reads only its arguments, so the staged gradient closes over no tensors of an
  // enclosing trace; the logits ride along as the auxiliary output.
  const auto loss_fn = [&](const VggParams& p, const Tensor& x, const Tensor& y) {
    Tensor logits = vgg_forward(config, p, x, where);
    return std::pair{softmax_cross_entropy(logits, y, where), logits};
  };
  auto [value, grads] =
      value_and_grad(loss_fn, Argnums<0>{}, has_aux, where)(params, images, labels);
  auto [new_params, new_state] = optimizer.update(params, grads, optimizer_state, where);
  return {value.first, value.second, std::move(new_params), std::move(new_state)};
}

Module vgg_train_step_program(const VggConfig& config, int64_t batch, const Optimizer& optimizer) {
  const TensorSpec images = images_spec(config, batch);
  const TensorSpec labels{DType::S32, {batch}};
  const std::vector<TensorSpec> params = vgg_param_specs(config);
  return trace(
      [&](const std::vector<Tensor>& leaves, const OptimizerState& state, const Tensor& x,
          const Tensor& y) {
        return vgg_train_step(config, optimizer, vgg_params_from_leaves(config, leaves), state, x,
                              y);
      },
      params, optimizer_state_specs(optimizer, params), images, labels);
}

}  // namespace hlocc::nn
