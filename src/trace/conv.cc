// conv / conv2d and the 2-D pools: the options are checked here, with errors naming the user's
// shapes and line, so that the one HLO convolution or reduce-window they emit always verifies.
#include "hlocc/conv.h"

#include <limits>
#include <string>

#include "hlocc/ops.h"
#include "ir/dtype.h"
#include "trace/op_helpers.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::throw_op_error;

// One public call, for its error messages: the op's name, its operands and the user's line.
struct Call {
  const char* op;
  std::vector<Tensor> operands;
  const Where& where;

  [[noreturn]] void fail(const std::string& what, const std::string& hint = "") const {
    throw_op_error(op, what, operands, where, hint);
  }
};

// "3x3", as HLO prints windows.
std::string join(const std::vector<int64_t>& values) {
  std::string text;
  for (int64_t value : values) text += (text.empty() ? "" : "x") + std::to_string(value);
  return text;
}

// first, first + 1, ..., first + count - 1.
std::vector<int64_t> axes_from(int64_t first, int64_t count) {
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < count; ++i) axes.push_back(first + i);
  return axes;
}

std::vector<int64_t> spatial_axes(DataFormat format, int64_t rank) {
  return axes_from(format == DataFormat::NCHW ? 2 : 1, rank - 2);
}

int64_t channel_axis(DataFormat format, int64_t rank) {
  return format == DataFormat::NCHW ? 1 : rank - 1;
}

std::vector<int64_t> pick(const std::vector<int64_t>& dims, const std::vector<int64_t>& axes) {
  std::vector<int64_t> picked;
  for (int64_t axis : axes) picked.push_back(dims[static_cast<size_t>(axis)]);
  return picked;
}

// A window over the spatial dims of an input, before padding is resolved.
struct SpatialWindow {
  std::vector<int64_t> input;  // the input's spatial sizes
  std::vector<int64_t> size, stride, dilation;
};

std::pair<int64_t, int64_t> resolve_pads(const Call& call, const Padding& padding,
                                         const SpatialWindow& w, size_t d) {
  switch (padding.mode) {
    case Padding::Mode::Valid:
      return {0, 0};
    case Padding::Mode::Same:
      return same_padding(w.input[d], w.size[d], w.stride[d], w.dilation[d]);
    case Padding::Mode::Explicit:
      break;
  }
  const auto [low, high] = padding.pads[d];
  if (low < 0 || high < 0) {
    call.fail("explicit pads must be non-negative (spatial dim " + std::to_string(d) + " has (" +
                  std::to_string(low) + ", " + std::to_string(high) + "))",
              "slice the input to crop it");
  }
  return {low, high};
}

// The HLO window dims of `w` padded by `padding`, after checking that every window fits.
std::vector<ir::WindowDim> window_dims(const Call& call, const SpatialWindow& w,
                                       const Padding& padding) {
  const size_t spatial = w.input.size();
  if (padding.mode == Padding::Mode::Explicit && padding.pads.size() != spatial) {
    call.fail("explicit padding needs one (low, high) pair per spatial dim (" +
              std::to_string(padding.pads.size()) + " pair(s) for " + std::to_string(spatial) +
              " spatial dim(s))");
  }
  for (size_t d = 0; d < spatial; ++d) {
    if (w.size[d] <= 0 || w.stride[d] <= 0 || w.dilation[d] <= 0) {
      call.fail("window sizes, strides and dilations must be positive (window " + join(w.size) +
                ", stride " + join(w.stride) + ", dilation " + join(w.dilation) + ")");
    }
  }
  std::vector<ir::WindowDim> dims;
  for (size_t d = 0; d < spatial; ++d) {
    const auto [low, high] = resolve_pads(call, padding, w, d);
    const int64_t extent = (w.size[d] - 1) * w.dilation[d] + 1;
    if (low + w.input[d] + high < extent) {
      call.fail("the window is larger than the padded input in spatial dim " + std::to_string(d) +
                    " (a window of " + std::to_string(w.size[d]) + " with dilation " +
                    std::to_string(w.dilation[d]) + " spans " + std::to_string(extent) +
                    "; the input has " + std::to_string(w.input[d]) + " plus padding " +
                    std::to_string(low) + " + " + std::to_string(high) + ")",
                "pad the input (Padding::same()), or use a smaller window");
    }
    dims.push_back(ir::WindowDim{.size = w.size[d],
                                 .stride = w.stride[d],
                                 .pad_low = low,
                                 .pad_high = high,
                                 .rhs_dilation = w.dilation[d]});
  }
  return dims;
}

