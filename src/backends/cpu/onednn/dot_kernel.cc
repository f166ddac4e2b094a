// HLO dot on dnnl::matmul as [B, M, K] x [B, K, N] -> [B, M, N] (or [M, K] x [K, N] -> [M, N]:
// see dot_groups): B merges the batch dims, M and N the free dims of each side, K the contracting
// dims. An operand whose dims merge in that order is read in place through strides (transposes
// are free); others are gathered by a reorder first.
#include <algorithm>
#include <numeric>

#include "backends/cpu/onednn/mappings.h"

namespace hlocc::cpu::detail {
namespace {

using dnnl::memory;
using Groups = std::vector<std::vector<int64_t>>;

std::vector<int64_t> free_dims(int64_t rank, const std::vector<int64_t>& batch,
                               const std::vector<int64_t>& contracting) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d) {
    const auto listed = [d](const std::vector<int64_t>& list) {
      return std::find(list.begin(), list.end(), d) != list.end();
    };
    if (!listed(batch) && !listed(contracting)) dims.push_back(d);
  }
  return dims;
}

// The consecutive integers [first, first + count).
std::vector<int64_t> iota(int64_t first, int64_t count) {
  std::vector<int64_t> values(static_cast<size_t>(count));
  std::iota(values.begin(), values.end(), first);
  return values;
}

// Whether the rhs's contracting dims sit inside its free dims in (row-major) memory: the matmul
// reads it as a transposed [K, N] matrix.
bool rhs_read_transposed(const std::vector<int64_t>& contracting,
                         const std::vector<int64_t>& free) {
  return !contracting.empty() && !free.empty() &&
         *std::max_element(free.begin(), free.end()) <
             *std::min_element(contracting.begin(), contracting.end());
}

// Weights from this many elements (16 MiB of f32) up run as a 2D matmul when read transposed
// (see dot_groups), and as an inner product's backward data pass when read in order (see
// is_linear_input_gradient).
constexpr int64_t kLargeWeights = int64_t{1} << 22;

struct DotGroups {
  Groups lhs, rhs, dst;
};

DotGroups dot_groups(const ir::Instruction& dot) {
  const std::vector<int64_t> lhs_batch = dot.attrs().int_list_or_empty("lhs_batch_dims");
  const std::vector<int64_t> rhs_batch = dot.attrs().int_list_or_empty("rhs_batch_dims");
  const std::vector<int64_t> lhs_contracting =
      dot.attrs().int_list_or_empty("lhs_contracting_dims");
  const std::vector<int64_t> rhs_contracting =
      dot.attrs().int_list_or_empty("rhs_contracting_dims");
  const std::vector<int64_t> lhs_free =
      free_dims(dot.operand(0)->shape().rank(), lhs_batch, lhs_contracting);
  const std::vector<int64_t> rhs_free =
      free_dims(dot.operand(1)->shape().rank(), rhs_batch, rhs_contracting);
  const int64_t batch = static_cast<int64_t>(lhs_batch.size());
  const int64_t m = static_cast<int64_t>(lhs_free.size());
  const int64_t n = static_cast<int64_t>(rhs_free.size());
  if (batch == 0 && rhs_read_transposed(rhs_contracting, rhs_free) &&
      dot.operand(1)->shape().element_count() >= kLargeWeights) {
    // 2D: oneDNN 2.6's brgemm takes weights read transposed (a Linear layer's [out, in] as
    // [K, N] with strides {1, K}) in 2D only; in 3D a gemm runs them, which ran VGG19's first
    // classifier layer at batch 10 in 75-135 ms against brgemm's 40. Smaller weights stay on
    // the 3D form: their time is small either way, and brgemm's order of summation moved a
    // random program's cancelling sums 2e-4 away from the evaluator. (A transposed lhs, a weight
    // gradient's, stays 3D too: that gemm streams such a few-row contraction's 411 MB result in
    // 30-50 ms against brgemm's 75-80.)
    return {{lhs_free, lhs_contracting}, {rhs_contracting, rhs_free}, {iota(0, m), iota(m, n)}};
  }
  return {{lhs_batch, lhs_free, lhs_contracting},
          {rhs_batch, rhs_contracting, rhs_free},
          {iota(0, batch), iota(batch, m), iota(batch + m, n)}};
}

// How one operand reaches the matmul: in place, or gathered into dense scratch.
struct OperandPlan {
  int64_t input;
  const ir::Shape* shape;
  const Groups* groups;
  std::optional<memory::desc> view;  // set when read in place
};

OperandPlan operand_plan(int64_t input, const ir::Shape& shape, const Groups& groups,
                         memory::data_type compute, memory::data_type type) {
  OperandPlan plan{input, &shape, &groups, std::nullopt};
  if (type == compute) plan.view = merged_view(shape, groups, type);
  return plan;
}

memory::desc matmul_desc(const OperandPlan& operand, memory::data_type compute) {
  if (operand.view) return *operand.view;
  memory::dims dims;
  for (const std::vector<int64_t>& group : *operand.groups) {
    int64_t size = 1;
    for (int64_t d : group) size *= operand.shape->dim(d);
    dims.push_back(size);
  }
  return memory::desc(dims, compute, ir::row_major_strides(dims));
}

memory operand_memory(DnnPlan& plan, const OperandPlan& operand, memory::data_type compute) {
  if (operand.view) return plan.bind(operand.input, *operand.view);
  return plan.gather(operand.input, *operand.shape, *operand.groups, compute);
}

dnnl::matmul::primitive_desc matmul_pd(const OperandPlan& lhs, const OperandPlan& rhs,
                                       memory::data_type compute, const memory::desc& dst,
                                       const PostOps& post_ops) {
  const dnnl::matmul::desc desc(matmul_desc(lhs, compute), matmul_desc(rhs, compute), dst);
  return dnnl::matmul::primitive_desc(desc, plan_attr(post_ops.ops), cpu_engine());
}

