// Linear regression by gradient descent, written by hand: fits y = w * x + b to noisy samples of
// y = 3x - 2. The whole training loop (every step) is staged into ONE HLO module: fori_loop
// becomes a single HLO `while`, so the loop stays a loop in the compiled program.
//
//   cmake --build build && ./build/examples/linear_regression
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include <hlocc/hlocc.h>

using hlocc::Tensor;

// The model's parameters. HLOCC_PYTREE makes the struct a pytree: jit, fori_loop and friends
// take and return it as if it were one value (its fields are the leaves).
struct Params {
  Tensor w;  // f32[] slope
  Tensor b;  // f32[] intercept
};
HLOCC_PYTREE(Params, w, b)

constexpr int kPoints = 256;
constexpr int kSteps = 200;
constexpr double kLearningRate = 0.1;

// Mean squared error of the line `p` on the data (x, y): mean((w x + b - y)^2).
Tensor loss(const Params& p, const Tensor& x, const Tensor& y) {
  const Tensor error = x * p.w + p.b - y;  // f32[256]; the scalars w and b broadcast
  return hlocc::mean(error * error);
}

// kSteps steps of gradient descent from `init`. Under jit this runs once, on abstract values, and
// records the program; the loop body below is traced once, not kSteps times.
std::pair<Params, Tensor> fit(const Params& init, const Tensor& x, const Tensor& y) {
  const Params fitted = hlocc::fori_loop(
      0, kSteps,
      [&](const Tensor& /*step*/, const Params& p) {
        // The gradient of L = mean((w x + b - y)^2), by hand:
        //   dL/dw = mean(2 (w x + b - y) x),   dL/db = mean(2 (w x + b - y)).
        // x and y come from the enclosing function: they become loop state automatically.
        const Tensor error = x * p.w + p.b - y;
        const Tensor dw = hlocc::mean(error * x) * 2.0;
        const Tensor db = hlocc::mean(error) * 2.0;
        return Params{p.w - dw * kLearningRate, p.b - db * kLearningRate};
      },
      init);
  return {fitted, loss(fitted, x, y)};
}

// How many times `needle` occurs in `text`.
int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

int main() {
  // Random numbers take explicit keys (like jax.random): split one key into two independent
  // ones, u32[2, 2], and take a row of it for each use.
  const Tensor keys = hlocc::random::split(hlocc::random::key(0), 2);
  const Tensor x_key = hlocc::take(keys, hlocc::HostArray::scalar<int32_t>(0));
  const Tensor noise_key = hlocc::take(keys, hlocc::HostArray::scalar<int32_t>(1));

  // Synthetic data, computed eagerly (outside jit every operation runs at once):
  // x uniform in [-1, 1), y = 3x - 2 plus Gaussian noise of standard deviation 0.1.
  const Tensor x = hlocc::random::uniform(x_key, {kPoints}, hlocc::DType::F32, -1, 1);
  const Tensor noise = hlocc::random::normal(noise_key, {kPoints}) * 0.1;
  const Tensor y = x * 3.0 - 2.0 + noise;

  // Start from w = b = 0.
  const Params init{hlocc::full_like_scalar(0, hlocc::DType::F32),
                    hlocc::full_like_scalar(0, hlocc::DType::F32)};

  // jit traces fit on the first call (per input shapes), caches the module and runs it.
  const auto fit_jitted = hlocc::jit(fit);
  const auto [fitted, final_loss] = fit_jitted(init, x, y);
  const double w = fitted.w.to_host().as_double(0);
  const double b = fitted.b.to_host().as_double(0);
  std::printf("fitted: w = %.4f, b = %.4f (true: w = 3, b = -2)\n", w, b);
  std::printf("final loss: %.5f (the noise variance is 0.01)\n", final_loss.to_host().as_double(0));

  // The same program as HLO: trace records what jit ran. All kSteps steps are one `while`.
  const hlocc::Module module = hlocc::trace(fit, init, x, y);
  std::printf("the whole fit is one HLO module: %lld instructions, %d while loop(s)\n",
              static_cast<long long>(module.instruction_count()),
              count(module.to_string(), " while("));

  // Check against the closed-form least-squares line, computed on the host in double:
  // w* = cov(x, y) / var(x), b* = mean(y) - w* mean(x). Gradient descent must reach it, and it
  // must be near the true line (how near depends on the noise in this sample).
  const hlocc::HostArray xs = x.to_host(), ys = y.to_host();
  double mean_x = 0, mean_y = 0, cov_xy = 0, var_x = 0;
  for (int i = 0; i < kPoints; ++i) mean_x += xs.as_double(i) / kPoints;
  for (int i = 0; i < kPoints; ++i) mean_y += ys.as_double(i) / kPoints;
  for (int i = 0; i < kPoints; ++i) {
    cov_xy += (xs.as_double(i) - mean_x) * (ys.as_double(i) - mean_y);
    var_x += (xs.as_double(i) - mean_x) * (xs.as_double(i) - mean_x);
  }
  const double best_w = cov_xy / var_x, best_b = mean_y - best_w * mean_x;
  std::printf("least squares (closed form): w = %.4f, b = %.4f\n", best_w, best_b);

  const bool converged = std::abs(w - best_w) < 1e-3 && std::abs(b - best_b) < 1e-3 &&
                         std::abs(w - 3) < 0.05 && std::abs(b + 2) < 0.05;
  std::printf("converged: %s\n", converged ? "yes" : "no");
  return converged ? 0 : 1;
}
