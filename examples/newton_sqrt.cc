// Square roots by Newton's method, x <- (x + a / x) / 2, on a vector of values at once, in a
// while_loop whose condition depends on the data: it runs until every root is accurate (or an
// iteration cap is hit), so the number of iterations is decided while the program runs, inside
// one HLO `while`.
//
//   cmake --build build && ./build/examples/newton_sqrt          (add --hlo to print the HLO)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include <hlocc/hlocc.h>

using hlocc::Tensor;

// The loop state: a registered struct is a pytree, so while_loop carries it as one value.
struct NewtonState {
  Tensor iteration;  // s32[]
  Tensor x;          // f32[n], the current guesses
};
HLOCC_PYTREE(NewtonState, iteration, x)

constexpr double kTolerance = 1e-6;  // on max |x^2 - a| / a; f32 roots reach about 2e-7
constexpr int32_t kMaxIterations = 50;

// The roots of the (positive) values `a`, and how many Newton steps they took.
NewtonState newton_sqrt(const Tensor& a) {
  // Host values (HostArray) become constants of the program.
  const Tensor max_iterations = hlocc::HostArray::scalar<int32_t>(kMaxIterations);
  const Tensor tolerance = hlocc::HostArray::scalar<float>(kTolerance);
  const Tensor one = hlocc::HostArray::scalar<int32_t>(1);
  // Go on while some root is still inaccurate and the cap is not reached. `a` comes from the
  // enclosing function: while_loop makes it loop state automatically.
  const auto not_done = [&](const NewtonState& s) {
    const Tensor relative_error = hlocc::max(hlocc::abs(s.x * s.x - a) / a);  // f32[]
    return hlocc::bitwise_and(hlocc::greater(relative_error, tolerance),      // pred: logical and
                              hlocc::less(s.iteration, max_iterations));
  };
  const auto newton_step = [&](const NewtonState& s) {
    return NewtonState{s.iteration + one, (s.x + a / s.x) * 0.5};
  };
  return hlocc::while_loop(not_done, newton_step,
                           NewtonState{hlocc::HostArray::scalar<int32_t>(0), a});
}

int main(int argc, char** argv) {
  const std::vector<float> values = {2, 9, 10, 0.25f, 1e-4f, 12345.678f, 1e6f};
  const Tensor a =
      hlocc::HostArray::from_vector<float>({static_cast<int64_t>(values.size())}, values);

  if (argc > 1 && std::strcmp(argv[1], "--hlo") == 0) {
    // trace records the program for inputs of this type: the loop is one HLO `while` whose
    // condition and body are separate computations.
    std::printf("%s\n", hlocc::trace(newton_sqrt, a).to_string().c_str());
  }

  const auto sqrt_jitted = hlocc::jit(newton_sqrt);  // traced on the first call, then cached
  const NewtonState result = sqrt_jitted(a);
  const hlocc::HostArray roots = result.x.to_host();
  const int64_t iterations = static_cast<int64_t>(result.iteration.to_host().as_double(0));
  std::printf("%lld Newton iterations (the loop stopped itself; the cap is %d)\n",
              static_cast<long long>(iterations), kMaxIterations);

  double worst = 0;  // the largest relative difference from std::sqrt
  for (size_t i = 0; i < values.size(); ++i) {
    const double root = roots.as_double(static_cast<int64_t>(i));
    const double expected = std::sqrt(static_cast<double>(values[i]));
    const double difference = std::abs(root - expected) / expected;
    worst = std::max(worst, difference);
    std::printf("  sqrt(%-10g) = %-12.7g std::sqrt: %-12.7g relative difference %.1e\n", values[i],
                root, expected, difference);
  }
  const bool converged = iterations < kMaxIterations && worst < 1e-6;
  std::printf("converged: %s\n", converged ? "yes" : "no");
  return converged ? 0 : 1;
}
