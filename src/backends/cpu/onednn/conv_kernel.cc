// HLO convolution on oneDNN. Any dim_labels become strided memory descriptors over the dense HLO
// buffers; negative padding becomes a sliced view; lhs dilation (a transposed convolution, as in
// input gradients) becomes a deconvolution with the kernel flipped; window reversal flips the
// kernel in a host copy; a window larger than the output (a kernel gradient) runs on oneDNN's
// backward-weights primitive. oneDNN picks its own layouts (format any); reorders run in run().
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>

#include "backends/cpu/onednn/mappings.h"
#include "ir/ops/strided_copy.h"

namespace hlocc::cpu::detail {
namespace {

using dnnl::memory;

// The convolution in oneDNN's terms, with the views of the HLO buffers it reads and writes.
struct ConvGeometry {
  bool transposed = false;  // lhs dilation: run as a deconvolution with stride = lhs dilation
  int64_t groups = 1;
  memory::dims src_dims, weights_dims, dst_dims;  // oneDNN logical order
  memory::dims strides, dilates, pad_l, pad_r;
  memory::dims src_strides, weights_strides, dst_strides;  // in the HLO buffers, elements
  int64_t src_offset = 0, dst_offset = 0;                  // elements
  std::vector<bool> flip;                                  // per spatial dim
  bool zero_output = false;  // the view covers part of the result; the rest is zeros
};

Error conv_error(const ir::Instruction& conv, const std::string& what, const std::string& hint) {
  return Error("convolution: " + what + " (%" + conv.name() + ")\n  hint: " + hint);
}

// One spatial dim of a forward convolution: negative padding slices the input instead.
void forward_spatial(ConvGeometry& g, const ir::WindowDim& w, int64_t in, int64_t in_stride) {
  const int64_t skip_low = std::max<int64_t>(0, -w.pad_low);
  const int64_t skip_high = std::max<int64_t>(0, -w.pad_high);
  g.src_dims.push_back(in - skip_low - skip_high);
  g.src_offset += skip_low * in_stride;
  g.strides.push_back(w.stride);
  g.pad_l.push_back(std::max<int64_t>(0, w.pad_low));
  g.pad_r.push_back(std::max<int64_t>(0, w.pad_high));
  g.flip.push_back(w.reversal);
}

// One spatial dim of a transposed convolution. HLO reads input x at output y = x*s + P - k*D for
// tap k; with the kernel flipped (k' = K-1-k) that is a deconvolution with padding (K-1)*D - P.
// Output positions no tap reaches (negative deconvolution padding) are zeros outside the view.
void transposed_spatial(ConvGeometry& g, const ir::WindowDim& w, int64_t in, int64_t out,
                        int64_t out_stride) {
  const int64_t extent = (w.size - 1) * w.rhs_dilation + 1;
  int64_t pad_l = (w.size - 1) * w.rhs_dilation - w.pad_low, out_view = out;
  if (pad_l < 0) {
    g.dst_offset += -pad_l * out_stride;
    out_view += pad_l;
    pad_l = 0;
  }
  int64_t pad_r = (in - 1) * w.lhs_dilation + extent - pad_l - out_view;
  if (pad_r < 0) {
    out_view += pad_r;
    pad_r = 0;
  }
  g.zero_output = g.zero_output || out_view != out;
  g.src_dims.push_back(in);
  g.dst_dims.push_back(out_view);
  g.strides.push_back(w.lhs_dilation);
  g.pad_l.push_back(pad_l);
  g.pad_r.push_back(pad_r);
  g.flip.push_back(!w.reversal);
}

// Kernel dims [G, O/G, I/G, spatial...] (or [O, I, spatial...] without groups) as strides into
// the HLO kernel buffer: output feature o = g * O/G + o'.
void weights_view(ConvGeometry& g, const ir::ConvDimLabels& l, const ir::Shape& kernel) {
  const std::vector<int64_t> ks = ir::row_major_strides(kernel.dims());
  const int64_t out_features = kernel.dim(l.kernel_output_feature);
  const int64_t out_stride = ks[static_cast<size_t>(l.kernel_output_feature)];
  if (g.groups > 1) {
    g.weights_dims = {g.groups, out_features / g.groups};
    g.weights_strides = {out_stride * (out_features / g.groups), out_stride};
  } else {
    g.weights_dims = {out_features};
    g.weights_strides = {out_stride};
  }
  g.weights_dims.push_back(kernel.dim(l.kernel_input_feature));
  g.weights_strides.push_back(ks[static_cast<size_t>(l.kernel_input_feature)]);
  for (int64_t d : l.kernel_spatial) {
    g.weights_dims.push_back(kernel.dim(d));
    g.weights_strides.push_back(ks[static_cast<size_t>(d)]);
  }
}

Status check_supported(const ir::Instruction& conv, const ir::Window& window) {
  const auto* labels = conv.attrs().get<ir::ConvDimLabels>("dim_labels");
  const int64_t* batch_groups = conv.attrs().get<int64_t>("batch_group_count");
  if (batch_groups && *batch_groups > 1) {
    return conv_error(
        conv,
        "batch_group_count > 1 has no oneDNN mapping here; got " + std::to_string(*batch_groups),
        "the elemental loops run grouped weight-gradient convolutions");
  }
  const size_t spatial = labels->input_spatial.size();
  if (spatial < 1 || spatial > 3) {
    return conv_error(conv, "oneDNN runs 1 to 3 spatial dims; got " + std::to_string(spatial),
                      "a convolution without spatial dims is a dot");
  }
  for (const ir::WindowDim& w : window.dims) {
    if (w.lhs_dilation > 1 && w.stride > 1) {
      return conv_error(conv, "lhs dilation with a window stride is no deconvolution",
                        "the elemental loops run it");
    }
  }
  return ok_status();
}

Result<ConvGeometry> conv_geometry(const ir::Instruction& conv) {
  const ir::Window* window_attr = conv.attrs().get<ir::Window>("window");
  if (window_attr == nullptr || window_attr->dims.empty()) {
    // oneDNN convolutions have 1-3 spatial dims; without any this is a matrix product.
    return Error("convolution: no spatial dimensions; oneDNN needs 1 to 3");
  }
  const ir::Window window = *window_attr;
  HLOCC_TRY_STATUS(check_supported(conv, window));
  const ir::ConvDimLabels& l = *conv.attrs().get<ir::ConvDimLabels>("dim_labels");
  const ir::Shape& lhs = conv.operand(0)->shape();
  const ir::Shape& result = conv.shape();
  const std::vector<int64_t> ls = ir::row_major_strides(lhs.dims());
  const std::vector<int64_t> rs = ir::row_major_strides(result.dims());
  ConvGeometry g;
  const int64_t* feature_groups = conv.attrs().get<int64_t>("feature_group_count");
  g.groups = feature_groups ? *feature_groups : 1;
  g.transposed = std::any_of(window.dims.begin(), window.dims.end(),
                             [](const ir::WindowDim& w) { return w.lhs_dilation > 1; });
  g.src_dims = {lhs.dim(l.input_batch), lhs.dim(l.input_feature)};
  g.src_strides = {ls[static_cast<size_t>(l.input_batch)],
                   ls[static_cast<size_t>(l.input_feature)]};
  g.dst_dims = {result.dim(l.output_batch), result.dim(l.output_feature)};
  g.dst_strides = {rs[static_cast<size_t>(l.output_batch)],
                   rs[static_cast<size_t>(l.output_feature)]};
  for (size_t i = 0; i < window.dims.size(); ++i) {
    const ir::WindowDim& w = window.dims[i];
    const size_t in_dim = static_cast<size_t>(l.input_spatial[i]);
    const size_t out_dim = static_cast<size_t>(l.output_spatial[i]);
    g.src_strides.push_back(ls[in_dim]);
    g.dst_strides.push_back(rs[out_dim]);
    g.dilates.push_back(w.rhs_dilation - 1);
    if (g.transposed) {
      transposed_spatial(g, w, lhs.dims()[in_dim], result.dims()[out_dim], rs[out_dim]);
    } else {
      forward_spatial(g, w, lhs.dims()[in_dim], ls[in_dim]);
      g.dst_dims.push_back(result.dims()[out_dim]);
    }
  }
  weights_view(g, l, conv.operand(1)->shape());
  const auto empty = [](const memory::dims& dims) {
    return std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d <= 0; });
  };
  if (empty(g.src_dims) || empty(g.dst_dims) || empty(g.weights_dims)) {
    return conv_error(conv, "an operand or the result is empty after padding is applied",
                      "the elemental loops run it");
  }
  return g;
}

