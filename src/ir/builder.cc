#include "ir/builder.h"

#include "ir/module.h"
#include "ir/op_rules.h"

namespace hlocc::ir {

Instruction* Builder::append(std::unique_ptr<Instruction> instruction) {
  if (location_) instruction->set_location(*location_);
  return computation_->add(std::move(instruction));
}

Instruction* Builder::parameter(int64_t number, Shape shape, std::string name) {
  if (name.empty()) name = "p" + std::to_string(number);
  auto instruction = std::make_unique<Instruction>(Op::Parameter, std::move(shape),
                                                   computation_->parent()->fresh_name(name));
  instruction->set_parameter_number(number);
  return append(std::move(instruction));
}

Instruction* Builder::constant(Literal literal) {
  const Shape shape = literal.shape();
  auto instruction = std::make_unique<Instruction>(Op::Constant, shape,
                                                   computation_->parent()->fresh_name("constant"));
  instruction->set_literal(std::move(literal));
  return append(std::move(instruction));
}

Result<Instruction*> Builder::add(Op op, std::vector<Instruction*> operands, Attributes attrs,
                                  std::optional<Shape> shape) {
  const int arity = op_info(op).arity;
  if (arity != kVariadic && static_cast<int64_t>(operands.size()) != arity) {
    return Error(std::string(op_name(op)) + ": expects " + std::to_string(arity) +
                 " operand(s); got " + std::to_string(operands.size()));
  }
  auto instruction = std::make_unique<Instruction>(op, shape.value_or(Shape()),
                                                   computation_->parent()->fresh_name(op_name(op)));
  for (Instruction* operand : operands) instruction->append_operand(operand);
  for (auto& [name, value] : attrs.items()) instruction->attrs().set(name, value);
  Instruction* const previous_root = computation_->root();
  Instruction* added = append(std::move(instruction));
  Result<Shape> inferred = op_rules(op).infer_shape(*added);
  if (inferred.ok() && shape && !(*inferred == *shape)) {
    inferred = Error(std::string(op_name(op)) + ": the given shape " + shape->to_string(false) +
                     " differs from the inferred shape " + inferred->to_string(false));
  }
  if (!inferred.ok()) {
    computation_->set_root(previous_root);
    computation_->remove(added);
    return inferred.error();
  }
  added->set_shape(std::move(inferred).value());
  return added;
}

}  // namespace hlocc::ir
