// Type classes and the shape checks shared by the elementwise and conversion rules.
#include "ir/ops/elementwise_helpers.h"

#include <vector>

namespace hlocc::ir::ops {

uint32_t type_class(DType dtype) {
  if (dtype == DType::Pred) return kPredClass;
  if (is_signed_int(dtype)) return kSignedClass;
  if (is_unsigned_int(dtype)) return kUnsignedClass;
  if (is_float(dtype)) return kFloatClass;
  if (is_complex(dtype)) return kComplexClass;
  return 0;  // token
}

std::string describe_type_classes(uint32_t classes) {
  std::vector<std::string> parts;
  if (classes & kPredClass) parts.emplace_back("pred");
  if ((classes & kIntClass) == kIntClass) {
    parts.emplace_back("integer");
  } else if (classes & kSignedClass) {
    parts.emplace_back("signed integer");
  } else if (classes & kUnsignedClass) {
    parts.emplace_back("unsigned integer");
  }
  if (classes & kFloatClass) parts.emplace_back("floating-point");
  if (classes & kComplexClass) parts.emplace_back("complex");
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += i + 1 == parts.size() ? " or " : ", ";
    text += parts[i];
  }
  return text;
}

Status check_element_type(const Instruction& inst, const Shape& shape, uint32_t classes,
                          std::string_view role) {
  if (shape.is_array() && (type_class(shape.dtype()) & classes) != 0) return ok_status();
  return op_error(inst, std::string(role) + " must be " + describe_type_classes(classes) +
                            "; got " + shape.to_string(false));
}

Status check_same_operand_shapes(const Instruction& inst) {
  const Shape& first = inst.operand(0)->shape();
  for (int64_t i = 1; i < inst.operand_count(); ++i) {
    const Shape& other = inst.operand(i)->shape();
    if (other == first) continue;
    const bool same_dims = other.is_array() && first.is_array() && other.dims() == first.dims();
    return op_error(
        inst, same_dims ? "operands must have the same element type; got " + operand_shapes(inst)
                        : "operands must have the same shape (HLO has no implicit "
                          "broadcasting); got " +
                              operand_shapes(inst));
  }
  return ok_status();
}

}  // namespace hlocc::ir::ops
