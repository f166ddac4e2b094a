// Text names of compare's direction= and type= attributes, and the default comparison type.
#include "ir/ops/scalar_math.h"

#include <array>
#include <utility>

namespace hlocc::ir::ops {

std::optional<CompareDirection> compare_direction_from_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, CompareDirection>, 6> kNames = {{
      {"EQ", CompareDirection::Eq},
      {"NE", CompareDirection::Ne},
      {"LT", CompareDirection::Lt},
      {"LE", CompareDirection::Le},
      {"GT", CompareDirection::Gt},
      {"GE", CompareDirection::Ge},
  }};
  for (const auto& [text, direction] : kNames) {
    if (text == name) return direction;
  }
  return std::nullopt;
}

std::optional<CompareType> compare_type_from_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, CompareType>, 4> kNames = {{
      {"FLOAT", CompareType::Float},
      {"TOTALORDER", CompareType::TotalOrder},
      {"SIGNED", CompareType::Signed},
      {"UNSIGNED", CompareType::Unsigned},
  }};
  for (const auto& [text, type] : kNames) {
    if (text == name) return type;
  }
  return std::nullopt;
}

CompareType default_compare_type(DType dtype) {
  if (is_inexact(dtype)) return CompareType::Float;
  if (is_signed_int(dtype)) return CompareType::Signed;
  return CompareType::Unsigned;
}

}  // namespace hlocc::ir::ops
