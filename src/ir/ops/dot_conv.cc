// Registers the contraction family of op_table.def: `dot` (dot.cc) and `convolution`
// (convolution.cc), which share the helpers in contraction.h.
#include "ir/ops/contraction.h"

namespace hlocc::ir::detail {

void register_dot_conv_ops(OpRuleTable& table) {
  ops::register_dot_rules(table);
  ops::register_convolution_rules(table);
}

}  // namespace hlocc::ir::detail
