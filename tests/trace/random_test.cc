// random: Threefry-2x32 against Random123's published answers, keys, bits, uniform, normal and
// bernoulli against values JAX publishes (or derived from JAX's published bits by
// scripts/fixtures/random_fixtures.py), statistics, eager == traced, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

#include "hlocc/control_flow.h"
#include "hlocc/ops.h"
#include "hlocc/random.h"
#include "hlocc/trace.h"
#include "trace/erfinv.h"

namespace hlocc {
namespace {

template <class T>
std::vector<T> values_of(const Tensor& t) {
  const HostArray host = t.to_host();
  const auto data = host.data<T>();
  return {data.begin(), data.end()};
}

// Any dtype (f16 and bf16 included) as doubles.
std::vector<double> doubles_of(const Tensor& t) {
  const HostArray host = t.to_host();
  std::vector<double> result;
  for (int64_t i = 0; i < host.element_count(); ++i) result.push_back(host.as_double(i));
  return result;
}

Tensor u32s(std::vector<int64_t> dims, std::vector<uint32_t> values) {
  return HostArray::from_vector<uint32_t>(std::move(dims), values);
}

using U32s = std::vector<uint32_t>;

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return sum / static_cast<double>(v.size());
}
double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean(a), mb = mean(b);
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - ma) * (b[i] - mb);
  return sum / static_cast<double>(a.size()) / std::sqrt(variance(a) * variance(b));
}

void expect_near_all(const std::vector<double>& actual, const std::vector<double>& expected,
                     double rtol, double atol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], atol + rtol * std::abs(expected[i])) << "at " << i;
  }
}

// Random123's known-answer vectors for threefry2x32_20 (kat_vectors; quoted by JAX's
// tests/random_test.py testThreefry2x32 from Random123-Boost test_threefry.cpp): key, counter and
// the two output words.
TEST(RandomThreefry, Random123KnownAnswers) {
  EXPECT_EQ(values_of<uint32_t>(random::threefry_2x32(random::key(0), u32s({2}, {0, 0}))),
            (U32s{0x6b200159, 0x99ba4efe}));
  EXPECT_EQ(values_of<uint32_t>(random::threefry_2x32(random::key(0xffffffffffffffff),
                                                      u32s({2}, {0xffffffff, 0xffffffff}))),
            (U32s{0x1cb996fc, 0xbb002be7}));
  // The digits of pi.
  const Tensor pi_key = u32s({2}, {0x13198a2e, 0x03707344});
  EXPECT_EQ(values_of<uint32_t>(random::threefry_2x32(pi_key, u32s({2}, {0x243f6a88, 0x85a308d3}))),
            (U32s{0xc4923a9c, 0x483df7a0}));
}

TEST(RandomThreefry, CountHalvesAreTheTwoWordsOfEachBlock) {
  // JAX's testThreefry2x32Large in small: n copies of counter word 0, then n of word 1.
  const Tensor pi_key = u32s({2}, {0x13198a2e, 0x03707344});
  const Tensor count =
      u32s({2, 3}, {0x243f6a88, 0x243f6a88, 0x243f6a88, 0x85a308d3, 0x85a308d3, 0x85a308d3});
  const Tensor hashed = random::threefry_2x32(pi_key, count);
  EXPECT_EQ(hashed.dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values_of<uint32_t>(hashed),
            (U32s{0xc4923a9c, 0xc4923a9c, 0xc4923a9c, 0x483df7a0, 0x483df7a0, 0x483df7a0}));
  // An odd count is padded with a zero word: {0} hashes as the block (0, 0).
  EXPECT_EQ(values_of<uint32_t>(random::threefry_2x32(random::key(0), u32s({1}, {0}))),
            (U32s{0x6b200159}));
  const Tensor scalar = random::threefry_2x32(random::key(0), u32s({}, {0}));
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(values_of<uint32_t>(scalar), (U32s{0x6b200159}));
  EXPECT_EQ(random::threefry_2x32(random::key(0), u32s({0, 4}, {})).dims(),
            (std::vector<int64_t>{0, 4}));
}

