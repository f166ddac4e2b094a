// The two oneDNN mappings (convolution, dot) and the post-op translation they share. Each mapping
// turns a ContractionSite into a DnnPlan, or an error saying why oneDNN cannot run it.
#pragma once

#include "backends/cpu/onednn/dnn_plan.h"
#include "backends/cpu/onednn/epilogue.h"

namespace hlocc::cpu::detail {

/// An epilogue as oneDNN post-ops: binary adds read kernel inputs, a residual is a `sum` post-op
/// that reads the destination, so the residual is copied there before the primitive runs.
struct PostOps {
  dnnl::post_ops ops;
  struct Binary {
    int index;  // position in the post-op chain
    int64_t input;
    dnnl::memory::desc desc;
  };
  std::vector<Binary> binary;
  int64_t residual_input = -1;
};

/// Translates `site`'s epilogue for a primitive whose destination dim i is the merge of the result
/// dims dst_groups[i] (of `kernel`'s result).
Result<PostOps> make_post_ops(const ir::Instruction& kernel, const ContractionSite& site,
                              const std::vector<std::vector<int64_t>>& dst_groups);

/// Binds the binary post-op sources into `args`, and adds the step that copies the residual into
/// `dst` (seen as `dst_view` of the kernel result) unless it is already there.
void bind_post_ops(DnnPlan& plan, const PostOps& post_ops, const dnnl::memory& dst,
                   const dnnl::memory::desc& dst_view, std::unordered_map<int, dnnl::memory>& args,
                   int64_t chunk_stride = 0);

/// oneDNN's element types for a contraction: its operands', its result's, and the type it
/// multiplies in (bf16 if an operand is bf16 or `options` ask for bf16, else f32; sums are f32).
struct ContractionTypes {
  dnnl::memory::data_type lhs, rhs, dst, compute;
};
/// Errors for element types oneDNN does not run.
Result<ContractionTypes> contraction_types(const ir::Instruction& contraction,
                                           const DnnOptions& options);

/// How many times autotuning has timed direct against Winograd in this process (cache misses).
int64_t autotune_measurements();
/// Tests: autotuning picks Winograd (true) or direct (false) without measuring; nullopt measures.
void override_autotune_for_testing(std::optional<bool> winograd);
/// Tests: convolutions run in batch chunks whose source and result take at most `bytes`
/// (nullopt: the default, 256 MiB).
void override_chunk_bytes_for_testing(std::optional<int64_t> bytes);

/// " +bias +relu +residual": the epilogue, for describe().
std::string epilogue_text(const ContractionSite& site);

Result<std::unique_ptr<DnnKernel>> make_convolution_plan(const ir::Instruction& kernel,
                                                         const ContractionSite& site,
                                                         const DnnOptions& options);
Result<std::unique_ptr<DnnKernel>> make_dot_plan(const ir::Instruction& kernel,
                                                 const ContractionSite& site,
                                                 const DnnOptions& options);

}  // namespace hlocc::cpu::detail
