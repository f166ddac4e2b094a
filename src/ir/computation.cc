#include "ir/computation.h"

#include <algorithm>
#include <iterator>

namespace hlocc::ir {

void Computation::adopt(Instruction* instruction) {
  instruction->parent_ = this;
  if (instruction->op() != Op::Parameter) return;
  const int64_t number = instruction->parameter_number();
  HLOCC_CHECK(number >= 0) << "parameter %" << instruction->name() << " has no number";
  if (number >= parameter_count()) parameters_.resize(static_cast<size_t>(number) + 1, nullptr);
  Instruction*& slot = parameters_[static_cast<size_t>(number)];
  if (slot == nullptr) slot = instruction;
}

Instruction* Computation::add(std::unique_ptr<Instruction> instruction) {
  Instruction* added = instruction.get();
  adopt(added);
  instructions_.push_back(std::move(instruction));
  root_ = added;
  return added;
}

void Computation::insert_before(const Instruction* position,
                                std::vector<std::unique_ptr<Instruction>> instructions) {
  const auto at =
      std::find_if(instructions_.begin(), instructions_.end(),
                   [&](const std::unique_ptr<Instruction>& i) { return i.get() == position; });
  HLOCC_CHECK(at != instructions_.end()) << "inserting before %" << position->name()
                                         << ", which is not in computation " << name_;
  for (const auto& instruction : instructions) adopt(instruction.get());
  instructions_.insert(at, std::make_move_iterator(instructions.begin()),
                       std::make_move_iterator(instructions.end()));
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
