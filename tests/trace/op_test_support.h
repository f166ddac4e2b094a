// Shared by the reductions, linalg and sorting tests: input makers, running an operation eagerly
// and traced (the two must agree exactly), value checks with tolerance and NaN, error capture.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hlocc/hlocc.h"
#include "trace/tensor_test_helpers.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc::op_testing {

using TensorFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

template <class T>
HostArray array(std::vector<int64_t> dims, std::vector<T> values) {
  return HostArray::from_vector<T>(std::move(dims), values);
}
inline HostArray f32(std::vector<int64_t> dims, std::vector<float> values) {
  return array<float>(std::move(dims), std::move(values));
}
inline HostArray s32(std::vector<int64_t> dims, std::vector<int32_t> values) {
  return array<int32_t>(std::move(dims), std::move(values));
}

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
inline constexpr float kInf = std::numeric_limits<float>::infinity();

/// Runs `fn` eagerly, then traced into one module that must print, parse back and verify, and run
/// on the reference evaluator: both results must be bit-identical. Returns the traced results and
/// (if `hlo` is set) the module's text.
inline std::vector<HostArray> eager_and_traced(const TensorFunction& fn,
                                               const std::vector<HostArray>& inputs,
                                               std::string* hlo = nullptr) {
  const std::vector<Tensor> eager = fn(std::vector<Tensor>(inputs.begin(), inputs.end()));
  std::vector<TensorSpec> specs;
  for (const HostArray& input : inputs) specs.push_back({input.dtype(), input.dims()});
  const Module module = trace(fn, specs);
  const std::string text = module.to_string();
  auto parsed = ir::parse_module(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message()) << "\n" << text;
  if (parsed.ok()) {
    EXPECT_TRUE(ir::verify(**parsed).ok()) << text;
  }
  const std::vector<HostArray> traced = module.run(inputs);
  EXPECT_EQ(traced.size(), eager.size());
  for (size_t i = 0; i < std::min(traced.size(), eager.size()); ++i) {
    EXPECT_EQ(tensor_testing::compiled_differs(eager[i].to_host(), traced[i]), "")
        << "result " << i << " differs eagerly\n" << text;
  }
  if (hlo != nullptr) *hlo = text;
  return traced;
}

/// Expects `actual` to be `dtype[dims]` with elements within `tolerance` (absolute and relative)
/// of `values`; NaN matches NaN and infinities must be exact.
inline void expect_array(const HostArray& actual, DType dtype, const std::vector<int64_t>& dims,
                         const std::vector<double>& values, double tolerance = 1e-6) {
  ASSERT_EQ(actual.shape_string(), shape_string(dtype, dims));
  ASSERT_EQ(actual.element_count(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    const double got = actual.as_double(static_cast<int64_t>(i));
    const double want = values[i];
    if (std::isnan(want) || std::isinf(want)) {
      EXPECT_TRUE(std::isnan(want) ? std::isnan(got) : got == want)
          << "element " << i << ": got " << got << ", want " << want;
    } else {
      EXPECT_NEAR(got, want, tolerance * (1 + std::abs(want))) << "element " << i;
    }
  }
}

/// fn eagerly and traced, then its (first) result checked as expect_array does.
inline void expect_op(const TensorFunction& fn, const std::vector<HostArray>& inputs, DType dtype,
                      const std::vector<int64_t>& dims, const std::vector<double>& values,
                      double tolerance = 1e-6) {
  const std::vector<HostArray> results = eager_and_traced(fn, inputs);
  ASSERT_FALSE(results.empty());
  expect_array(results[0], dtype, dims, values, tolerance);
}

using tensor_testing::error_of;

}  // namespace hlocc::op_testing
