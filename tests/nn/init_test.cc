// nn::init: torch.nn.init's gains and fans exactly, and each initializer's samples checked by
// their statistics (bounds, mean, standard deviation), as the bits come from hlocc::random.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hlocc/nn/layers.h"
#include "hlocc/random.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc::nn::init {
namespace {

struct Statistics {
  double mean = 0, stddev = 0, max_abs = 0;
};

Statistics statistics_of(const Tensor& t) {
  const std::vector<float> values = tensor_testing::values_of(t);
  Statistics s;
  for (const float v : values) s.mean += v;
  s.mean /= static_cast<double>(values.size());
  for (const float v : values) {
    s.stddev += (v - s.mean) * (v - s.mean);
    s.max_abs = std::max(s.max_abs, std::abs(static_cast<double>(v)));
  }
  s.stddev = std::sqrt(s.stddev / static_cast<double>(values.size()));
  return s;
}

// Mean near 0 and the standard deviation within 3% of `stddev` (18432 samples: the standard
// error of the deviation is about 0.5%); uniform samples also reach, and never pass, `bound`.
void expect_distribution(const Tensor& t, double stddev, double bound = 0) {
  const Statistics s = statistics_of(t);
  EXPECT_NEAR(s.mean, 0, 0.03 * stddev);
  EXPECT_NEAR(s.stddev, stddev, 0.03 * stddev);
  if (bound > 0) {
    EXPECT_LE(s.max_abs, bound);
    EXPECT_GT(s.max_abs, 0.99 * bound);
  }
}

const std::vector<int64_t> kDims = {64, 32, 3, 3};  // fan_in 288, fan_out 576

TEST(Init, GainsAndFansAreTorchs) {
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::Linear), 1);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::Sigmoid), 1);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::Tanh), 5.0 / 3);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::ReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::LeakyReLU), std::sqrt(2 / 1.0001));
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::LeakyReLU, std::sqrt(5.0)), std::sqrt(1.0 / 3));
  EXPECT_EQ(fans(kDims), (std::pair<int64_t, int64_t>{288, 576}));
  EXPECT_EQ(fans({4, 5}), (std::pair<int64_t, int64_t>{5, 4}));
  EXPECT_NE(tensor_testing::error_of([] {
              fans({3});
            }).find("init: fan in and fan out need a weight of rank 2 or more; got rank 1"),
            std::string::npos);
}

TEST(Init, KaimingHasTorchsScale) {
  const double uniform_bound = std::sqrt(2.0) * std::sqrt(3.0 / 288);
  expect_distribution(kaiming_uniform(random::key(1), kDims), uniform_bound / std::sqrt(3.0),
                      uniform_bound);
  expect_distribution(kaiming_normal(random::key(2), kDims, 0, FanMode::FanOut, Nonlinearity::ReLU),
                      std::sqrt(2.0 / 576));
}

TEST(Init, XavierHasTorchsScale) {
  const double bound = std::sqrt(6.0 / (288 + 576));
  expect_distribution(xavier_uniform(random::key(3), kDims), bound / std::sqrt(3.0), bound);
  expect_distribution(xavier_normal(random::key(4), kDims, 2), 2 * std::sqrt(2.0 / 864));
}

TEST(Init, TorchDefaultIsUniformInOneOverSqrtFanIn) {
  const auto [weight, bias] = torch_default(random::key(5), kDims, true);
  const double bound = 1 / std::sqrt(288.0);
  expect_distribution(weight, bound / std::sqrt(3.0), bound);
  ASSERT_EQ(bias.dims(), std::vector<int64_t>{64});
  EXPECT_LE(statistics_of(bias).max_abs, bound);
  EXPECT_GT(statistics_of(bias).stddev, 0.3 * bound);  // not all zeros
  EXPECT_FALSE(torch_default(random::key(5), kDims, false).second.defined());
  // One key, one draw; another key, another draw.
  EXPECT_EQ(tensor_testing::values_of(weight),
            tensor_testing::values_of(torch_default(random::key(5), kDims, true).first));
  EXPECT_NE(tensor_testing::values_of(weight),
            tensor_testing::values_of(torch_default(random::key(6), kDims, true).first));
}

}  // namespace
}  // namespace hlocc::nn::init
