// The vjp rules of the reduction ops (see ir/vjp.h).
#include <algorithm>

#include "ir/op_rules.h"

namespace hlocc::ir::detail {
namespace {

// The binary op a reducer computation applies to its two parameters, if it is that simple.
std::optional<Op> reducer_op(const Computation& reducer) {
  const Instruction* root = reducer.root();
  if (reducer.parameter_count() != 2 || root->operand_count() != 2) return std::nullopt;
  if (root->operand(0)->op() != Op::Parameter || root->operand(1)->op() != Op::Parameter)
    return std::nullopt;
  return root->op();
}

Result<std::vector<Instruction*>> reduce_vjp(VjpBuilder& b) {
  const Instruction& forward = b.forward();
  if (forward.operand_count() != 2) return Error("variadic reduce has no vjp rule yet");
  const Computation& reducer = *forward.called_computations().at(0);
  const std::optional<Op> op = reducer_op(reducer);
  if (op != Op::Add) return Error("only sum reductions have a vjp rule yet");
  const auto& reduced = *forward.attrs().get<std::vector<int64_t>>("dimensions");
  const Shape& input = forward.operand(0)->shape();
  std::vector<int64_t> kept;
  for (int64_t d = 0; d < input.rank(); ++d) {
    if (std::find(reduced.begin(), reduced.end(), d) == reduced.end()) kept.push_back(d);
  }
  Attributes attrs;
  attrs.set("dimensions", kept);
  Instruction* spread = b.add(Op::Broadcast, {b.cotangent()}, attrs, input);
  std::vector<int64_t> all;
  for (int64_t d = 0; d < forward.shape().rank(); ++d) all.push_back(d);
  return std::vector<Instruction*>{spread, b.reduce_sum(b.cotangent(), all)};
}

}  // namespace

void register_reduce_vjps(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Reduce)].vjp = reduce_vjp;
}

}  // namespace hlocc::ir::detail
