/// Convolution and pooling on Tensors, with PyTorch's layouts (NCHW input, OIHW filter) or
/// TensorFlow's (NHWC input, HWIO filter). conv2d lowers to one HLO convolution; the pools lower to
/// reduce-window. A bad call throws hlocc::Error naming the operation, the shapes and the caller's
/// file:line.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

/// Where the channels sit. NCHW (channels first) takes OIHW filters; NHWC (channels last) takes
/// HWIO filters. For conv with 1 or 3 spatial dims they mean channels first / channels last
/// (NCW / OIW, NWC / WIO, NCDHW / OIDHW, NDHWC / DHWIO).
enum class DataFormat { NCHW, NHWC };

/// Padding of the spatial dims: Valid adds none; Same pads so that out = ceil(in / stride), the
/// odd element on the high side (TensorFlow and JAX "SAME", with the dilated window); Explicit
/// gives (low, high) per spatial dim.
struct Padding {
  enum class Mode { Valid, Same, Explicit } mode = Mode::Valid;
  std::vector<std::pair<int64_t, int64_t>> pads = {};  // (low, high) per spatial dim, for Explicit

  static Padding valid() { return {}; }
  static Padding same() { return {Mode::Same, {}}; }
  static Padding explicit_pads(std::vector<std::pair<int64_t, int64_t>> pads) {
    return {Mode::Explicit, std::move(pads)};
  }
};

/// The output size of one spatial dim: how many windows of `window` taps, `dilation` apart, fit at
/// `stride` into `in` elements padded by `pad_low` and `pad_high` (0 when none fits).
constexpr int64_t conv_output_size(int64_t in, int64_t window, int64_t stride, int64_t dilation,
                                   int64_t pad_low, int64_t pad_high) {
  const int64_t padded = pad_low + in + pad_high;
  const int64_t extent = (window - 1) * dilation + 1;
  return padded < extent ? 0 : (padded - extent) / stride + 1;
}

/// The (low, high) padding of Padding::same() for one spatial dim: out = ceil(in / stride).
constexpr std::pair<int64_t, int64_t> same_padding(int64_t in, int64_t window, int64_t stride,
                                                   int64_t dilation) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t needed = (out - 1) * stride + (window - 1) * dilation + 1 - in;
  const int64_t total = needed > 0 ? needed : 0;
  return {total / 2, total - total / 2};
}

struct Conv2dOptions {
  std::array<int64_t, 2> stride = {1, 1};
  Padding padding = Padding::valid();
  std::array<int64_t, 2> dilation = {1, 1};  // filter (rhs) dilation
  int64_t groups = 1;                        // feature_group_count
  DataFormat format = DataFormat::NCHW;
};

/// Cross-correlation (what deep learning calls convolution) of a rank-4 input with a rank-4
/// filter. With groups g, the input's C channels split into g groups of C / g, each seen by O / g
/// of the O filters (groups == C is depthwise). Like torch.nn.functional.conv2d for NCHW.
Tensor conv2d(const Tensor& input, const Tensor& filter, const Conv2dOptions& options = {},
              Where where = Where::current());

/// conv2d's options for any number of spatial dims; empty stride or dilation means all 1.
struct ConvOptions {
  std::vector<int64_t> stride = {};
  Padding padding = Padding::valid();
  std::vector<int64_t> dilation = {};
  int64_t groups = 1;
  DataFormat format = DataFormat::NCHW;
};

/// conv2d for inputs of rank 3 or more (1-D, 2-D, 3-D... convolutions); the filter has the
/// input's rank.
Tensor conv(const Tensor& input, const Tensor& filter, const ConvOptions& options = {},
            Where where = Where::current());

struct Pool2dOptions {
  std::array<int64_t, 2> window = {0, 0};  // must be set: {0,0} is rejected
  std::array<int64_t, 2> stride = {0, 0};  // {0,0} means = window (a 0 in one dim: that dim's)
  Padding padding = Padding::valid();
  DataFormat format = DataFormat::NCHW;
  bool count_include_pad = true;  // avg_pool: divisor counts padded positions (PyTorch's default)
};

/// The maximum of each window of a rank-4 input; padding never wins (it is -inf). Like
/// torch.nn.functional.max_pool2d for NCHW.
Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options, Where where = Where::current());
/// The mean of each window of a rank-4 floating-point input: divided by the window size, or with
/// count_include_pad false by the number of real (unpadded) elements in the window.
Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options, Where where = Where::current());

}  // namespace hlocc
