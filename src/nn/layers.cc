// The layers of include/hlocc/nn/layers.h as functions of their parameters, built from public ops
// only (their gradients come from those ops' vjp rules). Each follows PyTorch's definition.
#include "hlocc/nn/layers.h"

#include <cmath>

#include "hlocc/autodiff.h"
#include "hlocc/conv.h"
#include "hlocc/indexing.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "nn/nn_error.h"

namespace hlocc::nn {
namespace {

using detail::throw_nn_error;

void check_float(const char* fn, const Tensor& x, int64_t rank, const Where& where) {
  if ((rank >= 0 && x.rank() != rank) || (x.dtype() != DType::F32 && x.dtype() != DType::F64)) {
    throw_nn_error(std::string(fn) + ": the input must be f32 or f64" +
                       (rank >= 0 ? " of rank " + std::to_string(rank) : std::string()) + "; got " +
                       x.shape_string(),
                   where,
                   rank == 4 ? "layers take NCHW images [batch, channels, height, width]" : "");
  }
}

// A per-channel vector [C] reshaped to broadcast against NCHW: [1, C, 1, 1].
Tensor per_channel(const Tensor& v, Where where) {
  return reshape(v, {1, v.dims()[0], 1, 1}, where);
}

Pool2dOptions pool_options(const std::array<int64_t, 2>& kernel,
                           const std::array<int64_t, 2>& stride,
                           const std::array<int64_t, 2>& padding) {
  return {.window = kernel,
          .stride = stride,
          .padding = Padding::explicit_pads({{padding[0], padding[0]}, {padding[1], padding[1]}})};
}

// c0 + c1 y + c2 y^2 + ... by Horner's rule.
Tensor polynomial(const Tensor& y, const std::vector<double>& coefficients, Where where) {
  Tensor result = full_like_scalar(coefficients.back(), y.dtype(), where);
  for (size_t i = coefficients.size() - 1; i-- > 0;)
    result =
        add(multiply(result, y, where), full_like_scalar(coefficients[i], y.dtype(), where), where);
  return result;
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Where where) {
  if (x.rank() < 1 || weight.rank() != 2 || x.dims().back() != weight.dims()[1] ||
      (bias.defined() && bias.dims() != std::vector<int64_t>{weight.dims()[0]})) {
    throw_nn_error(
        "linear: the input's last dim must be weight's dim 1 and bias must be [out]; got "
        "x " +
            x.shape_string() + ", weight " + weight.shape_string() +
            (bias.defined() ? ", bias " + bias.shape_string() : std::string()),
        where, "weight is [out_features, in_features], as torch.nn.Linear stores it");
  }
  // x @ weight^T as one dot contracting both operands' last dim (no transpose), on x's rows.
  std::vector<int64_t> out_dims = x.dims();
  out_dims.back() = weight.dims()[0];
  const Tensor rows = reshape(x, {x.element_count() / x.dims().back(), x.dims().back()}, where);
  Tensor y = reshape(dot_general(rows, weight, {{1}, {1}, {}, {}}, where), out_dims, where);
  return bias.defined() ? add(y, bias, where) : y;
}

Tensor conv2d_layer(const Conv2d& layer, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    Where where) {
  check_float("conv2d_layer", x, 4, where);
  const auto& p = layer.padding;
  const Conv2dOptions options{.stride = layer.stride,
                              .padding = Padding::explicit_pads({{p[0], p[0]}, {p[1], p[1]}}),
                              .dilation = layer.dilation,
                              .groups = layer.groups};
  const Tensor y = hlocc::conv2d(x, weight, options, where);
  return bias.defined() ? add(y, per_channel(bias, where), where) : y;
}

Tensor max_pool2d_layer(const MaxPool2d& layer, const Tensor& x, Where where) {
  check_float("max_pool2d_layer", x, 4, where);
  return max_pool2d(x, pool_options(layer.kernel_size, layer.stride, layer.padding), where);
}

Tensor avg_pool2d_layer(const AvgPool2d& layer, const Tensor& x, Where where) {
  check_float("avg_pool2d_layer", x, 4, where);
  Pool2dOptions options = pool_options(layer.kernel_size, layer.stride, layer.padding);
  options.count_include_pad = layer.count_include_pad;
  return avg_pool2d(x, options, where);
}

std::pair<Tensor, BatchNormState> batch_norm2d(const BatchNorm2d& layer, const Tensor& x,
                                               const Tensor& weight, const Tensor& bias,
                                               const BatchNormState& state, bool train,
                                               Where where) {
  check_float("batch_norm2d", x, 4, where);
  const std::vector<int64_t> channels = {layer.num_features};
  for (const Tensor* t : {&weight, &bias, &state.running_mean, &state.running_var}) {
    if (x.dims()[1] != layer.num_features || t->dims() != channels) {
      throw_nn_error(
          "batch_norm2d: input channels, weight, bias and running statistics must all "
          "have num_features = " +
              std::to_string(layer.num_features) + "; got x " + x.shape_string() + " and " +
              t->shape_string(),
          where);
    }
  }
  const std::vector<int64_t> axes = {0, 2, 3};
  const Tensor eps = full_like_scalar(layer.eps, x.dtype(), where);
  BatchNormState next = state;
  Tensor mean_c = state.running_mean, var_c = state.running_var;
  if (train) {
    mean_c = mean(x, axes, false, where);
    const Tensor centered = subtract(x, per_channel(mean_c, where), where);
    var_c = mean(multiply(centered, centered, where), axes, false, where);
    // The running statistics take no gradient; the variance enters them unbiased (n / (n - 1)).
    const double n = static_cast<double>(x.element_count() / layer.num_features);
    const double m = layer.momentum;
    next.running_mean = add(multiply(state.running_mean, full_like_scalar(1 - m, x.dtype()), where),
                            stop_gradient(mean_c, where) * m, where);
    next.running_var = add(multiply(state.running_var, full_like_scalar(1 - m, x.dtype()), where),
                           stop_gradient(var_c, where) * (m * n / std::max(n - 1, 1.0)), where);
    const Tensor& count = state.num_batches_tracked;
    next.num_batches_tracked = add(count, full_like_scalar(1, count.dtype(), where), where);
  }
  const Tensor scale = multiply(rsqrt(add(var_c, eps, where), where), weight, where);
  const Tensor shift = subtract(bias, multiply(mean_c, scale, where), where);
  // (x - mean) / sqrt(var + eps) * weight + bias as one multiply-add per element.
  const Tensor y =
      add(multiply(x, per_channel(scale, where), where), per_channel(shift, where), where);
  return {y, next};
}

Tensor dropout(const Tensor& x, double p, const Tensor& key, bool train, Where where) {
  if (!(p >= 0 && p <= 1))
    throw_nn_error("dropout: p must be in [0, 1]; got " + std::to_string(p), where);
  if (!train || p == 0) return x;
  if (p == 1) return zeros_like(x, where);
  if (!key.defined())
    throw_nn_error("dropout: training mode needs a random key; got none", where,
                   "set ForwardOptions::key (hlocc::random::key(seed)), or train = false");
  const Tensor keep = random::bernoulli(key, 1 - p, x.dims(), where);
  return hlocc::where(keep, x * (1 / (1 - p)), zeros_like(x, where), where);
}

Tensor erf(const Tensor& x, Where where) {
  check_float("erf", x, -1, where);
  // x * P(x^2) / Q(x^2) on [-4, 4], where |erf| rounds to 1 in f32 (XLA's ErfImpl32).
  static const std::vector<double> kAlpha = {
      -1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
      -2.10102402082508e-06, 2.77068142495902e-08,  -2.72614225801306e-10};
  static const std::vector<double> kBeta = {-1.42647390514189e-02, -7.37332916720468e-03,
                                            -1.68282697438203e-03, -2.13374055278905e-04,
                                            -1.45660718464996e-05};
  const Tensor bound = full_like_scalar(4, x.dtype(), where);
  const Tensor clamped = clip(x, negative(bound, where), bound, where);
  const Tensor x2 = multiply(clamped, clamped, where);
  return divide(multiply(clamped, polynomial(x2, kAlpha, where), where),
                polynomial(x2, kBeta, where), where);
}

Tensor gelu(const Tensor& x, bool tanh_approximation, Where where) {
  check_float("gelu", x, -1, where);
  const Tensor half_x = x * 0.5;
  if (tanh_approximation) {
    // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    const Tensor inner = (x + x * x * x * 0.044715) * std::sqrt(2 / M_PI);
    return half_x * (tanh(inner, where) + 1.0);
  }
  return half_x * (erf(x * M_SQRT1_2, where) + 1.0);
}

Tensor flatten_batch(const Tensor& x, Where where) {
  if (x.rank() < 1)
    throw_nn_error("flatten_batch: the input needs a batch dim; got " + x.shape_string(), where);
  return reshape(x, {x.dims()[0], x.dims()[0] == 0 ? 0 : x.element_count() / x.dims()[0]}, where);
}

}  // namespace hlocc::nn