// [M, K] x [K, N] of f32 with large [K, N] weights and no epilogue: a Linear layer's input
// gradient (dy [batch, out] times its [out, in] weights). brgemm repacks weights read in order on
// every call (VGG19's first classifier layer at batch 10: 60-88 ms, the second 28-37 ms); oneDNN's
// inner product backward data runs its gemm on them as they lie (46 and 9 ms).
bool is_linear_input_gradient(const ir::Instruction& dot, const ContractionSite& site,
                              const ContractionTypes& types) {
  const auto f32 = memory::data_type::f32;
  return site.epilogue.empty() && types.lhs == f32 && types.rhs == f32 && types.dst == f32 &&
         types.compute == f32 && dot.operand(0)->shape().rank() == 2 &&
         dot.operand(1)->shape().rank() == 2 &&
         dot.attrs().int_list_or_empty("lhs_batch_dims").empty() &&
         dot.attrs().int_list_or_empty("lhs_contracting_dims") == std::vector<int64_t>{1} &&
         dot.attrs().int_list_or_empty("rhs_contracting_dims") == std::vector<int64_t>{0} &&
         dot.operand(1)->shape().element_count() >= kLargeWeights;
}

std::unique_ptr<DnnKernel> make_linear_input_gradient_plan(const ir::Instruction& dot,
                                                           const ContractionSite& site) {
  const int64_t batch = dot.operand(0)->shape().dim(0);
  const int64_t out = dot.operand(0)->shape().dim(1);
  const int64_t in = dot.operand(1)->shape().dim(1);
  using tag = memory::format_tag;
  const auto f32 = memory::data_type::f32;
  const memory::desc dy({batch, out}, f32, tag::ab), weights({out, in}, f32, tag::ab),
      dx({batch, in}, f32, tag::ab);
  const dnnl::inner_product_forward::primitive_desc forward(
      dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_training, dx, weights, dy),
      cpu_engine());
  const dnnl::inner_product_backward_data::primitive_desc pd(
      dnnl::inner_product_backward_data::desc(dx, weights, dy), plan_attr({}), cpu_engine(),
      forward);
  auto plan = std::make_unique<DnnPlan>();
  std::unordered_map<int, memory> args = {{DNNL_ARG_DIFF_SRC, plan->bind(DnnPlan::kOutput, dx)},
                                          {DNNL_ARG_DIFF_DST, plan->bind(site.lhs_input, dy)},
                                          {DNNL_ARG_WEIGHTS, plan->bind(site.rhs_input, weights)}};
  plan->add_primitive(dnnl::inner_product_backward_data(pd), pd.scratchpad_desc(), std::move(args));
  plan->set_description("dot " + std::string(pd.impl_info_str()) +
                        " (inner product backward data, f32)");
  return plan;
}

}  // namespace

Result<std::unique_ptr<DnnKernel>> make_dot_plan(const ir::Instruction& kernel,
                                                 const ContractionSite& site,
                                                 const DnnOptions& options) {
  const ir::Instruction& dot = *site.contraction;
  HLOCC_TRY(const ContractionTypes types, contraction_types(dot, options));
  if (is_linear_input_gradient(dot, site, types)) return make_linear_input_gradient_plan(dot, site);
  const memory::data_type compute = types.compute;
  const DotGroups groups = dot_groups(dot);
  HLOCC_TRY(const PostOps post_ops, make_post_ops(kernel, site, groups.dst));
  OperandPlan lhs =
      operand_plan(site.lhs_input, dot.operand(0)->shape(), groups.lhs, compute, types.lhs);
  OperandPlan rhs =
      operand_plan(site.rhs_input, dot.operand(1)->shape(), groups.rhs, compute, types.rhs);
  // The result [batch..., lhs free..., rhs free...] is [B, M, N] row-major already.
  const memory::desc dst_view = *merged_view(dot.shape(), groups.dst, types.dst);
  std::optional<dnnl::matmul::primitive_desc> pd;
  try {
    pd = matmul_pd(lhs, rhs, compute, dst_view, post_ops);
  } catch (const dnnl::error&) {
    if (!lhs.view && !rhs.view) throw;
    lhs.view = rhs.view = std::nullopt;  // strides matmul does not take: gather densely instead
    pd = matmul_pd(lhs, rhs, compute, dst_view, post_ops);
  }
  auto plan = std::make_unique<DnnPlan>();
  const memory dst = plan->bind(DnnPlan::kOutput, dst_view);
  const memory src = operand_memory(*plan, lhs, compute);
  // A gathered rhs (weights, usually the same between runs) is gathered again only on change.
  if (!rhs.view) plan->begin_cached(rhs.input, rhs.shape->byte_size());
  const memory weights = operand_memory(*plan, rhs, compute);
  plan->end_cached();
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  bind_post_ops(*plan, post_ops, dst, dst_view, args);
  plan->add_primitive(dnnl::matmul(*pd), pd->scratchpad_desc(), std::move(args));
  const auto how = [](const OperandPlan& operand) { return operand.view ? "strided" : "gathered"; };
  const std::string form = groups.lhs.size() == 2 ? "2D" : "3D";
  plan->set_description(std::string("dot ") + pd->impl_info_str() + epilogue_text(site) + " (" +
                        form + ", lhs " + how(lhs) + ", rhs " + how(rhs) +
                        (compute == memory::data_type::bf16 ? ", bf16)" : ", f32)"));
  return std::unique_ptr<DnnKernel>(std::move(plan));
}

}  // namespace hlocc::cpu::detail
