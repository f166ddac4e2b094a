// Sequential: the layers of layers.h in order, with parameters and state in TensorMaps keyed by
// PyTorch's state_dict names ("<layer index>.<tensor name>").
#include <cmath>

#include "hlocc/indexing.h"
#include "hlocc/nn/layers.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "nn/nn_error.h"

namespace hlocc::nn {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// clang 14 does not deduce aggregate template arguments (C++20's P1816) without this guide.
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

using Dims = std::vector<int64_t>;
using NamedDims = std::vector<std::pair<std::string, Dims>>;

// The parameters of a layer (names within the layer, and dims), in PyTorch's order.
NamedDims params_of(const Layer& layer) {
  return std::visit(
      Overloaded{[](const Linear& l) {
                   NamedDims out = {{"weight", {l.out_features, l.in_features}}};
                   if (l.bias) out.push_back({"bias", {l.out_features}});
                   return out;
                 },
                 [](const Conv2d& c) {
                   NamedDims out = {
                       {"weight",
                        {c.out_channels, c.in_channels / std::max<int64_t>(c.groups, 1),
                         c.kernel_size[0], c.kernel_size[1]}}};
                   if (c.bias) out.push_back({"bias", {c.out_channels}});
                   return out;
                 },
                 [](const BatchNorm2d& b) {
                   return NamedDims{{"weight", {b.num_features}}, {"bias", {b.num_features}}};
                 },
                 [](const auto&) { return NamedDims{}; }},
      layer);
}

std::string key_of(size_t index, const std::string& name) {
  return std::to_string(index) + "." + name;
}

const Tensor& lookup(const TensorMap& map, const std::string& key, const char* what,
                     const Where& where) {
  const auto found = map.find(key);
  if (found == map.end()) {
    std::string keys;
    for (const auto& [name, value] : map) keys += (keys.empty() ? "" : ", ") + name;
    detail::throw_nn_error(
        std::string("Sequential: no ") + what + " named '" + key + "'; got {" + keys + "}", where,
        "make them with this Sequential's init / init_state");
  }
  return found->second;
}

// A parameter that may be absent by design (a bias turned off): empty then.
Tensor optional(const TensorMap& map, const std::string& key) {
  const auto found = map.find(key);
  return found == map.end() ? Tensor() : found->second;
}

struct Step {
  size_t index;
  const TensorMap& params;
  const TensorMap& state;
  TensorMap& next_state;
  const ForwardOptions& options;
  const Where& where;

  const Tensor& param(const std::string& name) const {
    return lookup(params, key_of(index, name), "parameter", where);
  }
  Tensor bias() const { return optional(params, key_of(index, "bias")); }
};

Tensor batch_norm_step(const BatchNorm2d& b, const Tensor& x, const Step& s) {
  const auto state_of = [&](const char* name) {
    return lookup(s.state, key_of(s.index, name), "state", s.where);
  };
  const BatchNormState state{state_of("running_mean"), state_of("running_var"),
                             state_of("num_batches_tracked")};
  auto [y, next] =
      batch_norm2d(b, x, s.param("weight"), s.param("bias"), state, s.options.train, s.where);
  s.next_state[key_of(s.index, "running_mean")] = next.running_mean;
  s.next_state[key_of(s.index, "running_var")] = next.running_var;
  s.next_state[key_of(s.index, "num_batches_tracked")] = next.num_batches_tracked;
  return y;
}

Tensor apply(const Layer& layer, const Tensor& x, const Step& s) {
  const Where& w = s.where;
  return std::visit(
      Overloaded{
          [&](const Linear&) { return linear(x, s.param("weight"), s.bias(), w); },
          [&](const Conv2d& c) { return conv2d_layer(c, x, s.param("weight"), s.bias(), w); },
          [&](const MaxPool2d& p) { return max_pool2d_layer(p, x, w); },
          [&](const AvgPool2d& p) { return avg_pool2d_layer(p, x, w); },
          [&](const BatchNorm2d& b) { return batch_norm_step(b, x, s); },
          [&](const Dropout& d) {
            // Without a key, dropout() itself reports the missing key.
            const bool active = s.options.train && d.p > 0 && d.p < 1 && s.options.key.defined();
            const auto index = static_cast<uint32_t>(s.index);
            const Tensor key = active ? random::fold_in(s.options.key, index, w) : Tensor();
            return dropout(x, d.p, key, s.options.train, w);
          },
          [&](const ReLU&) { return relu(x, w); },
          [&](const GELU& g) { return gelu(x, g.tanh_approximation, w); },
          [&](const Sigmoid&) { return sigmoid(x, w); }, [&](const Tanh&) { return tanh(x, w); },
          [&](const Flatten&) { return flatten_batch(x, w); }},
      layer);
}

}  // namespace

std::map<std::string, TensorSpec> Sequential::param_specs() const {
  std::map<std::string, TensorSpec> specs;
  for (size_t i = 0; i < layers_.size(); ++i)
    for (const auto& [name, dims] : params_of(layers_[i]))
      specs[key_of(i, name)] = TensorSpec{DType::F32, dims};
  return specs;
}

TensorMap Sequential::init(const Tensor& key, Where where) const {
  TensorMap params;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const NamedDims named = params_of(layers_[i]);
    if (named.empty()) continue;
    if (const auto* bn = std::get_if<BatchNorm2d>(&layers_[i])) {
      params[key_of(i, "weight")] = ones({bn->num_features}, DType::F32, where);
      params[key_of(i, "bias")] = zeros({bn->num_features}, DType::F32, where);
      continue;
    }
    const bool with_bias = named.size() == 2;
    auto [weight, bias] = init::torch_default(random::fold_in(key, static_cast<uint32_t>(i), where),
                                              named[0].second, with_bias, where);
    params[key_of(i, "weight")] = weight;
    if (with_bias) params[key_of(i, "bias")] = bias;
  }
  return params;
}

TensorMap Sequential::init_state(Where where) const {
  TensorMap state;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (const auto* bn = std::get_if<BatchNorm2d>(&layers_[i])) {
      state[key_of(i, "running_mean")] = zeros({bn->num_features}, DType::F32, where);
      state[key_of(i, "running_var")] = ones({bn->num_features}, DType::F32, where);
      state[key_of(i, "num_batches_tracked")] = zeros({}, DType::S64, where);
    }
  }
  return state;
}

std::pair<Tensor, TensorMap> Sequential::forward(const TensorMap& params, const TensorMap& state,
                                                 const Tensor& x, const ForwardOptions& options,
                                                 Where where) const {
  TensorMap next_state = state;
  Tensor y = x;
  for (size_t i = 0; i < layers_.size(); ++i)
    y = apply(layers_[i], y, Step{i, params, state, next_state, options, where});
  return {y, next_state};
}

}  // namespace hlocc::nn