void check_defined(const Call& call) {
  for (const Tensor& operand : call.operands) {
    if (!operand.defined()) call.fail("an operand is an empty Tensor");
  }
}

// `values` for each of `spatial` dims; empty means all 1.
std::vector<int64_t> per_spatial_dim(const Call& call, const char* name,
                                     const std::vector<int64_t>& values, size_t spatial) {
  if (values.empty()) return std::vector<int64_t>(spatial, 1);
  if (values.size() != spatial) {
    call.fail(std::string(name) + " needs one value per spatial dim (" +
              std::to_string(values.size()) + " value(s) for " + std::to_string(spatial) +
              " spatial dim(s))");
  }
  return values;
}

// dim_labels for channels first (bf01_oi01->bf01) or channels last (b01f_01io->b01f).
ir::ConvDimLabels conv_labels(DataFormat format, int64_t rank) {
  const std::vector<int64_t> spatial = spatial_axes(format, rank);
  const int64_t feature = channel_axis(format, rank);
  ir::ConvDimLabels labels;
  labels.input_batch = labels.output_batch = 0;
  labels.input_feature = labels.output_feature = feature;
  labels.input_spatial = labels.output_spatial = spatial;
  if (format == DataFormat::NCHW) {
    labels.kernel_output_feature = 0;
    labels.kernel_input_feature = 1;
    labels.kernel_spatial = spatial;
  } else {
    labels.kernel_input_feature = rank - 2;
    labels.kernel_output_feature = rank - 1;
    labels.kernel_spatial = axes_from(0, rank - 2);
  }
  return labels;
}

// Channels: C = the input's, I and O = the filter's; with g groups, C = g * I and g divides O.
void check_channels(const Call& call, const ir::ConvDimLabels& labels, int64_t groups) {
  auto dim = [](const Tensor& t, int64_t axis) { return t.dims()[static_cast<size_t>(axis)]; };
  const int64_t channels = dim(call.operands[0], labels.input_feature);
  const int64_t filter_in = dim(call.operands[1], labels.kernel_input_feature);
  const int64_t filter_out = dim(call.operands[1], labels.kernel_output_feature);
  const std::string input_text = "input: " + std::to_string(channels) + " channels in dim " +
                                 std::to_string(labels.input_feature);
  const std::string groups_text = "groups=" + std::to_string(groups);
  if (groups <= 0 || channels % groups != 0) {
    call.fail("groups must be positive and divide the input channels (" + groups_text + "; " +
              input_text + ")");
  }
  if (filter_out % groups != 0) {
    call.fail("the filter's output channels must be a multiple of groups (filter: " +
              std::to_string(filter_out) + " in dim " +
              std::to_string(labels.kernel_output_feature) + "; " + groups_text + ")");
  }
  if (filter_in * groups != channels) {
    call.fail(
        "the filter's input channels must be the input channels / groups (filter: " +
            std::to_string(filter_in) + " in dim " + std::to_string(labels.kernel_input_feature) +
            "; " + input_text + "; " + groups_text + ")",
        "with " + groups_text + " the filter's dim " + std::to_string(labels.kernel_input_feature) +
            " must be " + std::to_string(channels / groups));
  }
}

Tensor convolution(const char* op, const Tensor& input, const Tensor& filter,
                   const ConvOptions& options, const Where& where) {
  const Call call{op, {input, filter}, where};
  check_defined(call);
  const int64_t rank = input.rank();
  if (rank < 3) call.fail("the input needs rank 3 or more (batch, channels, spatial dims)");
  if (filter.rank() != rank) call.fail("the filter must have the input's rank");
  tracing::check_same_dtype(input, filter, op, where);
  const ir::ConvDimLabels labels = conv_labels(options.format, rank);
  check_channels(call, labels, options.groups);
  const size_t spatial = static_cast<size_t>(rank - 2);
  const SpatialWindow window{
      .input = pick(input.dims(), labels.input_spatial),
      .size = pick(filter.dims(), labels.kernel_spatial),
      .stride = per_spatial_dim(call, "stride", options.stride, spatial),
      .dilation = per_spatial_dim(call, "dilation", options.dilation, spatial)};
  ir::Attributes attrs;
  attrs.set("window", ir::Window{window_dims(call, window, options.padding)});
  attrs.set("dim_labels", labels);
  if (options.groups != 1) attrs.set("feature_group_count", options.groups);
  return tracing::emit(ir::Op::Convolution, {input, filter}, std::move(attrs), {}, where);
}

