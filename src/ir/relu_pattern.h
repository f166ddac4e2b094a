// How relu looks in HLO, for the passes and backends that turn it into one operation (the fusion
// pass's output epilogues, oneDNN's eltwise post-op): maximum(x, 0), or select(compare(x, 0), x, 0)
// as JAX and the autodiff of max write it. One matcher, so that they cannot drift apart.
#pragma once

#include <optional>

#include "ir/instruction.h"

namespace hlocc::ir {

/// +0 (all bits zero; -0 is not relu's zero) as a scalar constant, possibly converted, or a
/// broadcast of one.
bool is_positive_zero(const Instruction& inst);

/// select(compare(x, 0), x, 0) or select(compare(x, 0), 0, x), the comparison in either order,
/// computing max(x, 0) of `value` = x. `mask_of_result_is_same`: the same compare of the relu's
/// result gives the same mask (true for x > 0 picking x and x <= 0 picking 0: m(relu(x)) ==
/// m(x) exactly when m(0) is what the zero branch stands for).
struct SelectRelu {
  Instruction* compare = nullptr;
  bool mask_of_result_is_same = false;
};
std::optional<SelectRelu> match_select_relu(const Instruction& select, const Instruction* value);

/// maximum(x, 0) or maximum(0, x) of `value` = x.
bool is_maximum_relu(const Instruction& maximum, const Instruction* value);

}  // namespace hlocc::ir