TEST(RandomKeys, KeySplitAndFoldInMatchJax) {
  EXPECT_EQ(values_of<uint32_t>(random::key(0)), (U32s{0, 0}));
  EXPECT_EQ(values_of<uint32_t>(random::key(0x0000000500000007)), (U32s{5, 7}));
  // jax.random.split(PRNGKey(0)) from the JAX docs.
  const Tensor halves = random::split(random::key(0));
  EXPECT_EQ(halves.dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values_of<uint32_t>(halves), (U32s{4146024105, 967050713, 2718843009, 1272950319}));
  // jax tests/random_test.py testPRNGValues.
  EXPECT_EQ(values_of<uint32_t>(random::split(random::key(0), 4)),
            (U32s{2285895361, 1501764800, 1518642379, 4090693311, 433833334, 4221794875, 839183663,
                  3740430601}));
  EXPECT_EQ(values_of<uint32_t>(random::fold_in(random::key(0), 4)), (U32s{2285895361, 433833334}));
  EXPECT_EQ(random::split(random::key(0), 0).dims(), (std::vector<int64_t>{0, 2}));
  // Both hash iota(8): split's words are the bits of the same key.
  EXPECT_EQ(values_of<uint32_t>(random::bits(random::key(0), {8})),
            values_of<uint32_t>(random::split(random::key(0), 4)));
}

// jax tests/random_test.py testRngRandomBits (PRNGKey(1701), shape (3,); u64 under jax_enable_x64).
TEST(RandomBits, MatchJaxForEveryWidth) {
  const Tensor key = random::key(1701);
  EXPECT_EQ(values_of<uint8_t>(random::bits(key, {3}, DType::U8)),
            (std::vector<uint8_t>{216, 115, 43}));
  EXPECT_EQ(values_of<uint16_t>(random::bits(key, {3}, DType::U16)),
            (std::vector<uint16_t>{41682, 1300, 55017}));
  EXPECT_EQ(values_of<uint32_t>(random::bits(key, {3})), (U32s{56197195, 4200222568, 961309823}));
  EXPECT_EQ(
      values_of<uint64_t>(random::bits(key, {3}, DType::U64)),
      (std::vector<uint64_t>{3982329540505020460u, 16822122385914693683u, 7882654074788531506u}));
}

// jax tests/random_test.py _RANDOM_VALUES_CASES "bits": PRNGKey(adler32("bitsthreefry2x32")), (5,).
constexpr uint64_t kBitsSeed = 942802475;
const std::vector<uint8_t> kBits8 = {10, 158, 82, 54, 158};
const std::vector<uint16_t> kBits16 = {6738, 38161, 50695, 57337, 61600};
const std::vector<uint64_t> kBits64 = {17649965731882839947u, 1415307058040849897u,
                                       8282622628079774249u, 14024425113645909402u,
                                       2012979996110532418u};

TEST(RandomBits, MatchJaxDistributionValues) {
  const Tensor key = random::key(kBitsSeed);
  EXPECT_EQ(values_of<uint8_t>(random::bits(key, {5}, DType::U8)), kBits8);
  EXPECT_EQ(values_of<uint16_t>(random::bits(key, {5}, DType::U16)), kBits16);
  EXPECT_EQ(values_of<uint32_t>(random::bits(key, {5})),
            (U32s{1978747883, 4134381225, 3628107870, 689687174, 2788938207}));
  EXPECT_EQ(values_of<uint64_t>(random::bits(key, {5}, DType::U64)), kBits64);
}

TEST(RandomBits, NarrowBitsViewTheSameWords) {
  // jax testRngRandomBitsViewProperty: 8- and 16-bit draws are the 32-bit words' bytes.
  const Tensor key = random::key(1701);
  const std::vector<uint32_t> words = values_of<uint32_t>(random::bits(key, {20}));
  const std::vector<uint8_t> bytes = values_of<uint8_t>(random::bits(key, {80}, DType::U8));
  const std::vector<uint16_t> halves = values_of<uint16_t>(random::bits(key, {40}, DType::U16));
  std::vector<uint32_t> from_bytes(20), from_halves(20);
  std::memcpy(from_bytes.data(), bytes.data(), 80);
  std::memcpy(from_halves.data(), halves.data(), 80);
  EXPECT_EQ(from_bytes, words);
  EXPECT_EQ(from_halves, words);
}

