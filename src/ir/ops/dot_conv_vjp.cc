// The vjp rules of the dot and conv ops (see ir/vjp.h). Both are bilinear, so each operand's
// cotangent is the same op again, applied to the cotangent and the other operand, with dimension
// numbers (and, for convolution, the window) rearranged as in JAX's
// _dot_general_transpose_lhs/rhs and _conv_general_dilated_transpose_lhs/rhs.
#include <algorithm>
#include <array>
#include <numeric>

#include "ir/op_rules.h"

namespace hlocc::ir::detail {
namespace {

using Dims = std::vector<int64_t>;

Dims iota_dims(int64_t begin, int64_t end) {
  Dims result(static_cast<size_t>(std::max<int64_t>(end - begin, 0)));
  std::iota(result.begin(), result.end(), begin);
  return result;
}

bool contains(const Dims& dims, int64_t d) {
  return std::find(dims.begin(), dims.end(), d) != dims.end();
}

// The positions that sort `values` ascending (numpy's argsort).
Dims argsort(const Dims& values) {
  Dims order = iota_dims(0, static_cast<int64_t>(values.size()));
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return values[static_cast<size_t>(a)] < values[static_cast<size_t>(b)];
  });
  return order;
}

Instruction* transpose(VjpBuilder& b, Instruction* x, const Dims& perm) {
  if (perm == iota_dims(0, static_cast<int64_t>(perm.size()))) return x;
  Dims dims;
  for (int64_t p : perm) dims.push_back(x->shape().dim(p));
  Attributes attrs;
  attrs.set("dimensions", perm);
  return b.add(Op::Transpose, {x}, std::move(attrs), Shape::array(x->shape().dtype(), dims));
}

Instruction* reshape(VjpBuilder& b, Instruction* x, Dims dims) {
  return b.add(Op::Reshape, {x}, {}, Shape::array(x->shape().dtype(), std::move(dims)));
}

// x with dimension `axis` split into (major, dim / major), as JAX's _reshape_axis_out_of.
Instruction* split_axis(VjpBuilder& b, Instruction* x, int64_t axis, int64_t major) {
  Dims dims = x->shape().dims();
  const auto at = dims.begin() + axis;
  *at /= major;
  dims.insert(at, major);
  return reshape(b, x, std::move(dims));
}

// x with dimension `src` merged into `dst` (numbered with `src` removed) as its major part, as
// JAX's _reshape_axis_into.
Instruction* merge_axis_into(VjpBuilder& b, Instruction* x, int64_t src, int64_t dst) {
  Dims perm;
  for (int64_t d = 0; d < x->shape().rank(); ++d) {
    if (d != src) perm.push_back(d);
  }
  perm.insert(perm.begin() + dst, src);
  Instruction* moved = transpose(b, x, perm);
  Dims dims = moved->shape().dims();
  dims[static_cast<size_t>(dst)] *= dims[static_cast<size_t>(dst) + 1];
  dims.erase(dims.begin() + dst + 1);
  return reshape(b, moved, std::move(dims));
}

// x converted to `dtype` (the real part first when a complex value feeds a real operand).
Instruction* to_dtype(VjpBuilder& b, Instruction* x, DType dtype) {
  if (is_complex(x->shape().dtype()) && !is_complex(dtype)) x = b.add(Op::Real, {x});
  return x->shape().dtype() == dtype ? x : b.convert(x, dtype);
}

// Which operands get a cotangent: inexact ones of an inexact result (integer operands and integer
// products are not differentiable).
std::array<bool, 2> differentiable(const Instruction& forward) {
  const bool result = is_inexact(forward.shape().dtype());
  return {result && is_inexact(forward.operand(0)->shape().dtype()),
          result && is_inexact(forward.operand(1)->shape().dtype())};
}

// ---- dot -----------------------------------------------------------------------------------

struct DotSide {
  Dims batch, contracting;
};

Dims free_dims(int64_t rank, const DotSide& side) {
  Dims result;
  for (int64_t d = 0; d < rank; ++d) {
    if (!contains(side.batch, d) && !contains(side.contracting, d)) result.push_back(d);
  }
  return result;
}

// The cotangent of dot's operand x from the result's cotangent g and the other operand y (both of
// the result's dtype). The result dims are (batch, x free, y free), or (batch, y free, x free)
// when x is the rhs (`x_is_rhs`). dot(g, y) contracts g's y-free dims with y's free dims, giving
// (batch, x free, x contracting sorted by y's matching dims), then a transpose puts x's dims back.
Instruction* dot_transpose(VjpBuilder& b, Instruction* g, Instruction* y, int64_t x_rank,
                           const DotSide& x, const DotSide& y_side, bool x_is_rhs) {
  const Dims x_free = free_dims(x_rank, x), y_free = free_dims(y->shape().rank(), y_side);
  const int64_t batch = static_cast<int64_t>(x.batch.size());
  const int64_t y_free_start = batch + (x_is_rhs ? 0 : static_cast<int64_t>(x_free.size()));
  Attributes attrs;
  attrs.set("lhs_batch_dims", iota_dims(0, batch));
  attrs.set("lhs_contracting_dims",
            iota_dims(y_free_start, y_free_start + static_cast<int64_t>(y_free.size())));
  attrs.set("rhs_batch_dims", y_side.batch);
  attrs.set("rhs_contracting_dims", y_free);
  Instruction* product = b.add(Op::Dot, {g, y}, std::move(attrs));
  Dims produced = x.batch;
  produced.insert(produced.end(), x_free.begin(), x_free.end());
  for (int64_t i : argsort(y_side.contracting)) {
    produced.push_back(x.contracting[static_cast<size_t>(i)]);
  }
  return transpose(b, product, argsort(produced));
}

