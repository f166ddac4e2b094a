// Elemental rules of dot and convolution (loops over the contracted dimensions).
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_dot_conv_elementals(OpRuleTable& /*table*/) {}

}  // namespace hlocc::ir::detail