TEST(RandomBits, ShapesScalarsAndEmpty) {
  const Tensor key = random::key(3);
  const Tensor matrix = random::bits(key, {2, 3});
  EXPECT_EQ(matrix.dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values_of<uint32_t>(matrix), values_of<uint32_t>(random::bits(key, {6})));
  const Tensor scalar = random::bits(key, {}, DType::U64);
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(values_of<uint64_t>(scalar), values_of<uint64_t>(random::bits(key, {1}, DType::U64)));
  for (DType dtype : {DType::U8, DType::U16, DType::U32, DType::U64}) {
    const Tensor empty = random::bits(key, {2, 0}, dtype);
    EXPECT_EQ(empty.dims(), (std::vector<int64_t>{2, 0}));
    EXPECT_EQ(empty.dtype(), dtype);
  }
  EXPECT_EQ(random::uniform(key, {0}).element_count(), 0);
  EXPECT_EQ(random::normal(key, {3, 0}, DType::F64).dims(), (std::vector<int64_t>{3, 0}));
}

// jax tests/random_test.py _RANDOM_VALUES_CASES: PRNGKey(adler32(name + "threefry2x32")), (5,).
TEST(RandomUniform, MatchesJax) {
  expect_near_all(doubles_of(random::uniform(random::key(1338574713), {5})),
                  {0.298671, 0.073213, 0.873356, 0.260549, 0.412797}, 1e-6, 1e-6);
}

TEST(RandomNormal, MatchesJax) {
  expect_near_all(doubles_of(random::normal(random::key(1193674498), {5})),
                  {-1.173234, -1.511662, 0.070593, -0.099764, 1.052845}, 1e-6, 1e-6);
}

TEST(RandomBernoulli, MatchesJax) {
  EXPECT_EQ(values_of<bool>(random::bernoulli(random::key(1612777541), 0.5, {5})),
            (std::vector<bool>{false, true, true, true, false}));
}

// From JAX's published bits of kBitsSeed by scripts/fixtures/random_fixtures.py (NumPy's mantissa
// trick; torch.erfinv in float64 for normal).
TEST(RandomUniform, OtherFloatTypesFromJaxBits) {
  const Tensor key = random::key(kBitsSeed);
  EXPECT_EQ(doubles_of(random::uniform(key, {5}, DType::F64)),
            (std::vector<double>{0.9568065595401039, 0.07672394935309779, 0.44900187236208433,
                                 0.760265608803758, 0.10912386424764486}));
  EXPECT_EQ(doubles_of(random::uniform(key, {5}, DType::F16)),
            (std::vector<double>{0.1025390625, 0.58203125, 0.7734375, 0.8740234375, 0.939453125}));
  // bf16 draws bytes: (b >> 1) / 128.
  EXPECT_EQ(doubles_of(random::uniform(key, {5}, DType::BF16)),
            (std::vector<double>{0.0390625, 0.6171875, 0.3203125, 0.2109375, 0.6171875}));
}

TEST(RandomNormal, OtherFloatTypesFromJaxBits) {
  const Tensor key = random::key(kBitsSeed);
  expect_near_all(doubles_of(random::normal(key, {5}, DType::F64)),
                  {1.7147728509845779, -1.4274580845360079, -0.1281835160645202, 0.7071572168162334,
                   -1.2312009171220475},
                  1e-14, 0);
  // f16 rounds twice (erfinv, then the product with sqrt(2)): within an f16 ulp.
  expect_near_all(doubles_of(random::normal(key, {5}, DType::F16)),
                  {-1.265625, 0.207763671875, 0.7509765625, 1.146484375, 1.5517578125}, 1e-3, 0);
}

