/// Optimizers with torch.optim's update rules (SGD, Adam, AdamW) and learning-rate schedules, as
/// pure functions of pytrees: update(params, grads, state) -> (new params, new state). The step
/// count and every buffer live in OptimizerState, so a whole training step (forward, loss, grad,
/// update) traces into one program under hlocc::jit.
#pragma once

#include <functional>
#include <utility>
#include <variant>
#include <vector>

#include "hlocc/pytree.h"
#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc::nn {

/// A learning rate as a function of the step count (an s32 scalar Tensor: the updates done so
/// far, so the first update sees 0). Returns an f32 scalar. A double converts to a constant.
class Schedule {
 public:
  Schedule(double lr);  // NOLINT: implicit, so that `.lr = 0.1` reads naturally
  explicit Schedule(std::function<Tensor(const Tensor& step)> fn) : fn_(std::move(fn)) {}
  Tensor operator()(const Tensor& step) const { return fn_(step); }

 private:
  std::function<Tensor(const Tensor& step)> fn_;
};

/// torch.optim.lr_scheduler.StepLR: lr * gamma^floor(step / step_size).
Schedule step_lr(double lr, int64_t step_size, double gamma = 0.1);
/// CosineAnnealingLR (its closed form): eta_min + (lr - eta_min) (1 + cos(pi step / t_max)) / 2.
/// Like torch's, it is periodic: past t_max the rate rises again (stop training at t_max).
Schedule cosine_lr(double lr, int64_t t_max, double eta_min = 0);
/// `after` times LinearLR's factor: start_factor rising linearly to 1 over warmup_steps, then 1.
Schedule linear_warmup(Schedule after, int64_t warmup_steps, double start_factor = 1.0 / 3);

/// Everything an optimizer carries between steps, a pytree. The vectors hold one tensor per
/// parameter leaf, in the parameters' flattening order, and are empty when the rule needs none.
struct OptimizerState {
  Tensor step;                              // s32 scalar: updates done
  std::vector<Tensor> momentum_buffer;      // SGD with momentum
  std::vector<Tensor> exp_avg, exp_avg_sq;  // Adam, AdamW
  std::vector<Tensor> max_exp_avg_sq;       // amsgrad
};
HLOCC_PYTREE(OptimizerState, step, momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq)

/// torch.optim.SGD: d = g + weight_decay p; buf = d on the first step, else momentum buf +
/// (1 - dampening) d; d = d + momentum buf (nesterov) or buf; p -= lr d.
struct SgdOptions {
  Schedule lr = 0.01;
  double momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
};
/// torch.optim.Adam / AdamW: m, v as exponential averages of g and g^2; p -= lr / (1 - b1^t) m /
/// (sqrt(v) / sqrt(1 - b2^t) + eps). Adam adds weight_decay p to g; AdamW (decoupled) first
/// multiplies p by 1 - lr weight_decay. amsgrad uses the running maximum of v.
struct AdamOptions {
  Schedule lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool amsgrad = false;
  bool decoupled_weight_decay = false;  // true: AdamW
};

namespace detail {
/// The update on flattened leaves (optim.cc).
std::pair<std::vector<Tensor>, OptimizerState> optimizer_update(
    const std::variant<SgdOptions, AdamOptions>& options, const std::vector<Tensor>& params,
    const std::vector<Tensor>& grads, const OptimizerState& state, const Where& where);
OptimizerState optimizer_init(const std::variant<SgdOptions, AdamOptions>& options,
                              const std::vector<Tensor>& params, const Where& where);
}  // namespace detail

/// An optimizer: its rule and hyperparameters. Params and grads are pytrees of one structure
/// (grads as hlocc::grad returns them).
class Optimizer {
 public:
  explicit Optimizer(std::variant<SgdOptions, AdamOptions> options)
      : options_(std::move(options)) {}

  /// The state before the first step: step 0 and zero buffers shaped like the params.
  template <class Params>
  OptimizerState init(const Params& params, Where where = Where::current()) const {
    return detail::optimizer_init(options_, hlocc::flatten(params).leaves, where);
  }
  /// One step: the new params (params' structure) and the new state.
  template <class Params, class Grads>
  std::pair<Traced<Params>, OptimizerState> update(const Params& params, const Grads& grads,
                                                   const OptimizerState& state,
                                                   Where where = Where::current()) const {
    const hlocc::detail::Flattened p = hlocc::flatten(params), g = hlocc::flatten(grads);
    if (p.structure != g.structure)
      throw Error("Optimizer::update: params and grads must have one structure");
    auto [leaves, next] = detail::optimizer_update(options_, p.leaves, g.leaves, state, where);
    return {hlocc::unflatten(params, leaves), std::move(next)};
  }

 private:
  std::variant<SgdOptions, AdamOptions> options_;
};

inline Optimizer sgd(SgdOptions options) { return Optimizer(std::move(options)); }
inline Optimizer adam(AdamOptions options) { return Optimizer(std::move(options)); }
inline Optimizer adamw(AdamOptions options) {
  options.decoupled_weight_decay = true;
  return Optimizer(std::move(options));
}

}  // namespace hlocc::nn
