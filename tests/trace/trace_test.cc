// The front end: eager operations, tracing into one module, jit's cache, and trace-time errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "hlocc/hlocc.h"
#include "trace/tensor_test_helpers.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc {
using tensor_testing::error_of;
using tensor_testing::values_of;
namespace {

HostArray f32(std::vector<int64_t> dims, std::vector<float> values) {
  return HostArray::from_vector<float>(std::move(dims), values);
}


Tensor dense_relu(const Tensor& x, const Tensor& w, const Tensor& b) {
  return relu(matmul(x, w) + b);
}

const HostArray kX = f32({2, 3}, {1, 2, 3, 4, 5, 6});
const HostArray kW = f32({3, 2}, {1, -1, 0, 1, -1, 0});
const HostArray kB = f32({2}, {0.5f, -4});
// x @ w = {{-2, 1}, {-2, 1}}; with kB every entry goes negative, so relu gives zeros.

TEST(Eager, OperationsRunAtOnceWithNumpyBroadcasting) {
  const Tensor x = kX;
  const Tensor row = f32({3}, {10, 20, 30});
  EXPECT_FALSE(x.is_traced());
  EXPECT_EQ(values_of(x + row), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(values_of(x * 2.0), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  const Tensor column = f32({2, 1}, {1, -1});
  EXPECT_EQ(values_of(x * column), (std::vector<float>{1, 2, 3, -4, -5, -6}));
  EXPECT_EQ(values_of(matmul(x, kW)), (std::vector<float>{-2, 1, -2, 1}));
  EXPECT_EQ(values_of(dense_relu(kX, kW, kB)), (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(values_of(transpose(x, {1, 0})), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(Eager, Reductions) {
  const Tensor x = kX;  // {{1, 2, 3}, {4, 5, 6}}
  EXPECT_EQ(values_of(sum(x)), (std::vector<float>{21}));
  EXPECT_EQ(values_of(sum(x, {0})), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(values_of(max(x, {-1})), (std::vector<float>{3, 6}));
  EXPECT_EQ(values_of(min(x, {1, 0})), (std::vector<float>{1}));
  const Tensor ints = HostArray::from_vector<int32_t>({3}, {-7, -9, -8});
  EXPECT_EQ(max(ints).to_host().as_double(0), -7);
  EXPECT_THROW((void)sum(x, {2}), Error);
}

std::vector<bool> bools_of(const Tensor& t) {
  const HostArray host = t.to_host();
  const auto data = host.data<bool>();
  return {data.begin(), data.end()};
}

TEST(Eager, ComparisonsWhereAndConversions) {
  const Tensor x = f32({4}, {1, 2, 3, std::nanf("")});
  const Tensor two = f32({}, {2});
  EXPECT_EQ(bools_of(less(x, two)), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(bools_of(greater_equal(x, two)), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(bools_of(not_equal(x, x)), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(bools_of(isfinite(x)), (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(values_of(where(greater(x, two), x, f32({}, {0}))), (std::vector<float>{0, 0, 3, 0}));
  const HostArray as_int = astype(f32({3}, {1.7f, -2.5f, std::nanf("")}), DType::S32).to_host();
  EXPECT_EQ(as_int, HostArray::from_vector<int32_t>({3}, {1, -2, 0}));
  EXPECT_EQ(values_of(round(f32({4}, {0.5f, 1.5f, 2.5f, -3.5f}))),
            (std::vector<float>{0, 2, 2, -4}));
  EXPECT_EQ(values_of(power(two, f32({3}, {0, 1, 3}))), (std::vector<float>{1, 2, 8}));
  EXPECT_EQ(values_of(sigmoid(f32({1}, {0}))), (std::vector<float>{0.5f}));
  EXPECT_EQ(values_of(abs(f32({2}, {-1.5f, 2}))), (std::vector<float>{1.5f, 2}));
  EXPECT_THROW((void)where(x, x, x), Error);  // the condition must be pred
}

TEST(Eager, BitwiseComplexAndClip) {
  auto ints = [](std::vector<int32_t> v) {
    const int64_t n = static_cast<int64_t>(v.size());
    return Tensor(HostArray::from_vector<int32_t>({n}, v));
  };
  auto int_values = [](const Tensor& t) {
    const HostArray host = t.to_host();
    std::vector<double> out;
    for (int64_t i = 0; i < host.element_count(); ++i) out.push_back(host.as_double(i));
    return out;
  };
  const Tensor a = ints({12, -8, 5}), b = ints({10, 3, 1});
  EXPECT_EQ(int_values(bitwise_and(a, b)), (std::vector<double>{8, 0, 1}));
  EXPECT_EQ(int_values(bitwise_or(a, b)), (std::vector<double>{14, -5, 5}));
  EXPECT_EQ(int_values(bitwise_xor(a, b)), (std::vector<double>{6, -5, 4}));
  EXPECT_EQ(int_values(left_shift(a, b)), (std::vector<double>{12288, -64, 10}));
  EXPECT_EQ(int_values(right_shift(a, b)), (std::vector<double>{0, -1, 2}));  // arithmetic
  EXPECT_EQ(int_values(bitwise_not(a)), (std::vector<double>{-13, 7, -6}));
  EXPECT_EQ(int_values(clz(a)), (std::vector<double>{28, 0, 29}));
  EXPECT_EQ(int_values(popcount(a)), (std::vector<double>{2, 29, 2}));
  const Tensor u = HostArray::from_vector<uint32_t>({1}, {0x80000000u});
  EXPECT_EQ(int_values(right_shift(u, Tensor(HostArray::from_vector<uint32_t>({1}, {31})))),
            std::vector<double>{1});  // logical for unsigned
  const Tensor z = complex(f32({2}, {1, 2}), f32({2}, {3, -4}));
  EXPECT_EQ(z.dtype(), DType::C64);
  EXPECT_EQ(values_of(real(z * z)), (std::vector<float>{-8, -12}));  // (1+3i)^2 = -8+6i
  EXPECT_EQ(values_of(imag(z * z)), (std::vector<float>{6, -16}));
  EXPECT_EQ(values_of(clip(kX, f32({}, {2}), f32({3}, {4, 4, 5}))),
            (std::vector<float>{2, 2, 3, 4, 4, 5}));
}

TEST(Trace, ReductionsShareOneComputationPerOpAndType) {
  const Module module =
      trace([](const Tensor& x) { return sum(x, {0}) + sum(x, {0}) * max(x, {0}); },
            TensorSpec{DType::F32, {2, 3}});
  const std::string text = module.to_string();
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("%add_f32.0 ("), 1u) << text;  // defined once, used by both sums
  EXPECT_EQ(count("to_apply=%add_f32.0"), 2u) << text;
  EXPECT_EQ(module.run({kX})[0], (sum(kX, {0}) + sum(kX, {0}) * max(kX, {0})).to_host());
  auto parsed = ir::parse_module(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message() << text;
  EXPECT_TRUE(ir::verify(**parsed).ok());
}

TEST(Trace, StagesTheWholeFunctionIntoOneModule) {
  const TensorSpec x{DType::F32, {2, 3}}, w{DType::F32, {3, 2}}, b{DType::F32, {2}};
  const Module module = trace(dense_relu, x, w, b);
  const std::string text = module.to_string();
  EXPECT_NE(text.find("dot("), std::string::npos) << text;
  EXPECT_NE(text.find(" select("), std::string::npos) << text;
  // The text is real HLO: it parses, verifies and computes what eager mode computes.
  auto parsed = ir::parse_module(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_TRUE(ir::verify(**parsed).ok());
  const HostArray b_positive = f32({2}, {3, 0.5f});
  const std::vector<HostArray> out = module.run({kX, kW, b_positive});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], dense_relu(kX, kW, b_positive).to_host());
  const auto data = out[0].data<float>();
  EXPECT_EQ(std::vector<float>(data.begin(), data.end()), (std::vector<float>{1, 1.5f, 1, 1.5f}));
}

TEST(Trace, TracedTensorsAreAbstract) {
  const Module module = trace(
      [](const Tensor& x) {
        EXPECT_TRUE(x.is_traced());
        EXPECT_EQ(x.shape_string(), "f32[4]");
        EXPECT_THROW(x.to_host(), Error);
        return exp(x);
      },
      TensorSpec{DType::F32, {4}});
  EXPECT_EQ(module.instruction_count(), 2);
}

TEST(Jit, TracesOncePerSignature) {
  auto f = jit([](const Tensor& a, const Tensor& b) { return tanh(a * b + a); });
  const Tensor a = f32({3}, {0.1f, 0.2f, 0.3f});
  const Tensor b = f32({3}, {1, 2, 3});
  const Tensor first = f(a, b);
  EXPECT_EQ(f.trace_count(), 1);
  EXPECT_EQ(first.to_host(), tanh(a * b + a).to_host());
  f(b, a);
  EXPECT_EQ(f.trace_count(), 1);  // same shapes and dtypes: served from the cache
  f(f32({2}, {1, 2}), f32({2}, {3, 4}));
  EXPECT_EQ(f.trace_count(), 2);  // a new shape traces again
}


TEST(TraceErrors, NameTheOperationTheShapesAndTheUsersLine) {
  const std::string broadcast = error_of([] { (void)(Tensor(kX) + Tensor(kW)); });
  EXPECT_NE(broadcast.find("add: shapes cannot be broadcast together; got f32[2,3] and f32[3,2]"),
            std::string::npos)
      << broadcast;
  EXPECT_NE(broadcast.find("trace_test.cc:"), std::string::npos) << broadcast;

  const std::string contraction = error_of([] {
    (void)trace([](const Tensor& a, const Tensor& b) { return matmul(a, b); },
                TensorSpec{DType::F32, {64, 128}}, TensorSpec{DType::F32, {256, 10}});
  });
  EXPECT_NE(contraction.find("dot:"), std::string::npos) << contraction;
  EXPECT_NE(contraction.find("128"), std::string::npos) << contraction;
  EXPECT_NE(contraction.find("256"), std::string::npos) << contraction;
  EXPECT_NE(contraction.find("trace_test.cc:"), std::string::npos) << contraction;

  const std::string dtypes = error_of([] {
    (void)(Tensor(kB) + Tensor(HostArray::from_vector<double>({2}, {1, 2})));
  });
  EXPECT_NE(dtypes.find("different dtypes; got f32[2] and f64[2]"), std::string::npos) << dtypes;

  EXPECT_NE(error_of([] { (void)exp(Tensor()); }).find("empty"), std::string::npos);
}

TEST(HostArray, SavesAndLoadsNpy) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "hlocc_host_array.npy";
  kX.save_npy(path.string());
  EXPECT_EQ(HostArray::load_npy(path.string()), kX);
  std::filesystem::remove(path);
  EXPECT_NE(error_of([] { (void)HostArray::load_npy("/nonexistent/x.npy"); }).find("x.npy"),
            std::string::npos);
  EXPECT_THROW((void)kX.data<double>(), Error);
}

}  // namespace
}  // namespace hlocc
