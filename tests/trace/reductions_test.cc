// Reductions, arg-reductions, softmax and cumulative operations (hlocc/reductions.h), each run
// eagerly and traced. Expected values are by hand or from numpy/torch
// (scripts/fixtures/reductions_linalg_sorting_fixtures.py).
#include "hlocc/reductions.h"

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

// {{0.5, -1.25, 3}, {2, 4.5, -0.75}}
const HostArray kX = f32({2, 3}, {0.5f, -1.25f, 3, 2, 4.5f, -0.75f});
// {{1000, 1000.5, 999}, {-3, 0.25, 2}}: exp overflows f32 without the shift by the maximum.
const HostArray kLarge = f32({2, 3}, {1000, 1000.5f, 999, -3, 0.25f, 2});

TEST(Reductions, SumProdMaxMinOverAxesWithKeepdims) {
  expect_op([](const Tensors& a) { return Tensors{sum(a[0])}; }, {kX}, DType::F32, {}, {8});
  expect_op([](const Tensors& a) { return Tensors{sum(a[0], {-1}, true)}; }, {kX}, DType::F32,
            {2, 1}, {2.25, 5.75});
  expect_op([](const Tensors& a) { return Tensors{prod(a[0], {0})}; }, {kX}, DType::F32, {3},
            {1, -5.625, -2.25});
  expect_op([](const Tensors& a) { return Tensors{max(a[0], {0}, true)}; }, {kX}, DType::F32,
            {1, 3}, {2, 4.5, 3});
  // Repeated axes (1 and -1 name the same one) reduce once.
  expect_op(
      [](const Tensors& a) {
        return Tensors{min(a[0], {1, -1})};
      },
      {kX}, DType::F32, {2}, {-1.25, -0.75});
  expect_op([](const Tensors& a) { return Tensors{max(a[0], {}, true)}; }, {kX}, DType::F32, {1, 1},
            {4.5});
}

TEST(Reductions, IntegerPredAndEmptyInputs) {
  const HostArray ints = s32({2, 3}, {-7, 2, 9, 4, -3, 0});
  expect_op([](const Tensors& a) { return Tensors{sum(a[0], {0})}; }, {ints}, DType::S32, {3},
            {-3, -1, 9});
  expect_op([](const Tensors& a) { return Tensors{prod(a[0], {1})}; }, {ints}, DType::S32, {2},
            {-126, 0});
  expect_op([](const Tensors& a) { return Tensors{min(a[0], {-1}, true)}; }, {ints}, DType::S32,
            {2, 1}, {-7, -3});
  // max of all-lowest integers: the identity (-inf converted) must not win.
  const HostArray lowest = s32({2}, {std::numeric_limits<int32_t>::min(), -5});
  expect_op([](const Tensors& a) { return Tensors{max(a[0])}; }, {lowest}, DType::S32, {}, {-5});
  const HostArray bools = array<bool>({2, 2}, {false, false, false, true});
  expect_op([](const Tensors& a) { return Tensors{max(a[0], {1})}; }, {bools}, DType::Pred, {2},
            {0, 1});
  expect_op([](const Tensors& a) { return Tensors{min(a[0], {0})}; }, {bools}, DType::Pred, {2},
            {0, 0});
  const HostArray unsigned_bytes = array<uint8_t>({3}, {7, 0, 200});
  expect_op([](const Tensors& a) { return Tensors{max(a[0])}; }, {unsigned_bytes}, DType::U8, {},
            {200});
  // A size-0 axis reduces to the identity, as numpy.sum does.
  expect_op([](const Tensors& a) { return Tensors{sum(a[0], {1})}; }, {f32({2, 0}, {})}, DType::F32,
            {2}, {0, 0});
  expect_op([](const Tensors& a) { return Tensors{prod(a[0], {0}, true)}; }, {f32({0, 2}, {})},
            DType::F32, {1, 2}, {1, 1});
}

