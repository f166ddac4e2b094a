#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::ops {

Error op_error(const Instruction& inst, std::string_view message) {
  return Error(std::string(inst.info().name) + ": " + std::string(message));
}

std::string operand_shapes(const Instruction& inst) {
  std::string text;
  for (int64_t i = 0; i < inst.operand_count(); ++i) {
    if (i > 0) text += ", ";
    text += inst.operand(i)->shape().to_string(false);
  }
  return text;
}

std::string braced(const std::vector<int64_t>& values) { return "{" + join_ints(values) + "}"; }

Result<const Shape*> array_operand(const Instruction& inst, int64_t i) {
  const Shape& shape = inst.operand(i)->shape();
  if (!shape.is_array()) {
    return op_error(inst, "operand " + std::to_string(i) + " must be an array; got " +
                              shape.to_string(false));
  }
  return &shape;
}

}  // namespace hlocc::ir::ops
