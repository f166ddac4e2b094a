// The vjp rules of the dot and conv ops (see ir/vjp.h).
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_dot_conv_vjps(OpRuleTable& table) { (void)table; }

}  // namespace hlocc::ir::detail
