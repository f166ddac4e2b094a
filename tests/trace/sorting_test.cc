// sort, argsort and top_k (hlocc/sorting.h), each run eagerly and traced. Expected values are by
// hand or from numpy's stable sort (scripts/fixtures/reductions_linalg_sorting_fixtures.py).
#include "hlocc/sorting.h"

#include <gtest/gtest.h>

#include <complex>

#include "op_test_support.h"

namespace hlocc {
namespace {

using op_testing::array;
using op_testing::error_of;
using op_testing::expect_array;
using op_testing::expect_op;
using op_testing::f32;
using op_testing::kInf;
using op_testing::kNaN;
using op_testing::s32;

// Two NaNs, one with its sign bit set (what x86 makes of 0/0), and both signs of zero.
const HostArray kS = f32({9}, {3, kNaN, -1, 0.0f, -0.0f, 2, -kNaN, -kInf, 3});
const HostArray kM = s32({2, 4}, {5, 1, 4, 1, 2, 8, 2, 0});

TEST(Sorting, SortsFloatsInNumpysOrder) {
  const std::vector<HostArray> up =
      op_testing::eager_and_traced([](const Tensors& a) { return Tensors{sort(a[0])}; }, {kS});
  expect_array(up[0], DType::F32, {9}, {-kInf, -1, 0, 0, 2, 3, 3, kNaN, kNaN});
  // -0 == 0, so the stable sort keeps them in input order: +0 (index 3), then -0 (index 4).
  EXPECT_FALSE(std::signbit(up[0].data<float>()[2]));
  EXPECT_TRUE(std::signbit(up[0].data<float>()[3]));
  expect_op([](const Tensors& a) { return Tensors{argsort(a[0])}; }, {kS}, DType::S32, {9},
            {7, 2, 3, 4, 5, 0, 8, 1, 6});
  // Descending: NaNs first; equal elements still keep their input order.
  expect_op([](const Tensors& a) { return Tensors{sort(a[0], 0, true)}; }, {kS}, DType::F32, {9},
            {kNaN, kNaN, 3, 3, 2, 0, 0, -1, -kInf});
  expect_op([](const Tensors& a) { return Tensors{argsort(a[0], -1, true)}; }, {kS}, DType::S32,
            {9}, {1, 6, 0, 8, 5, 3, 4, 2, 7});
}

TEST(Sorting, SortsAlongAnyAxisAndIntegerTypes) {
  expect_op([](const Tensors& a) { return Tensors{sort(a[0], 0)}; }, {kM}, DType::S32, {2, 4},
            {2, 1, 2, 0, 5, 8, 4, 1});
  expect_op([](const Tensors& a) { return Tensors{argsort(a[0], 1)}; }, {kM}, DType::S32, {2, 4},
            {1, 3, 2, 0, 3, 0, 2, 1});
  expect_op([](const Tensors& a) { return Tensors{argsort(a[0], -1, true)}; }, {kM}, DType::S32,
            {2, 4}, {0, 2, 1, 3, 1, 0, 2, 3});
  expect_op([](const Tensors& a) { return Tensors{argsort(a[0], -2)}; },
            {f32({3, 2}, {2, -1, 0.5f, -1, 1, -3})}, DType::S32, {3, 2}, {1, 2, 2, 0, 0, 1});
  expect_op([](const Tensors& a) { return Tensors{sort(a[0])}; },
            {array<uint8_t>({4}, {200, 3, 255, 0})}, DType::U8, {4}, {0, 3, 200, 255});
  const HostArray doubles = array<double>({3}, {0.25, -1e300, 1e-300});
  expect_op([](const Tensors& a) { return Tensors{sort(a[0], 0, true)}; }, {doubles}, DType::F64,
            {3}, {0.25, 1e-300, -1e300});
  // Axes of size 0 and 1.
  expect_op([](const Tensors& a) { return Tensors{argsort(a[0], 1)}; }, {f32({2, 0}, {})},
            DType::S32, {2, 0}, {});
  expect_op([](const Tensors& a) { return Tensors{sort(a[0], 0)}; }, {f32({1, 2}, {4, 3})},
            DType::F32, {1, 2}, {4, 3});
}

TEST(Sorting, TopKTakesTheLargestWithTheLowestIndexAmongTies) {
  const HostArray x = f32({2, 5}, {1, 5, kNaN, 5, -2, 0, -0.0f, 3, 3, 3});
  const auto top3 = [](const Tensors& a) {
    auto [values, indices] = top_k(a[0], 3);
    return Tensors{values, indices};
  };
  const std::vector<HostArray> out = op_testing::eager_and_traced(top3, {x});
  expect_array(out[0], DType::F32, {2, 3}, {kNaN, 5, 5, 3, 3, 3});
  expect_array(out[1], DType::S32, {2, 3}, {2, 1, 3, 2, 3, 4});
  const auto all = [](const Tensors& a) {
    auto [values, indices] = top_k(a[0], 4);
    return Tensors{values, indices};
  };
  const std::vector<HostArray> ints = op_testing::eager_and_traced(all, {s32({4}, {-1, 7, -1, 2})});
  expect_array(ints[0], DType::S32, {4}, {7, 2, -1, -1});
  expect_array(ints[1], DType::S32, {4}, {1, 3, 0, 2});
  const auto none = [](const Tensors& a) { return Tensors{top_k(a[0], 0).second}; };
  expect_op(none, {x}, DType::S32, {2, 0}, {});
}

TEST(Sorting, LowersToOneStableSortWithATotalOrderComparator) {
  std::string hlo;
  op_testing::eager_and_traced([](const Tensors& a) { return Tensors{argsort(a[0])}; }, {kS}, &hlo);
  EXPECT_NE(hlo.find("sort("), std::string::npos) << hlo;
  EXPECT_EQ(hlo.find("sort(", hlo.find("sort(") + 1), std::string::npos) << hlo;
  EXPECT_NE(hlo.find("is_stable=true"), std::string::npos) << hlo;
  EXPECT_NE(hlo.find("direction=LT, type=TOTALORDER"), std::string::npos) << hlo;
  auto jitted = jit([](const Tensor& x) { return top_k(x, 2).first; });
  expect_array(jitted(kS).to_host(), DType::F32, {2}, {kNaN, kNaN});
  expect_array(jitted(f32({9}, {1, 2, 3, 4, 5, 6, 7, 8, 9})).to_host(), DType::F32, {2}, {9, 8});
  EXPECT_EQ(jitted.trace_count(), 1);
}

TEST(Sorting, ErrorsNameTheOperationShapesAndLine) {
  const std::string axis = error_of([] { (void)sort(kS, 1); });
  EXPECT_NE(axis.find("sort: axis 1 is out of range; got f32[9]"), std::string::npos) << axis;
  EXPECT_NE(axis.find("sorting_test.cc:"), std::string::npos) << axis;
  const std::string traced = error_of([] {
    (void)trace([](const Tensor& x) { return argsort(x, -3); }, TensorSpec{DType::S32, {2, 4}});
  });
  EXPECT_NE(traced.find("argsort: axis -3 is out of range; got s32[2,4]"), std::string::npos)
      << traced;
  EXPECT_NE(traced.find("sorting_test.cc:"), std::string::npos) << traced;
  const std::string big = error_of([] { (void)top_k(kM, 5); });
  EXPECT_NE(big.find("top_k: k = 5 is not in [0, 4] (the last dimension); got s32[2,4]"),
            std::string::npos)
      << big;
  EXPECT_NE(error_of([] { (void)top_k(kM, -1); }).find("top_k: k = -1 is not in [0, 4]"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              (void)top_k(f32({}, {1}), 1);
            }).find("top_k: needs an operand of rank 1 or more; got f32[]"),
            std::string::npos);
  const std::string complex = error_of([] {
    (void)sort(array<std::complex<float>>({2}, {{1, 2}, {0, 1}}));
  });
  EXPECT_NE(complex.find("sort: complex numbers have no order; got c64[2]"), std::string::npos)
      << complex;
}

}  // namespace
}  // namespace hlocc
