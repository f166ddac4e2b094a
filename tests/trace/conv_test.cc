// conv2d, conv and the 2-D pools against PyTorch (tests/trace/fixtures/conv2d/*.npy, written by
// scripts/fixtures/gen_conv2d_api_fixtures.py), eagerly and under jit, NHWC against transposed
// NCHW, the HLO they lower to, and their errors.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "hlocc/conv.h"
#include "hlocc/hlocc.h"
#include "trace/tensor_test_helpers.h"
#include "test_helpers.h"
#include "trace/tensor_node.h"

namespace hlocc {
using tensor_testing::error_of;
namespace {

// The generator's inputs: element i (row-major) is ((i * multiplier) % modulus - offset) / 8.
template <class T = float>
HostArray pattern(std::vector<int64_t> dims, int64_t multiplier, int64_t modulus, int64_t offset,
                  double scale = 1.0 / 8) {
  int64_t count = 1;
  for (int64_t dim : dims) count *= dim;
  std::vector<T> values;
  for (int64_t i = 0; i < count; ++i) {
    values.push_back(
        static_cast<T>(static_cast<double>((i * multiplier) % modulus - offset) * scale));
  }
  return HostArray::from_vector<T>(std::move(dims), values);
}
HostArray inputs(std::vector<int64_t> dims) { return pattern(std::move(dims), 37, 17, 8); }
HostArray filters(std::vector<int64_t> dims) { return pattern(std::move(dims), 29, 13, 6); }

HostArray fixture(const std::string& name) {
  return HostArray::load_npy(std::string(HLOCC_TEST_DATA_DIR) + "/trace/fixtures/conv2d/" + name +
                             ".npy");
}

// Conv outputs are exact (inputs are multiples of 1/8); means are rounded once.
void expect_close(const HostArray& expected, const Tensor& actual) {
  EXPECT_EQ(testing::compare_literals(tracing::to_literal(expected),
                                      tracing::to_literal(actual.to_host()),
                                      testing::Tolerance{1e-6, 1e-6}),
            "");
}

HostArray transposed(const HostArray& x, const std::vector<int64_t>& permutation) {
  return transpose(Tensor(x), permutation).to_host();
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

Padding pads(std::vector<std::pair<int64_t, int64_t>> values) {
  return Padding::explicit_pads(std::move(values));
}

struct ConvCase {
  const char* name;
  std::vector<int64_t> input, filter;  // NCHW, OIHW
  Conv2dOptions options;
};

const ConvCase kConvCases[] = {
    {"conv_basic", {2, 3, 5, 6}, {4, 3, 3, 3}, {}},
    {"conv_stride2", {1, 2, 7, 7}, {3, 2, 3, 3}, {.stride = {2, 2}}},
    {"conv_stride_2x1_asymmetric_pads",
     {2, 2, 6, 7},
     {2, 2, 2, 3},
     {.stride = {2, 1}, .padding = pads({{1, 1}, {0, 2}})}},
    {"conv_dilation2",
     {1, 2, 7, 8},
     {2, 2, 3, 2},
     {.padding = pads({{1, 2}, {2, 1}}), .dilation = {2, 2}}},
    {"conv_groups2", {2, 4, 5, 5}, {6, 2, 3, 3}, {.padding = pads({{1, 1}, {1, 1}}), .groups = 2}},
    {"conv_depthwise",
     {1, 3, 6, 6},
     {6, 1, 3, 3},
     {.stride = {2, 2}, .padding = pads({{1, 1}, {1, 1}}), .groups = 3}},
    {"conv_same_stride2_even",
     {1, 2, 7, 5},
     {3, 2, 4, 2},
     {.stride = {2, 2}, .padding = Padding::same()}},
    {"conv_same_dilated",
     {1, 2, 5, 6},
     {2, 2, 3, 3},
     {.padding = Padding::same(), .dilation = {2, 1}}},
    {"conv_pointwise", {3, 2, 1, 4}, {5, 2, 1, 1}, {}},
};

TEST(ConvNchw, MatchesTorchEagerly) {
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(c.name);
    const Tensor result = conv2d(inputs(c.input), filters(c.filter), c.options);
    EXPECT_FALSE(result.is_traced());
    expect_close(fixture(c.name), result);
  }
}

TEST(ConvNchw, MatchesTorchUnderJitAsOneConvolution) {
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(c.name);
    auto fn = [&](const Tensor& x, const Tensor& w) { return conv2d(x, w, c.options); };
    expect_close(fixture(c.name), jit(fn)(inputs(c.input), filters(c.filter)));
    const std::string text =
        trace(fn, TensorSpec{DType::F32, c.input}, TensorSpec{DType::F32, c.filter}).to_string();
    EXPECT_EQ(count_of(text, "convolution("), 1u) << text;
    EXPECT_NE(text.find("dim_labels=bf01_oi01->bf01"), std::string::npos) << text;
  }
}

TEST(ConvNchw, WindowAttributesAreXlas) {
  auto text_of = [](const ConvCase& c) {
    return trace([&](const Tensor& x, const Tensor& w) { return conv2d(x, w, c.options); },
                 TensorSpec{DType::F32, c.input}, TensorSpec{DType::F32, c.filter})
        .to_string();
  };
  const std::string depthwise = text_of(kConvCases[5]);
  EXPECT_NE(depthwise.find("window={size=3x3 stride=2x2 pad=1_1x1_1}"), std::string::npos)
      << depthwise;
  EXPECT_NE(depthwise.find("feature_group_count=3"), std::string::npos) << depthwise;
  const std::string dilated = text_of(kConvCases[3]);
  EXPECT_NE(dilated.find("window={size=3x2 pad=1_2x2_1 rhs_dilate=2x2}"), std::string::npos)
      << dilated;
  EXPECT_EQ(dilated.find("feature_group_count"), std::string::npos) << dilated;
  // SAME, stride 2: H 7 -> 4 needs 3 (1 low, 2 high); W 5 -> 3 with a window of 2 needs 1.
  const std::string same = text_of(kConvCases[6]);
  EXPECT_NE(same.find("f32[1,3,4,3] convolution("), std::string::npos) << same;
  EXPECT_NE(same.find("window={size=4x2 stride=2x2 pad=1_2x0_1}"), std::string::npos) << same;
}

TEST(ConvNhwc, EqualsTransposedNchw) {
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(c.name);
    Conv2dOptions options = c.options;
    options.format = DataFormat::NHWC;
    const HostArray x = transposed(inputs(c.input), {0, 2, 3, 1});
    const HostArray w = transposed(filters(c.filter), {2, 3, 1, 0});  // OIHW -> HWIO
    const HostArray expected = transposed(fixture(c.name), {0, 2, 3, 1});
    expect_close(expected, conv2d(x, w, options));
    auto fn = [&](const Tensor& a, const Tensor& b) { return conv2d(a, b, options); };
    expect_close(expected, jit(fn)(x, w));
    const std::string text =
        trace(fn, TensorSpec{DType::F32, x.dims()}, TensorSpec{DType::F32, w.dims()}).to_string();
    EXPECT_NE(text.find("dim_labels=b01f_01io->b01f"), std::string::npos) << text;
  }
}