// ---- Primitive descriptors and the algorithm choice -----------------------------------------

// How a Winograd convolution gets its weights into the Winograd domain. Prepared: once per new
// set of weights, by oneDNN's reorder into its Winograd layout (slow: ~100 ms for 512x512x3x3
// here, but nothing per run while the weights repeat). InKernel: in every run, by the
// convolution's own JIT code (oneDNN's training mode; a few ms), for weights that change each run.
enum class WeightTransform { Prepared, InKernel };

// `bias` is the primitive's own per-output-feature bias (a zero desc: none).
dnnl::primitive_desc conv_pd(const ConvGeometry& g, dnnl::algorithm algorithm,
                             const ContractionTypes& types, const dnnl::primitive_attr& attr,
                             const memory::desc& bias = {},
                             WeightTransform transform = WeightTransform::Prepared) {
  const memory::desc src(g.src_dims, types.compute, memory::format_tag::any);
  const memory::desc weights(g.weights_dims, types.compute, memory::format_tag::any);
  const memory::desc dst(g.dst_dims, types.dst, memory::format_tag::any);
  const auto prop = transform == WeightTransform::InKernel ? dnnl::prop_kind::forward_training
                                                           : dnnl::prop_kind::forward_inference;
  if (g.transposed) {
    const dnnl::deconvolution_forward::desc desc(prop, algorithm, src, weights, bias, dst,
                                                 g.strides, g.dilates, g.pad_l, g.pad_r);
    return dnnl::deconvolution_forward::primitive_desc(desc, attr, cpu_engine());
  }
  const dnnl::convolution_forward::desc desc(prop, algorithm, src, weights, bias, dst, g.strides,
                                             g.dilates, g.pad_l, g.pad_r);
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
}

