// The small models of models.h and a classifier's training step, from nn's layers and optimizers.
#include "hlocc/nn/models.h"

#include "hlocc/autodiff.h"
#include "hlocc/indexing.h"
#include "hlocc/nn/losses.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "nn/nn_error.h"

namespace hlocc::nn {

Sequential fashion_mnist_cnn(int64_t num_classes, double dropout) {
  const auto block = [](int64_t in, int64_t out) {
    return std::vector<Layer>{Conv2d{.in_channels = in, .out_channels = out, .padding = {1, 1}},
                              BatchNorm2d{.num_features = out}, ReLU{}, MaxPool2d{}};
  };
  std::vector<Layer> layers = block(1, 32);
  for (const Layer& layer : block(32, 64)) layers.push_back(layer);
  for (const Layer& layer : std::vector<Layer>{
           Flatten{}, Linear{.in_features = 64 * 7 * 7, .out_features = 128}, ReLU{},
           Dropout{.p = dropout}, Linear{.in_features = 128, .out_features = num_classes}}) {
    layers.push_back(layer);
  }
  return Sequential(std::move(layers));
}

Sequential mlp(int64_t in_features, const std::vector<int64_t>& hidden, int64_t num_classes) {
  std::vector<Layer> layers = {Flatten{}};
  int64_t width = in_features;
  for (const int64_t h : hidden) {
    layers.push_back(Linear{.in_features = width, .out_features = h});
    layers.push_back(ReLU{});
    width = h;
  }
  layers.push_back(Linear{.in_features = width, .out_features = num_classes});
  return Sequential(std::move(layers));
}

namespace {

// classifier_train_step for any model with Sequential's forward(params, state, x, options, where).
template <class Model>
TrainStepResult train_step_of(const Model& model, const Optimizer& optimizer,
                              const TensorMap& params, const TensorMap& state,
                              const OptimizerState& optimizer_state, const Tensor& images,
                              const Tensor& labels, const Tensor& key, const Where& where) {
  // Everything the loss reads is an argument (only params is differentiated), so the gradient's
  // staged function closes over no tensors of the enclosing trace.
  const auto loss_fn = [&](const TensorMap& p, const TensorMap& s, const Tensor& x, const Tensor& y,
                           const Tensor& k) {
    auto [logits, next_state] = model.forward(p, s, x, {.train = true, .key = k}, where);
    return std::pair{softmax_cross_entropy(logits, y, where), next_state};
  };
  auto [value, grads] =
      value_and_grad(loss_fn, Argnums<0>{}, has_aux, where)(params, state, images, labels, key);
  auto [new_params, new_optimizer_state] = optimizer.update(params, grads, optimizer_state, where);
  return {new_params, value.second, new_optimizer_state, value.first};
}

}  // namespace

TrainStepResult classifier_train_step(const Sequential& model, const Optimizer& optimizer,
                                      const TensorMap& params, const TensorMap& state,
                                      const OptimizerState& optimizer_state, const Tensor& images,
                                      const Tensor& labels, const Tensor& key, Where where) {
  return train_step_of(model, optimizer, params, state, optimizer_state, images, labels, key,
                       where);
}

TrainStepResult classifier_train_step(const VggBn& model, const Optimizer& optimizer,
                                      const TensorMap& params, const TensorMap& state,
                                      const OptimizerState& optimizer_state, const Tensor& images,
                                      const Tensor& labels, const Tensor& key, Where where) {
  return train_step_of(model, optimizer, params, state, optimizer_state, images, labels, key,
                       where);
}

}  // namespace hlocc::nn