TEST(ConvNchw, IntegerAndDoubleDtypes) {
  // With inputs and filters scaled by 8, every output is 64 times the float one, exactly.
  const ConvCase& c = kConvCases[4];  // groups 2, padded
  const HostArray x = pattern<int32_t>(c.input, 37, 17, 8, 1.0);
  const HostArray w = pattern<int32_t>(c.filter, 29, 13, 6, 1.0);
  const Tensor expected = astype(Tensor(fixture(c.name)) * 64.0, DType::S32);
  EXPECT_EQ(conv2d(x, w, c.options).to_host(), expected.to_host());
  const Tensor as_f64 = conv2d(astype(Tensor(inputs(c.input)), DType::F64),
                               astype(Tensor(filters(c.filter)), DType::F64), c.options);
  EXPECT_EQ(as_f64.dtype(), DType::F64);
  expect_close(fixture(c.name), astype(as_f64, DType::F32));
}

TEST(ConvNchw, EmptyBatchAndOutputSizes) {
  const Tensor empty = conv2d(HostArray(DType::F32, {0, 2, 4, 4}), filters({3, 2, 3, 3}),
                              {.stride = {2, 1}, .padding = Padding::same()});
  EXPECT_EQ(empty.dims(), (std::vector<int64_t>{0, 3, 2, 4}));
  static_assert(conv_output_size(7, 3, 2, 1, 1, 1) == 4);
  static_assert(conv_output_size(8, 3, 1, 2, 1, 2) == 7);
  static_assert(conv_output_size(2, 3, 1, 1, 0, 0) == 0);
  static_assert(same_padding(7, 4, 2, 1) == std::pair<int64_t, int64_t>{1, 2});
  static_assert(same_padding(5, 3, 1, 2) == std::pair<int64_t, int64_t>{2, 2});
  static_assert(same_padding(6, 1, 2, 1) == std::pair<int64_t, int64_t>{0, 0});
}

