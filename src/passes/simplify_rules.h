// The algebraic simplifier's rules (src/passes/simplify_*.cc), found by op through one table as
// the op rules are (STYLE.md section 2), and the constant matching they share. Internal to passes.
#pragma once

#include <array>

#include "ir/computation.h"

namespace hlocc::passes::simplify {

/// A rule looks at one instruction and returns nullptr when it does not apply, another (existing)
/// instruction that computes the same values, or the instruction itself after editing it in place
/// (new operands or attributes, same result shape). A rule never adds instructions.
using Rule = ir::Instruction* (*)(ir::Instruction& instruction);
using RuleTable = std::array<Rule, ir::kOpCount>;

// One registration function per family file.
void register_tuple_rules(RuleTable& table);       // algebraic_simplifier.cc
void register_arithmetic_rules(RuleTable& table);  // simplify_arithmetic.cc
void register_shape_rules(RuleTable& table);       // simplify_shape.cc
void register_dot_rules(RuleTable& table);         // simplify_dot.cc

/// True when every element `instruction` produces is `value` (signs of zeros compared too): a
/// constant of an array type other than complex, or broadcasts of one.
bool is_all(const ir::Instruction& instruction, double value);

}  // namespace hlocc::passes::simplify