struct Choice {
  bool winograd = false;  // while the weights repeat: Winograd on prepared weights
  // When each run brings new weights (a training step): Winograd transforming them in the
  // kernel, else direct.
  bool winograd_on_new_weights = false;
  std::string note;  // why, for describe()
};

// The problem and the thread count it runs on (the faster algorithm can differ between them).
std::string problem_key(std::initializer_list<const memory::dims*> dims,
                        const ContractionTypes& types) {
  std::string key = std::to_string(omp_get_max_threads()) + " threads;";
  for (const memory::dims* d : dims) key += ir::join_ints(*d) + ";";
  return key + std::to_string(static_cast<int>(types.compute)) + "," +
         std::to_string(static_cast<int>(types.dst));
}

std::atomic<int64_t> measurements{0};
std::optional<bool> winograd_override;        // set by tests: the measurement's outcome
std::optional<int64_t> chunk_bytes_override;  // set by tests: see batch_chunks

// Seconds for one run at a batch of `probe_batch` images: direct, Winograd on prepared weights,
// and Winograd transforming its weights in the kernel (only for forward convolutions).
struct Timing {
  double direct_s = 0, winograd_s = 0, winograd_in_kernel_s = 0;
  int64_t probe_batch = 1;
};

// Timing runs at a batch of 1: which algorithm wins depends on the channels and the image size,
// and timing a batch of 100 twice per layer would make compiling take minutes.
constexpr int64_t kProbeBatch = 1;
constexpr int kProbeRuns = 2;

// `measure()` once per key in the process; later kernels of the same problem reuse its timing.
Timing measured_once(const std::string& key, const std::function<Timing()>& measure) {
  static std::mutex mutex;
  static std::map<std::string, Timing> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto found = cache.find(key); found != cache.end()) return found->second;
  ++measurements;
  return cache.emplace(key, measure()).first->second;
}

// The timing at `batch` from probes: `timing_at(1)`, scaled by the batch where Winograd wins
// there (the in-kernel transform's extra time stays fixed), else also `timing_at(2)` and each time
// extrapolated as a fixed part plus a part per image. Winograd has a large fixed part (transforms,
// sums over threads): 15 ms against 4 ms for direct at batch 1 and 29 ms against 48 ms at batch
// 10 for a 512x512 kernel gradient at 14x14. `note` says how it was found.
Timing timing_at_batch(int64_t batch, const std::function<Timing(int64_t)>& timing_at,
                       std::string& note) {
  const Timing one = timing_at(std::min(batch, kProbeBatch));
  Timing t = one;
  t.probe_batch = batch;
  if (batch <= one.probe_batch || one.winograd_s < one.direct_s) {
    const double scale = static_cast<double>(batch) / static_cast<double>(one.probe_batch);
    t.direct_s *= scale;
    t.winograd_s *= scale;
    t.winograd_in_kernel_s =
        t.winograd_s + std::max(0.0, one.winograd_in_kernel_s - one.winograd_s);
    note = "autotuned for batch " + std::to_string(batch) + " from batch " +
           std::to_string(one.probe_batch) + ": winograd " + format_ms(t.winograd_s) +
           " vs direct " + format_ms(t.direct_s);
    return t;
  }
  const Timing two = timing_at(2);
  const auto extrapolate = [&](double at1, double at2) {
    return at1 + std::max(0.0, at2 - at1) * static_cast<double>(batch - 1);
  };
  t.direct_s = extrapolate(one.direct_s, two.direct_s);
  t.winograd_s = extrapolate(one.winograd_s, two.winograd_s);
  t.winograd_in_kernel_s = extrapolate(one.winograd_in_kernel_s, two.winograd_in_kernel_s);
  note = "autotuned for batch " + std::to_string(batch) + " from batches 1 and 2: winograd " +
         format_ms(t.winograd_s) + " vs direct " + format_ms(t.direct_s);
  return t;
}

