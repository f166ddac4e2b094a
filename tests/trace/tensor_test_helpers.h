// Small helpers shared by the front-end tests: concrete tensors from values, values back out, and
// the message of an expected hlocc::Error.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hlocc/tensor.h"
#include "test_helpers.h"
#include "trace/tensor_node.h"

namespace hlocc::tensor_testing {

/// Empty if `actual` (a traced program's result, compiled by the default backend) matches
/// `expected` (eager, the evaluator) within the tolerance backends are held to; else what differs.
inline std::string compiled_differs(const HostArray& expected, const HostArray& actual) {
  const ir::Literal want = tracing::to_literal(expected);
  return testing::compare_literals(want, tracing::to_literal(actual),
                                   testing::backend_tolerance(want.shape().dtype()));
}

inline Tensor f32(std::vector<int64_t> dims, std::vector<float> values) {
  return HostArray::from_vector<float>(std::move(dims), values);
}
inline Tensor f64(std::vector<int64_t> dims, std::vector<double> values) {
  return HostArray::from_vector<double>(std::move(dims), values);
}
inline Tensor s32(int32_t value) { return HostArray::scalar<int32_t>(value); }

/// The elements of a concrete tensor of C++ element type T.
template <class T = float>
std::vector<T> values_of(const Tensor& t) {
  const HostArray host = t.to_host();
  const auto data = host.data<T>();
  return {data.begin(), data.end()};
}

/// The message of the hlocc::Error `fn` throws, or "no error" (other exceptions escape).
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& error) {
    return error.message();
  }
  return "no error";
}

}  // namespace hlocc::tensor_testing
