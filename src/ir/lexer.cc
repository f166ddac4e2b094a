// The HLO text lexer. Context-free like XLA's: the special tokens (3x3, 1_1x0_1, b01f_01io->b01f)
// are recognised by their spelling, so the parser never re-scans characters except in take_raw.
#include "ir/lexer.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace hlocc::ir {
namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

char closer_of(char open) { return open == '{' ? '}' : open == '(' ? ')' : ']'; }

// 1-based line and column of a byte offset; only used on the error path, so a scan is fine.
std::pair<int64_t, int64_t> position_of(std::string_view text, size_t offset) {
  int64_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int64_t>(offset - line_start) + 1};
}

}  // namespace

std::string describe_token(const Token& token) {
  if (token.kind == TokenKind::Eof) return "end of input";
  std::string text(token.text.substr(0, 40));
  if (token.text.size() > 40) text += "...";
  if (token.kind == TokenKind::Name) text = "%" + text;
  if (token.kind == TokenKind::Error) return std::string(token.problem) + " '" + text + "'";
  return "'" + text + "'";
}

Lexer::Lexer(std::string_view text, std::string_view filename) : text_(text), filename_(filename) {}

const Token& Lexer::peek(size_t ahead) {
  while (ahead_.size() <= ahead) {
    // Nothing follows an error or the end: repeat it rather than scanning on.
    if (!ahead_.empty() &&
        (ahead_.back().kind == TokenKind::Error || ahead_.back().kind == TokenKind::Eof)) {
      ahead_.push_back(ahead_.back());
      continue;
    }
    ahead_.push_back(lex());
  }
  return ahead_[ahead];
}

Token Lexer::next() {
  Token token = peek();
  if (token.kind != TokenKind::Eof && token.kind != TokenKind::Error) {
    ahead_.pop_front();
    last_end_ = token.end;
  }
  return token;
}

bool Lexer::consume(TokenKind kind) {
  if (!at(kind)) return false;
  next();
  return true;
}

Error Lexer::expected(const Token& at, std::string_view what) const {
  return error_at(at, std::string(what) + "; got " + describe_token(at));
}

Error Lexer::error_at(const Token& at, std::string_view message) const {
  return Error(filename_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
               std::string(message));
}

void Lexer::advance_to(size_t new_pos) {
  for (; pos_ < new_pos; ++pos_) {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
  }
}

Token Lexer::make(TokenKind kind, size_t start, size_t end) {
  Token token;
  token.kind = kind;
  token.text = text_.substr(start, end - start);
  token.offset = start;
  token.end = end;
  token.line = line_;
  token.column = static_cast<int64_t>(start - line_start_) + 1;
  if (kind != TokenKind::Error) advance_to(end);
  return token;
}

void Lexer::skip_trivia(Token& error) {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (std::isspace(static_cast<unsigned char>(c))) {
      advance_to(pos_ + 1);
    } else if (text_.substr(pos_, 2) == "//") {
      const size_t newline = text_.find('\n', pos_);
      advance_to(newline == std::string_view::npos ? text_.size() : newline);
    } else if (text_.substr(pos_, 2) == "/*") {
      const size_t close = text_.find("*/", pos_ + 2);
      if (close == std::string_view::npos) {
        error = make(TokenKind::Error, pos_, pos_ + 2);
        error.problem = "unterminated comment";
        return;
      }
      advance_to(close + 2);
    } else {
      return;
    }
  }
}

Token Lexer::lex() {
  Token error;
  skip_trivia(error);
  if (error.kind == TokenKind::Error) return error;
  const size_t start = pos_;
  if (start >= text_.size()) return make(TokenKind::Eof, start, start);
  const char c = text_[start];
  const char c1 = start + 1 < text_.size() ? text_[start + 1] : '\0';
  static constexpr std::string_view kPunctuation = "=,:{}()[]?";
  static constexpr TokenKind kPunctuationKinds[] = {
      TokenKind::Equal,   TokenKind::Comma,   TokenKind::Colon,  TokenKind::LBrace,
      TokenKind::RBrace,  TokenKind::LParen,  TokenKind::RParen, TokenKind::LSquare,
      TokenKind::RSquare, TokenKind::Question};
  if (const size_t i = kPunctuation.find(c); i != std::string_view::npos) {
    return make(kPunctuationKinds[i], start, start + 1);
  }
  if (c == '"') return lex_string(start);
  if (c == '-' && c1 == '>') return make(TokenKind::Arrow, start, start + 2);
  if (c == '<' && c1 == '=') return make(TokenKind::Leq, start, start + 2);
  if (const size_t end = match_dim_labels(start)) return make(TokenKind::DimLabels, start, end);
  if (is_digit(c) || (c == '-' && (is_digit(c1) || c1 == '.')) || (c == '.' && is_digit(c1))) {
    return lex_number_like(start);
  }
  if (c == '%' || is_ident_start(c) || (c == '-' && is_ident_start(c1))) return lex_word(start);
  Token bad = make(TokenKind::Error, start, start + 1);
  bad.problem = "unexpected character";
  return bad;
}

