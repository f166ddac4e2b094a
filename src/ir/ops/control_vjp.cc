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
    if (target != nullptr && *target == kCustomVjpTarget) {
      // The user's vjp computation: (operands..., result, cotangent) -> (operand cotangents).
      Computation* bwd = b.forward().attrs().get<std::vector<Computation*>>("called_computations")->at(1);
      std::vector<Instruction*> arguments;
      for (int64_t i = 0; i < b.forward().operand_count(); ++i) arguments.push_back(b.operand(i));
      // The result and its cotangent, element by element for a tuple result.
      for (Instruction* value : {b.result(), b.cotangent()}) {
        if (!value->shape().is_tuple()) {
          arguments.push_back(value);
          continue;
        }
        for (int64_t i = 0; i < value->shape().tuple_size(); ++i) {
          Attributes index;
          index.set("index", i);
          arguments.push_back(b.add(Op::GetTupleElement, {value}, index));
        }
      }
      Attributes to_apply;
      to_apply.set("to_apply", bwd);
      Instruction* cotangents = b.add(Op::Call, arguments, to_apply);
      std::vector<Instruction*> result;
      for (int64_t i = 0; i < b.forward().operand_count(); ++i) {
        Attributes index;
        index.set("index", i);
        result.push_back(b.add(Op::GetTupleElement, {cotangents}, index));
      }
      return result;
    }
    return Error("custom-call \"" + (target ? *target : std::string()) +
                 "\" has no vjp rule\n  hint: wrap it in stop_gradient if it needs no gradient");
  });
  // An optimization barrier is the identity on its (tuple) operand.
  set(Op::OptimizationBarrier, [](VjpBuilder& b) -> Result<std::vector<Instruction*>> {
    return std::vector<Instruction*>{b.cotangent()};
  });
}

}  // namespace hlocc::ir::detail
