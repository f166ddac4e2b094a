/// Layers as PyTorch's torch.nn defines them, as plain functions of their parameters, and
/// Sequential, which composes them with parameters and state as pytrees keyed by PyTorch's
/// state_dict names ("0.weight", "1.running_mean", ...). Images are NCHW; weights are in
/// PyTorch's layouts (Linear [out, in], Conv2d OIHW), so torch state_dicts load as they are.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "hlocc/pytree.h"
#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc::nn {

/// Parameters or state of a layer or model, PyTorch's state_dict as a pytree: name -> tensor.
using TensorMap = std::map<std::string, Tensor>;

// ---- Layer descriptions: hyperparameters only (their tensors live in a TensorMap). ----

/// y = x @ weight^T + bias: weight [out_features, in_features], bias [out_features].
struct Linear {
  int64_t in_features = 0, out_features = 0;
  bool bias = true;
};
/// torch.nn.Conv2d: weight [out, in / groups, kh, kw], bias [out]; padding is symmetric.
struct Conv2d {
  int64_t in_channels = 0, out_channels = 0;
  std::array<int64_t, 2> kernel_size = {3, 3};
  std::array<int64_t, 2> stride = {1, 1};
  std::array<int64_t, 2> padding = {0, 0};
  std::array<int64_t, 2> dilation = {1, 1};
  int64_t groups = 1;
  bool bias = true;
};
/// torch.nn.MaxPool2d; a stride of {0, 0} means the kernel size (PyTorch's default).
struct MaxPool2d {
  std::array<int64_t, 2> kernel_size = {2, 2};
  std::array<int64_t, 2> stride = {0, 0};
  std::array<int64_t, 2> padding = {0, 0};
};
/// torch.nn.AvgPool2d; a stride of {0, 0} means the kernel size.
struct AvgPool2d {
  std::array<int64_t, 2> kernel_size = {2, 2};
  std::array<int64_t, 2> stride = {0, 0};
  std::array<int64_t, 2> padding = {0, 0};
  bool count_include_pad = true;
};
/// torch.nn.BatchNorm2d: params weight, bias [C]; state running_mean, running_var [C] and
/// num_batches_tracked (s64 scalar).
struct BatchNorm2d {
  int64_t num_features = 0;
  double eps = 1e-5;
  double momentum = 0.1;
};
/// Zeroes each element with probability p in training (scaling the rest by 1 / (1 - p)).
struct Dropout {
  double p = 0.5;
};
struct ReLU {};
/// torch.nn.GELU(approximate='none') (x * Phi(x), with erf) or 'tanh'.
struct GELU {
  bool tanh_approximation = false;
};
struct Sigmoid {};
struct Tanh {};
/// torch.nn.Flatten(start_dim=1): [N, d1, d2, ...] -> [N, d1 * d2 * ...].
struct Flatten {};

using Layer = std::variant<Linear, Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d, Dropout, ReLU, GELU,
                           Sigmoid, Tanh, Flatten>;

// ---- Layers as functions. `bias` may be an empty Tensor (no bias). ----

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias,
              Where where = Where::current());
/// Conv2d's forward pass (named apart from hlocc::conv2d, the bare convolution).
Tensor conv2d_layer(const Conv2d& layer, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    Where where = Where::current());
Tensor max_pool2d_layer(const MaxPool2d& layer, const Tensor& x, Where where = Where::current());
Tensor avg_pool2d_layer(const AvgPool2d& layer, const Tensor& x, Where where = Where::current());

/// BatchNorm2d's running statistics, PyTorch's buffers.
struct BatchNormState {
  Tensor running_mean, running_var, num_batches_tracked;
};
HLOCC_PYTREE(BatchNormState, running_mean, running_var, num_batches_tracked)

/// Training mode: normalizes by the batch's mean and biased variance over (N, H, W), and returns
/// the running statistics updated as PyTorch does (running = (1 - momentum) * running +
/// momentum * batch, with the unbiased variance; num_batches_tracked + 1). Eval mode: normalizes
/// by the running statistics and returns the state unchanged.
std::pair<Tensor, BatchNormState> batch_norm2d(const BatchNorm2d& layer, const Tensor& x,
                                               const Tensor& weight, const Tensor& bias,
                                               const BatchNormState& state, bool train,
                                               Where where = Where::current());