Token Lexer::lex_word(size_t start) {
  const char c = text_[start];
  const size_t word_start = c == '%' || c == '-' ? start + 1 : start;
  const size_t end = std::max(match_identifier(word_start), word_start);
  const std::string_view word = text_.substr(word_start, end - word_start);
  if (c != '%' && (word == "inf" || word == "nan")) {
    return make(TokenKind::Float, start, match_nan_payload(word, end));
  }
  if (c == '%' && end != word_start) {
    Token name = make(TokenKind::Name, start, end);
    name.text = word;
    return name;
  }
  if (c != '%' && c != '-') return make(TokenKind::Ident, start, end);
  // Only -inf and -nan start with '-'; '%' must start a name.
  Token bad = make(TokenKind::Error, start, start + 1);
  bad.problem = c == '%' ? "expected a name after" : "unexpected character";
  return bad;
}

size_t Lexer::match_identifier(size_t start) const {
  if (start >= text_.size() || !is_ident_start(text_[start])) return 0;
  size_t end = start;
  // '-' joins words (get-tuple-element) but never ends a name, so `x->` stays `x` and `->`.
  while (end < text_.size() &&
         (is_ident_char(text_[end]) ||
          (text_[end] == '-' && end + 1 < text_.size() && is_ident_char(text_[end + 1])))) {
    ++end;
  }
  return end;
}

size_t Lexer::match_nan_payload(std::string_view word, size_t end) const {
  // XLA writes NaNs with a non-default payload as nan(0x1234).
  if (word != "nan" || text_.substr(end, 3) != "(0x") return end;
  size_t hex_end = end + 3;
  while (hex_end < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[hex_end])))
    ++hex_end;
  return hex_end > end + 3 && hex_end < text_.size() && text_[hex_end] == ')' ? hex_end + 1 : end;
}

Token Lexer::lex_string(size_t start) {
  size_t end = start + 1;
  while (end < text_.size() && text_[end] != '"') end += text_[end] == '\\' ? 2 : 1;
  if (end >= text_.size()) {
    const size_t line_end = std::min(text_.find('\n', start), text_.size());
    Token bad = make(TokenKind::Error, start, std::min(start + 20, line_end));
    bad.problem = "unterminated string";
    return bad;
  }
  return make(TokenKind::String, start, end + 1);
}

size_t Lexer::match_dim_labels(size_t start) const {
  // [0-9bf?]{2,} _ [0-9io?]{2,} -> [0-9bf?]{2,}, as XLA's lexer.
  auto run = [&](size_t at, std::string_view letters) {
    size_t end = at;
    while (end < text_.size() &&
           (is_digit(text_[end]) || letters.find(text_[end]) != std::string_view::npos))
      ++end;
    return end - at >= 2 ? end : 0;
  };
  size_t end = run(start, "bf?");
  if (end == 0 || end >= text_.size() || text_[end] != '_') return 0;
  end = run(end + 1, "io?");
  if (end == 0 || text_.substr(end, 2) != "->") return 0;
  end = run(end + 2, "bf?");
  if (end == 0 || (end < text_.size() && is_ident_char(text_[end]))) return 0;
  return end;
}

size_t Lexer::match_pad_or_dxd(size_t start, bool& is_pad) const {
  // Groups separated by 'x'; a group is 1 number (DxD) or 2-3 numbers joined by '_' (padding).
  size_t end = start;
  int groups = 0;
  int parts_in_first = 0;
  while (true) {
    int parts = 0;
    while (true) {
      size_t at = end;
      if (at < text_.size() && text_[at] == '-') ++at;
      const size_t digits = at;
      while (at < text_.size() && is_digit(text_[at])) ++at;
      if (at == digits) return 0;
      end = at;
      ++parts;
      if (end >= text_.size() || text_[end] != '_') break;
      ++end;
    }
    if (groups == 0) parts_in_first = parts;
    if (parts != parts_in_first && !(parts_in_first >= 2 && parts >= 2)) return 0;
    if (parts > 3) return 0;
    ++groups;
    if (end + 1 < text_.size() && text_[end] == 'x' &&
        (is_digit(text_[end + 1]) || text_[end + 1] == '-')) {
      ++end;
      continue;
    }
    break;
  }
  if (end < text_.size() && (is_ident_char(text_[end]) || text_[end] == '-')) return 0;
  is_pad = parts_in_first >= 2;
  if (!is_pad && groups < 2) return 0;  // a plain number
  if (!is_pad && text_[start] == '-') return 0;
  return end;
}

