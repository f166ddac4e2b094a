// Rules of `convolution`: XLA's shape inference (InferConvolveShape) with readable errors, and an
// evaluator with HloEvaluator's semantics (window, dim_labels, feature and batch groups) that runs
// a canonical [batch, feature, spatial...] loop nest whose innermost loop walks output positions.
#include <algorithm>
#include <numeric>

#include "ir/ops/contraction.h"

namespace hlocc::ir::ops {
namespace {

struct ConvAttrs {
  const ConvDimLabels* labels = nullptr;
  Window window;
  int64_t feature_groups = 1;
  int64_t batch_groups = 1;
};

int64_t int_attr_or(const Instruction& inst, std::string_view name, int64_t fallback) {
  const int64_t* value = inst.attrs().get<int64_t>(name);
  return value ? *value : fallback;
}

int64_t spatial_count(const ConvDimLabels& labels) {
  return static_cast<int64_t>(labels.input_spatial.size());
}

Result<ConvAttrs> conv_attrs(const Instruction& inst) {
  ConvAttrs attrs;
  HLOCC_TRY(attrs.labels, require_attr<ConvDimLabels>(inst, "dim_labels"));
  attrs.feature_groups = int_attr_or(inst, "feature_group_count", 1);
  attrs.batch_groups = int_attr_or(inst, "batch_group_count", 1);
  const int64_t spatial = spatial_count(*attrs.labels);
  if (const Window* window = inst.attrs().get<Window>("window")) {
    attrs.window = *window;
  } else if (spatial > 0) {
    return op_error(inst, "missing attribute 'window'; got dim_labels with " +
                              std::to_string(spatial) + " spatial dimension(s)");
  }
  return attrs;
}

// "{b=0, f=1, spatial={2,3}}": dim_labels roles of one operand, for messages.
std::string roles(const char* first, int64_t a, const char* second, int64_t b,
                  const std::vector<int64_t>& spatial) {
  return std::string("{") + first + "=" + std::to_string(a) + ", " + second + "=" +
         std::to_string(b) + ", spatial=" + braced(spatial) + "}";
}

// The dims named by dim_labels for one operand must be 0..rank-1, each once.
Status check_roles(const Instruction& inst, const char* operand, const Shape& shape,
                   const char* first, int64_t a, const char* second, int64_t b,
                   const std::vector<int64_t>& spatial) {
  const std::string got = roles(first, a, second, b, spatial);
  const int64_t rank = static_cast<int64_t>(spatial.size()) + 2;
  if (shape.rank() != rank) {
    return op_error(inst, std::string(operand) + " must have rank " + std::to_string(rank) +
                              " to match dim_labels " + got + "; got " + shape.to_string(false));
  }
  std::vector<int64_t> dims = spatial;
  dims.push_back(a);
  dims.push_back(b);
  std::sort(dims.begin(), dims.end());
  for (int64_t i = 0; i < rank; ++i) {
    if (dims[static_cast<size_t>(i)] != i) {
      return op_error(inst, "dim_labels must name each " + std::string(operand) +
                                " dimension exactly once; got " + got);
    }
  }
  return ok_status();
}

Status check_labels(const Instruction& inst, const ConvAttrs& attrs, const Shape& lhs,
                    const Shape& rhs) {
  const ConvDimLabels& l = *attrs.labels;
  const size_t spatial = l.input_spatial.size();
  if (l.kernel_spatial.size() != spatial || l.output_spatial.size() != spatial) {
    return op_error(inst,
                    "dim_labels must give input, kernel and output the same number of "
                    "spatial dimensions; got " +
                        std::to_string(spatial) + ", " + std::to_string(l.kernel_spatial.size()) +
                        " and " + std::to_string(l.output_spatial.size()));
  }
  if (attrs.window.dims.size() != spatial) {
    return op_error(inst, "the window must have one dimension per spatial dimension; got " +
                              std::to_string(attrs.window.dims.size()) +
                              " window dimension(s) and " + std::to_string(spatial) +
                              " spatial dimension(s) in dim_labels");
  }
  const Shape output = Shape::array(lhs.dtype(), std::vector<int64_t>(spatial + 2, 0));
  HLOCC_TRY_STATUS(
      check_roles(inst, "lhs", lhs, "b", l.input_batch, "f", l.input_feature, l.input_spatial));
  HLOCC_TRY_STATUS(check_roles(inst, "rhs", rhs, "o", l.kernel_output_feature, "i",
                               l.kernel_input_feature, l.kernel_spatial));
  return check_roles(inst, "output", output, "b", l.output_batch, "f", l.output_feature,
                     l.output_spatial);
}

Status check_groups(const Instruction& inst, const ConvAttrs& attrs, const Shape& lhs,
                    const Shape& rhs) {
  const int64_t fgc = attrs.feature_groups, bgc = attrs.batch_groups;
  const std::string counts =
      "feature_group_count=" + std::to_string(fgc) + ", batch_group_count=" + std::to_string(bgc);
  if (fgc <= 0 || bgc <= 0) return op_error(inst, "group counts must be positive; got " + counts);
  if (fgc > 1 && bgc > 1) {
    return op_error(
        inst, "feature_group_count and batch_group_count cannot both exceed 1; got " + counts);
  }
  const ConvDimLabels& l = *attrs.labels;
  const int64_t in_features = lhs.dim(l.input_feature), batch = lhs.dim(l.input_batch);
  const int64_t kernel_in = rhs.dim(l.kernel_input_feature);
  const int64_t kernel_out = rhs.dim(l.kernel_output_feature);
  const std::string got =
      "; got lhs " + lhs.to_string(false) + " (feature dim " + std::to_string(l.input_feature) +
      " = " + std::to_string(in_features) + ", batch dim " + std::to_string(l.input_batch) + " = " +
      std::to_string(batch) + ") and rhs " + rhs.to_string(false) + " (input feature dim " +
      std::to_string(l.kernel_input_feature) + " = " + std::to_string(kernel_in) +
      ", output feature dim " + std::to_string(l.kernel_output_feature) + " = " +
      std::to_string(kernel_out) + ") with " + counts;
  if (kernel_out % bgc != 0) {
    return op_error(inst, "kernel output features must be a multiple of batch_group_count" + got);
  }
  if (in_features % fgc != 0 || in_features / fgc != kernel_in) {
    const std::string_view rule =
        "the kernel's input features must be input features / feature_group_count";
    return op_error(inst, std::string(rule) + got);
  }
  if (kernel_out % fgc != 0) {
    return op_error(inst, "kernel output features must be a multiple of feature_group_count" + got);
  }
  if (batch % bgc != 0) {
    return op_error(inst, "input batch must be a multiple of batch_group_count" + got);
  }
  return ok_status();
}

std::string window_dim_text(const WindowDim& w) {
  return "size=" + std::to_string(w.size) + " stride=" + std::to_string(w.stride) +
         " lhs_dilate=" + std::to_string(w.lhs_dilation) +
         " rhs_dilate=" + std::to_string(w.rhs_dilation);
}

int64_t dilated_bound(int64_t bound, int64_t dilation) {
  return bound == 0 ? 0 : (bound - 1) * dilation + 1;
}

// The output spatial sizes, after checking each window dimension against the kernel.
Result<std::vector<int64_t>> output_spatial_sizes(const Instruction& inst, const ConvAttrs& attrs,
                                                  const Shape& lhs, const Shape& rhs) {
  const ConvDimLabels& l = *attrs.labels;
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < attrs.window.dims.size(); ++i) {
    const WindowDim& w = attrs.window.dims[i];
    const std::string where = "window dimension " + std::to_string(i);
    if (w.size <= 0 || w.stride <= 0 || w.lhs_dilation <= 0 || w.rhs_dilation <= 0) {
      return op_error(
          inst, where + " needs a positive size, stride and dilations; got " + window_dim_text(w));
    }
    const int64_t kernel = rhs.dim(l.kernel_spatial[i]);
    if (w.size != kernel) {
      return op_error(inst, where + " has size " + std::to_string(w.size) +
                                " but the kernel's spatial dim " +
                                std::to_string(l.kernel_spatial[i]) + " is " +
                                std::to_string(kernel) + "; got rhs " + rhs.to_string(false));
    }
    const int64_t base =
        w.pad_low + dilated_bound(lhs.dim(l.input_spatial[i]), w.lhs_dilation) + w.pad_high;
    const int64_t window = dilated_bound(w.size, w.rhs_dilation);
    sizes.push_back(base < window ? 0 : (base - window) / w.stride + 1);
  }
  return sizes;
}

Result<Shape> infer_convolution_shape(const Instruction& inst) {
  HLOCC_TRY(const Shape* lhs, array_operand(inst, 0));
  HLOCC_TRY(const Shape* rhs, array_operand(inst, 1));
  HLOCC_TRY(const ConvAttrs attrs, conv_attrs(inst));
  HLOCC_TRY_STATUS(check_labels(inst, attrs, *lhs, *rhs));
  HLOCC_TRY_STATUS(check_groups(inst, attrs, *lhs, *rhs));
  HLOCC_TRY(const std::vector<int64_t> spatial, output_spatial_sizes(inst, attrs, *lhs, *rhs));
  HLOCC_TRY(const DType dtype, contraction_result_dtype(inst));
  const ConvDimLabels& l = *attrs.labels;
  std::vector<int64_t> dims(spatial.size() + 2);
  dims[static_cast<size_t>(l.output_batch)] = lhs->dim(l.input_batch) / attrs.batch_groups;
  dims[static_cast<size_t>(l.output_feature)] = rhs->dim(l.kernel_output_feature);
  for (size_t i = 0; i < spatial.size(); ++i) {
    dims[static_cast<size_t>(l.output_spatial[i])] = spatial[i];
  }
  return Shape::array(dtype, std::move(dims));
}

// ---- Evaluation ------------------------------------------------------------------------------

// For one spatial dimension and one kernel tap: the output positions that read a real input
// element (not padding, not a hole from lhs dilation). They form an arithmetic progression:
// output out_first + j * out_step reads input in_first + j * in_step, for j < count.
struct Run {
  int64_t out_first = 0, out_step = 1, in_first = 0, in_step = 1, count = 0;
};

Run tap_run(const WindowDim& w, int64_t tap, int64_t in_size, int64_t out_size) {
  Run run;
  for (int64_t p = 0; p < out_size; ++p) {
    const int64_t dilated = p * w.stride - w.pad_low + tap * w.rhs_dilation;
    if (dilated % w.lhs_dilation != 0) continue;
    const int64_t source = dilated / w.lhs_dilation;
    if (source < 0 || source >= in_size) continue;
    if (run.count == 0) {
      run.out_first = p;
      run.in_first = source;
    } else if (run.count == 1) {
      run.out_step = p - run.out_first;
      run.in_step = source - run.in_first;
    }
    HLOCC_CHECK(p == run.out_first + run.count * run.out_step &&
                source == run.in_first + run.count * run.in_step)
        << "convolution: valid taps are not an arithmetic progression";
    ++run.count;
  }
  return run;
}

// Everything the loop nest needs, in the canonical layouts input [B,C,S...], kernel [O,I,K...]
// and output [B/bgc, O, P...] (spatial dims in dim_labels' spatial order).
struct ConvPlan {
  int64_t batch_out = 0, features_out = 0, features_in = 0, kernel_in = 0;
  int64_t in_plane = 1, out_plane = 1, taps = 1, feature_groups = 1, batch_groups = 1;
  std::vector<int64_t> in_strides, out_strides;  // within a plane
  std::vector<int64_t> tap_weight_offset;        // per active tap, into the kernel's [K...] block
  std::vector<Run> tap_runs;                     // per active tap, one Run per spatial dim
  std::vector<int64_t> input_perm, kernel_perm, output_perm, canonical_out_dims;
};

std::vector<int64_t> canonical_perm(int64_t first, int64_t second,
                                    const std::vector<int64_t>& spatial) {
  std::vector<int64_t> perm = {first, second};
  perm.insert(perm.end(), spatial.begin(), spatial.end());
  return perm;
}

// The permutation that takes the canonical output to the result layout.
std::vector<int64_t> output_perm(const ConvDimLabels& l) {
  std::vector<int64_t> perm(l.output_spatial.size() + 2);
  perm[static_cast<size_t>(l.output_batch)] = 0;
  perm[static_cast<size_t>(l.output_feature)] = 1;
  for (size_t i = 0; i < l.output_spatial.size(); ++i) {
    perm[static_cast<size_t>(l.output_spatial[i])] = static_cast<int64_t>(i) + 2;
  }
  return perm;
}

// Lists the kernel taps (row-major over the window) that read at least one input element.
void add_taps(ConvPlan& plan, const Window& window, const std::vector<int64_t>& in_sizes,
              const std::vector<int64_t>& out_sizes) {
  const size_t spatial = window.dims.size();
  std::vector<int64_t> tap_dims;
  for (const WindowDim& w : window.dims) tap_dims.push_back(w.size);
  const std::vector<int64_t> kernel_strides = row_major_strides(tap_dims);
  for_each_index(tap_dims, [&](std::span<const int64_t> tap) {
    std::vector<Run> runs;
    int64_t offset = 0;
    for (size_t d = 0; d < spatial; ++d) {
      const WindowDim& w = window.dims[d];
      runs.push_back(tap_run(w, tap[d], in_sizes[d], out_sizes[d]));
      if (runs.back().count == 0) return;
      offset += (w.reversal ? w.size - 1 - tap[d] : tap[d]) * kernel_strides[d];
    }
    plan.tap_weight_offset.push_back(offset);
    plan.tap_runs.insert(plan.tap_runs.end(), runs.begin(), runs.end());
  });
}

ConvPlan make_plan(const Instruction& inst) {
  const ConvAttrs attrs = *conv_attrs(inst);
  const ConvDimLabels& l = *attrs.labels;
  const Shape& lhs = inst.operand(0)->shape();
  const Shape& rhs = inst.operand(1)->shape();
  const Shape& out = inst.shape();
  ConvPlan plan;
  plan.feature_groups = attrs.feature_groups;
  plan.batch_groups = attrs.batch_groups;
  plan.batch_out = out.dim(l.output_batch);
  plan.features_out = out.dim(l.output_feature);
  plan.features_in = lhs.dim(l.input_feature);
  plan.kernel_in = rhs.dim(l.kernel_input_feature);
  std::vector<int64_t> in_sizes, out_sizes;
  for (size_t i = 0; i < l.input_spatial.size(); ++i) {
    in_sizes.push_back(lhs.dim(l.input_spatial[i]));
    out_sizes.push_back(out.dim(l.output_spatial[i]));
    plan.in_plane *= in_sizes.back();
    plan.out_plane *= out_sizes.back();
    plan.taps *= attrs.window.dims[i].size;
  }
  plan.in_strides = row_major_strides(in_sizes);
  plan.out_strides = row_major_strides(out_sizes);
  add_taps(plan, attrs.window, in_sizes, out_sizes);
  plan.input_perm = canonical_perm(l.input_batch, l.input_feature, l.input_spatial);
  plan.kernel_perm =
      canonical_perm(l.kernel_output_feature, l.kernel_input_feature, l.kernel_spatial);
  plan.output_perm = output_perm(l);
  plan.canonical_out_dims = {plan.batch_out, plan.features_out};
  plan.canonical_out_dims.insert(plan.canonical_out_dims.end(), out_sizes.begin(), out_sizes.end());
  return plan;
}

// out[run positions] += weight * in[run positions] over spatial dims d.. of one tap.
template <class A>
void accumulate_tap(const ConvPlan& plan, const Run* runs, size_t d, A weight,
                    const A* __restrict in, A* __restrict out) {
  const Run& run = runs[d];
  const int64_t in_stride = plan.in_strides[d], out_stride = plan.out_strides[d];
  in += run.in_first * in_stride;
  out += run.out_first * out_stride;
  if (d + 1 < plan.in_strides.size()) {
    for (int64_t j = 0; j < run.count; ++j) {
      accumulate_tap(plan, runs, d + 1, weight, in + j * run.in_step * in_stride,
                     out + j * run.out_step * out_stride);
    }
    return;
  }
  if (run.in_step == 1 && run.out_step == 1) {  // the common case: contiguous, vectorizes
    for (int64_t j = 0; j < run.count; ++j) multiply_add(out[j], weight, in[j]);
    return;
  }
  for (int64_t j = 0; j < run.count; ++j) {
    multiply_add(out[j * run.out_step], weight, in[j * run.in_step]);
  }
}

// Accumulates one output plane (batch b, feature o) over its input features and kernel taps.
template <class A>
void convolve_plane(const ConvPlan& plan, const A* input, const A* kernel, int64_t b, int64_t o,
                    A* out) {
  const int64_t spatial = static_cast<int64_t>(plan.in_strides.size());
  const int64_t group = o / (plan.features_out / plan.feature_groups);
  // With batch groups, output feature o reads batch group o / (O / batch_group_count).
  const int64_t batch_group =
      plan.batch_groups > 1 ? o / (plan.features_out / plan.batch_groups) : 0;
  const int64_t in_batch = b + batch_group * plan.batch_out;
  const int64_t active_taps = static_cast<int64_t>(plan.tap_weight_offset.size());
  for (int64_t c = 0; c < plan.kernel_in; ++c) {
    const int64_t in_feature = group * plan.kernel_in + c;
    const A* in_plane = input + (in_batch * plan.features_in + in_feature) * plan.in_plane;
    const A* weights = kernel + (o * plan.kernel_in + c) * plan.taps;
    for (int64_t t = 0; t < active_taps; ++t) {
      const A weight = weights[plan.tap_weight_offset[static_cast<size_t>(t)]];
      if (spatial == 0) {
        multiply_add(out[0], weight, in_plane[0]);
      } else {
        accumulate_tap(plan, plan.tap_runs.data() + t * spatial, 0, weight, in_plane, out);
      }
    }
  }
}

template <class T>
void run_convolution(const ConvPlan& plan, const Literal& lhs, const Literal& rhs,
                     Literal& result) {
  using A = Accumulator<T>;
  Buffer<A> input(lhs.element_count()), kernel(rhs.element_count());
  Buffer<A> canonical(result.element_count());
  transpose_into<T, A>(lhs.data<T>(), lhs.shape().dims(), plan.input_perm, input.span());
  transpose_into<T, A>(rhs.data<T>(), rhs.shape().dims(), plan.kernel_perm, kernel.span());
  const int64_t planes = plan.batch_out * plan.features_out;
  const int64_t work = planes * plan.kernel_in * plan.taps * plan.out_plane;
  parallel_for(planes, work, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      convolve_plane(plan, input.data(), kernel.data(), p / plan.features_out,
                     p % plan.features_out, canonical.data() + p * plan.out_plane);
    }
  });
  transpose_into<A, T>(canonical.span(), plan.canonical_out_dims, plan.output_perm,
                       result.data<T>());
}

Result<Literal> evaluate_convolution(const Instruction& inst,
                                     std::span<const Literal* const> operands, EvalContext&) {
  const DType dtype = inst.shape().dtype();
  Literal lhs_storage, rhs_storage;  // XLA converts both operands to the result type first
  const Literal& lhs = converted(*operands[0], dtype, lhs_storage);
  const Literal& rhs = converted(*operands[1], dtype, rhs_storage);
  Literal result(inst.shape());
  const ConvPlan plan = make_plan(inst);
  dispatch_dtype(dtype, [&](auto tag) {
    run_convolution<typename decltype(tag)::type>(plan, lhs, rhs, result);
  });
  return result;
}

}  // namespace

void register_convolution_rules(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Convolution)] =
      OpRules{.infer_shape = infer_convolution_shape, .evaluate = evaluate_convolution};
}

}  // namespace hlocc::ir::ops
