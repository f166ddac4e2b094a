// Gradients of a small CNN (conv, relu, max-pool, dense, softmax cross-entropy) against PyTorch
// autograd (tests/autodiff/fixtures/small_cnn/*.npy, written by
// scripts/fixtures/gen_cnn_grad_fixtures.py), three ways: the C++ front end eagerly, the same under
// jit, and the hand-written cnn.hlo differentiated by autodiff::value_and_grad (what `hlocc grad`
// prints), printed, parsed back and run on the reference evaluator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/reverse.h"
#include "backends/reference/evaluator.h"
#include "hlocc/autodiff.h"
#include "hlocc/conv.h"
#include "hlocc/hlocc.h"
#include "hlocc/indexing.h"
#include "hlocc/linalg.h"
#include "hlocc/reductions.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "runtime/npy.h"
#include "test_helpers.h"

namespace hlocc {
namespace {

struct SmallCnn {
  Tensor conv1_w;  // f64[4,1,3,3] (OIHW)
  Tensor conv1_b;  // f64[4]
  Tensor conv2_w;  // f64[6,4,3,3]
  Tensor conv2_b;  // f64[6]
  Tensor dense_w;  // f64[96,5] (in x out)
  Tensor dense_b;  // f64[5]
};
HLOCC_PYTREE(SmallCnn, conv1_w, conv1_b, conv2_w, conv2_b, dense_w, dense_b)

// The parameter names, in SmallCnn's field order and in cnn.hlo's parameter order (2..7).
const std::vector<std::string> kParameterNames = {"conv1_w", "conv1_b", "conv2_w",
                                                  "conv2_b", "dense_w", "dense_b"};

std::string fixture_path(const std::string& name) {
  return std::string(HLOCC_TEST_DATA_DIR) + "/autodiff/fixtures/small_cnn/" + name;
}

HostArray fixture(const std::string& name) {
  return HostArray::load_npy(fixture_path(name + ".npy"));
}

// The mean softmax cross-entropy of the network's logits against integer labels, as in
// gen_cnn_grad_fixtures.py's forward().
Tensor small_cnn_loss(const SmallCnn& p, const Tensor& x, const Tensor& labels) {
  Conv2dOptions pad_1;
  pad_1.padding = Padding::explicit_pads({{1, 1}, {1, 1}});
  const Tensor h1 = relu(conv2d(x, p.conv1_w, pad_1) + reshape(p.conv1_b, {1, 4, 1, 1}));
  const Tensor pooled = max_pool2d(h1, {.window = {2, 2}});
  const Tensor h2 = relu(conv2d(pooled, p.conv2_w, pad_1) + reshape(p.conv2_b, {1, 6, 1, 1}));
  const Tensor flat = reshape(h2, {x.dims()[0], 6 * 4 * 4});
  const Tensor logits = matmul(flat, p.dense_w) + p.dense_b;
  const Tensor picked = take_along_axis(log_softmax(logits, -1), expand_dims(labels, 1), 1);
  return -mean(picked);
}

SmallCnn fixture_params() {
  return {fixture("conv1_w"), fixture("conv1_b"), fixture("conv2_w"),
          fixture("conv2_b"), fixture("dense_w"), fixture("dense_b")};
}

// Empty if every element matches:
//   |actual - expected| <= 1e-5 * max(|expected|, 1e-3 * max|expected|).
// Relative to each element, except that elements far below the array's largest (where float64
// cancellation in a sum of many terms leaves absolute, not relative, error) are held to 1e-8 of it.
std::string compare_to_fixture(const std::string& name, const std::vector<int64_t>& dims,
                               const std::vector<double>& actual) {
  const HostArray expected_array = fixture(name);
  if (expected_array.dims() != dims) {
    return name + ": shape differs; got " + shape_string(DType::F64, dims) + ", expected " +
           expected_array.shape_string();
  }
  const auto expected = expected_array.data<double>();
  double largest = 0;
  for (double e : expected) largest = std::max(largest, std::abs(e));
  std::ostringstream out;
  out.precision(17);
  for (size_t i = 0; i < expected.size(); ++i) {
    const double bound = 1e-5 * std::max(std::abs(expected[i]), 1e-3 * largest);
    if (!(std::abs(actual[i] - expected[i]) <= bound)) {
      out << name << "[" << i << "]: got " << actual[i] << ", expected " << expected[i] << "\n";
    }
  }
  return out.str();
}

std::string compare_to_fixture(const std::string& name, const Tensor& actual) {
  const HostArray host = actual.to_host();
  if (host.dtype() != DType::F64) return name + ": expected f64; got " + host.shape_string();
  const auto data = host.data<double>();
  return compare_to_fixture(name, host.dims(), {data.begin(), data.end()});
}

std::string compare_to_fixture(const std::string& name, const ir::Literal& actual) {
  if (actual.shape().dtype() != ir::DType::F64) return name + ": expected an f64 array";
  std::vector<double> values(static_cast<size_t>(actual.element_count()));
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = actual.get_as_double(static_cast<int64_t>(i));
  return compare_to_fixture(name, actual.shape().dims(), values);
}

void expect_matches_fixtures(const Tensor& loss, const SmallCnn& g, const Tensor& gx) {
  EXPECT_EQ(compare_to_fixture("loss", loss), "");
  EXPECT_EQ(compare_to_fixture("grad_x", gx), "");
  const std::vector<Tensor> leaves = flatten(g).leaves;
  ASSERT_EQ(leaves.size(), kParameterNames.size());
  for (size_t i = 0; i < leaves.size(); ++i)
    EXPECT_EQ(compare_to_fixture("grad_" + kParameterNames[i], leaves[i]), "");
}

TEST(SmallCnn, TheComparisonRejectsAPerturbedGradient) {
  // Guards the tolerance: a relative error of 1e-4 in one element must be reported.
  HostArray g = fixture("grad_conv2_w");
  g.data<double>()[5] *= 1 + 1e-4;
  EXPECT_NE(compare_to_fixture("grad_conv2_w", Tensor(g)), "");
  EXPECT_EQ(compare_to_fixture("grad_conv2_w", Tensor(fixture("grad_conv2_w"))), "");
}

TEST(SmallCnn, FrontEndGradientsMatchTorchEagerly) {
  const auto [loss, grads] = value_and_grad(small_cnn_loss, Argnums<0, 1>{})(
      fixture_params(), Tensor(fixture("x")), Tensor(fixture("labels")));
  const auto& [g, gx] = grads;
  expect_matches_fixtures(loss, g, gx);
}

TEST(SmallCnn, FrontEndGradientsMatchTorchUnderJit) {
  auto step = jit(value_and_grad(small_cnn_loss, Argnums<0, 1>{}));
  const Tensor x = fixture("x"), labels = fixture("labels");
  const auto [loss, grads] = step(fixture_params(), x, labels);
  const auto& [g, gx] = grads;
  expect_matches_fixtures(loss, g, gx);
  // grad of the parameters alone, traced inside the same kind of jit.
  const SmallCnn g_only = jit(grad(small_cnn_loss))(fixture_params(), x, labels);
  EXPECT_EQ(compare_to_fixture("grad_dense_w", g_only.dense_w), "");
  EXPECT_EQ(step.trace_count(), 1);
}

std::unique_ptr<ir::Module> parse_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto module = ir::parse_module(text.str(), path);
  if (!module.ok()) {
    ADD_FAILURE() << module.error().message();
    return nullptr;
  }
  return std::move(*module);
}

// cnn.hlo's arguments: x, labels, then the parameters.
std::vector<ir::Literal> hlo_arguments() {
  std::vector<std::string> names = {"x", "labels"};
  names.insert(names.end(), kParameterNames.begin(), kParameterNames.end());
  std::vector<ir::Literal> args;
  for (const std::string& name : names) {
    auto literal = runtime::read_npy(fixture_path(name + ".npy"));
    EXPECT_TRUE(literal.ok()) << literal.error().message();
    args.push_back(literal.ok() ? std::move(*literal) : ir::Literal());
  }
  return args;
}

// What `hlocc grad cnn.hlo --wrt ...` prints, parsed back (so the printed text itself is tested).
std::unique_ptr<ir::Module> printed_gradient_module(const std::vector<int64_t>& wrt) {
  const std::unique_ptr<ir::Module> module = parse_file(fixture_path("cnn.hlo"));
  if (module == nullptr) return nullptr;
  const Status verified = ir::verify(*module);
  if (!verified.ok()) {
    ADD_FAILURE() << verified.error().message();
    return nullptr;
  }
  auto gradient = autodiff::value_and_grad(*module, wrt);
  if (!gradient.ok()) {
    ADD_FAILURE() << gradient.error().message();
    return nullptr;
  }
  return testing::parse_and_verify(ir::print_module(**gradient));
}

TEST(SmallCnn, HloTextGradientsMatchTorch) {
  const std::unique_ptr<ir::Module> gradient = printed_gradient_module({0, 2, 3, 4, 5, 6, 7});
  ASSERT_NE(gradient, nullptr);
  const std::vector<ir::Literal> args = hlo_arguments();
  auto result = reference::evaluate(*gradient, args);
  ASSERT_TRUE(result.ok()) << result.error().message();
  ASSERT_EQ(result->elements().size(), 8u);
  EXPECT_EQ(compare_to_fixture("loss", result->element(0)), "");
  EXPECT_EQ(compare_to_fixture("grad_x", result->element(1)), "");
  for (size_t i = 0; i < kParameterNames.size(); ++i) {
    EXPECT_EQ(compare_to_fixture("grad_" + kParameterNames[i],
                                 result->element(static_cast<int64_t>(i) + 2)),
              "");
  }
}

TEST(SmallCnn, HloTextGradientsFollowTheWrtOrder) {
  const std::unique_ptr<ir::Module> gradient = printed_gradient_module({6, 0});
  ASSERT_NE(gradient, nullptr);
  auto result = reference::evaluate(*gradient, hlo_arguments());
  ASSERT_TRUE(result.ok()) << result.error().message();
  ASSERT_EQ(result->elements().size(), 3u);
  EXPECT_EQ(compare_to_fixture("loss", result->element(0)), "");
  EXPECT_EQ(compare_to_fixture("grad_dense_w", result->element(1)), "");
  EXPECT_EQ(compare_to_fixture("grad_x", result->element(2)), "");
}

}  // namespace
}  // namespace hlocc