Timing autotune_timing(const ConvGeometry& full, int64_t batch, const ContractionTypes& types) {
  ConvGeometry g = full;
  g.src_dims[0] = g.dst_dims[0] = batch;
  const std::string key = problem_key(
      {&g.src_dims, &g.weights_dims, &g.dst_dims, &g.strides, &g.dilates, &g.pad_l, &g.pad_r},
      types);
  return measured_once(key, [&] {
    const dnnl::primitive_attr attr = plan_attr({});
    const auto time = [&](dnnl::algorithm algorithm, WeightTransform transform) {
      const dnnl::primitive_desc pd = conv_pd(g, algorithm, types, attr, {}, transform);
      return time_primitive(dnnl::primitive(pd), pd, kProbeRuns);
    };
    Timing t;
    t.direct_s = time(dnnl::algorithm::convolution_direct, WeightTransform::Prepared);
    t.winograd_s = time(dnnl::algorithm::convolution_winograd, WeightTransform::Prepared);
    t.winograd_in_kernel_s = time(dnnl::algorithm::convolution_winograd, WeightTransform::InKernel);
    t.probe_batch = g.src_dims[0];
    return t;
  });
}

Choice autotune(const ConvGeometry& g, const ContractionTypes& types) {
  std::string note;
  const Timing t = timing_at_batch(
      g.src_dims[0], [&](int64_t batch) { return autotune_timing(g, batch, types); }, note);
  Choice choice;
  choice.winograd = t.winograd_s < t.direct_s;
  choice.winograd_on_new_weights = choice.winograd && t.winograd_in_kernel_s < t.direct_s;
  choice.note = std::string(choice.winograd ? "winograd" : "direct") + ", " + note;
  if (choice.winograd) {
    choice.note += ", on new weights " + format_ms(t.winograd_in_kernel_s);
  }
  return choice;
}

bool winograd_available(const ConvGeometry& g, const ContractionTypes& types) {
  if (g.transposed) return false;
  try {
    conv_pd(g, dnnl::algorithm::convolution_winograd, types, plan_attr({}));
    return true;
  } catch (const dnnl::error&) {
    return false;  // oneDNN has Winograd only for some shapes and ISAs
  }
}

Choice choose_algorithm(const ConvGeometry& g, const ContractionTypes& types,
                        ConvAlgorithm requested) {
  if (requested == ConvAlgorithm::Direct) return {false, false, "direct, pinned"};
  if (!winograd_available(g, types)) return {false, false, "direct, no winograd for this shape"};
  if (requested == ConvAlgorithm::Winograd) return {true, true, "winograd, pinned"};
  if (winograd_override) return {*winograd_override, false, "as the test says"};
  return autotune(g, types);
}

// The weights in oneDNN's logical order: a strided view of the HLO kernel, or, where a spatial dim
// is flipped, a dense copy made by a host step (strides cannot be negative in oneDNN).
memory weights_source(DnnPlan& plan, const ConvGeometry& g, int64_t input, const ir::Shape& kernel,
                      memory::data_type type) {
  if (std::none_of(g.flip.begin(), g.flip.end(), [](bool f) { return f; })) {
    return plan.bind(input, memory::desc(g.weights_dims, type, g.weights_strides));
  }
  ir::ops::StridedView source{0, g.weights_strides};
  const size_t first_spatial = g.weights_dims.size() - g.flip.size();
  for (size_t i = 0; i < g.flip.size(); ++i) {
    if (!g.flip[i]) continue;
    const size_t d = first_spatial + i;
    source.offset += (g.weights_dims[d] - 1) * g.weights_strides[d];
    source.strides[d] = -g.weights_strides[d];
  }
  const memory raw = plan.bind(input, memory::desc({kernel.element_count()}, type, {1}));
  const memory dense =
      plan.scratch(memory::desc(g.weights_dims, type, ir::row_major_strides(g.weights_dims)));
  const int64_t element_size = ir::dtype_byte_size(kernel.dtype());
  plan.add_host_step([raw, dense, source, dims = g.weights_dims, element_size] {
    ir::ops::strided_copy(static_cast<const std::byte*>(raw.get_data_handle()), source,
                          static_cast<std::byte*>(dense.get_data_handle()),
                          ir::ops::dense_view(dims), dims, element_size);
  });
  return dense;
}

// A leading bias add of one value per output feature runs as the primitive's own bias argument
// rather than a binary post-op: Winograd takes a bias but no binary post-ops, and the bias is
// then added while the output tile is still in registers. Returns the bias input (or -1) and
// drops that step from `site`'s epilogue.
int64_t take_native_bias(const ir::Instruction& kernel, ContractionSite& site,
                         const ir::ConvDimLabels& labels) {
  if (site.epilogue.empty()) return -1;
  const EpilogueOp& first = site.epilogue.front();
  if (first.kind != EpilogueOp::Kind::BiasAdd) return -1;
  const ir::Shape& bias = kernel.operand(first.input)->shape();
  if (bias.dtype() != kernel.shape().dtype()) return -1;
  // Dims of extent 1 (a bias kept as [1, C] or [1, C, 1, 1]) do not matter; every other one
  // must be the output feature dim.
  for (size_t i = 0; i < first.broadcast_dims.size(); ++i) {
    if (bias.dims()[i] != 1 && first.broadcast_dims[i] != labels.output_feature) return -1;
  }
  if (bias.element_count() != kernel.shape().dim(labels.output_feature)) return -1;
  const int64_t input = first.input;
  site.epilogue.erase(site.epilogue.begin());
  return input;
}