TEST(Reductions, MaxAndMinPropagateNaN) {
  const HostArray x = f32({2, 3}, {1, kNaN, 3, -kInf, 2, 0});
  expect_op([](const Tensors& a) { return Tensors{max(a[0], {1})}; }, {x}, DType::F32, {2},
            {kNaN, 2});
  expect_op([](const Tensors& a) { return Tensors{min(a[0], {1})}; }, {x}, DType::F32, {2},
            {kNaN, -kInf});
}

TEST(Reductions, MeanAndVarMatchNumpy) {
  expect_op([](const Tensors& a) { return Tensors{mean(a[0])}; }, {kX}, DType::F32, {},
            {1.3333333730697632});
  expect_op([](const Tensors& a) { return Tensors{mean(a[0], {-1}, true)}; }, {kX}, DType::F32,
            {2, 1}, {0.75, 1.9166666269302368});
  expect_op([](const Tensors& a) { return Tensors{var(a[0])}; }, {kX}, DType::F32, {},
            {4.159722328186035});
  expect_op([](const Tensors& a) { return Tensors{var(a[0], {0}, false, 1)}; }, {kX}, DType::F32,
            {3}, {1.125, 16.53125, 7.03125});
  expect_op([](const Tensors& a) { return Tensors{var(a[0], {1}, true)}; }, {kX}, DType::F32,
            {2, 1}, {3.0416667461395264, 4.597222328186035});
  // ddof = count: numpy divides by max(count - ddof, 0) = 0.
  expect_op([](const Tensors& a) { return Tensors{var(a[0], {}, false, 2)}; }, {f32({2}, {1, 3})},
            DType::F32, {}, {kInf});
  const HostArray doubles = array<double>({4}, {1, 2, 3, 4});
  expect_op([](const Tensors& a) { return Tensors{mean(a[0])}; }, {doubles}, DType::F64, {}, {2.5});
  expect_op([](const Tensors& a) { return Tensors{var(a[0], {0}, false, 1)}; }, {doubles},
            DType::F64, {}, {5.0 / 3});
}

TEST(Reductions, LogsumexpIsStableAndKeepsMinusInfinity) {
  expect_op([](const Tensors& a) { return Tensors{logsumexp(a[0], {1})}; }, {kLarge}, DType::F32,
            {2}, {1001.1041259765625, 2.1659481525421143});
  expect_op([](const Tensors& a) { return Tensors{logsumexp(a[0], {}, true)}; }, {kLarge},
            DType::F32, {1, 1}, {1001.1041259765625});
  // Rows: all -inf (-inf, not NaN), one finite, +inf, NaN.
  const HostArray special = f32({4, 2}, {-kInf, -kInf, -kInf, 1, kInf, 1, kNaN, 1});
  expect_op([](const Tensors& a) { return Tensors{logsumexp(a[0], {-1})}; }, {special}, DType::F32,
            {4}, {-kInf, 1, kInf, kNaN});
}

TEST(Reductions, SoftmaxAndLogSoftmaxMatchTorch) {
  expect_op([](const Tensors& a) { return Tensors{softmax(a[0])}; }, {kLarge}, DType::F32, {2, 3},
            {0.3314989507198334, 0.546549379825592, 0.12195165455341339, 0.005707648582756519,
             0.14720219373703003, 0.8470901250839233});
  expect_op([](const Tensors& a) { return Tensors{log_softmax(a[0], -1)}; }, {kLarge}, DType::F32,
            {2, 3},
            {-1.1041306257247925, -0.6041306257247925, -2.104130744934082, -5.165948390960693,
             -1.9159481525421143, -0.16594819724559784});
  expect_op([](const Tensors& a) { return Tensors{softmax(a[0], 0)}; }, {kLarge}, DType::F32,
            {2, 3}, {1, 1, 1, 0, 0, 0});
  expect_op([](const Tensors& a) { return Tensors{log_softmax(a[0])}; }, {f32({2}, {-kInf, 1})},
            DType::F32, {2}, {-kInf, 0});
}