namespace hlocc::nn {
namespace {

// torchvision's make_layers(cfg, batch_norm=True) and classifier for `config`.
std::vector<Layer> vgg_bn_features(const VggConfig& config) {
  std::vector<Layer> layers;
  int64_t channels = config.in_channels;
  for (const int64_t entry : config.features) {
    if (entry == kMaxPool) {
      layers.push_back(MaxPool2d{});
      continue;
    }
    layers.push_back(Conv2d{.in_channels = channels, .out_channels = entry, .padding = {1, 1}});
    layers.push_back(BatchNorm2d{.num_features = entry});
    layers.push_back(ReLU{});
    channels = entry;
  }
  return layers;
}

std::vector<Layer> vgg_bn_classifier(const VggConfig& config) {
  int64_t channels = config.in_channels, size = config.image_size;
  for (const int64_t entry : config.features) {
    if (entry == kMaxPool)
      size /= 2;
    else
      channels = entry;
  }
  std::vector<Layer> layers;
  int64_t width = channels * size * size;
  for (const int64_t hidden : config.classifier_hidden) {
    layers.push_back(Linear{.in_features = width, .out_features = hidden});
    layers.push_back(ReLU{});
    layers.push_back(Dropout{.p = config.dropout});
    width = hidden;
  }
  layers.push_back(Linear{.in_features = width, .out_features = config.num_classes});
  return layers;
}

// The entries of `map` under "<prefix>.", with the prefix removed (or, with add, put back on).
TensorMap rename(const TensorMap& map, const std::string& prefix, bool add) {
  TensorMap out;
  for (const auto& [name, value] : map) {
    if (add)
      out[prefix + "." + name] = value;
    else if (name.rfind(prefix + ".", 0) == 0)
      out[name.substr(prefix.size() + 1)] = value;
  }
  return out;
}

TensorMap merged(const TensorMap& features, const TensorMap& classifier) {
  TensorMap out = rename(features, "features", true);
  out.merge(rename(classifier, "classifier", true));
  return out;
}

// torchvision VGG._initialize_weights for one Sequential; layer i draws from fold_in(key, i +
// offset).
TensorMap vgg_init_of(const Sequential& model, const Tensor& key, uint32_t offset, Where where) {
  TensorMap params;
  const auto& layers = model.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string at = std::to_string(i) + ".";
    const Tensor layer_key = random::fold_in(key, offset + static_cast<uint32_t>(i), where);
    if (const auto* conv = std::get_if<Conv2d>(&layers[i])) {
      const std::vector<int64_t> dims = {conv->out_channels, conv->in_channels,
                                         conv->kernel_size[0], conv->kernel_size[1]};
      params[at + "weight"] = init::kaiming_normal(layer_key, dims, 0, init::FanMode::FanOut,
                                                   init::Nonlinearity::ReLU, DType::F32, where);
      params[at + "bias"] = zeros({conv->out_channels}, DType::F32, where);
    } else if (const auto* bn = std::get_if<BatchNorm2d>(&layers[i])) {
      params[at + "weight"] = ones({bn->num_features}, DType::F32, where);
      params[at + "bias"] = zeros({bn->num_features}, DType::F32, where);
    } else if (const auto* fc = std::get_if<Linear>(&layers[i])) {
      params[at + "weight"] =
          random::normal(layer_key, {fc->out_features, fc->in_features}, DType::F32, where) * 0.01;
      params[at + "bias"] = zeros({fc->out_features}, DType::F32, where);
    }
  }
  return params;
}

}  // namespace

VggBn::VggBn(const VggConfig& config)
    : features_(vgg_bn_features(config)), classifier_(vgg_bn_classifier(config)) {}

std::map<std::string, TensorSpec> VggBn::param_specs() const {
  std::map<std::string, TensorSpec> specs;
  for (const auto& [name, spec] : features_.param_specs()) specs["features." + name] = spec;
  for (const auto& [name, spec] : classifier_.param_specs()) specs["classifier." + name] = spec;
  return specs;
}

TensorMap VggBn::init(const Tensor& key, Where where) const {
  return merged(vgg_init_of(features_, key, 0, where), vgg_init_of(classifier_, key, 1000, where));
}

TensorMap VggBn::init_state(Where where) const {
  return merged(features_.init_state(where), classifier_.init_state(where));
}

std::pair<Tensor, TensorMap> VggBn::forward(const TensorMap& params, const TensorMap& state,
                                            const Tensor& images, const ForwardOptions& options,
                                            Where where) const {
  auto [maps, features_state] = features_.forward(
      rename(params, "features", false), rename(state, "features", false), images, options, where);
  ForwardOptions classifier_options = options;
  if (options.key.defined()) classifier_options.key = random::fold_in(options.key, 1000, where);
  auto [logits, classifier_state] =
      classifier_.forward(rename(params, "classifier", false), rename(state, "classifier", false),
                          flatten_batch(maps, where), classifier_options, where);
  return {logits, merged(features_state, classifier_state)};
}

}  // namespace hlocc::nn
