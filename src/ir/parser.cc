// The HLO module parser: header, computations, instructions and their attributes. Names resolve
// only backwards (operands within a computation, computations within the module), as XLA prints.
// Produces an unverified Module; every malformed input is an Error with file:line:column.
#include "ir/parser.h"

#include <charconv>
#include <unordered_map>

#include "ir/lexer.h"
#include "ir/value_parser.h"

namespace hlocc::ir {
namespace {

// parameter(N) grows the computation's parameter table to N+1 slots, so N is bounded.
constexpr int64_t kMaxParameterNumber = int64_t{1} << 20;

bool is_name(const Token& token) {
  return token.kind == TokenKind::Name || token.kind == TokenKind::Ident;
}

// Splits "1_2x3_4" into groups by 'x', each group into numbers by '_'.
std::vector<std::vector<int64_t>> split_groups(std::string_view text) {
  std::vector<std::vector<int64_t>> groups(1);
  size_t at = 0;
  while (at < text.size()) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
    if (error != std::errc()) return {};
    groups.back().push_back(value);
    at = static_cast<size_t>(end - text.data());
    if (at < text.size() && text[at] == 'x') groups.emplace_back();
    if (at < text.size()) ++at;
  }
  return groups;
}

class ModuleParser {
 public:
  ModuleParser(std::string_view text, std::string_view filename) : lexer_(text, filename) {}
  Result<std::unique_ptr<Module>> parse();

 private:
  Status parse_header();
  Status parse_computation();
  Status parse_signature();
  Status parse_instruction(Computation& computation,
                           std::unordered_map<std::string, Instruction*>& names, bool& saw_root);
  Result<Op> parse_opcode();
  Status parse_operands(Instruction& inst,
                        const std::unordered_map<std::string, Instruction*>& names);
  Status parse_parameter_number(Instruction& inst);
  Status parse_attribute(Instruction& inst);
  Result<AttrValue> parse_attr_value(AttrKind kind);
  Result<std::vector<int64_t>> parse_int_list();
  Result<std::vector<int64_t>> parse_dims_x(std::string_view what);
  Result<Window> parse_window();
  Status parse_window_field(const Token& key, std::vector<std::vector<int64_t>>& fields,
                            size_t& rank);
  Result<PaddingConfig> parse_padding();
  Result<SliceConfig> parse_slice();
  Result<ConvDimLabels> parse_dim_labels();
  Result<Computation*> parse_computation_ref();
  Result<std::vector<Computation*>> parse_computation_list();
  Status expect(TokenKind kind, std::string_view what);

