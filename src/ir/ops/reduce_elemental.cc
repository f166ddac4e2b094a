// Elemental rules of reduce, reduce-window, select-and-scatter and map.
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_reduce_elementals(OpRuleTable& /*table*/) {}

}  // namespace hlocc::ir::detail
