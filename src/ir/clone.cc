#include "ir/clone.h"

#include <vector>

namespace hlocc::ir {
namespace {

Computation* mapped(Computation* computation, const ComputationMap& computations) {
  if (computation == nullptr) return nullptr;
  const auto found = computations.find(computation);
  HLOCC_CHECK(found != computations.end())
      << "cloning a call of computation " << computation->name() << ", which has no copy";
  return found->second;
}

}  // namespace

std::unique_ptr<Instruction> clone_instruction(const Instruction& original, std::string name,
                                               std::span<Instruction* const> operands,
                                               const ComputationMap* computations) {
  auto copy = std::make_unique<Instruction>(original.op(), original.shape(), std::move(name));
  for (Instruction* operand : operands) copy->append_operand(operand);
  copy->attrs() = original.attrs();
  if (computations != nullptr) {
    for (const auto& item : original.attrs().items()) {
      if (Computation* const* called = std::get_if<Computation*>(&item.second)) {
        copy->attrs().set(item.first, mapped(*called, *computations));
      } else if (const auto* list = std::get_if<std::vector<Computation*>>(&item.second)) {
        std::vector<Computation*> copies;
        for (Computation* called_one : *list) copies.push_back(mapped(called_one, *computations));
        copy->attrs().set(item.first, std::move(copies));
      }
    }
  }
  copy->set_parameter_number(original.parameter_number());
  if (original.has_literal()) copy->set_literal(original.literal());
  if (original.location()) copy->set_location(*original.location());
  return copy;
}

std::unique_ptr<Module> clone_module(const Module& module) {
  auto copy = std::make_unique<Module>(module.name());
  copy->header_attributes() = module.header_attributes();
  // Every computation exists before any is filled: a caller may come before its callee.
  ComputationMap computations;
  for (const auto& computation : module.computations()) {
    computations[computation.get()] =
        copy->add_computation(std::make_unique<Computation>(computation->name()));
  }
  for (const auto& computation : module.computations()) {
    Computation& target = *computations.at(computation.get());
    std::unordered_map<const Instruction*, Instruction*> copies;
    for (const auto& instruction : computation->instructions()) {
      std::vector<Instruction*> operands;
      for (const Instruction* operand : instruction->operands()) {
        const auto found = copies.find(operand);
        HLOCC_CHECK(found != copies.end())
            << "cloning %" << instruction->name() << ": its operand %" << operand->name()
            << " is not defined before it in computation " << computation->name();
        operands.push_back(found->second);
      }
      copies[instruction.get()] =
          target.add(clone_instruction(*instruction, instruction->name(), operands, &computations));
    }
    if (computation->root() != nullptr) target.set_root(copies.at(computation->root()));
  }
  if (module.entry() != nullptr) copy->set_entry(mapped(module.entry(), computations));
  return copy;
}

}  // namespace hlocc::ir
