// An MLP forward pass for MNIST-sized inputs, 784 -> 256 -> 128 -> 10, with typed arrays:
// Array<float, 64, 784> carries its shape in its C++ type, so every intermediate's shape is
// checked by the compiler, and a shape mistake does not compile (see after forward()).
//
//   cmake --build build && ./build/examples/mlp
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <hlocc/hlocc.h>

using hlocc::Array;
using hlocc::Tensor;

constexpr int64_t kBatch = 64;

// The parameters, one registered struct: a pytree whose leaves are the six Arrays.
struct Mlp {
  Array<float, 784, 256> w1;
  Array<float, 256> b1;
  Array<float, 256, 128> w2;
  Array<float, 128> b2;
  Array<float, 128, 10> w3;
  Array<float, 10> b3;
};
HLOCC_PYTREE(Mlp, w1, b1, w2, b2, w3, b3)

// He initialization: normal samples scaled by sqrt(2 / fan_in), fan_in being the rows of W.
// random::normal gives a Tensor; constructing the Array checks its dtype and dims.
template <class Weights>
Weights he_normal(const Tensor& key) {
  const double fan_in = static_cast<double>(Weights::kDims[0]);
  return Weights(hlocc::random::normal(key, Weights::dims()) * std::sqrt(2.0 / fan_in));
}

Mlp init(uint64_t seed) {
  // fold_in derives an independent key per layer from one key (like jax.random.fold_in).
  const Tensor key = hlocc::random::key(seed);
  Mlp p;  // Arrays start as zeros: the biases stay zero
  p.w1 = he_normal<decltype(p.w1)>(hlocc::random::fold_in(key, 1));
  p.w2 = he_normal<decltype(p.w2)>(hlocc::random::fold_in(key, 2));
  p.w3 = he_normal<decltype(p.w3)>(hlocc::random::fold_in(key, 3));
  return p;
}

// Log-probabilities of 10 classes for each of the 64 inputs. Each result type is computed by
// the compiler; the annotations below are checked, not just comments.
Array<float, kBatch, 10> forward(const Mlp& p, const Array<float, kBatch, 784>& x) {
  const Array<float, kBatch, 256> h1 = hlocc::relu(hlocc::matmul(x, p.w1) + p.b1);
  const Array<float, kBatch, 128> h2 = hlocc::relu(hlocc::matmul(h1, p.w2) + p.b2);
  return hlocc::log_softmax(hlocc::matmul(h2, p.w3) + p.b3);  // along the last axis
}

// A shape mistake is a compile error, not a runtime surprise. Had w2 been declared
// Array<float, 128, 128>, the second matmul would not compile; GCC says (build this file with
// -DHLOCC_SHOW_SHAPE_ERROR to see it):
//   error: static assertion failed: matmul: the last dim of a differs from the contracted dim
//   of b (the Array types are in this message)
//   note: 'hlocc::detail::matmul_inner_dims_match<hlocc::Array<float, 64, 256>,
//   hlocc::Array<float, 128, 128> >' evaluates to false
#ifdef HLOCC_SHOW_SHAPE_ERROR
Array<float, kBatch, 128> second_layer(const Array<float, kBatch, 256>& h1,
                                       const Array<float, 128, 128>& w2) {
  return hlocc::relu(hlocc::matmul(h1, w2));
}
#endif

int main() {
  const Mlp params = init(0);
  // A batch of random "images": 64 rows of 784 pixels in [0, 1).
  const Array<float, kBatch, 784> x(hlocc::random::uniform(hlocc::random::key(42), {kBatch, 784}));

  // jit stages forward into one HLO module (on the first call) and runs it.
  const auto forward_jitted = hlocc::jit(forward);
  const auto log_probs = forward_jitted(params, x);
  std::printf("output: %s, an Array<float, %lld, 10> of log-probabilities\n",
              log_probs.shape_string().c_str(), static_cast<long long>(kBatch));

  // exp(log_softmax) is a probability distribution: every row sums to 1. These run eagerly.
  const Array<float, kBatch> row_sums = hlocc::sum<1>(hlocc::exp(log_probs));
  const hlocc::HostArray sums = row_sums.to_host();
  double worst = 0;  // the largest |row sum - 1|
  for (int64_t i = 0; i < kBatch; ++i) worst = std::max(worst, std::abs(sums.as_double(i) - 1));
  std::printf("row sums of exp(log_softmax): %.6f %.6f %.6f ... (max |sum - 1| = %.1e)\n",
              sums.as_double(0), sums.as_double(1), sums.as_double(2), worst);

  const Array<int32_t, kBatch> predictions = hlocc::argmax<1>(log_probs);
  const hlocc::HostArray classes = predictions.to_host();
  std::printf("predicted classes of the first 8 inputs (untrained weights):");
  for (int64_t i = 0; i < 8; ++i) std::printf(" %d", static_cast<int>(classes.as_double(i)));
  std::printf("\n");

  const hlocc::Module module = hlocc::trace(forward, params, x);
  std::printf("HLO module: %lld instructions\n",
              static_cast<long long>(module.instruction_count()));

  const bool normalized = worst < 1e-5;
  std::printf("rows sum to 1: %s\n", normalized ? "yes" : "no");
  return normalized ? 0 : 1;
}
