#include "ir/computation.h"

#include <algorithm>

namespace hlocc::ir {

Instruction* Computation::add(std::unique_ptr<Instruction> instruction) {
  Instruction* added = instruction.get();
  added->parent_ = this;
  if (added->op() == Op::Parameter) {
    const int64_t number = added->parameter_number();
    HLOCC_CHECK(number >= 0) << "parameter %" << added->name() << " has no number";
    if (number >= parameter_count()) parameters_.resize(static_cast<size_t>(number) + 1, nullptr);
    if (parameters_[static_cast<size_t>(number)] == nullptr) parameters_[static_cast<size_t>(number)] = added;
  }
  instructions_.push_back(std::move(instruction));
  root_ = added;
  return added;
}

void Computation::remove(Instruction* instruction) {
  HLOCC_CHECK(instruction->users().empty() && instruction != root_)
      << "removing %" << instruction->name() << ", which is still used";
  for (int64_t i = 0; i < instruction->operand_count(); ++i) instruction->operand(i)->remove_user(instruction);
  if (instruction->op() == Op::Parameter) {
    for (Instruction*& p : parameters_) {
      if (p == instruction) p = nullptr;
    }
  }
  std::erase_if(instructions_, [&](const std::unique_ptr<Instruction>& i) { return i.get() == instruction; });
}

std::vector<Shape> Computation::parameter_shapes() const {
  std::vector<Shape> shapes;
  shapes.reserve(parameters_.size());
  for (const Instruction* p : parameters_) shapes.push_back(p ? p->shape() : Shape());
  return shapes;
}

Instruction* Computation::find(std::string_view name) const {
  for (const auto& instruction : instructions_) {
    if (instruction->name() == name) return instruction.get();
  }
  return nullptr;
}

}  // namespace hlocc::ir
