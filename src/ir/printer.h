// The HLO text printer: a Module out in XLA's text syntax, canonical and re-parseable.
// parse_module(print_module(m)) gives back m; printing that again gives the same text.
#pragma once

#include <string>

#include "ir/literal.h"
#include "ir/module.h"

namespace hlocc::ir {

std::string print_module(const Module& module);
std::string print_computation(const Computation& computation);
/// One instruction line, without indentation: "%add.1 = f32[2] add(%x, %y), metadata={...}".
std::string print_instruction(const Instruction& instruction);
/// The computation's instruction lines with each instruction named by its position ("%0", "%1",
/// ...), no metadata and no header: equal for computations that differ only in instruction names
/// and metadata.
std::string print_structure(const Computation& computation);
/// A literal with its shape, in the syntax parse_literal reads: "f32[2] {1, 2.5}".
std::string print_literal(const Literal& literal);
/// A literal's value alone, in constant syntax: "{1, 2.5}", "7", "(1, true)".
std::string print_literal_value(const Literal& literal);

}  // namespace hlocc::ir
