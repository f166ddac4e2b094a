// Rules of the ops in the "elementwise" family of op_table.def (not written yet).
#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::detail {

void register_elementwise_ops(OpRuleTable& table) { (void)table; }

}  // namespace hlocc::ir::detail
