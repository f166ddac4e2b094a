#include "ir/verifier.h"

#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ir/op_rules.h"

namespace hlocc::ir {
namespace {

Error instruction_error(const Instruction& inst, const std::string& message) {
  return located_error(inst, Error(std::string(inst.info().name) + ": " + message));
}

Status verify_operands(const Instruction& inst, const std::unordered_set<const Instruction*>& defined) {
  const int arity = inst.info().arity;
  if (arity != kVariadic && inst.operand_count() != arity) {
    return instruction_error(inst, "expects " + std::to_string(arity) + " operand(s); got " +
                                       std::to_string(inst.operand_count()));
  }
  for (const Instruction* operand : inst.operands()) {
    if (operand->parent() != inst.parent()) {
      return instruction_error(inst, "operand %" + operand->name() + " belongs to another computation");
    }
    if (!defined.contains(operand)) {
      return instruction_error(inst, "operand %" + operand->name() + " is used before it is defined");
    }
  }
  return ok_status();
}

Status verify_shape(const Instruction& inst) {
  const OpRules& rules = op_rules(inst.op());
  if (!rules.infer_shape) return instruction_error(inst, "has no shape rule (internal error)");
  Result<Shape> inferred = rules.infer_shape(inst);
  if (!inferred.ok()) return located_error(inst, inferred.error());
  if (!(*inferred == inst.shape())) {
    return instruction_error(inst, "declared shape " + inst.shape().to_string(false) +
                                       " does not match the inferred shape " +
                                       inferred->to_string(false) + " of %" + inst.name());
  }
  return ok_status();
}

Status verify_parameters(const Computation& computation) {
  std::set<int64_t> numbers;
  for (const auto& inst : computation.instructions()) {
    if (inst->op() != Op::Parameter) continue;
    if (!numbers.insert(inst->parameter_number()).second) {
      return instruction_error(*inst, "parameter number " + std::to_string(inst->parameter_number()) +
                                          " appears twice in computation " + computation.name());
    }
  }
  for (int64_t i = 0; i < computation.parameter_count(); ++i) {
    if (computation.parameter(i) == nullptr) {
      return Error("computation " + computation.name() + ": parameter " + std::to_string(i) +
                   " is missing; parameters must be numbered 0.." +
                   std::to_string(computation.parameter_count() - 1));
    }
  }
  return ok_status();
}

Status verify_computation(const Computation& computation, const Module& module,
                          std::unordered_set<std::string>& names) {
  HLOCC_TRY_STATUS(verify_parameters(computation));
  std::unordered_set<const Instruction*> defined;
  for (const auto& inst : computation.instructions()) {
    if (!names.insert(inst->name()).second) {
      return instruction_error(*inst, "the name %" + inst->name() + " is used twice in the module");
    }
    HLOCC_TRY_STATUS(verify_operands(*inst, defined));
    for (const Computation* called : inst->called_computations()) {
      if (called == nullptr || called->parent() != &module) {
        return instruction_error(*inst, "calls a computation that is not in the module");
      }
    }
    HLOCC_TRY_STATUS(verify_shape(*inst));
    defined.insert(inst.get());
  }
  return ok_status();
}

// Rejects recursion (a computation that calls itself, directly or not): HLO has none, and the
// evaluator would not terminate.
Status verify_acyclic_calls(const Module& module) {
  enum class Mark { Unvisited, Active, Done };
  std::unordered_map<const Computation*, Mark> marks;
  std::function<Status(const Computation*)> visit = [&](const Computation* c) -> Status {
    Mark& mark = marks[c];
    if (mark == Mark::Done) return ok_status();
    if (mark == Mark::Active) return Error("computation " + c->name() + " calls itself (recursion)");
    mark = Mark::Active;
    for (const auto& inst : c->instructions()) {
      for (const Computation* called : inst->called_computations()) {
        if (called == nullptr || called->parent() != &module) {
          return instruction_error(*inst, "calls a computation that is not in the module");
        }
        HLOCC_TRY_STATUS(visit(called));
      }
    }
    marks[c] = Mark::Done;
    return ok_status();
  };
  for (const auto& computation : module.computations()) HLOCC_TRY_STATUS(visit(computation.get()));
  return ok_status();
}

}  // namespace

Error located_error(const Instruction& inst, const Error& error) {
  std::string message = error.message();
  if (inst.location()) {
    message += "\n  at " + inst.location()->to_string() + " (%" + inst.name() + ")";
  } else {
    message += "\n  in %" + inst.name();
  }
  return Error(message);
}

Status verify(const Module& module) {
  if (module.entry() == nullptr) return Error("module " + module.name() + " has no entry computation");
  for (const auto& computation : module.computations()) {
    if (computation->root() == nullptr) return Error("computation " + computation->name() + " is empty");
  }
  // Shape rules read called computations' signatures, so those must be sound first.
  HLOCC_TRY_STATUS(verify_acyclic_calls(module));
  std::unordered_set<std::string> computation_names;
  std::unordered_set<std::string> instruction_names;
  for (const auto& computation : module.computations()) {
    if (!computation_names.insert(computation->name()).second) {
      return Error("the computation name " + computation->name() + " is used twice");
    }
    HLOCC_TRY_STATUS(verify_computation(*computation, module, instruction_names));
  }
  return ok_status();
}

}  // namespace hlocc::ir