// The reduce-window of a pool over a rank-4 input: size 1 over batch and channels.
ir::Window pool_window(const Call& call, const Pool2dOptions& options) {
  check_defined(call);
  const Tensor& x = call.operands[0];
  if (x.rank() != 4) call.fail("the input must have rank 4 (NCHW or NHWC)");
  const std::vector<int64_t> axes = spatial_axes(options.format, 4);
  SpatialWindow window{.input = pick(x.dims(), axes),
                       .size = {options.window[0], options.window[1]},
                       .stride = {options.stride[0], options.stride[1]},
                       .dilation = {1, 1}};
  for (size_t d = 0; d < 2; ++d) {
    if (window.stride[d] == 0) window.stride[d] = window.size[d];
  }
  const std::vector<ir::WindowDim> spatial = window_dims(call, window, options.padding);
  ir::Window result{std::vector<ir::WindowDim>(4)};
  for (size_t d = 0; d < 2; ++d) {
    // A window wholly inside padding would have no elements: -inf for max, 0 / 0 for a mean.
    if (spatial[d].pad_low >= spatial[d].size || spatial[d].pad_high >= spatial[d].size) {
      call.fail("padding must be smaller than the window (window " + join(window.size) +
                ", pads (" + std::to_string(spatial[d].pad_low) + ", " +
                std::to_string(spatial[d].pad_high) + ") in spatial dim " + std::to_string(d) +
                ")");
    }
    result.dims[static_cast<size_t>(axes[d])] = spatial[d];
  }
  return result;
}

// reduce-window of x by `op`, whose identity is `init`.
Tensor reduce_window(ir::Op op, double init, const Tensor& x, const ir::Window& window,
                     const Where& where) {
  return tracing::staged({x}, [&](const std::vector<Tensor>& args) {
    const DType dtype = args[0].dtype();
    ir::Attributes attrs;
    attrs.set("window", window);
    attrs.set("to_apply", tracing::Trace::current()->scalar_computation(op, dtype));
    return std::vector<Tensor>{tracing::emit(ir::Op::ReduceWindow,
                                             {args[0], full_like_scalar(init, dtype, where)},
                                             std::move(attrs), {}, where)};
  })[0];
}

bool has_padding(const ir::Window& window) {
  for (const ir::WindowDim& dim : window.dims) {
    if (dim.pad_low != 0 || dim.pad_high != 0) return true;
  }
  return false;
}

}  // namespace

Tensor conv(const Tensor& input, const Tensor& filter, const ConvOptions& options, Where where) {
  return convolution("conv", input, filter, options, where);
}

Tensor conv2d(const Tensor& input, const Tensor& filter, const Conv2dOptions& options,
              Where where) {
  if (input.defined() && filter.defined() && (input.rank() != 4 || filter.rank() != 4)) {
    throw_op_error("conv2d", "input and filter must have rank 4", {input, filter}, where,
                   "use conv for 1-D or 3-D convolutions");
  }
  const ConvOptions general{.stride = {options.stride[0], options.stride[1]},
                            .padding = options.padding,
                            .dilation = {options.dilation[0], options.dilation[1]},
                            .groups = options.groups,
                            .format = options.format};
  return convolution("conv2d", input, filter, general, where);
}

Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options, Where where) {
  const Call call{"max_pool2d", {x}, where};
  const ir::Window window = pool_window(call, options);
  if (x.dtype() == DType::Pred || ir::is_complex(x.dtype())) {
    call.fail("the input must have a real number type", "convert it with astype");
  }
  // -inf converts to the lowest value of integer types (convert saturates): max's identity.
  return reduce_window(ir::Op::Maximum, -std::numeric_limits<double>::infinity(), x, window, where);
}

Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options, Where where) {
  const Call call{"avg_pool2d", {x}, where};
  const ir::Window window = pool_window(call, options);
  if (!ir::is_float(x.dtype())) {
    call.fail("the input must have a floating-point type", "convert it with astype(x, DType::F32)");
  }
  const Tensor sums = reduce_window(ir::Op::Add, 0, x, window, where);
  if (options.count_include_pad || !has_padding(window)) {
    int64_t count = 1;
    for (const ir::WindowDim& dim : window.dims) count *= dim.size;
    return divide(sums, full_like_scalar(static_cast<double>(count), x.dtype(), where), where);
  }
  // The real elements per window depend only on the spatial position: count them once, over a
  // ones array with batch and channels of size 1, and let divide broadcast the counts.
  std::vector<int64_t> plane = x.dims();
  plane[0] = 1;
  plane[static_cast<size_t>(channel_axis(options.format, 4))] = 1;
  const Tensor ones = broadcast_to(full_like_scalar(1, x.dtype(), where), plane, where);
  return divide(sums, reduce_window(ir::Op::Add, 0, ones, window, where), where);
}

}  // namespace hlocc
