// torch.optim's SGD, Adam and AdamW (torch 1.13's single-tensor formulas, term for term) and the
// learning-rate schedules, as traced tensor arithmetic on the parameter leaves.
#include "hlocc/nn/optim.h"

#include <cmath>

#include "hlocc/indexing.h"
#include "hlocc/ops.h"
#include "nn/nn_error.h"

namespace hlocc::nn {
namespace {

using detail::throw_nn_error;

Tensor scalar(double value, DType dtype = DType::F32) { return full_like_scalar(value, dtype); }

Tensor step_as_f32(const Tensor& step) { return astype(step, DType::F32); }

std::vector<Tensor> zeros_like_each(const std::vector<Tensor>& leaves, const Where& where) {
  std::vector<Tensor> out;
  for (const Tensor& leaf : leaves) out.push_back(zeros_like(leaf, where));
  return out;
}

struct Leaf {
  Tensor param, grad;
  Tensor lr;  // the learning rate in the param's dtype
};

// torch.optim.SGD for one parameter; `first` (pred scalar) is true on the first step, when the
// buffer starts as the gradient itself.
Tensor sgd_leaf(const SgdOptions& o, const Leaf& leaf, const Tensor& first, Tensor* buffer,
                const Where& where) {
  Tensor d = leaf.grad;
  if (o.weight_decay != 0) d = d + leaf.param * o.weight_decay;
  if (o.momentum != 0) {
    const Tensor running = *buffer * o.momentum + d * (1 - o.dampening);
    *buffer = hlocc::where(first, d, running, where);
    d = o.nesterov ? d + *buffer * o.momentum : *buffer;
  }
  return leaf.param - leaf.lr * d;
}

struct AdamBuffers {
  Tensor* exp_avg;
  Tensor* exp_avg_sq;
  Tensor* max_exp_avg_sq;  // null unless amsgrad
};

// torch.optim.Adam/AdamW for one parameter at step t (>= 1); the bias corrections are f64
// scalars, as torch computes them in Python floats.
Tensor adam_leaf(const AdamOptions& o, const Leaf& leaf, const Tensor& t, const AdamBuffers& b,
                 const Where& where) {
  const DType dtype = leaf.param.dtype();
  Tensor param = leaf.param, g = leaf.grad;
  if (o.weight_decay != 0) {
    if (o.decoupled_weight_decay)
      param = param * (scalar(1, dtype) - leaf.lr * o.weight_decay);
    else
      g = g + param * o.weight_decay;
  }
  *b.exp_avg = *b.exp_avg * o.beta1 + g * (1 - o.beta1);
  *b.exp_avg_sq = *b.exp_avg_sq * o.beta2 + g * g * (1 - o.beta2);
  const Tensor correction1 = scalar(1, DType::F64) - power(scalar(o.beta1, DType::F64), t, where);
  const Tensor correction2 = scalar(1, DType::F64) - power(scalar(o.beta2, DType::F64), t, where);
  const Tensor step_size = leaf.lr / astype(correction1, dtype, where);
  const Tensor correction2_sqrt = astype(sqrt(correction2, where), dtype, where);
  Tensor second = *b.exp_avg_sq;
  if (b.max_exp_avg_sq != nullptr) {
    *b.max_exp_avg_sq = maximum(*b.max_exp_avg_sq, second, where);
    second = *b.max_exp_avg_sq;
  }
  const Tensor denom = sqrt(second, where) / correction2_sqrt + o.eps;
  return param - step_size * (*b.exp_avg / denom);
}

void check_leaves(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                  const OptimizerState& state,
                  const std::vector<const std::vector<Tensor>*>& needed, const Where& where) {
  const auto fail = [&](const std::string& what) {
    throw_nn_error("Optimizer::update: " + what, where,
                   "make the state with this optimizer's init(params)");
  };
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].dims() != grads[i].dims() || params[i].dtype() != grads[i].dtype())
      fail("a gradient's shape differs from its parameter's; got " + grads[i].shape_string() +
           " for " + params[i].shape_string());
  }
  if (!state.step.defined()) fail("the state has no step count");
  for (const std::vector<Tensor>* buffers : needed) {
    if (buffers->size() != params.size())
      fail("the state holds buffers for " + std::to_string(buffers->size()) + " parameters; got " +
           std::to_string(params.size()));
  }
}

}  // namespace

