#include "ir/instruction.h"

#include <algorithm>

namespace hlocc::ir {

std::string SourceLocation::to_string() const {
  // Traced instructions know their line only (std::source_location's column is not portable).
  const std::string position = file + ":" + std::to_string(line);
  return column > 0 ? position + ":" + std::to_string(column) : position;
}

Instruction::Instruction(Op op, Shape shape, std::string name)
    : op_(op), shape_(std::move(shape)), name_(std::move(name)) {}

void Instruction::append_operand(Instruction* operand) {
  HLOCC_CHECK(operand != nullptr) << "null operand appended to %" << name_;
  operands_.push_back(operand);
  if (std::find(operand->users_.begin(), operand->users_.end(), this) == operand->users_.end()) {
    operand->users_.push_back(this);
  }
}

void Instruction::replace_operand(int64_t i, Instruction* operand) {
  Instruction* old = operands_[static_cast<size_t>(i)];
  operands_[static_cast<size_t>(i)] = operand;
  if (std::find(operands_.begin(), operands_.end(), old) == operands_.end()) old->remove_user(this);
  if (std::find(operand->users_.begin(), operand->users_.end(), this) == operand->users_.end()) {
    operand->users_.push_back(this);
  }
}

void Instruction::replace_all_uses_with(Instruction* replacement) {
  const std::vector<Instruction*> users = users_;
  for (Instruction* user : users) {
    for (int64_t i = 0; i < user->operand_count(); ++i) {
      if (user->operand(i) == this) user->replace_operand(i, replacement);
    }
  }
}

void Instruction::remove_user(Instruction* user) { std::erase(users_, user); }

std::vector<Computation*> Instruction::called_computations() const {
  std::vector<Computation*> called;
  for (const auto& [name, value] : attrs_.items()) {
    if (auto* c = std::get_if<Computation*>(&value)) called.push_back(*c);
    if (auto* list = std::get_if<std::vector<Computation*>>(&value)) {
      called.insert(called.end(), list->begin(), list->end());
    }
  }
  return called;
}

}  // namespace hlocc::ir
