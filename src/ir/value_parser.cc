// Shapes and literal values in HLO text. Literal elements are written in row-major order straight
// into the Literal's storage; sizes are checked before anything is allocated.
#include "ir/value_parser.h"

#include <bit>
#include <charconv>
#include <limits>

namespace hlocc::ir {
namespace {

std::string shape_text(DType dtype, const std::vector<int64_t>& dims) {
  return std::string(dtype_name(dtype)) + "[" + join_ints(dims) + "]";
}

Status check_depth(Lexer& lexer, int depth) {
  if (depth <= kMaxNesting) return ok_status();
  return lexer.expected("expected nesting at most " + std::to_string(kMaxNesting) + " levels deep");
}

Result<Layout> read_layout(Lexer& lexer, int64_t rank) {
  const Token open = lexer.next();  // '{'
  Layout layout;
  while (lexer.at(TokenKind::Int)) {
    HLOCC_TRY(const int64_t dim, read_int(lexer, "a layout dimension"));
    layout.minor_to_major.push_back(dim);
    if (!lexer.consume(TokenKind::Comma)) break;
  }
  if (lexer.consume(TokenKind::Colon)) {
    HLOCC_TRY(const std::string_view tail, lexer.take_raw("layout details after ':'"));
    layout.tail = std::string(tail);
  }
  if (!lexer.consume(TokenKind::RBrace)) return lexer.expected("expected ',' or '}' in layout");
  if (static_cast<int64_t>(layout.minor_to_major.size()) != rank) {
    return lexer.error_at(open, "layout must list all " + std::to_string(rank) +
                                    " dimensions; got {" + join_ints(layout.minor_to_major) + "}");
  }
  return layout;
}

Result<std::vector<int64_t>> read_dims(Lexer& lexer, DType dtype, const Token& type_token) {
  std::vector<int64_t> dims;
  int64_t elements = 1;
  while (!lexer.at(TokenKind::RSquare)) {
    if (lexer.at(TokenKind::Leq) || lexer.at(TokenKind::Question)) {
      return lexer.expected(
          "expected a static dimension size (dynamic dimensions are not supported)");
    }
    HLOCC_TRY(const int64_t dim, read_int(lexer, "a dimension size"));
    if (dim < 0)
      return lexer.error_at(type_token, "dimension sizes must be >= 0; got " + std::to_string(dim));
    dims.push_back(dim);
    if (static_cast<int64_t>(dims.size()) > kMaxRank) {
      return lexer.expected("expected at most " + std::to_string(kMaxRank) + " dimensions");
    }
    elements = dim == 0 || elements == 0
                   ? 0
                   : (dim > kMaxElements / elements ? kMaxElements + 1 : elements * dim);
    if (elements > kMaxElements) {
      return lexer.error_at(type_token, "array shapes may have at most 2^34 elements; got " +
                                            shape_text(dtype, dims) + "...");
    }
    if (!lexer.consume(TokenKind::Comma) && !lexer.at(TokenKind::RSquare)) {
      return lexer.expected("expected ',' or ']' in dimensions");
    }
  }
  lexer.next();  // ']'
  return dims;
}

Result<Shape> read_tuple_shape(Lexer& lexer, int depth) {
  lexer.next();  // '('
  std::vector<Shape> elements;
  while (!lexer.at(TokenKind::RParen)) {
    HLOCC_TRY(Shape element, read_shape(lexer, depth + 1));
    elements.push_back(std::move(element));
    if (!lexer.consume(TokenKind::Comma) && !lexer.at(TokenKind::RParen)) {
      return lexer.expected("expected ',' or ')' in tuple shape");
    }
  }
  lexer.next();  // ')'
  return Shape::tuple(std::move(elements));
}

// ---- literal elements ----

template <class T>
Result<T> convert_integer(Lexer& lexer, const Token& token) {
  const char* first = token.text.data();
  const char* last = first + token.text.size();
  T value{};
  if constexpr (std::is_same_v<T, bool>) {
    if (token.text == "true" || token.text == "1") return true;
    if (token.text == "false" || token.text == "0") return false;
    return lexer.expected(token, "expected true or false");
  } else {
    const auto [end, error] = std::from_chars(first, last, value);
    if (token.kind != TokenKind::Int || error != std::errc() || end != last) {
      return lexer.expected(token, "expected an integer in [" +
                                       std::to_string(std::numeric_limits<T>::min()) + ", " +
                                       std::to_string(std::numeric_limits<T>::max()) + "]");
    }
    return value;
  }
}

// A NaN of type T with the given sign and payload (0: XLA's default quiet NaN).
template <class T>
std::optional<T> make_nan(bool negative, uint64_t payload) {
  constexpr int kMantissa = std::is_same_v<T, Half>       ? 10
                            : std::is_same_v<T, BFloat16> ? 7
                            : std::is_same_v<T, float>    ? 23
                                                          : 52;
  constexpr int kBits = sizeof(T) * 8;
  using Bits = std::conditional_t<kBits == 16, uint16_t,
                                  std::conditional_t<kBits == 32, uint32_t, uint64_t>>;
  if (payload == 0) payload = uint64_t{1} << (kMantissa - 1);
  if (payload >= (uint64_t{1} << kMantissa)) return std::nullopt;
  const Bits exponent = static_cast<Bits>(((Bits{1} << (kBits - 1 - kMantissa)) - 1) << kMantissa);
  const Bits bits = static_cast<Bits>((negative ? Bits{1} << (kBits - 1) : 0) | exponent | payload);
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
    return T::from_bits(bits);
  else
    return std::bit_cast<T>(bits);
}

// The value of a decimal that overflows or underflows T: +-inf for a big exponent, else +-0.
template <class T>
T out_of_range_value(std::string_view text) {
  const size_t e = text.find_first_of("eE");
  const bool tiny = e != std::string_view::npos && text.substr(e + 1, 1) == "-";
  const T magnitude = tiny ? T(0) : std::numeric_limits<T>::infinity();
  return text[0] == '-' ? -magnitude : magnitude;
}

template <class T>
Result<T> convert_float(Lexer& lexer, const Token& token) {
  const std::string expected =
      std::string("expected a ") + std::string(dtype_name(DTypeOf<T>::value)) + " value";
  if (token.kind != TokenKind::Int && token.kind != TokenKind::Float)
    return lexer.expected(token, expected);
  std::string_view text = token.text;
  const bool negative = !text.empty() && text[0] == '-';
  if (text.substr(negative ? 1 : 0, 3) == "nan") {
    uint64_t payload = 0;
    const std::string_view hex = text.substr(negative ? 1 : 0).substr(3);
    if (!hex.empty()) std::from_chars(hex.data() + 3, hex.data() + hex.size() - 1, payload, 16);
    const std::optional<T> nan = make_nan<T>(negative, payload);
    if (!nan || (!hex.empty() && payload == 0)) {
      return lexer.expected(token,
                            expected + " (a NaN payload must be nonzero and fit the mantissa)");
    }
    return *nan;
  }
  using Parsed = std::conditional_t<std::is_same_v<T, double>, double, float>;
  Parsed value{};
  if (text[0] == '-' && text.substr(1) == "inf")
    value = -std::numeric_limits<Parsed>::infinity();
  else if (text == "inf")
    value = std::numeric_limits<Parsed>::infinity();
  else {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (end != text.data() + text.size()) return lexer.expected(token, expected);
    // As absl::SimpleAtof (XLA's parser): too large reads as infinity, too small as zero.
    if (error == std::errc::result_out_of_range)
      value = out_of_range_value<Parsed>(text);
    else if (error != std::errc())
      return lexer.expected(token, expected);
  }
  return T(value);
}

template <class T>
Result<T> read_element(Lexer& lexer) {
  if constexpr (std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>>) {
    using Part = typename T::value_type;
    if (!lexer.consume(TokenKind::LParen))
      return lexer.expected("expected '(' to open a complex value");
    HLOCC_TRY(const Part real, convert_float<Part>(lexer, lexer.next()));
    if (!lexer.consume(TokenKind::Comma))
      return lexer.expected("expected ',' between real and imaginary parts");
    HLOCC_TRY(const Part imag, convert_float<Part>(lexer, lexer.next()));
    if (!lexer.consume(TokenKind::RParen))
      return lexer.expected("expected ')' to close a complex value");
    return T(real, imag);
  } else if constexpr (std::is_integral_v<T>) {
    return convert_integer<T>(lexer, lexer.next());
  } else {
    return convert_float<T>(lexer, lexer.next());
  }
}

// Reads the nested braces of dimension `level` onwards, writing elements at data[next...].
template <class T>
Status read_dense(Lexer& lexer, const Shape& shape, int64_t level, T* data, int64_t& next) {
  if (level == shape.rank()) {
    HLOCC_TRY(data[next], read_element<T>(lexer));
    ++next;
    return ok_status();
  }
  const std::string where =
      " in dimension " + std::to_string(level) + " of " + shape.to_string(false);
  if (!lexer.consume(TokenKind::LBrace)) return lexer.expected("expected '{'" + where);
  const int64_t size = shape.dim(level);
  const std::string count = "expected " + std::to_string(size) + " elements" + where;
  for (int64_t i = 0; i < size; ++i) {
    if (i > 0 && !lexer.consume(TokenKind::Comma)) {
      if (lexer.at(TokenKind::RBrace))
        return lexer.error_at(lexer.peek(), count + "; got " + std::to_string(i));
      return lexer.expected("expected ','" + where);
    }
    HLOCC_TRY_STATUS(read_dense(lexer, shape, level + 1, data, next));
  }
  if (lexer.at(TokenKind::Comma)) return lexer.error_at(lexer.peek(), count + "; got more");
  if (!lexer.consume(TokenKind::RBrace)) return lexer.expected("expected '}'" + where);
  return ok_status();
}

Result<Literal> read_array_value(Lexer& lexer, const Shape& shape) {
  // Each element takes at least two characters ("1,"), so a longer list cannot be in the text.
  const int64_t remaining = static_cast<int64_t>(lexer.text().size() - lexer.peek().offset);
  if (shape.element_count() > remaining / 2 + 1) {
    return lexer.expected("expected " + std::to_string(shape.element_count()) + " elements for " +
                          shape.to_string(false) + " (the text is too short for them)");
  }
  Literal literal(shape.without_layout());
  const bool braced_scalar = shape.rank() == 0 && lexer.consume(TokenKind::LBrace);
  Status status = dispatch_dtype(shape.dtype(), [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    int64_t next = 0;
    return read_dense<T>(lexer, shape, 0, literal.data<T>().data(), next);
  });
  if (!status.ok()) return status.error();
  if (braced_scalar && !lexer.consume(TokenKind::RBrace))
    return lexer.expected("expected '}' after the scalar");
  return literal;
}

Result<Literal> read_tuple_value(Lexer& lexer, const Shape& shape, int depth) {
  if (!lexer.consume(TokenKind::LParen))
    return lexer.expected("expected '(' to open a tuple value of " + shape.to_string(false));
  std::vector<Literal> elements;
  for (const Shape& element_shape : shape.tuple_shapes()) {
    if (!elements.empty() && !lexer.consume(TokenKind::Comma)) {
      return lexer.expected("expected " + std::to_string(shape.tuple_size()) +
                            " tuple elements, so ','");
    }
    const Token at = lexer.peek();
    if (at.kind == TokenKind::Ident && dtype_from_name(at.text) &&
        lexer.peek(1).kind == TokenKind::LSquare) {
      HLOCC_TRY(const Shape written, read_shape(lexer, depth + 1));
      if (!(written == element_shape)) {
        return lexer.error_at(at, "tuple element shape must be " + element_shape.to_string(false) +
                                      "; got " + written.to_string(false));
      }
    }
    HLOCC_TRY(Literal element, read_literal_value(lexer, element_shape, depth + 1));
    elements.push_back(std::move(element));
  }
  if (!lexer.consume(TokenKind::RParen)) {
    return lexer.expected("expected " + std::to_string(shape.tuple_size()) +
                          " tuple elements, so ')'");
  }
  return Literal::tuple(std::move(elements));
}

}  // namespace

Result<int64_t> read_int(Lexer& lexer, std::string_view what) {
  const Token token = lexer.peek();
  int64_t value = 0;
  if (token.kind == TokenKind::Int) {
    const char* last = token.text.data() + token.text.size();
    const auto [end, error] = std::from_chars(token.text.data(), last, value);
    if (error == std::errc() && end == last) {
      lexer.next();
      return value;
    }
    return lexer.expected(token, "expected " + std::string(what) + " that fits in 64 bits");
  }
  return lexer.expected(token, "expected " + std::string(what));
}

bool at_shape(Lexer& lexer) {
  if (lexer.at(TokenKind::LParen)) return true;
  return lexer.at(TokenKind::Ident) && dtype_from_name(lexer.peek().text) &&
         lexer.peek(1).kind == TokenKind::LSquare;
}

Result<Shape> read_shape(Lexer& lexer, int depth) {
  HLOCC_TRY_STATUS(check_depth(lexer, depth));
  if (lexer.at(TokenKind::LParen)) return read_tuple_shape(lexer, depth);
  const Token type_token = lexer.peek();
  const std::optional<DType> dtype =
      type_token.kind == TokenKind::Ident ? dtype_from_name(type_token.text) : std::nullopt;
  if (!dtype) return lexer.expected("expected a shape such as f32[2,3]");
  lexer.next();
  if (!lexer.consume(TokenKind::LSquare))
    return lexer.expected("expected '[' after the element type");
  HLOCC_TRY(std::vector<int64_t> dims, read_dims(lexer, *dtype, type_token));
  if (*dtype == DType::Token) {
    if (!dims.empty())
      return lexer.error_at(type_token,
                            "a token shape has no dimensions; got token[" + join_ints(dims) + "]");
    return Shape::token();
  }
  Shape shape = Shape::array(*dtype, std::move(dims));
  const Token& after = lexer.peek();
  if (after.kind == TokenKind::LBrace && lexer.text()[after.offset - 1] == ']') {
    HLOCC_TRY(Layout layout, read_layout(lexer, shape.rank()));
    shape.set_layout(std::move(layout));
  }
  return shape;
}

Result<Literal> read_literal_value(Lexer& lexer, const Shape& shape, int depth) {
  HLOCC_TRY_STATUS(check_depth(lexer, depth));
  if (shape.is_tuple()) return read_tuple_value(lexer, shape, depth);
  if (shape.is_token()) return Literal(shape);  // a token has no value to write
  return read_array_value(lexer, shape);
}

}  // namespace hlocc::ir
