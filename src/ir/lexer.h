// The HLO text lexer: XLA's tokens (names, numbers, `3x3`, `1_1x0_1`, `b01f_01io->b01f`, strings)
// with 1-based line:column positions. Comments are skipped; malformed text becomes an Error token,
// never an exception. Also owns the house error format "<file>:<line>:<col>: <what>; got <token>".
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "ir/result.h"

namespace hlocc::ir {

enum class TokenKind : uint8_t {
  Eof,
  Error,      // malformed text; Token::problem says what
  Ident,      // f32, ROOT, add, get-tuple-element.1, kLoop, true
  Name,       // %add.1 (text without the '%')
  Int,        // 7, -3, 18446744073709551615
  Float,      // 1.5, -2e-3, inf, -inf, nan, -nan, nan(0x7f)
  String,     // "a\"b" (text with the quotes and escapes)
  DxD,        // 3x3
  Pad,        // 1_1x0_1_2
  DimLabels,  // b01f_01io->b01f
  Equal,
  Comma,
  Colon,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LSquare,
  RSquare,
  Arrow,  // ->
  Leq,    // <= (dynamic dimensions, which hlocc rejects)
  Question,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  std::string_view text;  // verbatim source text; Name without its '%'
  size_t offset = 0;      // byte offset of the token's first character (the '%' for Name)
  size_t end = 0;         // byte offset one past the token
  int64_t line = 1;
  int64_t column = 1;
  const char* problem = nullptr;  // Error tokens only: "unterminated string", ...
};

/// "'f32'", "end of input", "unterminated string '\"ab'": how an error names the token it got.
std::string describe_token(const Token& token);

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view filename);

  /// The token `ahead` positions after the current one (0: the current one).
  const Token& peek(size_t ahead = 0);
  TokenKind kind() { return peek().kind; }
  bool at(TokenKind kind) { return peek().kind == kind; }
  /// The current token is an Ident spelled `text`.
  bool at_ident(std::string_view text) { return at(TokenKind::Ident) && peek().text == text; }
  /// Returns the current token and moves past it.
  Token next();
  /// Moves past the current token if it has kind `kind`.
  bool consume(TokenKind kind);

  /// Takes verbatim text starting at the current token, up to (not including) the first ',' or
  /// newline or comment outside brackets, or an unmatched closing bracket. Brackets and strings
  /// must balance. Used for attributes hlocc does not interpret (metadata={...}) and layout tails.
  Result<std::string_view> take_raw(std::string_view what);

  /// "<file>:<line>:<col>: <expected>; got <token>".
  Error expected(const Token& at, std::string_view what) const;
  Error expected(std::string_view what) { return expected(peek(), what); }
  /// "<file>:<line>:<col>: <message>".
  Error error_at(const Token& at, std::string_view message) const;

  const std::string& filename() const { return filename_; }
  std::string_view text() const { return text_; }

 private:
  Token lex();
  void skip_trivia(Token& error);
  void advance_to(size_t new_pos);
  Token make(TokenKind kind, size_t start, size_t end);
  Token lex_number_like(size_t start);
  Token lex_word(size_t start);
  size_t match_identifier(size_t start) const;
  size_t match_nan_payload(std::string_view word, size_t end) const;
  Token lex_string(size_t start);
  size_t match_dim_labels(size_t start) const;
  size_t match_pad_or_dxd(size_t start, bool& is_pad) const;
  size_t match_number(size_t start, bool& is_float) const;
  Result<size_t> scan_raw_end(size_t start) const;

  std::string_view text_;
  std::string filename_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  size_t line_start_ = 0;
  size_t last_end_ = 0;  // end of the last token returned by next()
  std::deque<Token> ahead_;
};

/// Decodes a String token's text (with quotes): \" \\ \n \t \r \' \xHH \ooo. Returns the problem
/// as an error message without position.
Result<std::string> unescape_string(std::string_view quoted);
/// The quoted, escaped form of `value`, which unescape_string reads back.
std::string escape_string(std::string_view value);

}  // namespace hlocc::ir
