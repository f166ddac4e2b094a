// Computation: a named list of instructions in definition order (operands before users), with one
// root and parameters numbered 0..n-1. Owned by its Module.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/instruction.h"

namespace hlocc::ir {

class Module;

class Computation {
 public:
  explicit Computation(std::string name) : name_(std::move(name)) {}
  Computation(const Computation&) = delete;
  Computation& operator=(const Computation&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  Module* parent() const { return parent_; }

  /// Takes ownership; a parameter is also recorded under its number. The last instruction added is
  /// the root until set_root says otherwise.
  Instruction* add(std::unique_ptr<Instruction> instruction);
  /// Takes ownership of `instructions` and places them, in order, just before `position` (so they
  /// may use `position`'s operands and `position` may use them). The root stays as it was.
  void insert_before(const Instruction* position,
                     std::vector<std::unique_ptr<Instruction>> instructions);
  /// Removes an instruction that has no users (and is not the root).
  void remove(Instruction* instruction);

  Instruction* root() const { return root_; }
  void set_root(Instruction* root) { root_ = root; }

  const std::vector<std::unique_ptr<Instruction>>& instructions() const { return instructions_; }
  int64_t instruction_count() const { return static_cast<int64_t>(instructions_.size()); }
  /// Parameters by number; a slot is null where no parameter has that number (the verifier rejects it).
  const std::vector<Instruction*>& parameters() const { return parameters_; }
  Instruction* parameter(int64_t i) const { return parameters_[static_cast<size_t>(i)]; }
  int64_t parameter_count() const { return static_cast<int64_t>(parameters_.size()); }
  std::vector<Shape> parameter_shapes() const;
  const Shape& result_shape() const { return root_->shape(); }

  Instruction* find(std::string_view name) const;

 private:
  friend class Module;
  // Sets the parent and, for a parameter, records it under its number.
  void adopt(Instruction* instruction);

  std::string name_;
  Module* parent_ = nullptr;
  std::vector<std::unique_ptr<Instruction>> instructions_;
  std::vector<Instruction*> parameters_;
  Instruction* root_ = nullptr;
};

}  // namespace hlocc::ir