TEST(ConvNd, OneAndThreeSpatialDimsMatchTorch) {
  const ConvOptions options1{.stride = {2}, .padding = pads({{1, 2}})};
  const HostArray x1 = inputs({2, 3, 9}), w1 = filters({4, 3, 3});
  expect_close(fixture("conv1d_stride2"), conv(x1, w1, options1));
  auto fn1 = [&](const Tensor& x, const Tensor& w) { return conv(x, w, options1); };
  expect_close(fixture("conv1d_stride2"), jit(fn1)(x1, w1));
  ConvOptions last = options1;  // channels last: NWC input, WIO filter
  last.format = DataFormat::NHWC;
  expect_close(transposed(fixture("conv1d_stride2"), {0, 2, 1}),
               conv(transposed(x1, {0, 2, 1}), transposed(w1, {2, 1, 0}), last));

  const ConvOptions options3{
      .stride = {1, 2, 1}, .padding = pads({{0, 1}, {1, 1}, {0, 0}}), .groups = 2};
  const HostArray x3 = inputs({1, 2, 4, 5, 3}), w3 = filters({4, 1, 2, 3, 2});
  expect_close(fixture("conv3d_groups2"), conv(x3, w3, options3));
  auto fn3 = [&](const Tensor& x, const Tensor& w) { return conv(x, w, options3); };
  expect_close(fixture("conv3d_groups2"), jit(fn3)(x3, w3));
  const std::string text =
      trace(fn3, TensorSpec{DType::F32, x3.dims()}, TensorSpec{DType::F32, w3.dims()}).to_string();
  EXPECT_NE(text.find("dim_labels=bf012_oi012->bf012"), std::string::npos) << text;
}

// ---- pooling -------------------------------------------------------------------------------

struct PoolCase {
  const char* name;
  bool max;  // max_pool2d, else avg_pool2d
  std::vector<int64_t> input;
  Pool2dOptions options;
};

Tensor pool(const PoolCase& c, const Tensor& x, DataFormat format = DataFormat::NCHW) {
  Pool2dOptions options = c.options;
  options.format = format;
  return c.max ? max_pool2d(x, options) : avg_pool2d(x, options);
}

const PoolCase kPoolCases[] = {
    {"max_3x3_s2_p1",
     true,
     {2, 3, 7, 7},
     {.window = {3, 3}, .stride = {2, 2}, .padding = pads({{1, 1}, {1, 1}})}},
    {"max_2x2_default_stride", true, {1, 2, 6, 5}, {.window = {2, 2}}},
    {"max_same_3x3_s2",
     true,
     {1, 2, 6, 6},
     {.window = {3, 3}, .stride = {2, 2}, .padding = Padding::same()}},
    {"max_asymmetric_pads",
     true,
     {1, 1, 5, 5},
     {.window = {3, 3}, .stride = {1, 1}, .padding = pads({{2, 0}, {0, 1}})}},
    {"avg_3x3_s2_p1_include_pad",
     false,
     {2, 3, 7, 7},
     {.window = {3, 3}, .stride = {2, 2}, .padding = pads({{1, 1}, {1, 1}})}},
    {"avg_3x3_s2_p1_exclude_pad",
     false,
     {2, 3, 7, 7},
     {.window = {3, 3},
      .stride = {2, 2},
      .padding = pads({{1, 1}, {1, 1}}),
      .count_include_pad = false}},
    {"avg_2x3_s1x2", false, {1, 2, 6, 7}, {.window = {2, 3}, .stride = {1, 2}}},
    {"avg_same_2x3_s2_include_pad",
     false,
     {1, 2, 5, 6},
     {.window = {2, 3}, .stride = {2, 2}, .padding = Padding::same()}},
    {"avg_same_2x3_s2_exclude_pad",
     false,
     {1, 2, 5, 6},
     {.window = {2, 3}, .stride = {2, 2}, .padding = Padding::same(), .count_include_pad = false}},
};

