// Array<T, Dims...>: result types computed at compile time, values (by hand) eager and traced,
// and the check when a Tensor becomes an Array. Shape mismatches that must not compile are in
// tests/compile_fail/.
#include "hlocc/array.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <type_traits>

#include "hlocc/trace.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc {
using tensor_testing::error_of;
using tensor_testing::values_of;
namespace {

template <class A, class B>
constexpr bool kSame = std::is_same_v<A, B>;

// ---- compile time: the type's constants and the result types of operations.

static_assert(Array<float, 2, 3>::kRank == 2 && Array<float, 2, 3>::kSize == 6);
static_assert(Array<float, 2, 3>::kDims == std::array<int64_t, 2>{2, 3});
static_assert(Array<float>::kRank == 0 && Array<float>::kSize == 1);
static_assert(Array<float, 0, 3>::kSize == 0);
static_assert(Array<float>::kDType == DType::F32 && Array<double>::kDType == DType::F64);
static_assert(Array<int32_t>::kDType == DType::S32 && Array<int64_t>::kDType == DType::S64);
static_assert(Array<bool>::kDType == DType::Pred && Array<uint32_t>::kDType == DType::U32);

using A23 = Array<float, 2, 3>;
static_assert(kSame<decltype(A23{} + Array<float, 3>{}), A23>);
static_assert(kSame<decltype(Array<float, 2, 1>{} * Array<float, 1, 3>{}), A23>);
static_assert(kSame<decltype(Array<float, 3>{} - Array<float, 4, 1, 1>{}), Array<float, 4, 1, 3>>);
static_assert(kSame<decltype(A23{} / 2.0), A23>);
static_assert(kSame<decltype(less(A23{}, Array<float>{})), Array<bool, 2, 3>>);
static_assert(kSame<decltype(where(Array<bool, 2, 1>{}, A23{}, Array<float>{})), A23>);
static_assert(kSame<decltype(astype<int32_t>(A23{})), Array<int32_t, 2, 3>>);
static_assert(kSame<decltype(matmul(A23{}, Array<float, 3, 5>{})), Array<float, 2, 5>>);
static_assert(
    kSame<decltype(matmul(Array<float, 7, 2, 3>{}, Array<float, 3, 5>{})), Array<float, 7, 2, 5>>);
static_assert(
    kSame<decltype(matmul(Array<float, 3>{}, Array<float, 6, 3, 5>{})), Array<float, 6, 5>>);
static_assert(kSame<decltype(matmul(A23{}, Array<float, 3>{})), Array<float, 2>>);
static_assert(kSame<decltype(reshape<3, -1>(A23{})), Array<float, 3, 2>>);
static_assert(kSame<decltype(reshape<3, 0>(Array<float, 0, 3>{})), Array<float, 3, 0>>);
static_assert(kSame<decltype(transpose(Array<float, 2, 3, 4>{})), Array<float, 4, 3, 2>>);
static_assert(kSame<decltype(transpose<-1, 0, 1>(Array<float, 2, 3, 4>{})), Array<float, 4, 2, 3>>);
static_assert(kSame<decltype(transpose(Array<float>{})), Array<float>>);
static_assert(kSame<decltype(sum(A23{})), Array<float>>);
static_assert(kSame<decltype(mean<-1>(A23{})), Array<float, 2>>);
static_assert(kSame<decltype(max<1, 0>(A23{})), Array<float>>);
static_assert(kSame<decltype(argmin<0>(A23{})), Array<int32_t, 3>>);
static_assert(
    kSame<decltype(concatenate<1>(A23{}, Array<float, 2, 1>{}, A23{})), Array<float, 2, 7>>);
static_assert(kSame<decltype(conv2d(Array<float, 8, 3, 32, 32>{}, Array<float, 16, 3, 5, 5>{})),
                    Array<float, 8, 16, 28, 28>>);
static_assert(kSame<decltype(conv2d<2, padding::Same>(Array<float, 1, 3, 7, 7>{},
                                                      Array<float, 4, 3, 3, 3>{})),
                    Array<float, 1, 4, 4, 4>>);
static_assert(kSame<decltype(conv2d<1, padding::Explicit<1, 0>>(Array<float, 1, 3, 7, 7>{},
                                                                Array<float, 4, 3, 3, 3>{})),
                    Array<float, 1, 4, 7, 5>>);
static_assert(kSame<decltype(max_pool2d<2>(Array<float, 1, 3, 7, 7>{})), Array<float, 1, 3, 3, 3>>);
static_assert(kSame<decltype(avg_pool2d<3, 1, padding::Same>(Array<float, 1, 3, 7, 7>{})),
                    Array<float, 1, 3, 7, 7>>);

// ---- run time

template <class T, int64_t... D>
std::vector<T> values_of(const Array<T, D...>& a) {
  const HostArray host = a.to_host();
  const auto data = host.template data<T>();
  return {data.begin(), data.end()};
}



const A23 kA({1, 2, 3, 4, 5, 6});

TEST(Array, ConstructsFromValuesHostArraysAndTensors) {
  const A23 zeros;
  EXPECT_EQ(values_of(zeros), std::vector<float>(6, 0));
  EXPECT_EQ(A23::shape_string(), "f32[2,3]");
  EXPECT_EQ(A23::dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(A23::spec().dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(A23::spec().dtype, DType::F32);

  const Array<int32_t, 2, 2> ints({1, 2, 3, 4});
  EXPECT_EQ(ints.to_host(), HostArray::from_vector<int32_t>({2, 2}, {1, 2, 3, 4}));
  const Array<float, 2> from_host = HostArray::from_vector<float>({2}, {0.5f, -1});
  EXPECT_EQ(values_of(from_host), (std::vector<float>{0.5f, -1}));

  const Tensor tensor = kA;  // an Array is a Tensor wherever one is needed
  EXPECT_EQ(tensor.shape_string(), "f32[2,3]");
  EXPECT_EQ(values_of(exp(tensor)), values_of(exp(kA)));
  const A23 back = tensor;
  EXPECT_EQ(values_of(back), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(back.is_traced());

  const Array<double> scalar({2.5});
  EXPECT_EQ(values_of(scalar), (std::vector<double>{2.5}));
  const Array<bool, 3> flags({true, false, true});
  EXPECT_EQ(values_of(flags), (std::vector<bool>{true, false, true}));
}

TEST(ArrayErrors, TensorOfAnotherTypeNamesBothTypesAndTheLine) {
  const std::string dims = error_of([] { const A23 a = Tensor(transpose(kA)); });
  EXPECT_NE(dims.find("Array: expected f32[2,3]; got f32[3,2]"), std::string::npos) << dims;
  EXPECT_NE(dims.find("array_test.cc:"), std::string::npos) << dims;
  EXPECT_NE(dims.find("hint: "), std::string::npos) << dims;

  const std::string dtype = error_of([] {
    const A23 a = HostArray::from_vector<double>({2, 3}, {1, 2, 3, 4, 5, 6});
  });
  EXPECT_NE(dtype.find("Array: expected f32[2,3]; got f64[2,3]"), std::string::npos) << dtype;

  const std::string empty = error_of([] { const Array<float, 2> a = Tensor(); });
  EXPECT_NE(empty.find("expected f32[2]; got an empty Tensor"), std::string::npos) << empty;

  EXPECT_THROW((Array<int32_t, 2>(Tensor(Array<float, 2>{}))), Error);
}

TEST(ArrayErrors, TracedTensorsAreCheckedAtTraceTime) {
  const TensorSpec spec{DType::F32, {2, 3}};
  const std::string traced = error_of([&] {
    (void)trace(
        [](const Tensor& x) {
          const A23 a = transpose(x, {1, 0});  // a traced f32[3,2]
          return a.tensor();
        },
        spec);
  });
  EXPECT_NE(traced.find("Array: expected f32[2,3]; got f32[3,2]"), std::string::npos) << traced;
  EXPECT_NE(traced.find("array_test.cc:"), std::string::npos) << traced;

  // A traced function taking Arrays: its inputs are checked against the specs it is traced with.
  const auto identity = [](const Array<float, 3, 2>& x) { return x; };
  EXPECT_NE(error_of([&] { (void)trace(identity, spec); }).find("expected f32[3,2]; got f32[2,3]"),
            std::string::npos);
  EXPECT_EQ(trace(identity, Array<float, 3, 2>::spec()).instruction_count(), 1);
}

TEST(ArrayErrors, OperatorsAndFunctionsReportTheUsersLine) {
  // Errors the types do not catch (here: dtypes an HLO op rejects) name this file, also for
  // operators, which cannot take a defaulted Where.
  const Array<bool, 2> flags({true, false});
  for (const auto& [what, fn] : std::vector<std::pair<std::string, std::function<void()>>>{
           {"unary minus", [&] { (void)-flags; }},
           {"bool / bool", [&] { (void)(flags / flags); }},
           {"bool / scalar", [&] { (void)(flags / 2.0); }},
           {"Tensor - bool", [&] { (void)(Tensor(flags) - flags); }},
           {"mean of ints",
            [] {
              (void)mean(Array<int32_t, 3>({1, 2, 3}));
            }},
       }) {
    const std::string message = error_of(fn);
    EXPECT_NE(message.find("array_test.cc:"), std::string::npos) << what << ": " << message;
  }
}

TEST(Array, ElementwiseOperationsBroadcast) {
  const Array<float, 3> row({10, 20, 30});
  const Array<float, 2, 1> column({1, -1});
  EXPECT_EQ(values_of(kA + row), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(values_of(row - kA), (std::vector<float>{9, 18, 27, 6, 15, 24}));
  EXPECT_EQ(values_of(kA * column), (std::vector<float>{1, 2, 3, -4, -5, -6}));
  EXPECT_EQ(values_of(column * row), (std::vector<float>{10, 20, 30, -10, -20, -30}));
  EXPECT_EQ(values_of(kA / Array<float>({2})), (std::vector<float>{0.5f, 1, 1.5f, 2, 2.5f, 3}));
  EXPECT_EQ(values_of(-kA), (std::vector<float>{-1, -2, -3, -4, -5, -6}));
  EXPECT_EQ(values_of(maximum(kA, Array<float>({3.5f}))),
            (std::vector<float>{3.5f, 3.5f, 3.5f, 4, 5, 6}));
  EXPECT_EQ(values_of(minimum(column, row)), (std::vector<float>{1, 1, 1, -1, -1, -1}));
  EXPECT_EQ(values_of(power(column, Array<float>({3}))), (std::vector<float>{1, -1}));

  // Scalars on either side take the Array's element type.
  EXPECT_EQ(values_of(kA * 2.0), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(values_of(kA + 1), (std::vector<float>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(values_of(1 - kA), (std::vector<float>{0, -1, -2, -3, -4, -5}));
  EXPECT_EQ(values_of(6 / kA), (std::vector<float>{6, 3, 2, 1.5f, 1.2f, 1}));
  EXPECT_EQ(values_of(kA / 2 - 0.5), (std::vector<float>{0, 0.5f, 1, 1.5f, 2, 2.5f}));

  const Array<int32_t, 3> ints({7, -8, 9});
  EXPECT_EQ(values_of(ints * 3 + ints), (std::vector<int32_t>{28, -32, 36}));
  EXPECT_EQ(values_of(ints / 2), (std::vector<int32_t>{3, -4, 4}));  // XLA: rounds to zero
  EXPECT_EQ(values_of(remainder(ints, Array<int32_t>({4}))), (std::vector<int32_t>{3, 0, 1}));
  EXPECT_EQ(values_of(abs(ints)), (std::vector<int32_t>{7, 8, 9}));
}

TEST(Array, UnaryComparisonsWhereAndConversions) {
  EXPECT_EQ(values_of(relu(kA - 3.5)), (std::vector<float>{0, 0, 0, 0.5f, 1.5f, 2.5f}));
  const Array<float, 4> x({0, 1, 4, 0.25f});
  EXPECT_EQ(values_of(sqrt(x)), (std::vector<float>{0, 1, 2, 0.5f}));
  EXPECT_EQ(values_of(exp(Array<float, 2>({0, 0}))), (std::vector<float>{1, 1}));
  EXPECT_EQ(values_of(log(Array<float, 2>({1, 1}))), (std::vector<float>{0, 0}));
  EXPECT_EQ(values_of(sigmoid(Array<float, 1>({0}))), (std::vector<float>{0.5f}));
  EXPECT_EQ(values_of(tanh(Array<float, 1>({0}))), (std::vector<float>{0}));
  EXPECT_EQ(values_of(floor(Array<float, 2>({1.5f, -1.5f}))), (std::vector<float>{1, -2}));
  EXPECT_NEAR(values_of(exp(Array<double, 1>({1})))[0], 2.718281828459045, 1e-12);

  EXPECT_EQ(values_of(greater(kA, Array<float>({3}))),
            (std::vector<bool>{false, false, false, true, true, true}));
  EXPECT_EQ(values_of(equal(Array<float, 2, 1>({1, 5}), kA)),
            (std::vector<bool>{true, false, false, false, true, false}));
  EXPECT_EQ(values_of(logical_not(Array<bool, 2>({true, false}))),
            (std::vector<bool>{false, true}));
  EXPECT_EQ(values_of(isfinite(Array<float, 2>({1, std::nanf("")}))),
            (std::vector<bool>{true, false}));

  const Array<bool, 2, 1> first_row({true, false});
  EXPECT_EQ(values_of(where(first_row, kA, Array<float>({0}))),
            (std::vector<float>{1, 2, 3, 0, 0, 0}));
  EXPECT_EQ(values_of(astype<int32_t>(Array<float, 3>({1.7f, -2.5f, 3}))),
            (std::vector<int32_t>{1, -2, 3}));
}

TEST(Array, MixesWithTensors) {
  const Tensor row = HostArray::from_vector<float>({3}, {10, 20, 30});
  EXPECT_EQ(values_of(kA + row), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(values_of(row - kA), (std::vector<float>{9, 18, 27, 6, 15, 24}));
  EXPECT_EQ(values_of(row * kA), (std::vector<float>{10, 40, 90, 40, 100, 180}));
  EXPECT_EQ(values_of(kA / row), values_of(Tensor(kA) / row));
  const A23 sum_as_array = kA + row;  // checked back into an Array
  EXPECT_EQ(values_of(sum_as_array), (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

TEST(Array, Matmul) {
  const Array<float, 3, 2> w({1, -1, 0, 1, -1, 0});
  EXPECT_EQ(values_of(matmul(kA, w)), (std::vector<float>{-2, 1, -2, 1}));
  // Batch dims broadcast: [2,1,1,2] @ [3,2,1] -> [2,3,1,1].
  const Array<float, 2, 1, 1, 2> a({1, 2, 3, 4});
  const Array<float, 3, 2, 1> b({1, 1, 1, 0, 0, 1});
  const Array<float, 2, 3, 1, 1> batched = matmul(a, b);
  EXPECT_EQ(values_of(batched), (std::vector<float>{3, 1, 2, 7, 3, 4}));
  // Vectors: their dim is contracted and dropped.
  const Array<float, 3> v({1, 2, 3});
  EXPECT_EQ(values_of(matmul(v, w)), (std::vector<float>{-2, 1}));
  EXPECT_EQ(values_of(matmul(kA, Array<float, 3>({1, 0, -1}))), (std::vector<float>{-2, -2}));
  EXPECT_EQ(values_of(matmul(v, Array<float, 3>({4, 5, 6}))), (std::vector<float>{32}));
}

TEST(Array, ReshapeTransposeConcatenate) {
  EXPECT_EQ(values_of(reshape<3, -1>(kA)), values_of(kA));
  EXPECT_EQ(values_of(reshape<6>(kA)), values_of(kA));
  EXPECT_EQ(values_of(reshape<>(Array<float, 1, 1>({7}))), (std::vector<float>{7}));
  EXPECT_EQ(values_of(transpose(kA)), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  const Array<float, 1, 2, 3> x = reshape<1, 2, 3>(kA);
  const Array<float, 3, 1, 2> moved = transpose<2, 0, 1>(x);
  EXPECT_EQ(values_of(moved), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(values_of(transpose<-1, 0, -2>(x)), values_of(moved));

  const Array<float, 2, 7> wide = concatenate<-1>(kA, Array<float, 2, 1>({7, 8}), kA);
  EXPECT_EQ(values_of(wide), (std::vector<float>{1, 2, 3, 7, 1, 2, 3, 4, 5, 6, 8, 4, 5, 6}));
  const Array<float, 3, 3> tall = concatenate(kA, Array<float, 1, 3>({7, 8, 9}));
  EXPECT_EQ(values_of(tall), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(Array, Reductions) {
  EXPECT_EQ(values_of(sum(kA)), (std::vector<float>{21}));
  EXPECT_EQ(values_of(sum<0>(kA)), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(values_of(max<-1>(kA)), (std::vector<float>{3, 6}));
  EXPECT_EQ(values_of(min<1, 0>(kA)), (std::vector<float>{1}));
  EXPECT_EQ(values_of(mean<1>(kA)), (std::vector<float>{2, 5}));
  EXPECT_EQ(values_of(prod<0>(kA)), (std::vector<float>{4, 10, 18}));
  EXPECT_NEAR(values_of(logsumexp(Array<float, 2>({0, 0})))[0], std::log(2.0), 1e-6);
  EXPECT_EQ(values_of(sum(Array<int32_t, 3>({1, 2, 3}))), (std::vector<int32_t>{6}));
  EXPECT_EQ(values_of(sum<0>(Array<float, 0, 3>{})), (std::vector<float>{0, 0, 0}));

  const A23 x({1, 5, 2, 7, 0, 7});
  EXPECT_EQ(values_of(argmax<1>(x)), (std::vector<int32_t>{1, 0}));  // the first of equals
  EXPECT_EQ(values_of(argmin<-2>(x)), (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(values_of(softmax(Array<float, 2>({3, 3}))), (std::vector<float>{0.5f, 0.5f}));
  EXPECT_NEAR(values_of(log_softmax<0>(Array<float, 2>({3, 3})))[0], std::log(0.5), 1e-6);
}

TEST(Array, Conv2dAndPooling) {
  const Array<float, 1, 1, 3, 3> x({1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Array<float, 1, 1, 2, 2> ones({1, 1, 1, 1});
  EXPECT_EQ(values_of(conv2d(x, ones)), (std::vector<float>{12, 16, 24, 28}));
  // Same with stride 2: out = ceil(3 / 2) = 2, one row and column of padding after the input.
  EXPECT_EQ(values_of(conv2d<2, padding::Same>(x, ones)), (std::vector<float>{12, 9, 15, 9}));
  // One element of padding on every side, stride 2: padded 5x5 gives 2x2.
  EXPECT_EQ(values_of(conv2d<2, padding::Explicit<1>>(x, ones)),
            (std::vector<float>{1, 5, 11, 28}));

  // Channels: filter 0 takes channel 0, filter 1 channel 1, filter 2 their difference.
  const Array<float, 1, 2, 2, 2> two_channels({1, 2, 3, 4, 10, 20, 30, 40});
  const Array<float, 3, 2, 1, 1> pointwise({1, 0, 0, 1, 1, -1});
  const Array<float, 1, 3, 2, 2> mixed = conv2d(two_channels, pointwise);
  EXPECT_EQ(values_of(mixed), (std::vector<float>{1, 2, 3, 4, 10, 20, 30, 40, -9, -18, -27, -36}));

  const Array<float, 1, 1, 4, 4> grid({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  EXPECT_EQ(values_of(max_pool2d<2>(grid)), (std::vector<float>{6, 8, 14, 16}));
  EXPECT_EQ(values_of(avg_pool2d<2>(grid)), (std::vector<float>{3.5f, 5.5f, 11.5f, 13.5f}));
  EXPECT_EQ(values_of(max_pool2d<3, 1>(grid)), (std::vector<float>{11, 12, 15, 16}));
  EXPECT_EQ(values_of(max_pool2d<2, 2, padding::Same>(x)), (std::vector<float>{5, 6, 8, 9}));
  // Padded positions count in the divisor (4 per window).
  EXPECT_EQ(values_of(avg_pool2d<2, 2, padding::Same>(x)),
            (std::vector<float>{3, 2.25f, 3.75f, 2.25f}));
}

// The MLP layer of the examples, at a size whose values are easy to check by hand.
Array<float, 2, 2> dense_relu(const Array<float, 2, 3>& x, const Array<float, 3, 2>& w,
                              const Array<float, 2>& b) {
  return relu(matmul(x, w) + b);
}

TEST(ArrayTrace, TracedAndJittedLikeEager) {
  const Array<float, 3, 2> w({1, -1, 0, 1, -1, 0});
  const Array<float, 2> b({3, 0.5f});
  const std::vector<float> expected{1, 1.5f, 1, 1.5f};  // x @ w = {{-2, 1}, {-2, 1}}, plus b
  EXPECT_EQ(values_of(dense_relu(kA, w, b)), expected);

  const Module module =
      trace(dense_relu, A23::spec(), Array<float, 3, 2>::spec(), Array<float, 2>::spec());
  const std::string text = module.to_string();
  EXPECT_NE(text.find("f32[2,2] dot("), std::string::npos) << text;
  EXPECT_NE(text.find(" select("), std::string::npos) << text;
  const std::vector<HostArray> out = module.run({kA.to_host(), w.to_host(), b.to_host()});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of(Array<float, 2, 2>(out[0])), expected);

  auto jitted = jit(dense_relu);
  const Array<float, 2, 2> first = jitted(kA, w, b);
  EXPECT_EQ(values_of(first), expected);
  EXPECT_FALSE(first.is_traced());
  (void)jitted(kA * 2.0, w, b);
  EXPECT_EQ(jitted.trace_count(), 1);
}

// Traces fn on the types of `inputs`, runs the module, and expects the eager result (whose values
// the tests above check by hand).
template <class Fn, class... Arrays>
void expect_traced_like_eager(const std::string& what, const Fn& fn, const Arrays&... inputs) {
  const Module module = trace(fn, Arrays::spec()...);
  const std::vector<HostArray> traced = module.run({inputs.to_host()...});
  ASSERT_EQ(traced.size(), 1u) << what;
  EXPECT_EQ(tensor_testing::compiled_differs(Tensor(fn(inputs...)).to_host(), traced[0]), "")
      << what << "\n" << module.to_string();
}

TEST(ArrayTrace, EveryOperationTracesToTheEagerValues) {
  const Array<float, 3> row({10, 20, 30});
  const auto binary = [](const A23& x, const Array<float, 3>& r) { return (x - r) * x / r; };
  expect_traced_like_eager("binary operators", binary, kA, row);
  expect_traced_like_eager(
      "scalars", [](const A23& x) { return 1 - x * 2.0 + 0.5; }, kA);
  expect_traced_like_eager(
      "unary", [](const A23& x) { return relu(-x + 3) + exp(x / 6); }, kA);
  expect_traced_like_eager(
      "compare and where", [](const A23& x) { return where(greater(x, Array<float>({3})), x, -x); },
      kA);
  expect_traced_like_eager(
      "astype", [](const A23& x) { return astype<int32_t>(x * 1.5); }, kA);
  expect_traced_like_eager(
      "transpose", [](const A23& x) { return transpose(x); }, kA);
  expect_traced_like_eager(
      "reshape", [](const A23& x) { return reshape<3, -1>(x); }, kA);
  expect_traced_like_eager(
      "concatenate", [](const A23& x) { return concatenate<-1>(x, x * 2.0); }, kA);
  expect_traced_like_eager(
      "sum", [](const A23& x) { return sum<0>(x); }, kA);
  expect_traced_like_eager(
      "mean", [](const A23& x) { return mean<-1>(x); }, kA);
  expect_traced_like_eager(
      "max", [](const A23& x) { return max(x); }, kA);
  expect_traced_like_eager(
      "argmax", [](const A23& x) { return argmax<1>(x); }, kA);
  expect_traced_like_eager(
      "softmax", [](const A23& x) { return softmax(x); }, kA);
  using Lhs = Array<float, 2, 1, 1, 2>;
  using Rhs = Array<float, 3, 2, 1>;
  expect_traced_like_eager(
      "batched matmul", [](const Lhs& l, const Rhs& r) { return matmul(l, r); }, Lhs({1, 2, 3, 4}),
      Rhs({1, 1, 1, 0, 0, 1}));
  using Image = Array<float, 1, 1, 3, 3>;
  using Filter = Array<float, 1, 1, 2, 2>;
  const Image x({1, 2, 3, 4, 5, 6, 7, 8, 9});
  expect_traced_like_eager(
      "conv2d", [](const Image& in, const Filter& w) { return conv2d<2, padding::Same>(in, w); }, x,
      Filter({1, 1, 1, 1}));
  expect_traced_like_eager(
      "max_pool2d", [](const Image& in) { return max_pool2d<2, 1>(in); }, x);
  expect_traced_like_eager(
      "avg_pool2d", [](const Image& in) { return avg_pool2d<2, 2, padding::Same>(in); }, x);
}

TEST(ArrayTrace, MlpForwardPassOnMnistSizes) {
  const auto mlp = [](const Array<float, 64, 784>& x, const Array<float, 784, 128>& w1,
                      const Array<float, 128>& b1, const Array<float, 128, 10>& w2,
                      const Array<float, 10>& b2) {
    const Array<float, 64, 128> h = relu(matmul(x, w1) + b1);
    return log_softmax(matmul(h, w2) + b2);
  };
  const Module module =
      trace(mlp, Array<float, 64, 784>::spec(), Array<float, 784, 128>::spec(),
            Array<float, 128>::spec(), Array<float, 128, 10>::spec(), Array<float, 10>::spec());
  const std::string text = module.to_string();
  EXPECT_NE(text.find("f32[64,128] dot("), std::string::npos) << text;
  EXPECT_NE(text.find("f32[64,10] dot("), std::string::npos) << text;
}

}  // namespace
}  // namespace hlocc
