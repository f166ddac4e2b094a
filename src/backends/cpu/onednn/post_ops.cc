// Epilogues as oneDNN post-ops (eltwise relu, binary add with broadcast, sum), the element type
// rules, and make_dnn_kernel, which picks the mapping for an instruction.
#include <algorithm>
#include <cstring>

#include "backends/cpu/onednn/mappings.h"

namespace hlocc::cpu {
namespace detail {
namespace {

using dnnl::memory;

// The dims of `input` (broadcast into the result through broadcast_dims) that make up each
// destination group: all of the group's dims, or none (a broadcast dim of size 1 in oneDNN).
Result<std::vector<std::vector<int64_t>>> input_groups(
    const ir::Instruction& kernel, const ir::Shape& result, const EpilogueOp& op,
    const std::vector<std::vector<int64_t>>& dst_groups) {
  std::vector<std::vector<int64_t>> groups;
  for (const std::vector<int64_t>& group : dst_groups) {
    std::vector<int64_t> dims;
    bool partial = false;
    for (int64_t result_dim : group) {
      const auto found = std::find(op.broadcast_dims.begin(), op.broadcast_dims.end(), result_dim);
      if (found != op.broadcast_dims.end()) {
        dims.push_back(found - op.broadcast_dims.begin());
      } else if (result.dim(result_dim) != 1) {
        partial = true;
      }
    }
    if (partial && !dims.empty()) {
      return Error("fusion: the bias of %" + kernel.name() + " broadcasts along only part of " +
                   "a merged dot dimension; got broadcast dimensions {" +
                   ir::join_ints(op.broadcast_dims) + "} into " + result.to_string(false));
    }
    groups.push_back(partial ? std::vector<int64_t>{} : dims);
  }
  return groups;
}

}  // namespace

Result<PostOps> make_post_ops(const ir::Instruction& kernel, const ContractionSite& site,
                              const std::vector<std::vector<int64_t>>& dst_groups) {
  PostOps post_ops;
  const ir::Shape& result = kernel.shape();
  for (const EpilogueOp& op : site.epilogue) {
    const int index = post_ops.ops.len();
    if (op.kind == EpilogueOp::Kind::Relu) {
      post_ops.ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    } else if (op.kind == EpilogueOp::Kind::Residual) {
      if (post_ops.residual_input >= 0) {
        return Error("fusion: %" + kernel.name() + " adds two residuals; oneDNN has one sum");
      }
      post_ops.residual_input = op.input;
      post_ops.ops.append_sum(1.0f);
    } else {
      const ir::Shape& bias = kernel.operand(op.input)->shape();
      HLOCC_TRY(const auto groups, input_groups(kernel, result, op, dst_groups));
      HLOCC_TRY(const memory::data_type type, dnn_type(kernel, bias.dtype()));
      const std::optional<memory::desc> desc = merged_view(bias, groups, type);
      if (!desc) {
        return Error("fusion: the bias of %" + kernel.name() + " is not a strided view of " +
                     "the result; got " + bias.to_string(false));
      }
      post_ops.ops.append_binary(dnnl::algorithm::binary_add, *desc);
      post_ops.binary.push_back({index, op.input, *desc});
    }
  }
  return post_ops;
}

std::string epilogue_text(const ContractionSite& site) {
  std::string text;
  for (const EpilogueOp& op : site.epilogue) {
    text += op.kind == EpilogueOp::Kind::Relu       ? " +relu"
            : op.kind == EpilogueOp::Kind::Residual ? " +residual"
                                                    : " +bias";
  }
  return text;
}

void bind_post_ops(DnnPlan& plan, const PostOps& post_ops, const memory& dst,
                   const memory::desc& dst_view, std::unordered_map<int, memory>& args,
                   int64_t chunk_stride) {
  for (const PostOps::Binary& binary : post_ops.binary) {
    args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(binary.index) | DNNL_ARG_SRC_1] =
        plan.bind(binary.input, binary.desc);
  }
  if (post_ops.residual_input < 0) return;
  memory residual = plan.bind(post_ops.residual_input, dst_view, 0, chunk_stride);
  // In-place buffers may already hold the residual in the destination: then there is no copy.
  plan.add_host_step([residual, dst = memory(dst), copy = dnnl::reorder(residual, dst)]() mutable {
    if (residual.get_data_handle() == dst.get_data_handle()) return;
    dnnl::stream stream(cpu_engine());
    copy.execute(stream, residual, dst);
    stream.wait();
  });
}

Result<ContractionTypes> contraction_types(const ir::Instruction& contraction,
                                           const DnnOptions& options) {
  ContractionTypes types{};
  HLOCC_TRY(types.lhs, dnn_type(contraction, contraction.operand(0)->shape().dtype()));
  HLOCC_TRY(types.rhs, dnn_type(contraction, contraction.operand(1)->shape().dtype()));
  HLOCC_TRY(types.dst, dnn_type(contraction, contraction.shape().dtype()));
  const bool bf16 = types.lhs == memory::data_type::bf16 || types.rhs == memory::data_type::bf16 ||
                    options.precision == MatmulPrecision::BF16;
  types.compute = bf16 ? memory::data_type::bf16 : memory::data_type::f32;
  return types;
}

}  // namespace detail

Result<std::unique_ptr<DnnKernel>> make_dnn_kernel(const ir::Instruction& instruction,
                                                   const DnnOptions& options) {
  HLOCC_TRY(const detail::ContractionSite site, detail::find_contraction(instruction));
  try {
    if (site.contraction->op() == ir::Op::Dot) {
      return detail::make_dot_plan(instruction, site, options);
    }
    return detail::make_convolution_plan(instruction, site, options);
  } catch (const dnnl::error& error) {
    return Error(std::string(instruction.info().name) + ": oneDNN cannot run %" +
                 instruction.name() + ": " + error.what() + " (status " +
                 std::to_string(static_cast<int>(error.status)) + ")");
  }
}

}  // namespace hlocc::cpu
