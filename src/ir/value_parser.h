// Shapes and literal values in HLO text, read token by token from a Lexer. Shared by the module
// parser (instruction shapes, constants) and by parse_shape / parse_literal.
// Limits keep hostile text from recursing deeply or allocating absurd amounts of memory.
#pragma once

#include <cstdint>
#include <string_view>

#include "ir/lexer.h"
#include "ir/literal.h"
#include "ir/result.h"

namespace hlocc::ir {

inline constexpr int kMaxNesting = 64;                     // tuple shapes and tuple literals
inline constexpr int64_t kMaxRank = 64;                    // dimensions of one array shape
inline constexpr int64_t kMaxElements = int64_t{1} << 34;  // elements of one array shape

/// A shape: `f32[2,3]`, `f32[2,3]{1,0}`, `(f32[], (s32[4], pred[]))`, `token[]`. A layout belongs
/// to the shape only when its '{' directly follows the ']' (as XLA prints it), so that
/// `f32[2] {1, 2}` reads as a shape and then a value.
Result<Shape> read_shape(Lexer& lexer, int depth = 0);

/// A value of `shape` in constant syntax: `7`, `{ {1, 2}, {3, nan} }`, `(1, true)`, `{(1, 2)}`.
/// Tuple elements may carry their shape (`(f32[] 1, pred[] true)`).
Result<Literal> read_literal_value(Lexer& lexer, const Shape& shape, int depth = 0);

/// An Int token as int64: `what` names the value in the error ("a dimension size").
Result<int64_t> read_int(Lexer& lexer, std::string_view what);

/// The current token starts a shape: `(` or an element type followed by `[`.
bool at_shape(Lexer& lexer);

}  // namespace hlocc::ir