// Zeros the whole result before a step writes only the view part of it.
void add_zero_fill(DnnPlan& plan, const ir::Shape& result, memory::data_type type) {
  const memory whole =
      plan.bind(DnnPlan::kOutput, memory::desc({result.element_count()}, type, {1}));
  plan.add_host_step([whole, bytes = result.byte_size()] {
    std::memset(whole.get_data_handle(), 0, static_cast<size_t>(bytes));
  });
}

// ---- Kernel gradients -------------------------------------------------------------------------
// A convolution whose window is larger than its output is how a kernel gradient looks:
// out[c, o, y] = sum over n, k of x[n, c, y*s + k*D - P] * g[n, o, k], with batch and feature roles
// swapped. oneDNN's backward-weights primitive computes that sum (stride D, dilation s - 1) much
// faster than a forward convolution with a huge kernel.
bool is_kernel_gradient(const ConvGeometry& g, const ContractionSite& site) {
  const auto product = [](const memory::dims& dims) {
    return std::accumulate(dims.begin() + 2, dims.end(), int64_t{1}, std::multiplies<>());
  };
  const bool flips = std::any_of(g.flip.begin(), g.flip.end(), [](bool f) { return f; });
  // A residual add is how autodiff sums two contributions to one weight gradient.
  const bool residual_only =
      site.epilogue.empty() ||
      (site.epilogue.size() == 1 && site.epilogue[0].kind == EpilogueOp::Kind::Residual);
  return !g.transposed && g.groups == 1 && !flips && residual_only &&
         product(g.weights_dims) > product(g.dst_dims);
}

// The backward-weights problem: src is the lhs, diff_dst the rhs, diff_weights the result, each
// with its first two oneDNN dims swapped. Input rows past the last one read are sliced off.
struct KernelGradient {
  memory::dims src_dims, src_strides, diff_dst_dims, diff_dst_strides;
  memory::dims diff_weights_dims, diff_weights_strides, strides, dilates, pad_l, pad_r;
};

KernelGradient kernel_gradient(const ConvGeometry& g) {
  const auto swap01 = [](memory::dims dims) {
    std::swap(dims[0], dims[1]);
    return dims;
  };
  KernelGradient k{swap01(g.src_dims),
                   swap01(g.src_strides),
                   swap01(g.weights_dims),
                   swap01(g.weights_strides),
                   swap01(g.dst_dims),
                   swap01(g.dst_strides),
                   g.dilates,
                   g.strides,
                   g.pad_l,
                   {}};
  for (size_t i = 0; i < k.strides.size(); ++i) {
    const size_t d = i + 2;
    k.strides[i] += 1;  // the forward's rhs dilation
    k.dilates[i] -= 1;  // the forward's window stride
    const int64_t last_read = (k.diff_weights_dims[d] - 1) * (k.dilates[i] + 1) +
                              (k.diff_dst_dims[d] - 1) * k.strides[i] - k.pad_l[i];
    const int64_t pad_r = last_read + 1 - k.src_dims[d];
    if (pad_r < 0) k.src_dims[d] += pad_r;
    k.pad_r.push_back(std::max<int64_t>(0, pad_r));
  }
  return k;
}

dnnl::convolution_backward_weights::primitive_desc kernel_gradient_pd(const KernelGradient& k,
                                                                      const ContractionTypes& types,
                                                                      dnnl::algorithm algorithm) {
  const memory::desc src(k.src_dims, types.compute, memory::format_tag::any);
  const memory::desc diff_weights(k.diff_weights_dims, types.dst, memory::format_tag::any);
  const memory::desc diff_dst(k.diff_dst_dims, types.compute, memory::format_tag::any);
  const dnnl::convolution_forward::desc forward(dnnl::prop_kind::forward_training, algorithm, src,
                                                diff_weights, diff_dst, k.strides, k.dilates,
                                                k.pad_l, k.pad_r);
  const dnnl::convolution_forward::primitive_desc hint(forward, cpu_engine());
  const dnnl::convolution_backward_weights::desc desc(algorithm, src, diff_weights, diff_dst,
                                                      k.strides, k.dilates, k.pad_l, k.pad_r);
  return {desc, plan_attr({}), cpu_engine(), hint};
}