  Lexer lexer_;
  std::unique_ptr<Module> module_;
  std::unordered_map<std::string, Computation*> computations_;
};

Status ModuleParser::expect(TokenKind kind, std::string_view what) {
  if (lexer_.consume(kind)) return ok_status();
  return lexer_.expected(what);
}

Result<std::unique_ptr<Module>> ModuleParser::parse() {
  HLOCC_TRY_STATUS(parse_header());
  while (!lexer_.at(TokenKind::Eof)) HLOCC_TRY_STATUS(parse_computation());
  if (module_->computations().empty()) return lexer_.expected("expected a computation");
  // As in XLA: without an ENTRY marker, the last computation is the entry.
  if (module_->entry() == nullptr) module_->set_entry(module_->computations().back().get());
  return std::move(module_);
}

Status ModuleParser::parse_header() {
  if (!lexer_.at_ident("HloModule")) return lexer_.expected("expected 'HloModule'");
  lexer_.next();
  const Token name = lexer_.peek();
  if (!is_name(name)) return lexer_.expected("expected a module name");
  lexer_.next();
  module_ = std::make_unique<Module>(std::string(name.text));
  while (lexer_.consume(TokenKind::Comma)) {
    const Token key = lexer_.peek();
    if (key.kind != TokenKind::Ident) return lexer_.expected("expected a module attribute name");
    lexer_.next();
    HLOCC_TRY_STATUS(expect(TokenKind::Equal, "expected '=' after the module attribute name"));
    HLOCC_TRY(const std::string_view value, lexer_.take_raw("expected a module attribute value"));
    module_->header_attributes().emplace_back(std::string(key.text), std::string(value));
  }
  return ok_status();
}

Status ModuleParser::parse_signature() {
  lexer_.next();  // '('
  while (!lexer_.at(TokenKind::RParen)) {
    if (!is_name(lexer_.peek())) return lexer_.expected("expected a parameter name or ')'");
    lexer_.next();
    HLOCC_TRY_STATUS(expect(TokenKind::Colon, "expected ':' after the parameter name"));
    HLOCC_TRY(const Shape shape, read_shape(lexer_));
    if (!lexer_.consume(TokenKind::Comma) && !lexer_.at(TokenKind::RParen)) {
      return lexer_.expected("expected ',' or ')' in the computation signature");
    }
  }
  lexer_.next();  // ')'
  HLOCC_TRY_STATUS(expect(TokenKind::Arrow, "expected '->' after the computation's parameters"));
  HLOCC_TRY(const Shape result, read_shape(lexer_));
  return ok_status();
}

Status ModuleParser::parse_computation() {
  const bool is_entry = lexer_.at_ident("ENTRY");
  if (is_entry) lexer_.next();
  const Token name = lexer_.peek();
  if (!is_name(name)) return lexer_.expected("expected a computation name");
  lexer_.next();
  const std::string key(name.text);
  if (computations_.contains(key))
    return lexer_.error_at(
        name, "computation names must be unique; got " + describe_token(name) + " twice");
  if (lexer_.at(TokenKind::LParen)) HLOCC_TRY_STATUS(parse_signature());
  HLOCC_TRY_STATUS(expect(TokenKind::LBrace, "expected '{' to open the computation body"));
  auto computation = std::make_unique<Computation>(key);
  std::unordered_map<std::string, Instruction*> names;
  bool saw_root = false;
  Instruction* root = nullptr;
  while (!lexer_.consume(TokenKind::RBrace)) {
    if (lexer_.at(TokenKind::Eof))
      return lexer_.expected("expected '}' to close computation " + describe_token(name));
    HLOCC_TRY_STATUS(parse_instruction(*computation, names, saw_root));
    if (saw_root && root == nullptr) root = computation->instructions().back().get();
  }
  if (computation->instructions().empty()) {
    return lexer_.error_at(
        name, "a computation needs at least one instruction; got none in " + describe_token(name));
  }
  if (root != nullptr) computation->set_root(root);
  Computation* added = module_->add_computation(std::move(computation));
  computations_[key] = added;
  if (is_entry) {
    if (module_->entry() != nullptr)
      return lexer_.error_at(
          name, "only one computation may be ENTRY; got a second one " + describe_token(name));
    module_->set_entry(added);
  }
  return ok_status();
}

Status ModuleParser::parse_instruction(Computation& computation,
                                       std::unordered_map<std::string, Instruction*>& names,
                                       bool& saw_root) {
  const bool is_root = lexer_.at_ident("ROOT") && lexer_.peek(1).kind != TokenKind::Equal;
  if (is_root) {
    if (saw_root) return lexer_.expected("expected one ROOT per computation");
    lexer_.next();
    saw_root = true;
  }
  const Token name = lexer_.peek();
  if (!is_name(name)) return lexer_.expected("expected an instruction name");
  lexer_.next();
  if (names.contains(std::string(name.text))) {
    return lexer_.error_at(name, "instruction names must be unique in a computation; got " +
                                     describe_token(name) + " twice");
  }
  HLOCC_TRY_STATUS(expect(TokenKind::Equal, "expected '=' after the instruction name"));
  HLOCC_TRY(Shape shape, read_shape(lexer_));
  HLOCC_TRY(const Op op, parse_opcode());
  auto inst = std::make_unique<Instruction>(op, std::move(shape), std::string(name.text));
  inst->set_location(SourceLocation{lexer_.filename(), name.line, name.column});
  HLOCC_TRY_STATUS(expect(TokenKind::LParen, "expected '(' after the opcode"));
  if (op == Op::Parameter) {
    HLOCC_TRY_STATUS(parse_parameter_number(*inst));
  } else if (op == Op::Constant) {
    HLOCC_TRY(Literal literal, read_literal_value(lexer_, inst->shape()));
    inst->set_literal(std::move(literal));
  } else {
    HLOCC_TRY_STATUS(parse_operands(*inst, names));
  }
  HLOCC_TRY_STATUS(expect(TokenKind::RParen, "expected ')' after the operands"));
  while (lexer_.consume(TokenKind::Comma)) HLOCC_TRY_STATUS(parse_attribute(*inst));
  Instruction* added = computation.add(std::move(inst));
  names[added->name()] = added;
  return ok_status();
}

Result<Op> ModuleParser::parse_opcode() {
  const Token token = lexer_.peek();
  const std::optional<Op> op =
      token.kind == TokenKind::Ident ? op_from_name(token.text) : std::nullopt;
  if (!op) return lexer_.expected("expected an opcode such as add or get-tuple-element");
  lexer_.next();
  return *op;
}

Status ModuleParser::parse_parameter_number(Instruction& inst) {
  const Token token = lexer_.peek();
  HLOCC_TRY(const int64_t number, read_int(lexer_, "a parameter number"));
  if (number < 0 || number > kMaxParameterNumber) {
    return lexer_.expected(
        token, "expected a parameter number in [0, " + std::to_string(kMaxParameterNumber) + "]");
  }
  inst.set_parameter_number(number);
  return ok_status();
}

Status ModuleParser::parse_operands(Instruction& inst,
                                    const std::unordered_map<std::string, Instruction*>& names) {
  while (!lexer_.at(TokenKind::RParen)) {
    // XLA dumps may write each operand's shape before its name: add(f32[2]{0} %x, ...).
    const Token shape_token = lexer_.peek();
    std::optional<Shape> written;
    if (at_shape(lexer_)) {
      HLOCC_TRY(written, read_shape(lexer_));
    }
    const Token name = lexer_.peek();
    if (!is_name(name)) return lexer_.expected("expected an operand name");
    const auto found = names.find(std::string(name.text));
    if (found == names.end()) {
      return lexer_.expected(name, "expected an instruction defined earlier in this computation");
    }
    lexer_.next();
    Instruction* operand = found->second;
    if (written && !(*written == operand->shape())) {
      return lexer_.error_at(shape_token, "operand shape must match %" + operand->name() + " (" +
                                              operand->shape().to_string(false) + "); got " +
                                              written->to_string(false));
    }
    inst.append_operand(operand);
    if (!lexer_.consume(TokenKind::Comma) && !lexer_.at(TokenKind::RParen)) {
      return lexer_.expected("expected ',' or ')' after an operand");
    }
  }
  return ok_status();
}

Status ModuleParser::parse_attribute(Instruction& inst) {
  const Token name = lexer_.peek();
  if (name.kind != TokenKind::Ident) return lexer_.expected("expected an attribute name");
  lexer_.next();
  HLOCC_TRY_STATUS(expect(TokenKind::Equal, "expected '=' after the attribute name"));
  const std::string key(name.text);
  if (inst.attrs().has(key))
    return lexer_.error_at(
        name, "each attribute may appear once; got " + describe_token(name) + " twice");
  HLOCC_TRY(AttrValue value, parse_attr_value(attr_kind(key)));
  inst.attrs().set(key, std::move(value));
  return ok_status();
}

Result<AttrValue> ModuleParser::parse_attr_value(AttrKind kind) {
  const Token token = lexer_.peek();
  switch (kind) {
    case AttrKind::Int: {
      HLOCC_TRY(const int64_t value, read_int(lexer_, "an integer"));
      return AttrValue(value);
    }
    case AttrKind::Bool:
      if (lexer_.at_ident("true") || lexer_.at_ident("false"))
        return AttrValue(lexer_.next().text == "true");
      return lexer_.expected("expected true or false");
    case AttrKind::IntList: {
      HLOCC_TRY(std::vector<int64_t> list, parse_int_list());
      return AttrValue(std::move(list));
    }
    case AttrKind::Identifier:
      if (token.kind != TokenKind::Ident) return lexer_.expected("expected an identifier");
      return AttrValue(std::string(lexer_.next().text));
    case AttrKind::String: {
      if (token.kind != TokenKind::String) return lexer_.expected("expected a quoted string");
      Result<std::string> text = unescape_string(lexer_.next().text);
      if (!text.ok()) return lexer_.error_at(token, text.error().message());
      return AttrValue(std::move(*text));
    }
    case AttrKind::Window: {
      HLOCC_TRY(Window window, parse_window());
      return AttrValue(std::move(window));
    }
    case AttrKind::Padding: {
      HLOCC_TRY(PaddingConfig padding, parse_padding());
      return AttrValue(std::move(padding));
    }
    case AttrKind::Slice: {
      HLOCC_TRY(SliceConfig slice, parse_slice());
      return AttrValue(std::move(slice));
    }
    case AttrKind::ConvDims: {
      HLOCC_TRY(ConvDimLabels labels, parse_dim_labels());
      return AttrValue(std::move(labels));
    }
    case AttrKind::Computation: {
      HLOCC_TRY(Computation * computation, parse_computation_ref());
      return AttrValue(computation);
    }
    case AttrKind::ComputationList: {
      HLOCC_TRY(std::vector<Computation*> list, parse_computation_list());
      return AttrValue(std::move(list));
    }
    case AttrKind::Raw: {
      HLOCC_TRY(const std::string_view text, lexer_.take_raw("expected an attribute value"));
      return AttrValue(RawAttr{std::string(text)});
    }
  }
  return lexer_.expected("expected an attribute value");
}

Result<std::vector<int64_t>> ModuleParser::parse_int_list() {
  HLOCC_TRY_STATUS(expect(TokenKind::LBrace, "expected '{' to open an integer list"));
  std::vector<int64_t> values;
  while (!lexer_.at(TokenKind::RBrace)) {
    HLOCC_TRY(const int64_t value, read_int(lexer_, "an integer"));
    values.push_back(value);
    if (!lexer_.consume(TokenKind::Comma) && !lexer_.at(TokenKind::RBrace)) {
      return lexer_.expected("expected ',' or '}' in an integer list");
    }
  }
  lexer_.next();  // '}'
  return values;
}

// `3x3` or `3`: one number per window dimension.
Result<std::vector<int64_t>> ModuleParser::parse_dims_x(std::string_view what) {
  const Token token = lexer_.peek();
  if (token.kind != TokenKind::DxD && token.kind != TokenKind::Int) {
    return lexer_.expected("expected " + std::string(what) + " such as 3x3");
  }
  std::vector<int64_t> values;
  for (const std::vector<int64_t>& group : split_groups(token.text)) values.push_back(group.at(0));
  if (values.empty())
    return lexer_.expected("expected " + std::string(what) + " that fit in 64 bits");
  lexer_.next();
  return values;
}

Status ModuleParser::parse_window_field(const Token& key, std::vector<std::vector<int64_t>>& fields,
                                        size_t& rank) {
  static constexpr std::string_view kFields[] = {"size",       "stride",       "lhs_dilate",
                                                 "rhs_dilate", "rhs_reversal", "pad"};
  size_t index = 0;
  while (index < std::size(kFields) && kFields[index] != key.text) ++index;
  if (index == std::size(kFields)) {
    return lexer_.expected(
        key, "expected a window field (size, stride, pad, lhs_dilate, rhs_dilate, rhs_reversal)");
  }
  const std::string field(kFields[index]);
  if (!fields[index].empty())
    return lexer_.error_at(key, "each window field may appear once; got '" + field + "' twice");
  HLOCC_TRY_STATUS(expect(TokenKind::Equal, "expected '=' after window field '" + field + "'"));
  const Token value = lexer_.peek();
  std::vector<int64_t> values;
  if (field == "pad") {
    const auto groups = value.kind == TokenKind::Pad ? split_groups(value.text)
                                                     : std::vector<std::vector<int64_t>>{};
    for (const auto& group : groups) {
      if (group.size() != 2) return lexer_.expected("expected window padding such as 1_1x0_1");
      values.insert(values.end(), group.begin(), group.end());
    }
    if (groups.empty()) return lexer_.expected("expected window padding such as 1_1x0_1");
    lexer_.next();
  } else {
    HLOCC_TRY(values, parse_dims_x("window " + field));
  }
  const size_t dims = field == "pad" ? values.size() / 2 : values.size();
  if (rank == 0) rank = dims;
  if (dims != rank) {
    return lexer_.expected(
        value, "expected " + std::to_string(rank) + " dimensions in window field '" + field + "'");
  }
  fields[index] = std::move(values);
  return ok_status();
}

Result<Window> ModuleParser::parse_window() {
  HLOCC_TRY_STATUS(expect(TokenKind::LBrace, "expected '{' to open a window"));
  std::vector<std::vector<int64_t>> fields(
      6);  // size, stride, lhs_dilate, rhs_dilate, rhs_reversal, pad
  size_t rank = 0;
  while (!lexer_.consume(TokenKind::RBrace)) {
    const Token key = lexer_.peek();
    if (key.kind != TokenKind::Ident) return lexer_.expected("expected a window field or '}'");
    lexer_.next();
    HLOCC_TRY_STATUS(parse_window_field(key, fields, rank));
  }
  Window window;
  window.dims.resize(rank);
  for (size_t i = 0; i < rank; ++i) {
    WindowDim& dim = window.dims[i];
    if (!fields[0].empty()) dim.size = fields[0][i];
    if (!fields[1].empty()) dim.stride = fields[1][i];
    if (!fields[2].empty()) dim.lhs_dilation = fields[2][i];
    if (!fields[3].empty()) dim.rhs_dilation = fields[3][i];
    if (!fields[4].empty()) dim.reversal = fields[4][i] != 0;
    if (!fields[5].empty()) {
      dim.pad_low = fields[5][2 * i];
      dim.pad_high = fields[5][2 * i + 1];
    }
  }
  return window;
}

Result<PaddingConfig> ModuleParser::parse_padding() {
  PaddingConfig padding;
  if (lexer_.consume(TokenKind::LBrace)) {  // rank 0: padding={}
    HLOCC_TRY_STATUS(
        expect(TokenKind::RBrace, "expected '}': only rank-0 padding is written in braces"));
    return padding;
  }
  const Token token = lexer_.peek();
  const auto groups =
      token.kind == TokenKind::Pad ? split_groups(token.text) : std::vector<std::vector<int64_t>>{};
  for (const auto& group : groups) {
    if (group.size() != 2 && group.size() != 3) break;
    padding.dims.push_back(PadDim{group[0], group[1], group.size() == 3 ? group[2] : 0});
  }
  if (groups.empty() || padding.dims.size() != groups.size()) {
    return lexer_.expected(
        "expected padding such as 0_0x1_2_1 (low_high[_interior] per dimension)");
  }
  lexer_.next();
  return padding;
}

Result<SliceConfig> ModuleParser::parse_slice() {
  HLOCC_TRY_STATUS(expect(TokenKind::LBrace, "expected '{' to open a slice"));
  SliceConfig slice;
  while (!lexer_.at(TokenKind::RBrace)) {
    HLOCC_TRY_STATUS(
        expect(TokenKind::LSquare, "expected '[' to open a slice dimension such as [0:4:2]"));
    SliceDim dim;
    HLOCC_TRY(dim.start, read_int(lexer_, "a slice start"));
    HLOCC_TRY_STATUS(expect(TokenKind::Colon, "expected ':' after the slice start"));
    HLOCC_TRY(dim.limit, read_int(lexer_, "a slice limit"));
    if (lexer_.consume(TokenKind::Colon)) {
      HLOCC_TRY(dim.stride, read_int(lexer_, "a slice stride"));
    }
    HLOCC_TRY_STATUS(expect(TokenKind::RSquare, "expected ']' to close the slice dimension"));
    slice.dims.push_back(dim);
    if (!lexer_.consume(TokenKind::Comma) && !lexer_.at(TokenKind::RBrace)) {
      return lexer_.expected("expected ',' or '}' in a slice");
    }
  }
  lexer_.next();  // '}'
  return slice;
}

// Reads one part of b01f_01io->b01f: the position of each of the two letters, and of each digit.
bool read_labels(std::string_view text, char first, char second, int64_t& first_at,
                 int64_t& second_at, std::vector<int64_t>& spatial) {
  const int64_t spatial_count = static_cast<int64_t>(text.size()) - 2;
  if (spatial_count < 0 || spatial_count > 10) return false;
  spatial.assign(static_cast<size_t>(spatial_count), -1);
  first_at = second_at = -1;
  for (int64_t i = 0; i < static_cast<int64_t>(text.size()); ++i) {
    const char c = text[static_cast<size_t>(i)];
    int64_t* slot = c == first ? &first_at : c == second ? &second_at : nullptr;
    if (c >= '0' && c - '0' < spatial_count) slot = &spatial[static_cast<size_t>(c - '0')];
    if (slot == nullptr || *slot != -1) return false;
    *slot = i;
  }
  return true;
}

Result<ConvDimLabels> ModuleParser::parse_dim_labels() {
  const Token token = lexer_.peek();
  const std::string_view text = token.text;
  const size_t underscore = text.find('_');
  const size_t arrow = text.find("->");
  ConvDimLabels labels;
  const bool ok = token.kind == TokenKind::DimLabels && underscore < arrow &&
                  arrow != std::string_view::npos &&
                  read_labels(text.substr(0, underscore), 'b', 'f', labels.input_batch,
                              labels.input_feature, labels.input_spatial) &&
                  read_labels(text.substr(underscore + 1, arrow - underscore - 1), 'i', 'o',
                              labels.kernel_input_feature, labels.kernel_output_feature,
                              labels.kernel_spatial) &&
                  read_labels(text.substr(arrow + 2), 'b', 'f', labels.output_batch,
                              labels.output_feature, labels.output_spatial) &&
                  labels.input_spatial.size() == labels.kernel_spatial.size() &&
                  labels.input_spatial.size() == labels.output_spatial.size();
  if (!ok) {
    return lexer_.expected(
        "expected dimension labels such as b01f_01io->b01f (each of b, f, i, o and the "
        "spatial digits once, same spatial rank in all three)");
  }
  lexer_.next();
  return labels;
}

Result<Computation*> ModuleParser::parse_computation_ref() {
  const Token name = lexer_.peek();
  if (!is_name(name)) return lexer_.expected("expected a computation name such as %add");
  const auto found = computations_.find(std::string(name.text));
  if (found == computations_.end()) {
    return lexer_.expected(name, "expected a computation defined earlier in the module");
  }
  lexer_.next();
  return found->second;
}

Result<std::vector<Computation*>> ModuleParser::parse_computation_list() {
  HLOCC_TRY_STATUS(expect(TokenKind::LBrace, "expected '{' to open a list of computations"));
  std::vector<Computation*> list;
  while (!lexer_.at(TokenKind::RBrace)) {
    HLOCC_TRY(Computation * computation, parse_computation_ref());
    list.push_back(computation);
    if (!lexer_.consume(TokenKind::Comma) && !lexer_.at(TokenKind::RBrace)) {
      return lexer_.expected("expected ',' or '}' in a list of computations");
    }
  }
  lexer_.next();  // '}'
  return list;
}

}  // namespace

Result<std::unique_ptr<Module>> parse_module(std::string_view text, std::string_view filename) {
  ModuleParser parser(text, filename);
  return parser.parse();
}

Result<Shape> parse_shape(std::string_view text) {
  Lexer lexer(text, "<shape>");
  HLOCC_TRY(Shape shape, read_shape(lexer));
  if (!lexer.at(TokenKind::Eof)) return lexer.expected("expected the end of the shape");
  return shape;
}

Result<Literal> parse_literal(std::string_view text) {
  Lexer lexer(text, "<literal>");
  HLOCC_TRY(const Shape shape, read_shape(lexer));
  HLOCC_TRY(Literal literal, read_literal_value(lexer, shape));
  if (!lexer.at(TokenKind::Eof)) return lexer.expected("expected the end of the literal");
  return literal;
}

}  // namespace hlocc::ir
