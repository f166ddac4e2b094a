#include "passes/algebraic_simplifier.h"

#include <cmath>

#include "ir/op_rules.h"
#include "ir/printer.h"
#include "passes/simplify_rules.h"

namespace hlocc::passes {
namespace simplify {

bool is_all(const ir::Instruction& instruction, double value) {
  const ir::Instruction* source = &instruction;
  while (source->op() == ir::Op::Broadcast) source = source->operand(0);
  if (source->op() != ir::Op::Constant || !source->shape().is_array() ||
      ir::is_complex(source->shape().dtype())) {
    return false;  // get_as_double would see only a complex number's real part
  }
  const ir::Literal& literal = source->literal();
  for (int64_t i = 0; i < literal.element_count(); ++i) {
    const double element = literal.get_as_double(i);
    if (element != value || std::signbit(element) != std::signbit(value)) return false;
  }
  return true;
}

namespace {

// get-tuple-element(tuple(x0, ..., xn), i) => xi
ir::Instruction* simplify_get_tuple_element(ir::Instruction& gte) {
  ir::Instruction* tuple = gte.operand(0);
  const int64_t* index = gte.attrs().get<int64_t>("index");
  if (tuple->op() != ir::Op::Tuple || index == nullptr) return nullptr;
  return tuple->operand(*index);
}

// tuple(gte(t, 0), ..., gte(t, n-1)) => t, when t has exactly those n elements.
ir::Instruction* simplify_tuple(ir::Instruction& tuple) {
  if (tuple.operand_count() == 0 || tuple.operand(0)->op() != ir::Op::GetTupleElement) {
    return nullptr;
  }
  ir::Instruction* source = tuple.operand(0)->operand(0);
  if (source->shape().tuple_size() != tuple.operand_count()) return nullptr;
  for (int64_t i = 0; i < tuple.operand_count(); ++i) {
    const ir::Instruction* element = tuple.operand(i);
    const int64_t* index = element->attrs().get<int64_t>("index");
    if (element->op() != ir::Op::GetTupleElement || element->operand(0) != source ||
        index == nullptr || *index != i) {
      return nullptr;
    }
  }
  return source;
}

}  // namespace

void register_tuple_rules(RuleTable& table) {
  table[static_cast<size_t>(ir::Op::GetTupleElement)] = simplify_get_tuple_element;
  table[static_cast<size_t>(ir::Op::Tuple)] = simplify_tuple;
}

}  // namespace simplify

namespace {

// In-place edits bring an instruction closer to its operands' sources each time; a few suffice
// (a rule that kept editing would be a bug, and this bounds it).
constexpr int kMaxEditsPerInstruction = 8;

const simplify::RuleTable& rule_table() {
  static const simplify::RuleTable table = [] {
    simplify::RuleTable rules{};
    simplify::register_tuple_rules(rules);
    simplify::register_arithmetic_rules(rules);
    simplify::register_shape_rules(rules);
    simplify::register_dot_rules(rules);
    return rules;
  }();
  return table;
}

// An in-place edit must keep the instruction valid with the same result shape.
void check_edit(const ir::Instruction& instruction) {
  const Result<ir::Shape> shape = ir::op_rules(instruction.op()).infer_shape(instruction);
  HLOCC_CHECK(shape.ok() && *shape == instruction.shape())
      << "simplify: an in-place edit broke " << ir::print_instruction(instruction) << ": "
      << (shape.ok() ? "shape " + shape->to_string() : shape.error().message());
}

void replace(ir::Instruction& instruction, ir::Instruction* replacement) {
  ir::Computation& computation = *instruction.parent();
  instruction.replace_all_uses_with(replacement);
  if (computation.root() == &instruction) computation.set_root(replacement);
  computation.remove(&instruction);
}

// Applies the rule of `instruction`'s op until it no longer applies or replaces the instruction.
bool simplify_instruction(ir::Instruction& instruction) {
  const simplify::Rule rule = rule_table()[static_cast<size_t>(instruction.op())];
  if (rule == nullptr) return false;
  bool changed = false;
  for (int edit = 0; edit < kMaxEditsPerInstruction; ++edit) {
    ir::Instruction* result = rule(instruction);
    if (result == nullptr) return changed;
    if (result != &instruction) {
      // A replacement must match exactly, layout included: users rely on the shape they saw.
      if (!result->shape().equal_with_layout(instruction.shape())) return changed;
      replace(instruction, result);
      return true;
    }
    check_edit(instruction);
    changed = true;
  }
  return changed;
}

// In definition order, so an instruction sees its operands already simplified and chains
// (reshape of reshape of reshape) collapse in one sweep.
bool simplify_computation(ir::Computation& computation) {
  std::vector<ir::Instruction*> order;
  for (const auto& instruction : computation.instructions()) order.push_back(instruction.get());
  bool changed = false;
  for (ir::Instruction* instruction : order) {
    // Dead instructions are dce's to remove; rewriting them would only report false progress.
    if (instruction->users().empty() && instruction != computation.root()) continue;
    changed = simplify_instruction(*instruction) || changed;
  }
  return changed;
}

}  // namespace

Result<bool> AlgebraicSimplifier::run(ir::Module& module) {
  bool changed = false;
  for (const auto& computation : module.computations()) {
    changed = simplify_computation(*computation) || changed;
  }
  return changed;
}

}  // namespace hlocc::passes
