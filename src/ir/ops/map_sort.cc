// Rules of the ops in the "map_sort" family of op_table.def (not written yet).
#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::detail {

void register_map_sort_ops(OpRuleTable& table) { (void)table; }

}  // namespace hlocc::ir::detail
