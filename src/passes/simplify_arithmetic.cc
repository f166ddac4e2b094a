// Simplifier rules for elementwise arithmetic and select. Float rules hold bit for bit in IEEE
// arithmetic for every x (NaN, infinities and signed zeros included), so x + 0 and x * 0 are not
// rewritten for floats; integer rules are exact in two's complement.
#include "passes/simplify_rules.h"

namespace hlocc::passes::simplify {
namespace {

using ir::Instruction;

// The element types these rules know the algebra of: floats and integers (not pred or complex).
bool is_real_number(const Instruction& instruction) {
  const ir::DType dtype = instruction.shape().dtype();
  return instruction.shape().is_array() && (ir::is_float(dtype) || ir::is_integer(dtype));
}

// The zero that leaves x unchanged when added: x + (-0) == x for every float x (x + (+0) turns
// -0 into +0); 0 for integers.
double additive_identity(const Instruction& instruction) {
  return ir::is_float(instruction.shape().dtype()) ? -0.0 : 0.0;
}

// x + (-0) => x, (-0) + x => x (integers: x + 0 => x, 0 + x => x)
Instruction* simplify_add(Instruction& add) {
  if (!is_real_number(add)) return nullptr;
  const double zero = additive_identity(add);
  if (is_all(*add.operand(1), zero)) return add.operand(0);
  if (is_all(*add.operand(0), zero)) return add.operand(1);
  return nullptr;
}

// x - (+0) => x: x - (+0) == x + (-0) == x for every float x.
Instruction* simplify_subtract(Instruction& subtract) {
  if (!is_real_number(subtract) || !is_all(*subtract.operand(1), 0.0)) return nullptr;
  return subtract.operand(0);
}

// x * 1 => x, 1 * x => x; integers only: x * 0 => 0, 0 * x => 0 (floats: NaN * 0 and inf * 0 are
// NaN, and -1 * 0 is -0).
Instruction* simplify_multiply(Instruction& multiply) {
  if (!is_real_number(multiply)) return nullptr;
  for (const int64_t i : {0, 1}) {
    Instruction* other = multiply.operand(1 - i);
    if (is_all(*multiply.operand(i), 1.0)) return other;
    if (ir::is_integer(multiply.shape().dtype()) && is_all(*multiply.operand(i), 0.0)) {
      return multiply.operand(i);
    }
  }
  return nullptr;
}

// x / 1 => x
Instruction* simplify_divide(Instruction& divide) {
  if (!is_real_number(divide) || !is_all(*divide.operand(1), 1.0)) return nullptr;
  return divide.operand(0);
}

// negate(negate(x)) => x (floats flip the sign bit twice; integers wrap: -(-min) == min), and
// not(not(x)) => x (bitwise for integers, logical for pred). Same op twice, so one rule.
Instruction* simplify_involution(Instruction& outer) {
  Instruction* inner = outer.operand(0);
  return inner->op() == outer.op() ? inner->operand(0) : nullptr;
}

// select(true, a, b) => a; select(false, a, b) => b (a constant predicate, or a broadcast of one);
// select(p, a, a) => a.
Instruction* simplify_select(Instruction& select) {
  Instruction* on_true = select.operand(1);
  Instruction* on_false = select.operand(2);
  if (on_true == on_false || is_all(*select.operand(0), 1.0)) return on_true;
  if (is_all(*select.operand(0), 0.0)) return on_false;
  return nullptr;
}

}  // namespace

void register_arithmetic_rules(RuleTable& table) {
  table[static_cast<size_t>(ir::Op::Add)] = simplify_add;
  table[static_cast<size_t>(ir::Op::Subtract)] = simplify_subtract;
  table[static_cast<size_t>(ir::Op::Multiply)] = simplify_multiply;
  table[static_cast<size_t>(ir::Op::Divide)] = simplify_divide;
  table[static_cast<size_t>(ir::Op::Negate)] = simplify_involution;
  table[static_cast<size_t>(ir::Op::Not)] = simplify_involution;
  table[static_cast<size_t>(ir::Op::Select)] = simplify_select;
}

}  // namespace hlocc::passes::simplify
