// Elemental rules of the data-movement ops (broadcast, reshape, transpose, slice, pad, ...).
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_shape_elementals(OpRuleTable& /*table*/) {}

}  // namespace hlocc::ir::detail
