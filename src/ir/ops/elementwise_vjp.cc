// The vjp rules of the elementwise ops (see ir/vjp.h).
#include "ir/op_rules.h"

namespace hlocc::ir::detail {

void register_elementwise_vjps(OpRuleTable& table) {
  auto set = [&table](Op op, VjpRule rule) { table[static_cast<size_t>(op)].vjp = std::move(rule); };
  set(Op::Add, [](VjpBuilder& b) -> Result<std::vector<Instruction*>> {
    return std::vector<Instruction*>{b.cotangent(), b.cotangent()};
  });
  set(Op::Multiply, [](VjpBuilder& b) -> Result<std::vector<Instruction*>> {
    return std::vector<Instruction*>{b.mul(b.cotangent(), b.operand(1)),
                                     b.mul(b.cotangent(), b.operand(0))};
  });
}

}  // namespace hlocc::ir::detail
