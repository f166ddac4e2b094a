// The kinds of an HLO compare (direction and comparison type), shared by the evaluator's scalar math
// and the elemental builder interface without pulling either into the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ir/dtype.h"

namespace hlocc::ir::ops {

enum class CompareDirection : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };
/// FLOAT: IEEE (NaN unordered); TOTALORDER: -NaN < -inf < ... < -0 < +0 < ... < inf < +NaN;
/// SIGNED / UNSIGNED: integer orders (pred is unsigned: false < true).
enum class CompareType : uint8_t { Float, TotalOrder, Signed, Unsigned };

std::optional<CompareDirection> compare_direction_from_name(std::string_view name);
std::optional<CompareType> compare_type_from_name(std::string_view name);
/// XLA's default comparison type for an element type (FLOAT, SIGNED or UNSIGNED).
CompareType default_compare_type(DType dtype);

}  // namespace hlocc::ir::ops
