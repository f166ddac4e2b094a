// The vjp rules of the shape ops (see ir/vjp.h).
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_shape_vjps(OpRuleTable& table) { (void)table; }

}  // namespace hlocc::ir::detail
