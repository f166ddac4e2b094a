// Elemental rules of the elementwise ops and conversions.
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_elementwise_elementals(OpRuleTable& /*table*/) {}

}  // namespace hlocc::ir::detail
