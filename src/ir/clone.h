// Structural copies: one instruction into another computation (inlining, fusion, wrapping an
// instruction as a kernel), and a whole module (backends compile their own copy, so a caller's
// module is never changed and may be freed).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "ir/module.h"

namespace hlocc::ir {

/// For each computation of one module, the computation of another that stands for it.
using ComputationMap = std::unordered_map<const Computation*, Computation*>;

/// A copy of `original` (op, shape, attributes, parameter number, literal and location) named
/// `name`, whose operands are `operands`. The copy calls the computations `original` calls, or,
/// given `computations`, what that maps them to (every called computation must be in it).
std::unique_ptr<Instruction> clone_instruction(const Instruction& original, std::string name,
                                               std::span<Instruction* const> operands,
                                               const ComputationMap* computations = nullptr);

/// A deep copy of `module`: its name, header attributes, every computation in the same order with
/// the same instructions, roots and entry, and calls pointing at the copy's own computations. It
/// prints as `module` does. The copy's fresh_name counters start afresh, as after parsing.
std::unique_ptr<Module> clone_module(const Module& module);

}  // namespace hlocc::ir