TEST(RandomErfinv, MatchesTorchInEveryBranch) {
  // scripts/fixtures/random_fixtures.py erfinv_fixtures: torch.erfinv in float64.
  const Tensor x32 =
      HostArray::from_vector<float>({7}, {0, 0.1f, -0.5f, 0.9f, -0.99f, 0.999f, 0.99999f});
  expect_near_all(doubles_of(tracing::erfinv(x32, Where::current())),
                  {0.0, 0.08885599182530649, -0.4769362762044699, 1.163087071945772,
                   -1.8213866009002788, 2.3267563267961524, 3.123205771164866},
                  1e-6, 0);
  // XLA's formula takes log1p(-x * x): near +-1 an ulp of x * x moves the result by about
  // 1e-16 * exp(erfinv(x)^2), the conditioning of erfinv itself; allow four ulps of that.
  const std::vector<double> x64 = {0, 0.1, -0.5, 0.9, -0.99, 0.999, 0.99999, -0.999999999};
  const std::vector<double> expected64 = {0.0,
                                          0.08885599049425769,
                                          -0.4769362762044699,
                                          1.1630871536766743,
                                          -1.8213863677184483,
                                          2.3267537655135153,
                                          3.123413274341075,
                                          -4.320005383710253};
  const std::vector<double> actual64 =
      doubles_of(tracing::erfinv(HostArray::from_vector<double>({8}, x64), Where::current()));
  for (size_t i = 0; i < x64.size(); ++i) {
    const double y = expected64[i];
    EXPECT_NEAR(actual64[i], y, 1e-14 * std::abs(y) + 4e-16 * std::exp(y * y)) << "at " << i;
  }
  const std::vector<double> edges = doubles_of(tracing::erfinv(
      HostArray::from_vector<float>({4}, {1, -1, 1.5f, std::nanf("")}), Where::current()));
  EXPECT_EQ(edges[0], std::numeric_limits<double>::infinity());
  EXPECT_EQ(edges[1], -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(edges[2]));
  EXPECT_TRUE(std::isnan(edges[3]));
  const Tensor half = astype(HostArray::from_vector<float>({1}, {0.5f}), DType::F16);
  EXPECT_NEAR(doubles_of(tracing::erfinv(half, Where::current()))[0], 0.4769362762044699, 1e-3);
  EXPECT_THROW((void)tracing::erfinv(HostArray::scalar<int32_t>(0), Where::current()), Error);
}

TEST(RandomStatistics, UniformMomentsAndRange) {
  const Tensor key = random::key(2024);
  for (DType dtype : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
    const std::vector<double> u = doubles_of(random::uniform(key, {10000}, dtype));
    for (double v : u) ASSERT_TRUE(v >= 0 && v < 1) << v;
    EXPECT_NEAR(mean(u), 0.5, 0.01);
    EXPECT_NEAR(variance(u), 1.0 / 12, 0.005);
  }
  const std::vector<double> scaled = doubles_of(random::uniform(key, {10000}, DType::F32, -3, 5));
  for (double v : scaled) ASSERT_TRUE(v >= -3 && v < 5) << v;
  EXPECT_NEAR(mean(scaled), 1, 0.08);
  EXPECT_NEAR(variance(scaled), 64.0 / 12, 0.3);
  // maxval == minval is a point mass.
  EXPECT_EQ(doubles_of(random::uniform(key, {3}, DType::F32, 2, 2)), (std::vector<double>(3, 2)));
}

TEST(RandomStatistics, NormalMomentsAndTails) {
  const Tensor key = random::key(7);
  for (DType dtype : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
    const std::vector<double> z = doubles_of(random::normal(key, {10000}, dtype));
    int64_t beyond = 0;
    for (double v : z) {
      ASSERT_TRUE(std::isfinite(v) && std::abs(v) < 6) << v;
      beyond += std::abs(v) > 1.96;
    }
    EXPECT_NEAR(mean(z), 0, 0.04) << to_string(dtype);
    EXPECT_NEAR(variance(z), 1, 0.05) << to_string(dtype);
    EXPECT_NEAR(static_cast<double>(beyond) / 10000, 0.05, 0.008) << to_string(dtype);
  }
}

