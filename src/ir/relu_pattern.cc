#include "ir/relu_pattern.h"

#include <algorithm>

#include "ir/ops/compare_kind.h"

namespace hlocc::ir {

using ops::CompareDirection;

bool is_positive_zero(const Instruction& inst) {
  if (inst.op() == Op::Broadcast) return is_positive_zero(*inst.operand(0));
  if (inst.op() == Op::Convert && inst.shape().is_scalar()) {
    return is_positive_zero(*inst.operand(0));
  }
  if (inst.op() != Op::Constant || !inst.shape().is_scalar()) return false;
  const Literal& literal = inst.literal();
  return std::all_of(literal.raw(), literal.raw() + literal.raw_size(),
                     [](std::byte b) { return b == std::byte{0}; });
}

std::optional<SelectRelu> match_select_relu(const Instruction& select, const Instruction* value) {
  if (select.op() != Op::Select) return std::nullopt;
  Instruction* compare = select.operand(0);
  if (compare->op() != Op::Compare) return std::nullopt;
  const auto* name = compare->attrs().get<std::string>("direction");
  const std::optional<CompareDirection> parsed =
      name ? ops::compare_direction_from_name(*name) : std::nullopt;
  const bool value_first = compare->operand(0) == value && is_positive_zero(*compare->operand(1));
  const bool value_second = compare->operand(1) == value && is_positive_zero(*compare->operand(0));
  if (!parsed.has_value() || (!value_first && !value_second)) return std::nullopt;
  // With x second, 0 < x says x > 0: swap the direction to read it with x first. Indexed by
  // CompareDirection {Eq, Ne, Lt, Le, Gt, Ge}.
  constexpr CompareDirection kSwapped[] = {CompareDirection::Eq, CompareDirection::Ne,
                                           CompareDirection::Gt, CompareDirection::Ge,
                                           CompareDirection::Lt, CompareDirection::Le};
  const CompareDirection direction =
      value_first ? *parsed : kSwapped[static_cast<size_t>(*parsed)];
  const bool positive = direction == CompareDirection::Gt || direction == CompareDirection::Ge;
  const bool negative = direction == CompareDirection::Lt || direction == CompareDirection::Le;
  const bool picks_value = select.operand(1) == value && is_positive_zero(*select.operand(2));
  const bool picks_zero = select.operand(2) == value && is_positive_zero(*select.operand(1));
  if (!(positive && picks_value) && !(negative && picks_zero)) return std::nullopt;
  return SelectRelu{compare,
                    direction == CompareDirection::Gt || direction == CompareDirection::Le};
}

bool is_maximum_relu(const Instruction& maximum, const Instruction* value) {
  if (maximum.op() != Op::Maximum || maximum.operand_count() != 2) return false;
  const Instruction* other = maximum.operand(0) == value ? maximum.operand(1) : maximum.operand(0);
  return other != value && is_positive_zero(*other);
}

}  // namespace hlocc::ir