TEST(PoolNchw, MatchesTorchEagerlyAndUnderJit) {
  for (const PoolCase& c : kPoolCases) {
    SCOPED_TRACE(c.name);
    expect_close(fixture(c.name), pool(c, inputs(c.input)));
    expect_close(fixture(c.name),
                 jit([&](const Tensor& x) { return pool(c, x); })(inputs(c.input)));
  }
}

TEST(PoolNhwc, EqualsTransposedNchw) {
  for (const PoolCase& c : kPoolCases) {
    SCOPED_TRACE(c.name);
    const HostArray x = transposed(inputs(c.input), {0, 2, 3, 1});
    const HostArray expected = transposed(fixture(c.name), {0, 2, 3, 1});
    expect_close(expected, pool(c, x, DataFormat::NHWC));
    auto fn = [&](const Tensor& t) { return pool(c, t, DataFormat::NHWC); };
    expect_close(expected, jit(fn)(x));
  }
}

std::string pool_text(const PoolCase& c, DataFormat format = DataFormat::NCHW) {
  std::vector<int64_t> dims = c.input;
  if (format == DataFormat::NHWC) dims = {dims[0], dims[2], dims[3], dims[1]};
  return trace([&](const Tensor& x) { return pool(c, x, format); }, TensorSpec{DType::F32, dims})
      .to_string();
}

TEST(PoolNchw, LowersToReduceWindow) {
  const std::string max = pool_text(kPoolCases[0]);
  EXPECT_EQ(count_of(max, "reduce-window("), 1u) << max;
  EXPECT_NE(max.find("window={size=1x1x3x3 stride=1x1x2x2 pad=0_0x0_0x1_1x1_1}"), std::string::npos)
      << max;
  EXPECT_NE(max.find("to_apply=%maximum_f32"), std::string::npos) << max;
  EXPECT_NE(max.find("constant(-inf)"), std::string::npos) << max;
  const std::string nhwc = pool_text(kPoolCases[0], DataFormat::NHWC);
  EXPECT_NE(nhwc.find("window={size=1x3x3x1 stride=1x2x2x1 pad=0_0x1_1x1_1x0_0}"),
            std::string::npos)
      << nhwc;
  // Counting padded positions divides by the window size: one reduce-window.
  const std::string include = pool_text(kPoolCases[4]);
  EXPECT_EQ(count_of(include, "reduce-window("), 1u) << include;
  EXPECT_NE(include.find("divide("), std::string::npos) << include;
  // Not counting them divides by a reduce-window over ones of one image's plane.
  const std::string exclude = pool_text(kPoolCases[5]);
  EXPECT_EQ(count_of(exclude, "reduce-window("), 2u) << exclude;
  EXPECT_NE(exclude.find("f32[1,1,4,4] reduce-window("), std::string::npos) << exclude;
}

TEST(PoolNchw, IntegerAndDoubleDtypes) {
  // Inputs scaled by 8 and shifted by 8 (so u8 holds them): max commutes with that map.
  const PoolCase& c = kPoolCases[0];  // padded: the -inf init must saturate, not wrap
  const Tensor expected = Tensor(fixture(c.name)) * 8.0 + 8.0;
  EXPECT_EQ(pool(c, pattern<int32_t>(c.input, 37, 17, 8, 1.0)).to_host(),
            astype(expected - 8.0, DType::S32).to_host());
  EXPECT_EQ(pool(c, pattern<uint8_t>(c.input, 37, 17, 0, 1.0)).to_host(),
            astype(expected, DType::U8).to_host());
  for (const PoolCase& avg : {kPoolCases[4], kPoolCases[8]}) {
    const Tensor result = pool(avg, astype(Tensor(inputs(avg.input)), DType::F64));
    EXPECT_EQ(result.dtype(), DType::F64);
    expect_close(fixture(avg.name), astype(result, DType::F32));
  }
}

