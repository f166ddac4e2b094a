#include "passes/dce.h"

#include <functional>
#include <unordered_set>

namespace hlocc::passes {
namespace {

// XLA's flag for a custom-call that must run even when its result is unused (it prints, counts...).
bool has_side_effect(const ir::Instruction& instruction) {
  const auto* flag = instruction.attrs().get<ir::RawAttr>("custom_call_has_side_effect");
  return instruction.op() == ir::Op::CustomCall && flag != nullptr && flag->text == "true";
}

bool removable(const ir::Instruction& instruction) {
  return instruction.users().empty() && &instruction != instruction.parent()->root() &&
         instruction.op() != ir::Op::Parameter && !has_side_effect(instruction);
}

// Walks backwards so that a dead chain goes in one sweep: by the time an operand is visited, its
// dead users are already gone.
bool remove_dead_instructions(ir::Computation& computation) {
  std::vector<ir::Instruction*> order;
  for (const auto& instruction : computation.instructions()) order.push_back(instruction.get());
  bool changed = false;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (!removable(**it)) continue;
    computation.remove(*it);
    changed = true;
  }
  return changed;
}

}  // namespace

bool remove_unreachable_computations(ir::Module& module) {
  std::unordered_set<const ir::Computation*> reachable;
  std::function<void(const ir::Computation*)> visit = [&](const ir::Computation* computation) {
    if (!reachable.insert(computation).second) return;
    for (const auto& instruction : computation->instructions()) {
      for (const ir::Computation* callee : instruction->called_computations()) visit(callee);
    }
  };
  visit(module.entry());
  std::vector<ir::Computation*> unreachable;
  for (const auto& computation : module.computations()) {
    if (!reachable.contains(computation.get())) unreachable.push_back(computation.get());
  }
  for (ir::Computation* computation : unreachable) module.remove_computation(computation);
  return !unreachable.empty();
}

Result<bool> DeadCodeElimination::run(ir::Module& module) {
  // Unreachable computations go first: there is no point cleaning them.
  bool changed = remove_unreachable_computations(module);
  for (const auto& computation : module.computations()) {
    changed = remove_dead_instructions(*computation) || changed;
  }
  // Dead instructions may have been the last callers of some computations.
  return remove_unreachable_computations(module) || changed;
}

}  // namespace hlocc::passes
