#include "passes/call_inlining.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "ir/clone.h"
#include "passes/dce.h"

namespace hlocc::passes {
namespace {

// The computations reachable from the entry, each after every computation it calls: inlining in
// this order means a callee has no calls left when it is copied into its callers.
std::vector<ir::Computation*> callees_first(const ir::Module& module) {
  std::vector<ir::Computation*> order;
  std::unordered_set<const ir::Computation*> visited;
  std::function<void(ir::Computation*)> visit = [&](ir::Computation* computation) {
    if (!visited.insert(computation).second) return;
    for (const auto& instruction : computation->instructions()) {
      for (ir::Computation* callee : instruction->called_computations()) visit(callee);
    }
    order.push_back(computation);
  };
  visit(module.entry());
  return order;
}

// "add.12" -> "add": a copy of a copy is named add.N, not add.12.0.0.
std::string_view base_name(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return name;
  const std::string_view suffix = name.substr(dot + 1);
  const bool numeric = std::ranges::all_of(suffix, [](char c) { return c >= '0' && c <= '9'; });
  return numeric ? name.substr(0, dot) : name;
}

// Replaces `call` by copies of its callee's instructions, placed where the call was: parameter i
// becomes the call's operand i, and the copy of the callee's root takes over the call's users.
void inline_call(ir::Instruction* call, ir::Module& module) {
  ir::Computation& caller = *call->parent();
  const ir::Computation& callee = **call->attrs().get<ir::Computation*>("to_apply");
  std::unordered_map<const ir::Instruction*, ir::Instruction*> copies;
  std::vector<std::unique_ptr<ir::Instruction>> inserted;
  for (const auto& instruction : callee.instructions()) {
    if (instruction->op() == ir::Op::Parameter) {
      copies[instruction.get()] = call->operand(instruction->parameter_number());
      continue;
    }
    std::vector<ir::Instruction*> operands;
    for (const ir::Instruction* operand : instruction->operands())
      operands.push_back(copies.at(operand));
    // A fresh name: instruction names are unique in a module.
    inserted.push_back(ir::clone_instruction(
        *instruction, module.fresh_name(base_name(instruction->name())), operands));
    copies[instruction.get()] = inserted.back().get();
  }
  ir::Instruction* result = copies.at(callee.root());
  caller.insert_before(call, std::move(inserted));
  call->replace_all_uses_with(result);
  if (caller.root() == call) caller.set_root(result);
  caller.remove(call);
}

}  // namespace

Result<bool> CallInlining::run(ir::Module& module) {
  bool changed = false;
  for (ir::Computation* computation : callees_first(module)) {
    std::vector<ir::Instruction*> calls;
    for (const auto& instruction : computation->instructions()) {
      if (instruction->op() == ir::Op::Call) calls.push_back(instruction.get());
    }
    for (ir::Instruction* call : calls) inline_call(call, module);
    changed = changed || !calls.empty();
  }
  return remove_unreachable_computations(module) || changed;
}

}  // namespace hlocc::passes