Result<std::vector<Instruction*>> dot_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  const DType dtype = forward.shape().dtype();
  const Attributes& a = forward.attrs();
  const DotSide lhs{a.int_list_or_empty("lhs_batch_dims"),
                    a.int_list_or_empty("lhs_contracting_dims")};
  const DotSide rhs{a.int_list_or_empty("rhs_batch_dims"),
                    a.int_list_or_empty("rhs_contracting_dims")};
  const auto wanted = differentiable(forward);
  std::vector<Instruction*> cotangents(2, nullptr);
  // XLA converts both operands to the result type first; the gradient flows through that convert.
  if (wanted[0]) {
    Instruction* x = dot_transpose(b, b.cotangent(), to_dtype(b, b.operand(1), dtype),
                                   forward.operand(0)->shape().rank(), lhs, rhs, false);
    cotangents[0] = to_dtype(b, x, forward.operand(0)->shape().dtype());
  }
  if (wanted[1]) {
    Instruction* y = dot_transpose(b, b.cotangent(), to_dtype(b, b.operand(0), dtype),
                                   forward.operand(1)->shape().rank(), rhs, lhs, true);
    cotangents[1] = to_dtype(b, y, forward.operand(1)->shape().dtype());
  }
  return cotangents;
}

// ---- convolution ---------------------------------------------------------------------------

int64_t dilated(int64_t size, int64_t dilation) {
  return size == 0 ? 0 : (size - 1) * dilation + 1;
}

Instruction* convolution(VjpBuilder& b, Instruction* lhs, Instruction* rhs,
                         const ConvDimLabels& labels, const Window& window, int64_t feature_groups,
                         int64_t batch_groups) {
  Attributes attrs;
  if (!window.dims.empty()) attrs.set("window", window);
  attrs.set("dim_labels", labels);
  if (feature_groups != 1) attrs.set("feature_group_count", feature_groups);
  if (batch_groups != 1) attrs.set("batch_group_count", batch_groups);
  return b.add(Op::Convolution, {lhs, rhs}, std::move(attrs));
}

int64_t int_attr_or(const Instruction& inst, std::string_view name, int64_t fallback) {
  const int64_t* value = inst.attrs().get<int64_t>(name);
  return value ? *value : fallback;
}

// The forward convolution, seen as JAX sees it.
struct ConvForward {
  ConvDimLabels labels;
  Window window;
  int64_t feature_groups, batch_groups;
  Dims in_sizes, kernel_sizes, out_sizes;  // per spatial dimension
};

ConvForward conv_forward(const Instruction& forward) {
  ConvForward c{*forward.attrs().get<ConvDimLabels>("dim_labels"),
                {},
                int_attr_or(forward, "feature_group_count", 1),
                int_attr_or(forward, "batch_group_count", 1),
                {},
                {},
                {}};
  if (const Window* window = forward.attrs().get<Window>("window")) c.window = *window;
  const ConvDimLabels& l = c.labels;
  for (size_t i = 0; i < l.input_spatial.size(); ++i) {
    c.in_sizes.push_back(forward.operand(0)->shape().dim(l.input_spatial[i]));
    c.kernel_sizes.push_back(forward.operand(1)->shape().dim(l.kernel_spatial[i]));
    c.out_sizes.push_back(forward.shape().dim(l.output_spatial[i]));
  }
  return c;
}

