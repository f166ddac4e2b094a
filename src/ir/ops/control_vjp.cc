// The vjp rules of the leaf and control ops: parameters, tuples and control flow are
// differentiated by the transform itself (src/autodiff/); constants and random bits have none.
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_control_vjps(OpRuleTable& table) {
  auto set = [&table](Op op, VjpRule rule) { table[static_cast<size_t>(op)].vjp = std::move(rule); };
  for (Op op : {Op::Parameter, Op::Tuple, Op::GetTupleElement, Op::Call, Op::While,
                Op::Conditional}) {
    set(op, handled_by_transform());
  }
  for (Op op : {Op::Constant, Op::Iota, Op::RngBitGenerator}) set(op, not_differentiable());
}

}  // namespace hlocc::ir::detail