TEST(RandomStatistics, BernoulliFrequency) {
  const Tensor key = random::key(11);
  const std::vector<bool> draws = values_of<bool>(random::bernoulli(key, 0.3, {100, 100}));
  EXPECT_NEAR(static_cast<double>(std::count(draws.begin(), draws.end(), true)) / 10000, 0.3,
              0.015);
  const std::vector<bool> never = values_of<bool>(random::bernoulli(key, 0, {1000}));
  EXPECT_EQ(std::count(never.begin(), never.end(), true), 0);
  const std::vector<bool> always = values_of<bool>(random::bernoulli(key, 1, {1000}));
  EXPECT_EQ(std::count(always.begin(), always.end(), false), 0);
  EXPECT_EQ(random::bernoulli(key, 0.5, {}).dtype(), DType::Pred);
}

// The rows of a u32[n, 2] of keys, each a key.
std::vector<Tensor> rows(const Tensor& keys) {
  const std::vector<uint32_t> words = values_of<uint32_t>(keys);
  std::vector<Tensor> result;
  for (size_t i = 0; i + 1 < words.size(); i += 2)
    result.push_back(u32s({2}, {words[i], words[i + 1]}));
  return result;
}

TEST(RandomKeys, DifferentKeysGiveIndependentStreams) {
  const Tensor parent = random::key(42);
  std::vector<Tensor> keys = rows(random::split(parent, 3));
  keys.push_back(parent);
  keys.push_back(random::key(43));
  keys.push_back(random::fold_in(parent, 0));
  keys.push_back(random::fold_in(parent, 1));
  std::vector<std::vector<double>> samples;
  for (const Tensor& key : keys) samples.push_back(doubles_of(random::uniform(key, {10000})));
  for (size_t i = 0; i < samples.size(); ++i) {
    for (size_t j = i + 1; j < samples.size(); ++j) {
      EXPECT_NE(values_of<uint32_t>(keys[i]), values_of<uint32_t>(keys[j])) << i << " " << j;
      EXPECT_LT(std::abs(correlation(samples[i], samples[j])), 0.04) << i << " " << j;
    }
  }
  // Even a single split gives a key other than its parent.
  EXPECT_NE(values_of<uint32_t>(random::split(parent, 1)), values_of<uint32_t>(parent));
}

TEST(RandomTrace, EagerEqualsTracedBitwise) {
  const Tensor key = random::key(99);
  auto check = [&](const std::function<Tensor(const Tensor&)>& fn) {
    const auto jitted = jit([&](const Tensor& k) { return fn(k); });
    EXPECT_EQ(jitted(key).to_host(), fn(key).to_host());
  };
  check([](const Tensor& k) { return random::split(k, 3); });
  check([](const Tensor& k) { return random::fold_in(k, 12345); });
  check([](const Tensor& k) { return random::bits(k, {7}, DType::U8); });
  check([](const Tensor& k) { return random::bits(k, {3, 5}, DType::U64); });
  check([](const Tensor& k) { return random::uniform(k, {9}, DType::F64, -2, 3); });
  check([](const Tensor& k) { return random::uniform(k, {4, 4}, DType::BF16); });
  check([](const Tensor& k) { return random::normal(k, {33}); });
  check([](const Tensor& k) { return random::normal(k, {6}, DType::F16); });
  check([](const Tensor& k) { return random::bernoulli(k, 0.25, {17}); });
  check([](const Tensor& k) { return random::threefry_2x32(k, u32s({3}, {1, 2, 3})); });
}

TEST(RandomTrace, UsesIntegerOpsAndNoRngOp) {
  const Module module =
      trace([](const Tensor& k) { return random::normal(k, {4}); }, TensorSpec{DType::U32, {2}});
  const std::string text = module.to_string();
  EXPECT_EQ(text.find("rng"), std::string::npos) << text;
  for (const char* op :
       {" xor(", " shift-left(", " shift-right-logical(", " or(", " bitcast-convert(", " iota("}) {
    EXPECT_NE(text.find(op), std::string::npos) << op;
  }
  const HostArray key = random::key(5).to_host();
  EXPECT_EQ(module.run({key})[0], random::normal(key, {4}).to_host());
}

TEST(RandomTrace, KeysThreadThroughLoops) {
  // A key carried by a traced loop: fold_in three times, inside one HLO while.
  auto fold_thrice = [](const Tensor& key) {
    return fori_loop(
        0, 3, [](const Tensor&, const Tensors& s) { return Tensors{random::fold_in(s[0], 7)}; },
        {key})[0];
  };
  const Tensor key = random::key(1);
  const Tensor expected = random::fold_in(random::fold_in(random::fold_in(key, 7), 7), 7);
  EXPECT_EQ(jit(fold_thrice)(key).to_host(), expected.to_host());
}