// Whether Winograd runs the kernel gradient `full` (oneDNN has it for 3x3 windows at stride 1:
// 2.2-2.5x direct on VGG's layers here); autotuned like the forward, timed at a batch of 1.
Choice kernel_gradient_algorithm(const KernelGradient& full, const ContractionTypes& types,
                                 ConvAlgorithm requested) {
  if (requested == ConvAlgorithm::Direct) return {false, false, "direct, pinned"};
  try {
    kernel_gradient_pd(full, types, dnnl::algorithm::convolution_winograd);
  } catch (const dnnl::error&) {
    return {false, false, "direct, no winograd for this shape"};
  }
  if (requested == ConvAlgorithm::Winograd) return {true, true, "winograd, pinned"};
  if (winograd_override) return {*winograd_override, true, "as the test says"};
  const auto timing_at = [&](int64_t batch) {
    KernelGradient k = full;
    k.src_dims[0] = k.diff_dst_dims[0] = batch;
    const std::string key = problem_key({&k.src_dims, &k.diff_dst_dims, &k.diff_weights_dims,
                                         &k.strides, &k.dilates, &k.pad_l, &k.pad_r},
                                        types) +
                            ";backward weights";
    return measured_once(key, [&] {
      const auto time = [&](dnnl::algorithm algorithm) {
        const auto pd = kernel_gradient_pd(k, types, algorithm);
        return time_primitive(dnnl::convolution_backward_weights(pd), pd, kProbeRuns);
      };
      Timing timing;
      timing.direct_s = time(dnnl::algorithm::convolution_direct);
      timing.winograd_s = time(dnnl::algorithm::convolution_winograd);
      timing.probe_batch = batch;
      return timing;
    });
  };
  std::string note;
  const Timing t = timing_at_batch(full.src_dims[0], timing_at, note);
  const bool winograd = t.winograd_s < t.direct_s;
  return {winograd, winograd, std::string(winograd ? "winograd" : "direct") + ", " + note};
}

std::unique_ptr<DnnKernel> kernel_gradient_plan(const ir::Instruction& conv,
                                                const ContractionSite& site, const ConvGeometry& g,
                                                const ContractionTypes& types,
                                                const DnnOptions& options) {
  const KernelGradient k = kernel_gradient(g);
  const Choice choice = kernel_gradient_algorithm(k, types, options.conv_algorithm);
  const auto pd = kernel_gradient_pd(k, types,
                                     choice.winograd ? dnnl::algorithm::convolution_winograd
                                                     : dnnl::algorithm::convolution_direct);
  auto plan = std::make_unique<DnnPlan>();
  const int64_t lhs_size = ir::dtype_byte_size(conv.operand(0)->shape().dtype());
  const memory out_view = plan->bind(
      DnnPlan::kOutput, memory::desc(k.diff_weights_dims, types.dst, k.diff_weights_strides));
  const memory src =
      plan->convert(plan->bind(site.lhs_input, memory::desc(k.src_dims, types.lhs, k.src_strides),
                               g.src_offset * lhs_size),
                    pd.src_desc());
  const memory diff_dst = plan->convert(
      plan->bind(site.rhs_input, memory::desc(k.diff_dst_dims, types.rhs, k.diff_dst_strides)),
      pd.diff_dst_desc());
  const bool residual = !site.epilogue.empty();
  const memory diff_weights = residual ? plan->scratch(pd.diff_weights_desc())
                                       : plan->destination(out_view, pd.diff_weights_desc());
  plan->add_primitive(
      dnnl::convolution_backward_weights(pd), pd.scratchpad_desc(),
      {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_WEIGHTS, diff_weights}});
  if (residual) {
    // The primitive has no post-ops: the residual goes into the result first, and the gradient
    // is added to it by a reorder with a sum post-op.
    PostOps sum;
    sum.residual_input = site.epilogue[0].input;
    sum.ops.append_sum(1.0f);
    std::unordered_map<int, memory> unused;
    bind_post_ops(*plan, sum, out_view, out_view.get_desc(), unused);
    const dnnl::reorder::primitive_desc add(diff_weights, out_view, plan_attr(sum.ops));
    plan->add_primitive(dnnl::reorder(add), add.scratchpad_desc(),
                        {{DNNL_ARG_FROM, diff_weights}, {DNNL_ARG_TO, out_view}});
  } else {
    plan->copy_out(diff_weights, out_view);
  }
  plan->set_description(std::string("convolution (as backward weights) ") + pd.impl_info_str() +
                        epilogue_text(site) + " (" + choice.note + ")");
  return plan;
}

// ---- Forward plans ----------------------------------------------------------------------------

// A forward convolution with its epilogue, before an algorithm is chosen.
struct ConvProblem {
  const ir::Instruction& kernel;
  const ContractionSite& site;
  ConvGeometry g;
  ContractionTypes types;
  PostOps post_ops;         // the epilogue after the native bias
  int64_t bias_input = -1;  // the kernel input with the primitive's bias, or -1
  memory::desc bias_desc;   // zero without a bias
  int64_t chunks = 1;       // g is one chunk of the batch: see batch_chunks
};

