// Pattern matching of output-fusion epilogues: walks from the contraction to the fusion's root,
// one elementwise use at a time, and names each step as a post-op.
#include "backends/cpu/onednn/epilogue.h"

#include <algorithm>

#include "ir/computation.h"
#include "ir/relu_pattern.h"

namespace hlocc::cpu::detail {
namespace {

using ir::Instruction;
using ir::Op;

bool is_contraction(const Instruction& inst) {
  return inst.op() == Op::Convolution || inst.op() == Op::Dot;
}

// The other operand of a binary `user` of `value`.
const Instruction* other_operand(const Instruction& user, const Instruction* value) {
  return user.operand(0) == value ? user.operand(1) : user.operand(0);
}

Error epilogue_error(const Instruction& fusion, const Instruction& inst, const std::string& why) {
  return Error("fusion: no oneDNN post-op for %" + inst.name() + " (" +
               std::string(inst.info().name) + ") in %" + fusion.name() + ": " + why +
               "\n  hint: only bias add, relu and residual add follow a convolution or dot here");
}

// `add(value, broadcast(parameter))` or `add(value, parameter)` of the same shape.
Result<EpilogueOp> match_add(const Instruction& fusion, const Instruction& add,
                             const Instruction* value) {
  const Instruction* other = other_operand(add, value);
  if (other->op() == Op::Parameter) {
    return EpilogueOp{EpilogueOp::Kind::Residual, other->parameter_number(), {}};
  }
  if (other->op() == Op::Broadcast && other->operand(0)->op() == Op::Parameter) {
    const auto* dims = other->attrs().get<std::vector<int64_t>>("dimensions");
    return EpilogueOp{EpilogueOp::Kind::BiasAdd, other->operand(0)->parameter_number(),
                      dims ? *dims : std::vector<int64_t>{}};
  }
  return epilogue_error(fusion, add, "the added value is neither a parameter nor its broadcast");
}

// The one instruction that consumes `value` next (for select-relu: the select), or null.
const Instruction* next_step(const Instruction* value) {
  const std::vector<Instruction*>& users = value->users();
  if (users.size() == 1) return users[0];
  if (users.size() != 2) return nullptr;
  for (const Instruction* user : users) {
    if (ir::match_select_relu(*user, value)) return user;
  }
  return nullptr;
}

Result<EpilogueOp> match_step(const Instruction& fusion, const Instruction& step,
                              const Instruction* value) {
  if (step.shape().dtype() != value->shape().dtype()) {
    return epilogue_error(fusion, step, "it changes the element type");
  }
  if (step.op() == Op::Add) return match_add(fusion, step, value);
  if (ir::is_maximum_relu(step, value) || ir::match_select_relu(step, value)) {
    return EpilogueOp{EpilogueOp::Kind::Relu, -1, {}};
  }
  return epilogue_error(fusion, step, "not a bias add, relu or residual add of the result");
}

Result<ContractionSite> fusion_site(const Instruction& fusion) {
  const auto* kind = fusion.attrs().get<std::string>("kind");
  const auto* called = fusion.attrs().get<ir::Computation*>("calls");
  if (!kind || *kind != "kOutput" || !called) {
    return Error("fusion: oneDNN runs only kind=kOutput fusions; got %" + fusion.name());
  }
  const ir::Computation& body = **called;
  const auto& instructions = body.instructions();
  const auto head = std::find_if(instructions.begin(), instructions.end(),
                                 [](const auto& inst) { return is_contraction(*inst); });
  if (head == instructions.end()) {
    return Error("fusion: %" + fusion.name() + " holds no convolution or dot for oneDNN");
  }
  ContractionSite site{head->get(), 0, 1, {}};
  for (int64_t i = 0; i < 2; ++i) {
    const Instruction* operand = site.contraction->operand(i);
    if (operand->op() != Op::Parameter) {
      return epilogue_error(fusion, *site.contraction, "its operands must be fusion parameters");
    }
    (i == 0 ? site.lhs_input : site.rhs_input) = operand->parameter_number();
  }
  for (const Instruction* value = site.contraction; value != body.root();) {
    const Instruction* step = next_step(value);
    if (!step) return epilogue_error(fusion, *value, "its result has more than one use");
    HLOCC_TRY(EpilogueOp op, match_step(fusion, *step, value));
    site.epilogue.push_back(std::move(op));
    value = step;
  }
  return site;
}

}  // namespace

Result<ContractionSite> find_contraction(const Instruction& instruction) {
  if (is_contraction(instruction)) return ContractionSite{&instruction, 0, 1, {}};
  if (instruction.op() == Op::Fusion) return fusion_site(instruction);
  return Error(std::string(instruction.info().name) + ": oneDNN runs convolution, dot and " +
               "their output fusions; got %" + instruction.name());
}

}  // namespace hlocc::cpu::detail
