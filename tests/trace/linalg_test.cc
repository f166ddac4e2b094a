// matmul, dot_general and einsum (hlocc/linalg.h), each run eagerly and traced. Expected values
// are by hand or from numpy (scripts/fixtures/reductions_linalg_sorting_fixtures.py).
#include "hlocc/linalg.h"

#include <gtest/gtest.h>

#include "op_test_support.h"

namespace hlocc {
namespace {

using op_testing::error_of;
using op_testing::expect_array;
using op_testing::expect_op;
using op_testing::f32;
using op_testing::s32;

// arange(product(dims)).reshape(dims) * scale + offset, as the fixture script builds its inputs.
HostArray ramp(std::vector<int64_t> dims, float scale, float offset) {
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  std::vector<float> values;
  for (int64_t i = 0; i < count; ++i) values.push_back(static_cast<float>(i) * scale + offset);
  return f32(std::move(dims), values);
}

const HostArray kA = ramp({2, 1, 3, 4}, 0.25f, -1);  // arange / 4 - 1
const HostArray kB = ramp({5, 4, 2}, 0.125f, -2);    // arange / 8 - 2
const HostArray kV = f32({4}, {1, -2, 0.5f, 3});
const HostArray kM = f32({3, 2}, {1, 2, 3, 4, 5, 6});
const HostArray kN = f32({2, 3}, {1, -1, 2, 0, 3, -2});
const HostArray kP = ramp({2, 2, 3}, 1, -5);    // arange - 5
const HostArray kQ = ramp({2, 3, 2}, 0.5f, 0);  // arange / 2
const HostArray kR = f32({2, 3}, {1, 0, -1, 2, 1, 0});
const std::vector<double> kMN = {1, 5, -2, 3, 9, -2, 5, 13, -2};         // kM @ kN
const std::vector<double> kPQ = {-10, -16, -1, -2.5, 26, 29, 62, 69.5};  // batched kP @ kQ

Tensors matmul_of(const Tensors& a) { return {matmul(a[0], a[1])}; }

TEST(Linalg, MatmulOfMatricesAndIntegers) {
  expect_op(matmul_of, {kM, kN}, DType::F32, {3, 3}, kMN);
  expect_op(matmul_of, {s32({2, 2}, {1, 2, 3, 4}), s32({2, 1}, {5, 6})}, DType::S32, {2, 1},
            {17, 39});
}

TEST(Linalg, MatmulBroadcastsBatchDimensions) {
  expect_op(
      matmul_of, {kA, kB}, DType::F32, {2, 5, 3, 2},
      {4.375,   4.0625,   -2.125,  -1.9375,  -8.625,  -7.9375,  1.875,  1.5625,  -0.625, -0.4375,
       -3.125,  -2.4375,  -0.625,  -0.9375,  0.875,   1.0625,   2.375,  3.0625,  -3.125, -3.4375,
       2.375,   2.5625,   7.875,   8.5625,   -5.625,  -5.9375,  3.875,  4.0625,  13.375, 14.0625,
       -15.125, -13.9375, -21.625, -19.9375, -28.125, -25.9375, -5.625, -4.4375, -8.125, -6.4375,
       -10.625, -8.4375,  3.875,   5.0625,   5.375,   7.0625,   6.875,  9.0625,  13.375, 14.5625,
       18.875,  20.5625,  24.375,  26.5625,  22.875,  24.0625,  32.375, 34.0625, 41.875, 44.0625});
  // A matrix on the right multiplies every batch (no broadcast needed).
  const HostArray b0 = ramp({4, 2}, 0.125f, -2);  // kB[0]
  expect_op(matmul_of, {kA, b0}, DType::F32, {2, 1, 3, 2},
            {4.375, 4.0625, -2.125, -1.9375, -8.625, -7.9375, -15.125, -13.9375, -21.625, -19.9375,
             -28.125, -25.9375});
  expect_op(matmul_of, {kP, f32({3, 2}, {1, 2, 0, 1, -1, 0})}, DType::F32, {2, 2, 2},
            {-2, -14, -2, -5, -2, 4, -2, 13});  // kP @ kR.T
}

TEST(Linalg, MatmulPromotesVectors) {
  expect_op(matmul_of, {kV, kB}, DType::F32, {5, 2},
            {-3, -2.6875, -0.5, -0.1875, 2, 2.3125, 4.5, 4.8125, 7, 7.3125});
  expect_op(matmul_of, {kA, kV}, DType::F32, {2, 1, 3}, {-0.5, 2, 4.5, 7, 9.5, 12});
  expect_op(matmul_of, {kV, ramp({4, 2}, 0.125f, -2)}, DType::F32, {2}, {-3, -2.6875});
  expect_op(matmul_of, {kV, kV}, DType::F32, {}, {14.25});
}

TEST(Linalg, DotGeneralFollowsHloDimensionNumbers) {
  // kQ transposed to [j, b, k]: batch dims are at different positions in the two operands.
  const auto batched = [](const Tensors& a) {
    return Tensors{dot_general(a[0], transpose(a[1], {1, 0, 2}), {{2}, {0}, {0}, {1}})};
  };
  expect_op(batched, {kP, kQ}, DType::F32, {2, 2, 2}, kPQ);
  // No contracting dimensions: an outer product.
  const auto outer = [](const Tensors& a) { return Tensors{dot_general(a[0], a[1], {})}; };
  expect_op(outer, {f32({2}, {1, -2}), f32({3}, {3, 4, 5})}, DType::F32, {2, 3},
            {3, 4, 5, -6, -8, -10});
}

// einsum(spec, operands) eagerly and traced against numpy's values.
void expect_einsum(const std::string& spec, const std::vector<HostArray>& operands,
                   const std::vector<int64_t>& dims, const std::vector<double>& values) {
  SCOPED_TRACE(spec);
  expect_op([&](const Tensors& a) { return Tensors{einsum(spec, a)}; }, operands, DType::F32, dims,
            values);
}

TEST(Linalg, EinsumContractionsAndTransposes) {
  expect_einsum("ij,jk->ik", {kM, kN}, {3, 3}, kMN);
  expect_einsum("ij,jk", {kM, kN}, {3, 3}, kMN);  // implicit output: "ik"
  expect_einsum("bij,bjk->bik", {kP, kQ}, {2, 2, 2}, kPQ);
  expect_einsum("bij,bjk->kib", {kP, kQ}, {2, 2, 2}, {-10, 26, -1, 62, -16, 29, -2.5, 69.5});
  expect_einsum("bij,kj->ik", {kP, kR}, {2, 2}, {-4, -10, -4, 8});  // b summed before the dot
  expect_einsum("bhqd,bhkd->bhqk", {ramp({1, 2, 3, 4}, 0.1f, 0), ramp({1, 2, 2, 4}, 0.1f, -0.5f)},
                {1, 2, 3, 2},
                {-0.16, 0.08, -0.72, 0.16, -1.28, 0.24, 2.48, 4.64, 3.2, 6, 3.92, 7.36});
  expect_einsum("i,i->", {kV, kV}, {}, {14.25});
  expect_einsum("ij,ij->ij", {kM, kM}, {3, 2}, {1, 4, 9, 16, 25, 36});  // batch dims only
  expect_einsum("ij,ij->", {kM, kM}, {}, {91});
  expect_einsum("i,j->ij", {f32({2}, {1, -2}), f32({3}, {3, 4, 5})}, {2, 3},
                {3, 4, 5, -6, -8, -10});
}

TEST(Linalg, EinsumOfOneOperand) {
  expect_einsum("ij->ji", {kN}, {3, 2}, {1, 0, -1, 3, 2, -2});
  expect_einsum(" i j -> j i ", {kN}, {3, 2}, {1, 0, -1, 3, 2, -2});  // spaces are ignored
  expect_einsum("ba", {kN}, {3, 2}, {1, 0, -1, 3, 2, -2});  // implicit: alphabetical, "ab"
  expect_einsum("ij->", {kN}, {}, {3});
  expect_einsum("ij->i", {kN}, {2}, {2, 1});
  expect_einsum("ij", {kN}, {2, 3}, {1, -1, 2, 0, 3, -2});
}

TEST(Linalg, EinsumEllipsisBroadcasts) {
  const HostArray e1 = ramp({2, 3, 4}, 0.25f, 0);
  const HostArray e2 = ramp({3, 4}, 1, -6);
  expect_einsum("...ij,...ij->...i", {e1, e2}, {2, 3}, {-5.5, -1.5, 34.5, -59.5, -7.5, 76.5});
  expect_einsum("...j->...", {e1}, {2, 3}, {1.5, 5.5, 9.5, 13.5, 17.5, 21.5});
  // [2,1,3] and [4,3]: the "..." dimensions (2,1) and (4) broadcast to (2,4).
  expect_einsum("...i,...i->...i", {ramp({2, 1, 3}, 1, -2), ramp({4, 3}, 0.5f, 0)}, {2, 4, 3},
                {0, -0.5, 0, -3,  -2, 0,   -6, -3.5, 0,  -9,  -5, 0,
                 0, 1,    3, 1.5, 4,  7.5, 3,  7,    12, 4.5, 10, 16.5});
}

TEST(Linalg, LowersToOneDot) {
  std::string hlo;
  op_testing::eager_and_traced([](const Tensors& a) { return Tensors{einsum("bij,bjk->bik", a)}; },
                               {kP, kQ}, &hlo);
  EXPECT_NE(hlo.find("lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, "
                     "rhs_contracting_dims={1}"),
            std::string::npos)
      << hlo;
  EXPECT_EQ(hlo.find("transpose("), std::string::npos) << hlo;
  auto jitted = jit([](const Tensor& a, const Tensor& b) { return matmul(a, b); });
  expect_array(jitted(kM, kN).to_host(), DType::F32, {3, 3}, kMN);
  EXPECT_EQ(jitted.trace_count(), 1);
}

TEST(Linalg, MatmulAndDotGeneralErrors) {
  const std::string batch = error_of([] {
    (void)matmul(ramp({2, 3, 4}, 1, 0), ramp({3, 4, 5}, 1, 0));
  });
  EXPECT_NE(batch.find("matmul: batch dimensions cannot be broadcast together; got f32[2,3,4] and "
                       "f32[3,4,5]"),
            std::string::npos)
      << batch;
  EXPECT_NE(batch.find("linalg_test.cc:"), std::string::npos) << batch;
  const std::string inner = error_of([] { (void)matmul(f32({3}, {1, 2, 3}), kN); });
  EXPECT_NE(inner.find("dot: contracting dimensions differ; got lhs f32[3] (dim 0 = 3) and rhs "
                       "f32[2,3] (dim 0 = 2)"),
            std::string::npos)
      << inner;
  EXPECT_NE(error_of([] {
              (void)matmul(f32({}, {2}), kN);
            }).find("matmul: operands must have at least one dimension; got f32[] and f32[2,3]"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              (void)matmul(kM, s32({2, 1}, {1, 2}));
            }).find("matmul: operands have different dtypes; got f32[3,2] and s32[2,1]"),
            std::string::npos);
  const std::string dims = error_of([] { (void)dot_general(kM, kN, {{2}, {0}, {}, {}}); });
  EXPECT_NE(dims.find("dot: dimension number out of range"), std::string::npos) << dims;
}

TEST(Linalg, EinsumErrors) {
  const auto message = [](const std::string& spec, std::vector<Tensor> operands) {
    return error_of([&] { (void)einsum(spec, operands); });
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {message("ij,jk,kl->il", {kM, kN, kM}),
       "einsum: supports one or two operands; got f32[3,2] and f32[2,3] and f32[3,2]"},
      {message("ij,jk", {kM}), "einsum: \"ij,jk\" names 2 operand(s) but 1 were given"},
      {message("i1", {kM}), "einsum: cannot read \"i1\" in \"i1\" (at '1')"},
      {message("ijk", {kM}), "einsum: operand 0 has rank 2 but \"ijk\" names 3 dimension(s)"},
      {message("ij,jk->ik", {kM, kM}),
       "einsum: index 'j' of \"ij,jk->ik\" has different sizes (2 and 3); got f32[3,2] and "
       "f32[3,2]"},
      {message("ii->i", {f32({2, 2}, {1, 2, 3, 4})}),
       "einsum: index 'i' repeats in operand 0 of \"ii->i\" (a diagonal or trace), which is not "
       "supported"},
      {message("ij->k", {kM}), "einsum: output index 'k' of \"ij->k\" appears in no operand"},
      {message("ij->ii", {kM}), "einsum: output index 'i' of \"ij->ii\" repeats"},
      {message("...i->i", {kM}),
       "einsum: the output of \"...i->i\" leaves out the \"...\" dimensions"},
      {message("...i,...i", {ramp({2, 3}, 1, 0), ramp({4, 3}, 1, 0)}),
       "einsum: a \"...\" dimension of \"...i,...i\" has different sizes (2 and 4)"},
      {message("ij,jk", {kM, s32({2, 2}, {1, 2, 3, 4})}),
       "einsum: operands have different dtypes; got f32[3,2] and s32[2,2]"},
  };
  for (const auto& [actual, expected] : cases) {
    EXPECT_NE(actual.find(expected), std::string::npos) << actual << "\nexpected: " << expected;
    EXPECT_NE(actual.find("linalg_test.cc:"), std::string::npos) << actual;
  }
}

}  // namespace
}  // namespace hlocc