Schedule::Schedule(double lr) : fn_([lr](const Tensor&) { return scalar(lr); }) {}

Schedule step_lr(double lr, int64_t step_size, double gamma) {
  if (step_size < 1)
    throw Error("step_lr: step_size must be at least 1; got " + std::to_string(step_size));
  return Schedule([=](const Tensor& step) {
    const Tensor epochs = floor(step_as_f32(step) / static_cast<double>(step_size));
    return power(scalar(gamma), epochs) * lr;
  });
}

Schedule cosine_lr(double lr, int64_t t_max, double eta_min) {
  if (t_max < 1) throw Error("cosine_lr: t_max must be at least 1; got " + std::to_string(t_max));
  return Schedule([=](const Tensor& step) {
    const Tensor cosine = cos(step_as_f32(step) * (M_PI / static_cast<double>(t_max)));
    return (cosine + 1.0) * ((lr - eta_min) / 2) + eta_min;
  });
}

Schedule linear_warmup(Schedule after, int64_t warmup_steps, double start_factor) {
  if (warmup_steps < 1)
    throw Error("linear_warmup: warmup_steps must be at least 1; got " +
                std::to_string(warmup_steps));
  return Schedule([=](const Tensor& step) {
    const double steps = static_cast<double>(warmup_steps);
    const Tensor progress = minimum(step_as_f32(step), scalar(steps)) / steps;
    return after(step) * (progress * (1 - start_factor) + start_factor);
  });
}

namespace detail {

OptimizerState optimizer_init(const std::variant<SgdOptions, AdamOptions>& options,
                              const std::vector<Tensor>& params, const Where& where) {
  OptimizerState state;
  state.step = zeros({}, DType::S32, where);
  if (const auto* sgd = std::get_if<SgdOptions>(&options)) {
    if (sgd->momentum != 0) state.momentum_buffer = zeros_like_each(params, where);
    return state;
  }
  state.exp_avg = zeros_like_each(params, where);
  state.exp_avg_sq = zeros_like_each(params, where);
  if (std::get<AdamOptions>(options).amsgrad) state.max_exp_avg_sq = zeros_like_each(params, where);
  return state;
}

std::pair<std::vector<Tensor>, OptimizerState> optimizer_update(
    const std::variant<SgdOptions, AdamOptions>& options, const std::vector<Tensor>& params,
    const std::vector<Tensor>& grads, const OptimizerState& state, const Where& where) {
  const auto* sgd = std::get_if<SgdOptions>(&options);
  std::vector<const std::vector<Tensor>*> needed;
  if (sgd && sgd->momentum != 0) needed = {&state.momentum_buffer};
  if (!sgd) needed = {&state.exp_avg, &state.exp_avg_sq};
  if (!sgd && std::get<AdamOptions>(options).amsgrad) needed.push_back(&state.max_exp_avg_sq);
  check_leaves(params, grads, state, needed, where);
  const Tensor lr = sgd ? sgd->lr(state.step) : std::get<AdamOptions>(options).lr(state.step);
  OptimizerState next = state;
  next.step = state.step + scalar(1, state.step.dtype());
  const Tensor first = equal(state.step, scalar(0, state.step.dtype()), where);
  const Tensor t = astype(next.step, DType::F64, where);
  std::vector<Tensor> updated;
  for (size_t i = 0; i < params.size(); ++i) {
    const Leaf leaf{params[i], grads[i], astype(lr, params[i].dtype(), where)};
    if (sgd) {
      Tensor* buffer = sgd->momentum != 0 ? &next.momentum_buffer[i] : nullptr;
      updated.push_back(sgd_leaf(*sgd, leaf, first, buffer, where));
      continue;
    }
    const AdamOptions& adam = std::get<AdamOptions>(options);
    const AdamBuffers buffers{&next.exp_avg[i], &next.exp_avg_sq[i],
                              adam.amsgrad ? &next.max_exp_avg_sq[i] : nullptr};
    updated.push_back(adam_leaf(adam, leaf, t, buffers, where));
  }
  return {updated, next};
}

}  // namespace detail
}  // namespace hlocc::nn
