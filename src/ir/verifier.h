// The verifier: checks a module's structure (names, parameters, operand order, call graph) and runs
// every instruction's shape rule against its declared shape. Every pass and backend may assume it.
#pragma once

#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::ir {

/// OK, or the first rule broken: "<op>: <what>; got <shapes>" plus "  at <file:line:col>" when known.
Status verify(const Module& module);

/// The error for `inst` with its location appended (shared by the verifier and the evaluator).
Error located_error(const Instruction& inst, const Error& error);

}  // namespace hlocc::ir
