// The vjp rules of the leaf and control ops: parameters, tuples and control flow are
// differentiated by the transform itself (src/autodiff/); constants and random bits have none.
#include "ir/custom_call.h"
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_control_vjps(OpRuleTable& table) {
  auto set = [&table](Op op, VjpRule rule) { table[static_cast<size_t>(op)].vjp = std::move(rule); };
  for (Op op : {Op::Parameter, Op::Tuple, Op::GetTupleElement, Op::Call, Op::Fusion, Op::While,
                Op::Conditional}) {
    set(op, handled_by_transform());
  }
  for (Op op : {Op::Constant, Op::Iota, Op::RngBitGenerator}) set(op, not_differentiable());
  set(Op::CustomCall, [](VjpBuilder& b) -> Result<std::vector<Instruction*>> {
    const std::string* target = b.forward().attrs().get<std::string>("custom_call_target");
    if (target != nullptr && *target == kStopGradientTarget) return not_differentiable()(b);
    return Error("custom-call \"" + (target ? *target : std::string()) +
                 "\" has no vjp rule\n  hint: wrap it in stop_gradient if it needs no gradient");
  });
  // An optimization barrier is the identity on its (tuple) operand.
  set(Op::OptimizationBarrier, [](VjpBuilder& b) -> Result<std::vector<Instruction*>> {
    return std::vector<Instruction*>{b.cotangent()};
  });
}

}  // namespace hlocc::ir::detail
