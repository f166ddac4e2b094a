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

Result<ir::Literal> Evaluator::call(const ir::Computation& computation,
                                    std::span<const ir::Literal* const> args) {
  const auto& instructions = computation.instructions();
  std::unordered_map<const ir::Instruction*, size_t> position;
  std::vector<int64_t> uses_left(instructions.size(), 0);
  for (size_t i = 0; i < instructions.size(); ++i) position[instructions[i].get()] = i;
  for (const auto& inst : instructions) {
    for (const ir::Instruction* operand : inst->operands()) ++uses_left[position[operand]];
  }

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
    for (const ir::Instruction* operand : inst.operands()) operand_values.push_back(values[position[operand]]);
    const ir::OpRules& rules = ir::op_rules(inst.op());
    HLOCC_CHECK(rules.evaluate) << "no evaluate rule for " << inst.info().name;
    Result<ir::Literal> result = rules.evaluate(inst, operand_values, *this);
    if (!result.ok()) return ir::located_error(inst, result.error());
    owned[i] = std::move(result).value();
    values[i] = &owned[i];
    // Free operands nobody needs any more (keeps peak memory near the live set).
    for (const ir::Instruction* operand : inst.operands()) {
      const size_t p = position[operand];
      if (--uses_left[p] == 0 && operand != computation.root()) owned[p] = ir::Literal();
    }
  }
  const size_t root = position[computation.root()];
  if (computation.root()->op() == ir::Op::Parameter) return *values[root];
  return std::move(owned[root]);
}

}  // namespace hlocc::reference
