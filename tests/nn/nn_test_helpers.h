// Helpers shared by the nn tests: PyTorch fixtures (scripts/fixtures/nn_fixtures.py) and a
// comparison of f32 results against torch's float64 values.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "hlocc/tensor.h"

namespace hlocc::nn::testing {

/// tests/nn/fixtures/<directory>/<name>.npy
inline HostArray fixture(const std::string& directory, const std::string& name) {
  return HostArray::load_npy(std::string(HLOCC_TEST_DATA_DIR) + "/nn/fixtures/" + directory + "/" +
                             name + ".npy");
}

/// Same dims, and every element within rtol of the largest |expected| (f32 against float64).
inline void expect_close(const HostArray& expected, const Tensor& actual, const std::string& what,
                         double rtol = 1e-4) {
  ASSERT_TRUE(actual.defined()) << what;
  const HostArray got = actual.to_host();
  ASSERT_EQ(expected.dims(), got.dims()) << what;
  double largest = 0;
  for (int64_t i = 0; i < expected.element_count(); ++i)
    largest = std::max(largest, std::abs(expected.as_double(i)));
  const double tolerance = rtol * std::max(largest, 1e-3);
  for (int64_t i = 0; i < expected.element_count(); ++i) {
    ASSERT_NEAR(got.as_double(i), expected.as_double(i), tolerance)
        << what << ": element " << i << " of " << got.element_count();
  }
}

}  // namespace hlocc::nn::testing
