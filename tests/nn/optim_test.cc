// Optimizers and learning-rate schedules against torch.optim 1.13 (tests/nn/fixtures/nn_optim/,
// scripts/fixtures/nn_fixtures.py): three steps from the same params and grads, each step one
// jitted update, and the schedules' rates over twelve steps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hlocc/indexing.h"
#include "hlocc/nn/optim.h"
#include "hlocc/ops.h"
#include "hlocc/trace.h"
#include "nn/nn_test_helpers.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc::nn {
namespace {

using testing::expect_close;

HostArray optim_fixture(const std::string& name) { return testing::fixture("nn_optim", name); }

std::vector<Tensor> pair_fixture(const std::string& prefix) {
  return {optim_fixture(prefix + ".p0"), optim_fixture(prefix + ".p1")};
}

// Runs three jitted steps of `optimizer` on the fixture `config` and compares every step.
void check_optimizer(const std::string& config, const Optimizer& optimizer) {
  std::vector<Tensor> params = pair_fixture(config);
  OptimizerState state = optimizer.init(params);
  const auto step = jit([&](const std::vector<Tensor>& p, const std::vector<Tensor>& g,
                            const OptimizerState& s) { return optimizer.update(p, g, s); });
  for (int i = 0; i < 3; ++i) {
    const std::string at = config + ".after" + std::to_string(i);
    std::tie(params, state) = step(params, pair_fixture(config + ".g" + std::to_string(i)), state);
    expect_close(optim_fixture(at + ".p0"), params[0], at + ".p0", 2e-5);
    expect_close(optim_fixture(at + ".p1"), params[1], at + ".p1", 2e-5);
  }
  EXPECT_EQ(state.step.to_host().as_double(0), 3);
  EXPECT_EQ(step.trace_count(), 1) << "the step count is a traced value, not a constant";
}

TEST(Optim, SgdMatchesTorch) {
  check_optimizer("sgd", sgd({.lr = 0.1}));
  check_optimizer("sgd_momentum",
                  sgd({.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01}));
  check_optimizer("sgd_nesterov",
                  sgd({.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true}));
}

TEST(Optim, AdamMatchesTorch) {
  check_optimizer("adam", adam({.lr = 0.01}));
  check_optimizer("adam_amsgrad", adam({.lr = 0.01, .weight_decay = 0.1, .amsgrad = true}));
}

TEST(Optim, AdamWMatchesTorch) {
  check_optimizer("adamw", adamw({.lr = 0.01, .weight_decay = 0.05}));
  check_optimizer("adamw_amsgrad", adamw({.lr = 0.01,
                                          .beta1 = 0.8,
                                          .beta2 = 0.99,
                                          .eps = 1e-6,
                                          .weight_decay = 0.05,
                                          .amsgrad = true}));
}

TEST(Optim, StateIsAPytreeOfTheParamsShapes) {
  const std::vector<Tensor> params = {zeros({3, 4}), zeros({5})};
  const OptimizerState state = adam({.amsgrad = true}).init(params);
  // step, then exp_avg, exp_avg_sq and max_exp_avg_sq for each parameter (no momentum buffers).
  EXPECT_EQ(flatten(state).leaves.size(), 7u);
  EXPECT_EQ(state.exp_avg_sq[0].dims(), (std::vector<int64_t>{3, 4}));
  EXPECT_TRUE(sgd({.lr = 0.1}).init(params).momentum_buffer.empty());
  const std::string message = tensor_testing::error_of([&] {
    sgd({.lr = 0.1, .momentum = 0.9}).update(params, params, sgd({.lr = 0.1}).init(params));
  });
  EXPECT_NE(message.find("Optimizer::update: the state holds buffers for 0 parameters; got 2"),
            std::string::npos)
      << message;
}

// The schedule's rates for steps 0..11 against torch's scheduler after each optimizer.step().
void check_schedule(const std::string& name, const Schedule& schedule) {
  const HostArray expected = optim_fixture("schedule." + name);
  for (int32_t step = 0; step < 12; ++step) {
    const double rate = schedule(HostArray::scalar<int32_t>(step)).to_host().as_double(0);
    EXPECT_NEAR(rate, expected.as_double(step), 1e-6) << name << " at step " << step;
  }
}

TEST(Optim, SchedulesMatchTorch) {
  check_schedule("step", step_lr(0.1, 3, 0.5));
  check_schedule("cosine", cosine_lr(0.1, 10, 0.001));
  check_schedule("warmup", linear_warmup(0.1, 4, 0.25));
}

TEST(Optim, ScheduledLearningRateIsTracedOnce) {
  // lr 1 halving every step on a constant gradient of 1: p = -(1 + 1/2 + 1/4).
  const Optimizer optimizer = sgd({.lr = step_lr(1, 1, 0.5)});
  const auto step = jit([&](const Tensor& p, const OptimizerState& s) {
    return optimizer.update(p, ones_like(p), s);
  });
  Tensor p = zeros({2});
  OptimizerState state = optimizer.init(p);
  for (int i = 0; i < 3; ++i) std::tie(p, state) = step(p, state);
  EXPECT_EQ(tensor_testing::values_of(p), (std::vector<float>{-1.75f, -1.75f}));
  EXPECT_EQ(step.trace_count(), 1);
}

}  // namespace
}  // namespace hlocc::nn
