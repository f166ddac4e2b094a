#include "backends/reference/evaluator.h"

#include <unordered_map>

#include "ir/verifier.h"

namespace hlocc::reference {

Result<ir::Literal> Evaluator::run(const ir::Module& module, std::span<const ir::Literal> args) {
  const ir::Computation& entry = *module.entry();
  if (static_cast<int64_t>(args.size()) != entry.parameter_count()) {
    return Error("run: the entry computation " + entry.name() + " takes " +
                 std::to_string(entry.parameter_count()) + " argument(s); got " +
                 std::to_string(args.size()));
  }
  std::vector<const ir::Literal*> arg_pointers;
  for (size_t i = 0; i < args.size(); ++i) {
    const ir::Shape& expected = entry.parameter(static_cast<int64_t>(i))->shape();
    if (!(args[i].shape() == expected)) {
      return Error("run: argument " + std::to_string(i) + " must have shape " +
                   expected.to_string(false) + "; got " + args[i].shape().to_string(false));
    }
    arg_pointers.push_back(&args[i]);
  }
  return call(entry, arg_pointers);
}

const Evaluator::Plan& Evaluator::plan_for(const ir::Computation& computation) {
  auto [it, inserted] = plans_.try_emplace(&computation);
  Plan& plan = it->second;
  if (!inserted) return plan;
  const auto& instructions = computation.instructions();
  std::unordered_map<const ir::Instruction*, size_t> position;
  for (size_t i = 0; i < instructions.size(); ++i) position[instructions[i].get()] = i;
  plan.use_counts.assign(instructions.size(), 0);
  plan.operand_positions.resize(instructions.size());
  for (size_t i = 0; i < instructions.size(); ++i) {
    for (const ir::Instruction* operand : instructions[i]->operands()) {
      plan.operand_positions[i].push_back(position.at(operand));
      ++plan.use_counts[position.at(operand)];
    }
  }
  plan.root = position.at(computation.root());
  return plan;
}

Result<ir::Literal> Evaluator::call(const ir::Computation& computation,
                                    std::span<const ir::Literal* const> args) {
  const auto& instructions = computation.instructions();
  const Plan& plan = plan_for(computation);
  std::vector<int64_t> uses_left = plan.use_counts;
  // values[i] points at instruction i's value: an argument, or owned[i].
  std::vector<const ir::Literal*> values(instructions.size(), nullptr);
  std::vector<ir::Literal> owned(instructions.size());
  std::vector<const ir::Literal*> operand_values;
  for (size_t i = 0; i < instructions.size(); ++i) {
    const ir::Instruction& inst = *instructions[i];
    if (inst.op() == ir::Op::Parameter) {
      values[i] = args[static_cast<size_t>(inst.parameter_number())];
      continue;
    }
    operand_values.clear();
    for (size_t p : plan.operand_positions[i]) operand_values.push_back(values[p]);
    const ir::OpRules& rules = ir::op_rules(inst.op());
    HLOCC_CHECK(rules.evaluate) << "no evaluate rule for " << inst.info().name;
    Result<ir::Literal> result = rules.evaluate(inst, operand_values, *this);
    if (!result.ok()) return ir::located_error(inst, result.error());
    owned[i] = std::move(result).value();
    values[i] = &owned[i];
    // Free operands nobody needs any more (keeps peak memory near the live set).
    for (size_t p : plan.operand_positions[i]) {
      if (--uses_left[p] == 0 && p != plan.root) owned[p] = ir::Literal();
    }
  }
  if (computation.root()->op() == ir::Op::Parameter) return *values[plan.root];
  return std::move(owned[plan.root]);
}

}  // namespace hlocc::reference