TEST(PoolNchw, SizeOneWindowAndEmptyBatch) {
  const HostArray x = inputs({2, 3, 4, 5});
  EXPECT_EQ(max_pool2d(x, {.window = {1, 1}}).to_host(), x);
  EXPECT_EQ(avg_pool2d(x, {.window = {1, 1}}).to_host(), x);
  const Tensor empty =
      avg_pool2d(HostArray(DType::F32, {0, 3, 4, 4}),
                 {.window = {2, 2}, .padding = Padding::same(), .count_include_pad = false});
  EXPECT_EQ(empty.dims(), (std::vector<int64_t>{0, 3, 2, 2}));
}

// ---- errors ----------------------------------------------------------------------------------


void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  const std::string message = error_of(fn);
  for (const std::string& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "missing '" << part << "' in\n" << message;
  }
  EXPECT_NE(message.find("conv_test.cc:"), std::string::npos) << message;
}

const HostArray kX = inputs({1, 4, 5, 5});

TEST(ConvErrors, RankChannelsAndGroups) {
  expect_error(
      [] {
        (void)conv2d(inputs({2, 3, 4}), filters({4, 3, 3, 3}));
      },
      {"conv2d: input and filter must have rank 4; got f32[2,3,4] and f32[4,3,3,3]",
       "hint: use conv for 1-D or 3-D"});
  expect_error(
      [] {
        (void)conv(inputs({2, 3}), filters({2, 3}));
      },
      {"conv: the input needs rank 3 or more"});
  expect_error(
      [] {
        (void)conv(inputs({2, 3, 4}), filters({2, 3, 1, 1}));
      },
      {"conv: the filter must have the input's rank; got f32[2,3,4] and f32[2,3,1,1]"});
  expect_error(
      [] {
        (void)conv2d(kX, filters({2, 3, 3, 3}));
      },
      {"conv2d: the filter's input channels must be the input channels / groups "
       "(filter: 3 in dim 1; input: 4 channels in dim 1; groups=1); got f32[1,4,5,5] "
       "and f32[2,3,3,3]",
       "hint: with groups=1 the filter's dim 1 must be 4"});
  expect_error(
      [] {
        (void)conv2d(kX, filters({4, 4, 3, 3}), {.groups = 2});
      },
      {"filter: 4 in dim 1; input: 4 channels in dim 1; groups=2", "the filter's dim 1 must be 2"});
  expect_error(
      [] {
        (void)conv2d(kX, filters({3, 1, 3, 3}), {.groups = 3});
      },
      {"conv2d: groups must be positive and divide the input channels (groups=3; "
       "input: 4 channels in dim 1); got f32[1,4,5,5] and f32[3,1,3,3]"});
  expect_error([] { (void)conv2d(kX, filters({4, 4, 3, 3}), {.groups = 0}); }, {"groups=0"});
  expect_error(
      [] {
        (void)conv2d(kX, filters({3, 2, 3, 3}), {.groups = 2});
      },
      {"conv2d: the filter's output channels must be a multiple of groups (filter: 3 in "
       "dim 0; groups=2)"});
  // NHWC names the channels-last dims.
  expect_error(
      [] {
        (void)conv2d(inputs({1, 5, 5, 4}), filters({3, 3, 3, 2}), {.format = DataFormat::NHWC});
      },
      {"(filter: 3 in dim 2; input: 4 channels in dim 3; groups=1)"});
  expect_error(
      [] {
        (void)conv2d(kX, HostArray::from_vector<double>({1, 4, 1, 1}, {1, 2, 3, 4}));
      },
      {"conv2d: operands have different dtypes; got f32[1,4,5,5] and f64[1,4,1,1]"});
  expect_error(
      [] {
        (void)conv2d(Tensor(), filters({1, 4, 1, 1}));
      },
      {"conv2d: an operand is an empty Tensor; got an empty Tensor and f32[1,4,1,1]"});
}

