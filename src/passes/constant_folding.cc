#include "passes/constant_folding.h"

#include <algorithm>
#include <unordered_map>

#include "ir/op_rules.h"
#include "passes/determinism.h"

namespace hlocc::passes {
namespace {

Result<ir::Literal> evaluate(const ir::Instruction& instruction,
                             std::span<const ir::Literal* const> operands,
                             ir::EvalContext& context) {
  const ir::OpRules& rules = ir::op_rules(instruction.op());
  if (!rules.evaluate) return Error("fold: no evaluate rule for " + instruction.name());
  return rules.evaluate(instruction, operands, context);
}

// Runs the computations a folded op calls (reduce's to_apply, sort's comparator, ...) one
// instruction at a time. A while loop inside fails at its first trip: folding never loops.
class FoldingContext final : public ir::EvalContext {
 public:
  Result<ir::Literal> call(const ir::Computation& computation,
                           std::span<const ir::Literal* const> args) override {
    std::unordered_map<const ir::Instruction*, ir::Literal> owned;  // nodes: pointers stay valid
    std::unordered_map<const ir::Instruction*, const ir::Literal*> values;
    for (const auto& instruction : computation.instructions()) {
      if (instruction->op() == ir::Op::Parameter) {
        values[instruction.get()] = args[static_cast<size_t>(instruction->parameter_number())];
        continue;
      }
      std::vector<const ir::Literal*> operands;
      for (const ir::Instruction* operand : instruction->operands()) {
        operands.push_back(values.at(operand));
      }
      HLOCC_TRY(ir::Literal value, evaluate(*instruction, operands, *this));
      values[instruction.get()] = &(owned[instruction.get()] = std::move(value));
    }
    return *values.at(computation.root());
  }
  int64_t max_while_trips() const override { return 0; }
};

// A constant, or a broadcast of a scalar constant (which folding keeps as it is, so the ops that
// read it must see through it), small enough to read.
bool is_constant(const ir::Instruction* instruction) {
  const bool splat =
      instruction->op() == ir::Op::Broadcast && instruction->operand(0)->op() == ir::Op::Constant;
  return (instruction->op() == ir::Op::Constant || splat) &&
         instruction->shape().element_count() <= ConstantFolding::kMaxOperandElements;
}

bool foldable(const ir::Instruction& instruction, DeterminismCache& determinism) {
  const ir::Shape& shape = instruction.shape();
  // Leaves (parameter, constant, iota) have nothing to fold; a loop may run for long.
  if (instruction.operand_count() == 0 || instruction.op() == ir::Op::While) return false;
  if (!shape.is_array() || shape.element_count() > ConstantFolding::kMaxFoldedElements) {
    return false;
  }
  // A broadcast scalar is cheaper than the constant it would become, and later passes and
  // backends read it as a splat.
  if (instruction.op() == ir::Op::Broadcast && instruction.operand(0)->shape().is_scalar()) {
    return false;
  }
  return std::ranges::all_of(instruction.operands(), is_constant) &&
         determinism.deterministic(instruction);
}

// The constant that takes `instruction`'s place, under its name.
std::unique_ptr<ir::Instruction> constant_for(const ir::Instruction& instruction,
                                              ir::Literal value) {
  auto constant =
      std::make_unique<ir::Instruction>(ir::Op::Constant, instruction.shape(), instruction.name());
  constant->set_literal(std::move(value));
  if (instruction.location()) constant->set_location(*instruction.location());
  return constant;
}

// Replaces `instruction` by a constant of its value; false (and no change) when its evaluation
// fails: the error is the evaluator's to report when the program runs.
bool fold(ir::Instruction* instruction, FoldingContext& context) {
  std::vector<ir::Literal> splats;  // the values of broadcast operands
  splats.reserve(static_cast<size_t>(instruction->operand_count()));
  std::vector<const ir::Literal*> operands;
  for (const ir::Instruction* operand : instruction->operands()) {
    if (operand->op() == ir::Op::Constant) {
      operands.push_back(&operand->literal());
      continue;
    }
    const ir::Literal* source = &operand->operand(0)->literal();
    Result<ir::Literal> splat = evaluate(*operand, {&source, 1}, context);
    if (!splat.ok()) return false;
    operands.push_back(&splats.emplace_back(std::move(splat).value()));
  }
  Result<ir::Literal> value = evaluate(*instruction, operands, context);
  if (!value.ok()) return false;
  ir::Computation& computation = *instruction->parent();
  std::vector<std::unique_ptr<ir::Instruction>> inserted;
  inserted.push_back(constant_for(*instruction, std::move(value).value()));
  ir::Instruction* constant = inserted.back().get();
  computation.insert_before(instruction, std::move(inserted));
  instruction->replace_all_uses_with(constant);
  if (computation.root() == instruction) computation.set_root(constant);
  computation.remove(instruction);
  return true;
}

// In definition order: an instruction's operands are folded before it is looked at, so a chain
// of constant computations folds in one sweep.
bool fold_computation(ir::Computation& computation, DeterminismCache& determinism) {
  std::vector<ir::Instruction*> order;
  for (const auto& instruction : computation.instructions()) order.push_back(instruction.get());
  FoldingContext context;
  bool changed = false;
  for (ir::Instruction* instruction : order) {
    if (!foldable(*instruction, determinism)) continue;
    changed = fold(instruction, context) || changed;
  }
  return changed;
}

}  // namespace

Result<bool> ConstantFolding::run(ir::Module& module) {
  DeterminismCache determinism;
  bool changed = false;
  for (const auto& computation : module.computations()) {
    changed = fold_computation(*computation, determinism) || changed;
  }
  return changed;
}

}  // namespace hlocc::passes
