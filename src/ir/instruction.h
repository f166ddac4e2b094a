// Instruction: one HLO operation in a Computation. Owned by its Computation; operand and user edges
// are non-owning pointers within the same computation. Called computations live in attributes.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/attributes.h"
#include "ir/literal.h"
#include "ir/op.h"
#include "ir/shape.h"

namespace hlocc::ir {

class Computation;

/// Where an instruction came from: a position in an HLO file, or a user's source line when traced.
struct SourceLocation {
  std::string file;
  int64_t line = 0;
  int64_t column = 0;
  std::string to_string() const;  // "file:line:column", or "file:line" when column is 0
};

class Instruction {
 public:
  Instruction(Op op, Shape shape, std::string name);
  Instruction(const Instruction&) = delete;
  Instruction& operator=(const Instruction&) = delete;

  Op op() const { return op_; }
  const OpInfo& info() const { return op_info(op_); }
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const Shape& shape() const { return shape_; }
  void set_shape(Shape shape) { shape_ = std::move(shape); }
  Computation* parent() const { return parent_; }

  std::span<Instruction* const> operands() const { return operands_; }
  Instruction* operand(int64_t i) const { return operands_[static_cast<size_t>(i)]; }
  int64_t operand_count() const { return static_cast<int64_t>(operands_.size()); }
  /// Appends an operand and records this instruction as its user.
  void append_operand(Instruction* operand);
  /// Replaces operand i, keeping the user lists of both the old and the new operand right.
  void replace_operand(int64_t i, Instruction* operand);
  /// Instructions that use this one as an operand (each listed once).
  const std::vector<Instruction*>& users() const { return users_; }
  /// Points every user of this instruction at `replacement` instead.
  void replace_all_uses_with(Instruction* replacement);

  Attributes& attrs() { return attrs_; }
  const Attributes& attrs() const { return attrs_; }
  /// Computations named by attributes (to_apply, body, branch_computations, ...), in attribute order.
  std::vector<Computation*> called_computations() const;

  /// parameter(N): the N.
  int64_t parameter_number() const { return parameter_number_; }
  void set_parameter_number(int64_t n) { parameter_number_ = n; }
  /// constant(...): the value.
  const Literal& literal() const { return *literal_; }
  bool has_literal() const { return literal_.has_value(); }
  void set_literal(Literal literal) { literal_ = std::move(literal); }

  const std::optional<SourceLocation>& location() const { return location_; }
  void set_location(SourceLocation location) { location_ = std::move(location); }

 private:
  friend class Computation;
  void remove_user(Instruction* user);

  Op op_;
  Shape shape_;
  std::string name_;
  Computation* parent_ = nullptr;
  std::vector<Instruction*> operands_;
  std::vector<Instruction*> users_;
  Attributes attrs_;
  int64_t parameter_number_ = -1;
  std::optional<Literal> literal_;
  std::optional<SourceLocation> location_;
};

}  // namespace hlocc::ir