TEST(ConvErrors, WindowStrideAndPadding) {
  expect_error(
      [] {
        (void)conv2d(inputs({1, 1, 4, 6}), filters({1, 1, 3, 3}), {.dilation = {2, 1}});
      },
      {"conv2d: the window is larger than the padded input in spatial dim 0 (a window "
       "of 3 with dilation 2 spans 5; the input has 4 plus padding 0 + 0); got "
       "f32[1,1,4,6] and f32[1,1,3,3]",
       "hint: pad the input"});
  // Padding::same() always fits; explicit padding can make it fit too.
  EXPECT_EQ(conv2d(inputs({1, 1, 4, 6}), filters({1, 1, 3, 3}),
                   {.padding = pads({{1, 0}, {0, 0}}), .dilation = {2, 1}})
                .dims(),
            (std::vector<int64_t>{1, 1, 1, 4}));
  expect_error(
      [] {
        (void)conv2d(kX, filters({1, 4, 3, 3}), {.stride = {0, 1}});
      },
      {"conv2d: window sizes, strides and dilations must be positive (window 3x3, "
       "stride 0x1, dilation 1x1)"});
  expect_error(
      [] {
        (void)conv2d(kX, filters({1, 4, 3, 3}), {.padding = pads({{1, 1}})});
      },
      {"explicit padding needs one (low, high) pair per spatial dim (1 pair(s) for 2 "
       "spatial dim(s))"});
  expect_error(
      [] {
        (void)conv2d(kX, filters({1, 4, 3, 3}), {.padding = pads({{0, 0}, {-1, 0}})});
      },
      {"explicit pads must be non-negative (spatial dim 1 has (-1, 0))", "hint: slice"});
  expect_error(
      [] {
        (void)conv(inputs({1, 4, 5}), filters({1, 4, 3}), {.stride = {1, 1}});
      },
      {"conv: stride needs one value per spatial dim (2 value(s) for 1 spatial dim(s))"});
}

TEST(ConvErrors, PointAtTheTracedLine) {
  const std::string message = error_of([] {
    (void)trace([](const Tensor& x, const Tensor& w) { return conv2d(x, w); },
                TensorSpec{DType::F32, {1, 4, 5, 5}}, TensorSpec{DType::F32, {2, 3, 3, 3}});
  });
  EXPECT_NE(message.find("conv2d: the filter's input channels"), std::string::npos) << message;
  EXPECT_NE(message.find("conv_test.cc:"), std::string::npos) << message;
  EXPECT_NE(message.find("(traced)"), std::string::npos) << message;
}

TEST(PoolErrors, RankWindowPaddingAndDtype) {
  expect_error(
      [] {
        (void)max_pool2d(inputs({4, 5, 5}), {.window = {2, 2}});
      },
      {"max_pool2d: the input must have rank 4 (NCHW or NHWC); got f32[4,5,5]"});
  expect_error([] { (void)avg_pool2d(kX, {}); },
               {"avg_pool2d: window sizes, strides and dilations must be positive (window 0x0"});
  expect_error(
      [] {
        (void)max_pool2d(kX, {.window = {3, 6}});
      },
      {"max_pool2d: the window is larger than the padded input in spatial dim 1 (a "
       "window of 6 with dilation 1 spans 6; the input has 5 plus padding 0 + 0); got "
       "f32[1,4,5,5]"});
  expect_error(
      [] {
        (void)max_pool2d(kX, {.window = {2, 2}, .padding = pads({{2, 0}, {0, 0}})});
      },
      {"max_pool2d: padding must be smaller than the window (window 2x2, pads (2, 0) in "
       "spatial dim 0); got f32[1,4,5,5]"});
  expect_error(
      [] {
        (void)avg_pool2d(pattern<int32_t>({1, 1, 4, 4}, 1, 5, 0), {.window = {2, 2}});
      },
      {"avg_pool2d: the input must have a floating-point type; got s32[1,1,4,4]",
       "hint: convert it with astype"});
  expect_error(
      [] {
        (void)max_pool2d(HostArray(DType::Pred, {1, 1, 2, 2}), {.window = {2, 2}});
      },
      {"max_pool2d: the input must have a real number type; got pred[1,1,2,2]"});
  expect_error(
      [] {
        (void)max_pool2d(Tensor(), {.window = {2, 2}});
      },
      {"max_pool2d: an operand is an empty Tensor"});
}

}  // namespace
}  // namespace hlocc