/// In training, zeroes each element with probability p drawn from `key` (u32[2]) and scales the
/// rest by 1 / (1 - p); in eval mode the identity (the key is unused and may be empty).
Tensor dropout(const Tensor& x, double p, const Tensor& key, bool train,
               Where where = Where::current());
/// x * Phi(x) with Phi(x) = (1 + erf(x / sqrt(2))) / 2, or torch's tanh approximation.
Tensor gelu(const Tensor& x, bool tanh_approximation = false, Where where = Where::current());
/// The Gauss error function. Built from a rational approximation (Eigen's and XLA's for f32:
/// clamped to [-4, 4], error within a few f32 ulps); f64 inputs get the same f32-grade accuracy.
Tensor erf(const Tensor& x, Where where = Where::current());
/// [N, d1, ...] -> [N, d1 * ...].
Tensor flatten_batch(const Tensor& x, Where where = Where::current());

// ---- Initializers, torch.nn.init's formulas, drawing from an explicit key (u32[2]). ----
namespace init {

enum class FanMode { FanIn, FanOut };
enum class Nonlinearity { Linear, ReLU, LeakyReLU, Tanh, Sigmoid };

/// torch.nn.init.calculate_gain (`param` is LeakyReLU's negative slope).
double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);
/// (fan_in, fan_out) of a weight of these dims: dims[1] and dims[0] times the receptive field.
std::pair<int64_t, int64_t> fans(const std::vector<int64_t>& dims, Where where = Where::current());

/// kaiming_uniform_: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nl, a).
Tensor kaiming_uniform(const Tensor& key, const std::vector<int64_t>& dims, double a = 0,
                       FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU,
                       DType dtype = DType::F32, Where where = Where::current());
/// kaiming_normal_: N(0, std^2) with std = gain / sqrt(fan).
Tensor kaiming_normal(const Tensor& key, const std::vector<int64_t>& dims, double a = 0,
                      FanMode mode = FanMode::FanIn,
                      Nonlinearity nonlinearity = Nonlinearity::LeakyReLU, DType dtype = DType::F32,
                      Where where = Where::current());
/// xavier_uniform_: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform(const Tensor& key, const std::vector<int64_t>& dims, double gain = 1,
                      DType dtype = DType::F32, Where where = Where::current());
/// xavier_normal_: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal(const Tensor& key, const std::vector<int64_t>& dims, double gain = 1,
                     DType dtype = DType::F32, Where where = Where::current());
/// PyTorch's default init of Linear and Conv2d (reset_parameters): weight
/// kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from
/// the same range. Returns {weight, bias}; bias is empty when `with_bias` is false.
std::pair<Tensor, Tensor> torch_default(const Tensor& key, const std::vector<int64_t>& weight_dims,
                                        bool with_bias, Where where = Where::current());

}  // namespace init

// ---- Sequential ----

/// Options of a forward pass: training or eval mode, and the key dropout draws from in training.
struct ForwardOptions {
  bool train = false;
  Tensor key = {};
};

/// torch.nn.Sequential of the layers above. Parameters and state are TensorMaps keyed by
/// PyTorch's names: "<index>.weight", "<index>.bias", "<index>.running_mean", ...
class Sequential {
 public:
  explicit Sequential(std::vector<Layer> layers) : layers_(std::move(layers)) {}
  const std::vector<Layer>& layers() const { return layers_; }

  /// The parameters' names and types (f32), for hlocc::trace.
  std::map<std::string, TensorSpec> param_specs() const;
  /// PyTorch's default initialization of every layer; layer i draws from fold_in(key, i).
  /// BatchNorm weights are 1 and biases 0.
  TensorMap init(const Tensor& key, Where where = Where::current()) const;
  /// The initial state: BatchNorm running means 0, variances 1, num_batches_tracked 0 (s64).
  /// Empty for a model without BatchNorm.
  TensorMap init_state(Where where = Where::current()) const;

  /// The output for input x and the updated state (BatchNorm running statistics in training).
  /// Dropout layer i draws from fold_in(options.key, i).
  std::pair<Tensor, TensorMap> forward(const TensorMap& params, const TensorMap& state,
                                       const Tensor& x, const ForwardOptions& options = {},
                                       Where where = Where::current()) const;
  /// Eval mode without state updates: forward(params, state, x).first.
  Tensor operator()(const TensorMap& params, const TensorMap& state, const Tensor& x,
                    Where where = Where::current()) const {
    return forward(params, state, x, {}, where).first;
  }

 private:
  std::vector<Layer> layers_;
};

}  // namespace hlocc::nn