TEST(Reductions, ArgmaxArgminTakeTheFirstIndexAndCountNaNAsExtreme) {
  const HostArray x = f32({3, 4}, {3, 7, 7, 1, kNaN, 2, kNaN, 9, -1, -1, -5, -5});
  expect_op([](const Tensors& a) { return Tensors{argmax(a[0], 1)}; }, {x}, DType::S32, {3},
            {1, 0, 0});
  expect_op([](const Tensors& a) { return Tensors{argmin(a[0], -1)}; }, {x}, DType::S32, {3},
            {3, 0, 2});
  expect_op([](const Tensors& a) { return Tensors{argmax(a[0], 0)}; }, {x}, DType::S32, {4},
            {1, 0, 1, 1});
  expect_op([](const Tensors& a) { return Tensors{argmin(a[0], -2, true)}; }, {x}, DType::S32,
            {1, 4}, {1, 2, 1, 2});
  // The identity of max (-inf) ties with real elements, and must not take their place.
  expect_op([](const Tensors& a) { return Tensors{argmax(a[0], 0)}; },
            {f32({3}, {-kInf, -kInf, -kInf})}, DType::S32, {}, {0});
  expect_op([](const Tensors& a) { return Tensors{argmin(a[0], 0)}; }, {f32({3}, {1, kNaN, kNaN})},
            DType::S32, {}, {1});
}

TEST(Reductions, ArgmaxOnIntegersAndPred) {
  expect_op([](const Tensors& a) { return Tensors{argmax(a[0], 0)}; },
            {s32({5}, {-4, 9, 9, -4, 2})}, DType::S32, {}, {1});
  expect_op([](const Tensors& a) { return Tensors{argmin(a[0], 0, true)}; },
            {s32({5}, {-4, 9, 9, -4, 2})}, DType::S32, {1}, {0});
  const int32_t lowest = std::numeric_limits<int32_t>::min();
  expect_op([](const Tensors& a) { return Tensors{argmax(a[0], 0)}; },
            {s32({3}, {lowest, lowest, lowest})}, DType::S32, {}, {0});
  expect_op([](const Tensors& a) { return Tensors{argmax(a[0], 0)}; },
            {array<bool>({3}, {false, true, true})}, DType::S32, {}, {1});
  expect_op([](const Tensors& a) { return Tensors{argmin(a[0], 0)}; },
            {array<bool>({3}, {true, false, false})}, DType::S32, {}, {1});
}

TEST(Reductions, CumulativeOperationsMatchNumpy) {
  const HostArray c = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_op([](const Tensors& a) { return Tensors{cumsum(a[0], 1)}; }, {c}, DType::F32, {2, 3},
            {1, 3, 6, 4, 9, 15});
  expect_op([](const Tensors& a) { return Tensors{cumsum(a[0], 0)}; }, {c}, DType::F32, {2, 3},
            {1, 2, 3, 5, 7, 9});
  expect_op([](const Tensors& a) { return Tensors{cumsum(a[0], -1, true)}; }, {c}, DType::F32,
            {2, 3}, {6, 5, 3, 15, 11, 6});
  expect_op([](const Tensors& a) { return Tensors{cumprod(a[0], 1)}; }, {c}, DType::F32, {2, 3},
            {1, 2, 6, 4, 20, 120});
  expect_op([](const Tensors& a) { return Tensors{cummax(a[0], 0)}; },
            {f32({5}, {1, 3, 2, kNaN, 5})}, DType::F32, {5}, {1, 3, 3, kNaN, kNaN});
  expect_op([](const Tensors& a) { return Tensors{cummin(a[0], 0, true)}; },
            {s32({5}, {4, 1, 3, 0, 2})}, DType::S32, {5}, {0, 0, 0, 0, 2});
  expect_op([](const Tensors& a) { return Tensors{cumsum(a[0], 0)}; }, {s32({3}, {5, -2, 7})},
            DType::S32, {3}, {5, 3, 10});
  // Axes of length 1 and 0 have nothing to accumulate.
  expect_op([](const Tensors& a) { return Tensors{cumsum(a[0], 1)}; }, {f32({2, 1}, {4, 5})},
            DType::F32, {2, 1}, {4, 5});
  expect_op([](const Tensors& a) { return Tensors{cumprod(a[0], 0)}; }, {f32({0}, {})}, DType::F32,
            {0}, {});
}