// Winograd's primitive for `p` with the epilogue's post-ops, or none where oneDNN's Winograd has
// not those post-ops.
std::optional<dnnl::primitive_desc> winograd_pd(const ConvProblem& p, WeightTransform transform) {
  try {
    return conv_pd(p.g, dnnl::algorithm::convolution_winograd, p.types, plan_attr(p.post_ops.ops),
                   p.bias_desc, transform);
  } catch (const dnnl::error&) {
    return std::nullopt;
  }
}

dnnl::primitive_desc direct_pd(const ConvProblem& p) {
  const auto algorithm =
      p.g.transposed ? dnnl::algorithm::deconvolution_direct : dnnl::algorithm::convolution_direct;
  return conv_pd(p.g, algorithm, p.types, plan_attr(p.post_ops.ops), p.bias_desc);
}

// The plan running `pd` (one algorithm) for `p`. Its weights reorder runs when their bytes change:
// per the plan's own watch, or `watch` (updated by the caller) if given.
std::unique_ptr<DnnPlan> conv_plan(const ConvProblem& p, const dnnl::primitive_desc& pd,
                                   const std::string& note,
                                   const std::shared_ptr<const InputWatch>& watch) {
  const ir::Instruction& conv = *p.site.contraction;
  const ConvGeometry& g = p.g;
  auto plan = std::make_unique<DnnPlan>();
  const int64_t lhs_size = ir::dtype_byte_size(conv.operand(0)->shape().dtype());
  const int64_t dst_size = ir::dtype_byte_size(conv.shape().dtype());
  if (g.zero_output) add_zero_fill(*plan, conv.shape(), p.types.dst);
  // Weights usually stay the same between runs: their reorder (costly for Winograd's transform)
  // runs again only when their bytes change.
  const bool flips = std::any_of(g.flip.begin(), g.flip.end(), [](bool f) { return f; });
  if (flips || memory::desc(g.weights_dims, p.types.rhs, g.weights_strides) != pd.weights_desc()) {
    if (watch) {
      plan->begin_cached(watch);
    } else {
      plan->begin_cached(p.site.rhs_input, conv.operand(1)->shape().byte_size());
    }
  }
  const memory weights = plan->convert(
      weights_source(*plan, g, p.site.rhs_input, conv.operand(1)->shape(), p.types.rhs),
      pd.weights_desc());
  plan->end_cached();
  // The rest runs once per batch chunk (p.g has the chunk's batch), each chunk's views further on.
  int64_t src_chunk_stride = 0, dst_chunk_stride = 0;
  if (p.chunks > 1) {
    plan->begin_chunks(p.chunks);
    src_chunk_stride = g.src_dims[0] * g.src_strides[0] * lhs_size;
    dst_chunk_stride = g.dst_dims[0] * g.dst_strides[0] * dst_size;
  }
  const memory out_view =
      plan->bind(DnnPlan::kOutput, memory::desc(g.dst_dims, p.types.dst, g.dst_strides),
                 g.dst_offset * dst_size, dst_chunk_stride);
  const memory src = plan->convert(
      plan->bind(p.site.lhs_input, memory::desc(g.src_dims, p.types.lhs, g.src_strides),
                 g.src_offset * lhs_size, src_chunk_stride),
      pd.src_desc());
  const memory dst = plan->destination(out_view, pd.dst_desc());
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  if (p.bias_input >= 0) args[DNNL_ARG_BIAS] = plan->bind(p.bias_input, p.bias_desc);
  bind_post_ops(*plan, p.post_ops, dst, out_view.get_desc(), args, dst_chunk_stride);
  plan->add_primitive(dnnl::primitive(pd), pd.scratchpad_desc(), std::move(args));
  plan->copy_out(dst, out_view);
  std::string chunked;
  if (p.chunks > 1) {
    chunked = ", in " + std::to_string(p.chunks) + " chunks of " + std::to_string(g.src_dims[0]);
  }
  plan->set_description(std::string(g.transposed ? "convolution (transposed) " : "convolution ") +
                        pd.impl_info_str() + epilogue_text(p.site) +
                        (note.empty() && chunked.empty() ? "" : " (" + note + chunked + ")"));
  return plan;
}

// A big batch runs in chunks: oneDNN's layouts (Winograd's blocked ones) need copies of the
// source and result, and a chunk's copies are what the shared scratch then holds (at batch 100
// the first VGG layer's would be 2.5 GB). Chunks of at least a few images keep the speed.
int64_t batch_chunks(const ConvGeometry& g, const PostOps& post_ops) {
  const int64_t chunk_bytes = chunk_bytes_override.value_or(int64_t{256} << 20);
  const auto elements = [](const memory::dims& dims) {
    return std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<>());
  };
  if (g.transposed || g.zero_output || !post_ops.binary.empty()) return 1;
  const int64_t batch = g.src_dims[0];
  const int64_t bytes = (elements(g.src_dims) + elements(g.dst_dims)) * 4;
  for (int64_t count = 1; count <= batch; ++count) {
    if (batch % count == 0 && bytes / count <= chunk_bytes) return count;
  }
  return batch;
}