size_t Lexer::match_number(size_t start, bool& is_float) const {
  size_t end = start;
  if (end < text_.size() && text_[end] == '-') ++end;
  const size_t mantissa = end;
  while (end < text_.size() && is_digit(text_[end])) ++end;
  bool digits = end > mantissa;
  is_float = false;
  if (end < text_.size() && text_[end] == '.') {
    is_float = true;
    const size_t fraction = ++end;
    while (end < text_.size() && is_digit(text_[end])) ++end;
    digits = digits || end > fraction;
  }
  if (!digits) return 0;
  if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
    size_t exponent = end + 1;
    if (exponent < text_.size() && (text_[exponent] == '+' || text_[exponent] == '-')) ++exponent;
    const size_t exponent_digits = exponent;
    while (exponent < text_.size() && is_digit(text_[exponent])) ++exponent;
    if (exponent == exponent_digits) return 0;
    is_float = true;
    end = exponent;
  }
  return end;
}

Token Lexer::lex_number_like(size_t start) {
  bool is_pad = false;
  if (const size_t end = match_pad_or_dxd(start, is_pad)) {
    return make(is_pad ? TokenKind::Pad : TokenKind::DxD, start, end);
  }
  bool is_float = false;
  const size_t end = match_number(start, is_float);
  if (end == 0 || (end < text_.size() && (is_ident_start(text_[end]) || is_digit(text_[end])))) {
    size_t bad_end = start + 1;
    while (bad_end < text_.size() && (is_ident_char(text_[bad_end]) || text_[bad_end] == '-'))
      ++bad_end;
    Token bad = make(TokenKind::Error, start, bad_end);
    bad.problem = "malformed number";
    return bad;
  }
  return make(is_float ? TokenKind::Float : TokenKind::Int, start, end);
}

Result<size_t> Lexer::scan_raw_end(size_t start) const {
  std::vector<char> open;  // expected closers
  size_t at = start;
  size_t last_content = start;
  auto fail = [&](size_t offset, const std::string& what) {
    const auto [line, column] = position_of(text_, offset);
    return Error(filename_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                 what);
  };
  while (at < text_.size()) {
    const char c = text_[at];
    if (open.empty() &&
        (c == ',' || c == '\n' || text_.substr(at, 2) == "//" || text_.substr(at, 2) == "/*"))
      break;
    if (c == '"') {
      size_t close = at + 1;
      while (close < text_.size() && text_[close] != '"') close += text_[close] == '\\' ? 2 : 1;
      if (close >= text_.size()) return fail(at, "unterminated string in attribute value");
      at = close + 1;
      last_content = at;
      continue;
    }
    if (c == '{' || c == '(' || c == '[') open.push_back(closer_of(c));
    if (c == '}' || c == ')' || c == ']') {
      if (open.empty()) break;
      if (open.back() != c) {
        return fail(
            at, std::string("expected '") + open.back() + "' to close a bracket; got '" + c + "'");
      }
      open.pop_back();
    }
    ++at;
    if (!std::isspace(static_cast<unsigned char>(c))) last_content = at;
  }
  if (!open.empty())
    return fail(start,
                std::string("unbalanced bracket: no '") + open.back() + "' before end of input");
  return last_content;
}

Result<std::string_view> Lexer::take_raw(std::string_view what) {
  const Token start = peek();
  // A value starts on the line of its '='; otherwise the next line would be swallowed.
  const bool on_next_line =
      text_.substr(last_end_, start.offset - last_end_).find('\n') != std::string_view::npos;
  if (start.kind == TokenKind::Eof || on_next_line) return expected(start, what);
  HLOCC_TRY(const size_t end, scan_raw_end(start.offset));
  if (end == start.offset) return expected(start, what);
  ahead_.clear();
  pos_ = start.offset;
  line_ = start.line;
  line_start_ = start.offset - static_cast<size_t>(start.column - 1);
  advance_to(end);
  last_end_ = end;
  return text_.substr(start.offset, end - start.offset);
}

Result<std::string> unescape_string(std::string_view quoted) {
  std::string out;
  const std::string_view body = quoted.substr(1, quoted.size() - 2);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out += body[i];
      continue;
    }
    if (++i >= body.size()) return Error("string ends with a lone backslash");
    const char e = body[i];
    switch (e) {
      case 'n':
        out += '\n';
        continue;
      case 't':
        out += '\t';
        continue;
      case 'r':
        out += '\r';
        continue;
      case '\\':
      case '"':
      case '\'':
      case '?':
        out += e;
        continue;
      default:
        break;
    }
    int value = 0;
    size_t digits = 0;
    if (e == 'x') {
      while (digits < 2 && i + 1 < body.size() &&
             std::isxdigit(static_cast<unsigned char>(body[i + 1]))) {
        value = value * 16 + std::stoi(std::string(1, body[++i]), nullptr, 16);
        ++digits;
      }
    } else {
      for (--i; digits < 3 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7';
           ++digits) {
        value = value * 8 + (body[++i] - '0');
      }
    }
    if (digits == 0 || value > 255)
      return Error(std::string("unknown escape sequence '\\") + e + "' in string");
    out += static_cast<char>(value);
  }
  return out;
}

std::string escape_string(std::string_view value) {
  static constexpr char kOctal[] = "01234567";
  std::string out = "\"";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      out += {'\\', kOctal[u >> 6], kOctal[(u >> 3) & 7], kOctal[u & 7]};
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace hlocc::ir
