// Reverse mode through while and conditional.
#include "autodiff/sweep.h"

namespace hlocc::autodiff::detail {

Result<std::vector<ir::Instruction*>> while_vjp(Sweep&, const ir::Instruction&, ir::Instruction*) {
  return Error("while loops are not differentiable yet");
}

Result<std::vector<ir::Instruction*>> conditional_vjp(Sweep&, const ir::Instruction&,
                                                      ir::Instruction*) {
  return Error("conditionals are not differentiable yet");
}

}  // namespace hlocc::autodiff::detail