TEST(Reductions, LowerToReduceAndReduceWindowInOneModule) {
  std::string hlo;
  const auto fn = [](const Tensors& a) {
    return Tensors{argmax(a[0], 1), cumsum(a[0], 0), logsumexp(a[0], {1})};
  };
  const std::vector<HostArray> out = op_testing::eager_and_traced(fn, {kX}, &hlo);
  EXPECT_NE(hlo.find("iota()"), std::string::npos) << hlo;
  EXPECT_NE(hlo.find("(f32[2], s32[2]) reduce("), std::string::npos) << hlo;
  EXPECT_NE(hlo.find("reduce-window("), std::string::npos) << hlo;
  expect_array(out[0], DType::S32, {2}, {2, 1});
  expect_array(out[1], DType::F32, {2, 3}, {0.5, -1.25, 3, 2.5, 3.25, 2.25});

  auto jitted = jit([](const Tensor& x) { return softmax(x, 0) * mean(x, {0}, true); });
  const HostArray first = jitted(kX).to_host();
  EXPECT_EQ(tensor_testing::compiled_differs((softmax(kX, 0) * mean(kX, {0}, true)).to_host(), first),
            "");
  jitted(kLarge);
  EXPECT_EQ(jitted.trace_count(), 1);
}

TEST(Reductions, ErrorsNameTheOperationShapesAndLine) {
  const std::string axis = error_of([] { (void)sum(kX, {2}); });
  EXPECT_NE(axis.find("sum: axis 2 is out of range; got f32[2,3]"), std::string::npos) << axis;
  EXPECT_NE(axis.find("reductions_test.cc:"), std::string::npos) << axis;
  EXPECT_NE(axis.find("hint: axes run from -2 to 1"), std::string::npos) << axis;

  const HostArray ints = s32({3}, {1, 2, 3});
  const std::string integer_mean = error_of([&] { (void)mean(ints); });
  EXPECT_NE(integer_mean.find("mean: needs a floating-point dtype; got s32[3]"), std::string::npos)
      << integer_mean;
  EXPECT_NE(integer_mean.find("hint: convert first, e.g. mean(astype(x, DType::F32)"),
            std::string::npos)
      << integer_mean;
  for (const auto& fn : std::vector<std::function<void()>>{
           [&] { (void)var(ints); }, [&] { (void)logsumexp(ints); }, [&] { (void)softmax(ints); },
           [&] { (void)log_softmax(ints); }}) {
    EXPECT_NE(error_of(fn).find(": needs a floating-point dtype; got s32[3]"), std::string::npos);
  }

  const std::string empty = error_of([] { (void)argmax(f32({2, 0}, {}), 1); });
  EXPECT_NE(empty.find("argmax: axis 1 is empty, so it has no extreme; got f32[2,0]"),
            std::string::npos)
      << empty;
  const std::string traced = error_of([] {
    (void)trace([](const Tensor& x) { return argmin(x, -3); }, TensorSpec{DType::F32, {2, 3}});
  });
  EXPECT_NE(traced.find("argmin: axis -3 is out of range; got f32[2,3]"), std::string::npos)
      << traced;
  EXPECT_NE(traced.find("reductions_test.cc:"), std::string::npos) << traced;
  const std::string complex = error_of([] {
    (void)argmax(array<std::complex<float>>({1}, {{1, 2}}), 0);
  });
  EXPECT_NE(complex.find("argmax: complex numbers have no order; got c64[1]"), std::string::npos)
      << complex;
  EXPECT_NE(error_of([] { (void)cumsum(f32({}, {1}), 0); }).find("cumsum: axis 0 is out of range"),
            std::string::npos);
}

}  // namespace
}  // namespace hlocc
