// The HLO text parser: XLA's text syntax in, a Module out (not yet verified: call ir::verify).
// Malformed text gives "<file>:<line>:<column>: <what was expected>", never a crash.
#pragma once

#include <memory>
#include <string_view>

#include "ir/literal.h"
#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::ir {

/// Parses a whole module (`HloModule name ...` followed by computations). `filename` is used in
/// error messages and instruction locations.
Result<std::unique_ptr<Module>> parse_module(std::string_view text, std::string_view filename = "<input>");

/// Parses a shape: "f32[2,3]", "f32[2,3]{1,0}", "(f32[], s32[4])".
Result<Shape> parse_shape(std::string_view text);

/// Parses a shape followed by a value in constant syntax: "f32[2,2] {{1, 2}, {3, nan}}",
/// "s32[] 7", "(f32[], pred[]) (1.5, true)", "c64[2] {(1, 2), (3, 4)}".
Result<Literal> parse_literal(std::string_view text);

}  // namespace hlocc::ir