// Winograd on prepared weights (WeightTransform::Prepared) is the fastest while the weights repeat
// (inference), but preparing them costs more than the convolution: when each run brings new
// weights (a training step), the other plan runs, Winograd transforming them in the kernel or
// direct. This kernel starts with the prepared plan, switches at the first change of the weights
// and returns after two runs on the same weights.
class AdaptiveConvolution final : public DnnKernel {
 public:
  AdaptiveConvolution(std::shared_ptr<InputWatch> watch, std::unique_ptr<DnnPlan> prepared,
                      std::unique_ptr<DnnPlan> on_new_weights)
      : watch_(std::move(watch)),
        prepared_(std::move(prepared)),
        on_new_weights_(std::move(on_new_weights)) {}

  void run(std::span<const void* const> inputs, void* output) override {
    watch_->update(inputs);
    if (watch_->version() > 1 && watch_->unchanged_runs() == 0) use_prepared_ = false;
    if (watch_->unchanged_runs() >= 2) use_prepared_ = true;
    (use_prepared_ ? prepared_ : on_new_weights_)->run(inputs, output);
  }
  std::string describe() const override {
    return prepared_->describe() + "; while its weights repeat, else " +
           on_new_weights_->describe();
  }

 private:
  std::shared_ptr<InputWatch> watch_;
  std::unique_ptr<DnnPlan> prepared_, on_new_weights_;
  bool use_prepared_ = true;
};

}  // namespace

int64_t autotune_measurements() { return measurements.load(); }

void override_autotune_for_testing(std::optional<bool> winograd) { winograd_override = winograd; }

void override_chunk_bytes_for_testing(std::optional<int64_t> bytes) {
  chunk_bytes_override = bytes;
}

Result<std::unique_ptr<DnnKernel>> make_convolution_plan(const ir::Instruction& kernel,
                                                         const ContractionSite& site,
                                                         const DnnOptions& options) {
  const ir::Instruction& conv = *site.contraction;
  HLOCC_TRY(const ContractionTypes types, contraction_types(conv, options));
  HLOCC_TRY(const ConvGeometry g, conv_geometry(conv));
  if (is_kernel_gradient(g, site)) {
    try {
      return kernel_gradient_plan(conv, site, g, types, options);
    } catch (const dnnl::error&) {
      // No backward-weights kernel for these types here: the forward mapping below runs it.
    }
  }
  if (g.zero_output && !site.epilogue.empty()) {
    return conv_error(conv, "a fused epilogue on a transposed convolution that leaves zeros",
                      "the elemental loops run the epilogue");
  }
  const ir::ConvDimLabels& l = *conv.attrs().get<ir::ConvDimLabels>("dim_labels");
  std::vector<std::vector<int64_t>> dst_groups = {{l.output_batch}, {l.output_feature}};
  for (int64_t d : l.output_spatial) dst_groups.push_back({d});
  ConvProblem problem{kernel, site, g, types, {}, -1, {}};
  ContractionSite after_bias = site;
  problem.bias_input = take_native_bias(kernel, after_bias, l);
  if (problem.bias_input >= 0) problem.bias_desc = memory::desc({g.dst_dims[1]}, types.dst, {1});
  HLOCC_TRY(problem.post_ops, make_post_ops(kernel, after_bias, dst_groups));

  problem.chunks = batch_chunks(g, problem.post_ops);
  problem.g.src_dims[0] = problem.g.dst_dims[0] = g.src_dims[0] / problem.chunks;
  const Choice choice = choose_algorithm(g, types, options.conv_algorithm);
  const std::optional<dnnl::primitive_desc> prepared =
      choice.winograd ? winograd_pd(problem, WeightTransform::Prepared) : std::nullopt;
  if (!prepared) {
    const std::string note =
        choice.winograd ? "direct, winograd has not these post-ops" : choice.note;
    return std::unique_ptr<DnnKernel>(conv_plan(problem, direct_pd(problem), note, nullptr));
  }
  std::optional<dnnl::primitive_desc> on_new_weights =
      choice.winograd_on_new_weights ? winograd_pd(problem, WeightTransform::InKernel)
                                     : std::nullopt;
  if (!on_new_weights) on_new_weights = direct_pd(problem);
  auto watch = std::make_shared<InputWatch>(site.rhs_input, conv.operand(1)->shape().byte_size());
  return std::unique_ptr<DnnKernel>(std::make_unique<AdaptiveConvolution>(
      watch, conv_plan(problem, *prepared, choice.note, watch),
      conv_plan(problem, *on_new_weights, "", watch)));
}

}  // namespace hlocc::cpu::detail