// The input's cotangent: g convolved with the spatially reversed kernel, whose feature roles
// swap (groups move from the kernel's output features into its input features), with stride and
// lhs dilation exchanged and padding that makes the result exactly the input's size.
Instruction* conv_transpose_lhs(VjpBuilder& b, const ConvForward& c, Instruction* g,
                                Instruction* kernel) {
  const ConvDimLabels& l = c.labels;
  const int64_t groups = std::max(c.feature_groups, c.batch_groups);
  if (groups > 1) {
    kernel = split_axis(b, kernel, l.kernel_output_feature, groups);
    kernel = merge_axis_into(b, kernel, l.kernel_output_feature, l.kernel_input_feature);
  }
  ConvDimLabels t;
  t.input_batch = l.output_batch;
  t.input_feature = l.output_feature;
  t.input_spatial = l.output_spatial;
  t.kernel_output_feature = l.kernel_input_feature;
  t.kernel_input_feature = l.kernel_output_feature;
  t.kernel_spatial = l.kernel_spatial;
  t.output_batch = l.input_batch;
  t.output_feature = l.input_feature;
  t.output_spatial = l.input_spatial;
  Window window;
  for (size_t i = 0; i < c.window.dims.size(); ++i) {
    const WindowDim& w = c.window.dims[i];
    const int64_t kernel_extent = dilated(c.kernel_sizes[i], w.rhs_dilation);
    const int64_t pad_before = kernel_extent - w.pad_low - 1;
    const int64_t pad_after = dilated(c.in_sizes[i], w.lhs_dilation) + kernel_extent - 1 -
                              dilated(c.out_sizes[i], w.stride) - pad_before;
    window.dims.push_back({.size = w.size,
                           .stride = w.lhs_dilation,
                           .pad_low = pad_before,
                           .pad_high = pad_after,
                           .lhs_dilation = w.stride,
                           .rhs_dilation = w.rhs_dilation,
                           .reversal = !w.reversal});
  }
  Instruction* result = convolution(b, g, kernel, t, window, groups, 1);
  if (c.batch_groups > 1) {  // the batch groups came out as feature groups: move them back
    result = split_axis(b, result, l.input_feature, c.batch_groups);
    result = merge_axis_into(b, result, l.input_feature, l.input_batch);
  }
  return result;
}

// The kernel's cotangent: the input convolved with g as the kernel, with batch and feature roles
// swapped (so the sum runs over the batch), stride and rhs dilation exchanged, and feature groups
// turned into batch groups (and back).
Instruction* conv_transpose_rhs(VjpBuilder& b, const ConvForward& c, Instruction* g,
                                Instruction* input) {
  const ConvDimLabels& l = c.labels;
  ConvDimLabels t;
  t.input_batch = l.input_feature;
  t.input_feature = l.input_batch;
  t.input_spatial = l.input_spatial;
  t.kernel_output_feature = l.output_feature;
  t.kernel_input_feature = l.output_batch;
  t.kernel_spatial = l.output_spatial;
  t.output_batch = l.kernel_input_feature;
  t.output_feature = l.kernel_output_feature;
  t.output_spatial = l.kernel_spatial;
  Window window;
  Dims reversed;
  for (size_t i = 0; i < c.window.dims.size(); ++i) {
    const WindowDim& w = c.window.dims[i];
    const int64_t pad_high = dilated(c.out_sizes[i], w.stride) -
                             dilated(c.in_sizes[i], w.lhs_dilation) +
                             dilated(c.kernel_sizes[i], w.rhs_dilation) - w.pad_low - 1;
    window.dims.push_back({.size = c.out_sizes[i],
                           .stride = w.rhs_dilation,
                           .pad_low = w.pad_low,
                           .pad_high = pad_high,
                           .lhs_dilation = w.lhs_dilation,
                           .rhs_dilation = w.stride,
                           .reversal = false});
    if (w.reversal) reversed.push_back(l.kernel_spatial[i]);
  }
  Instruction* result = convolution(b, input, g, t, window, c.batch_groups, c.feature_groups);
  if (reversed.empty()) return result;
  // The forward read the kernel reversed along these dims, so its cotangent comes out reversed.
  Attributes attrs;
  attrs.set("dimensions", reversed);
  return b.add(Op::Reverse, {result}, std::move(attrs));
}

Result<std::vector<Instruction*>> convolution_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  const DType dtype = forward.shape().dtype();
  const auto wanted = differentiable(forward);
  std::vector<Instruction*> cotangents(2, nullptr);
  const bool empty = forward.shape().element_count() == 0 ||
                     forward.operand(0)->shape().element_count() == 0 ||
                     forward.operand(1)->shape().element_count() == 0;
  const ConvForward c = conv_forward(forward);
  for (int64_t i = 0; i < 2; ++i) {
    if (!wanted[static_cast<size_t>(i)]) continue;
    const DType operand_dtype = forward.operand(i)->shape().dtype();
    if (empty) {  // nothing to sum: and a zero-sized window is not a valid convolution
      cotangents[static_cast<size_t>(i)] = b.zeros_like(b.operand(i));
      continue;
    }
    // XLA converts both operands to the result type first; the gradient flows through that convert.
    Instruction* other = to_dtype(b, b.operand(1 - i), dtype);
    Instruction* cotangent = i == 0 ? conv_transpose_lhs(b, c, b.cotangent(), other)
                                    : conv_transpose_rhs(b, c, b.cotangent(), other);
    cotangents[static_cast<size_t>(i)] = to_dtype(b, cotangent, operand_dtype);
  }
  return cotangents;
}

}  // namespace

void register_dot_conv_vjps(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Dot)].vjp = dot_vjp;
  table[static_cast<size_t>(Op::Convolution)].vjp = convolution_vjp;
}

}  // namespace hlocc::ir::detail