template <class Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.message();
  }
  return "(no error)";
}

TEST(RandomErrors, KeysMustBeU32Pairs) {
  const std::string message = error_of([] {
    (void)random::split(HostArray::from_vector<float>({2}, {0, 0}));
  });
  EXPECT_NE(message.find("random.split: the key must be u32[2]; got f32[2]"), std::string::npos)
      << message;
  EXPECT_NE(message.find("random_test.cc"), std::string::npos) << message;
  EXPECT_NE(message.find("hint: "), std::string::npos) << message;
  EXPECT_NE(error_of([] {
              (void)random::uniform(u32s({3}, {0, 0, 0}), {2});
            }).find("random.uniform: the key must be u32[2]; got u32[3]"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              (void)random::bits(u32s({2, 1}, {0, 0}), {2});
            }).find("u32[2,1]"),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)random::fold_in(Tensor(), 1); }).find("an empty Tensor"),
            std::string::npos);
  EXPECT_THROW((void)random::normal(u32s({}, {0}), {2}), Error);
  EXPECT_THROW((void)random::bernoulli(u32s({1}, {0}), 0.5, {2}), Error);
  EXPECT_THROW((void)random::threefry_2x32(u32s({4}, {0, 0, 0, 0}), u32s({2}, {0, 0})), Error);
  // Traced: the key's type is known while tracing.
  EXPECT_THROW(
      trace([](const Tensor& k) { return random::normal(k, {2}); }, TensorSpec{DType::S32, {2}}),
      Error);
}

TEST(RandomErrors, DtypesProbabilitiesAndDims) {
  const Tensor key = random::key(0);
  EXPECT_NE(error_of([&] {
              (void)random::uniform(key, {2}, DType::S32);
            }).find("random.uniform: the dtype must be f16, bf16, f32 or f64; got s32"),
            std::string::npos);
  EXPECT_NE(error_of([&] { (void)random::normal(key, {2}, DType::C64); }).find("got c64"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)random::bits(key, {2}, DType::S32);
            }).find("random.bits: the dtype must be u8, u16, u32 or u64; got s32"),
            std::string::npos);
  EXPECT_THROW((void)random::bits(key, {2}, DType::F32), Error);
  EXPECT_NE(error_of([&] { (void)random::bernoulli(key, -0.1, {2}); }).find("got p=-0.1"),
            std::string::npos);
  for (double p : {-0.1, 1.5, std::nan("")}) {
    EXPECT_NE(error_of([&] {
                (void)random::bernoulli(key, p, {2});
              }).find("random.bernoulli: p must be in [0, 1]"),
              std::string::npos)
        << p;
  }
  EXPECT_NE(error_of([&] {
              (void)random::uniform(key, {2, -1});
            }).find("random.uniform: dimensions must not be negative; got f32[2,-1]"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)random::split(key, -1);
            }).find("random.split: num must not be negative; got num=-1"),
            std::string::npos);
  EXPECT_NE(error_of([&] { (void)random::uniform(key, {2}, DType::F32, 1, 0); })
                .find("random.uniform: the range must be finite with minval <= maxval; got "
                      "minval=1, maxval=0"),
            std::string::npos);
  EXPECT_THROW(
      (void)random::uniform(key, {2}, DType::F32, 0, std::numeric_limits<double>::infinity()),
      Error);
  EXPECT_THROW((void)random::uniform(key, {2}, DType::F64, std::nan(""), 1), Error);
  // A zero dim makes any draw empty, however large the others.
  EXPECT_EQ(random::bits(key, {int64_t{1} << 40, 0}).element_count(), 0);
  EXPECT_NE(error_of([&] {
              (void)random::bits(key, {int64_t{1} << 40});
            }).find("random.bits: too many values for one draw"),
            std::string::npos);
  EXPECT_THROW((void)random::threefry_2x32(key, HostArray::from_vector<float>({2}, {0, 0})), Error);
}

}  // namespace
}  // namespace hlocc
