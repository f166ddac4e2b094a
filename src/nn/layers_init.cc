// Initializers with torch.nn.init's formulas (gains, fans, bounds); the samples come from
// hlocc::random with an explicit key, so they match PyTorch in distribution, not bit for bit.
#include <cmath>

#include "hlocc/nn/layers.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "nn/nn_error.h"

namespace hlocc::nn::init {
namespace {

double kaiming_std(const std::vector<int64_t>& dims, double a, FanMode mode,
                   Nonlinearity nonlinearity, const Where& where) {
  const auto [fan_in, fan_out] = fans(dims, where);
  const double fan = static_cast<double>(mode == FanMode::FanIn ? fan_in : fan_out);
  return calculate_gain(nonlinearity, a) / std::sqrt(fan);
}

double xavier_std(const std::vector<int64_t>& dims, double gain, const Where& where) {
  const auto [fan_in, fan_out] = fans(dims, where);
  return gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
}

Tensor uniform_within(const Tensor& key, const std::vector<int64_t>& dims, double bound,
                      DType dtype, const Where& where) {
  return random::uniform(key, dims, dtype, -bound, bound, where);
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Sigmoid:
      return 1;
    case Nonlinearity::Tanh:
      return 5.0 / 3;
    case Nonlinearity::ReLU:
      return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU:
      return std::sqrt(2.0 / (1 + param * param));
  }
  return 1;
}

std::pair<int64_t, int64_t> fans(const std::vector<int64_t>& dims, Where where) {
  if (dims.size() < 2) {
    detail::throw_nn_error("init: fan in and fan out need a weight of rank 2 or more; got rank " +
                               std::to_string(dims.size()),
                           where);
  }
  int64_t receptive = 1;
  for (size_t i = 2; i < dims.size(); ++i) receptive *= dims[i];
  return {dims[1] * receptive, dims[0] * receptive};
}

Tensor kaiming_uniform(const Tensor& key, const std::vector<int64_t>& dims, double a, FanMode mode,
                       Nonlinearity nonlinearity, DType dtype, Where where) {
  const double bound = std::sqrt(3.0) * kaiming_std(dims, a, mode, nonlinearity, where);
  return uniform_within(key, dims, bound, dtype, where);
}

Tensor kaiming_normal(const Tensor& key, const std::vector<int64_t>& dims, double a, FanMode mode,
                      Nonlinearity nonlinearity, DType dtype, Where where) {
  return random::normal(key, dims, dtype, where) * kaiming_std(dims, a, mode, nonlinearity, where);
}

Tensor xavier_uniform(const Tensor& key, const std::vector<int64_t>& dims, double gain, DType dtype,
                      Where where) {
  return uniform_within(key, dims, std::sqrt(3.0) * xavier_std(dims, gain, where), dtype, where);
}

Tensor xavier_normal(const Tensor& key, const std::vector<int64_t>& dims, double gain, DType dtype,
                     Where where) {
  return random::normal(key, dims, dtype, where) * xavier_std(dims, gain, where);
}

std::pair<Tensor, Tensor> torch_default(const Tensor& key, const std::vector<int64_t>& weight_dims,
                                        bool with_bias, Where where) {
  const Tensor weight = kaiming_uniform(random::fold_in(key, 0, where), weight_dims, std::sqrt(5.0),
                                        FanMode::FanIn, Nonlinearity::LeakyReLU, DType::F32, where);
  if (!with_bias) return {weight, Tensor()};
  const double bound = 1 / std::sqrt(static_cast<double>(fans(weight_dims, where).first));
  return {weight, uniform_within(random::fold_in(key, 1, where), {weight_dims[0]}, bound,
                                 DType::F32, where)};
}

}  // namespace hlocc::nn::init
