// Malformed HLO text: each case checks the message and its file:line:column, and that the parser
// returns an error instead of crashing, hanging or throwing.
#include <gtest/gtest.h>

#include <string>

#include "ir/parser.h"

namespace hlocc::ir {
namespace {

struct BadInput {
  std::string name;
  std::string text;
  std::string expected;  // a substring of the message, including the position
};

// A module whose entry body is `body`; its first line is line 3.
std::string entry(const std::string& body) {
  return "HloModule m\nENTRY main {\n" + body + "\n}\n";
}

const std::string kAdd =
    "HloModule m\nadd {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
    "  ROOT s = f32[] add(a, b)\n}\n";

// `kAdd` followed by an entry whose body starts on line 8.
std::string entry_after_add(const std::string& body) {
  return kAdd + "ENTRY main {\n" + body + "\n}\n";
}

std::vector<BadInput> module_cases() {
  return {
      {"Empty", "", "bad.hlo:1:1: expected 'HloModule'; got end of input"},
      {"MisspelledHeader", "HloModul m", "bad.hlo:1:1: expected 'HloModule'; got 'HloModul'"},
      {"NoModuleName", "HloModule", "bad.hlo:1:10: expected a module name; got end of input"},
      {"NoComputation", "HloModule m\n", "bad.hlo:2:1: expected a computation; got end of input"},
      {"HeaderAttributeWithoutEquals", "HloModule m, is_scheduled\nENTRY e {\n}",
       "bad.hlo:2:1: expected '=' after the module attribute name; got 'ENTRY'"},
      {"HeaderAttributeWithoutValue", "HloModule m, a=\nENTRY e {\n  ROOT x = f32[] constant(1)\n}",
       "bad.hlo:2:1: expected a module attribute value; got 'ENTRY'"},
      {"ComputationWithoutBrace", "HloModule m\nENTRY main\n  x = f32[] parameter(0)\n",
       "bad.hlo:3:3: expected '{' to open the computation body; got 'x'"},
      {"UnclosedComputation", "HloModule m\nENTRY main {\n  x = f32[] parameter(0)\n",
       "bad.hlo:4:1: expected '}' to close computation 'main'; got end of input"},
      {"EmptyComputation", "HloModule m\nENTRY main {\n}\n",
       "bad.hlo:2:7: a computation needs at least one instruction; got none in 'main'"},
      {"DuplicateComputation", kAdd + "add {\n  ROOT c = f32[] constant(1)\n}\n",
       "bad.hlo:7:1: computation names must be unique; got 'add' twice"},
      {"TwoEntries",
       "HloModule m\nENTRY a {\n  ROOT x = f32[] constant(1)\n}\nENTRY b {\n  ROOT y = f32[] "
       "constant(1)\n}\n",
       "bad.hlo:5:7: only one computation may be ENTRY; got a second one 'b'"},
      {"BadSignature",
       "HloModule m\nENTRY main (p f32[]) -> f32[] {\n  ROOT p = f32[] parameter(0)\n}\n",
       "bad.hlo:2:15: expected ':' after the parameter name; got 'f32'"},
      {"SignatureWithoutArrow",
       "HloModule m\nENTRY main (p: f32[]) f32[] {\n  ROOT p = f32[] parameter(0)\n}\n",
       "bad.hlo:2:23: expected '->' after the computation's parameters; got 'f32'"},
      {"MissingEquals", entry("  x f32[] parameter(0)"),
       "bad.hlo:3:5: expected '=' after the instruction name; got 'f32'"},
      {"NotAName", entry("  = f32[] parameter(0)"),
       "bad.hlo:3:3: expected an instruction name; got '='"},
      {"UnknownElementType", entry("  x = f33[] parameter(0)"),
       "bad.hlo:3:7: expected a shape such as f32[2,3]; got 'f33'"},
      {"MissingSquareBracket", entry("  x = f32 parameter(0)"),
       "bad.hlo:3:11: expected '[' after the element type; got 'parameter'"},
      {"UnclosedDimensions", entry("  x = f32[2 parameter(0)"),
       "bad.hlo:3:13: expected ',' or ']' in dimensions; got 'parameter'"},
      {"NegativeDimension", entry("  x = f32[-1] parameter(0)"),
       "bad.hlo:3:7: dimension sizes must be >= 0; got -1"},
      {"DynamicDimension", entry("  x = f32[<=4] parameter(0)"),
       "bad.hlo:3:11: expected a static dimension size (dynamic dimensions are not supported); got "
       "'<='"},
      {"HugeShape", entry("  x = f32[99999999999999] parameter(0)"),
       "bad.hlo:3:7: array shapes may have at most 2^34 elements; got f32[99999999999999]"},
      {"DimensionOverflow", entry("  x = f32[99999999999999999999] parameter(0)"),
       "bad.hlo:3:11: expected a dimension size that fits in 64 bits; got '99999999999999999999'"},
      {"TooDeepTuple",
       entry("  x = " + std::string(100, '(') + "f32[]" + std::string(100, ')') + " parameter(0)"),
       "bad.hlo:3:72: expected nesting at most 64 levels deep; got '('"},
      {"LayoutRankMismatch", entry("  x = f32[2,3]{0} parameter(0)"),
       "bad.hlo:3:15: layout must list all 2 dimensions; got {0}"},
      {"TokenWithDimensions", entry("  x = token[2] parameter(0)"),
       "bad.hlo:3:7: a token shape has no dimensions; got token[2]"},
      {"UnknownOpcode", entry("  x = f32[] frobnicate(1)"),
       "bad.hlo:3:13: expected an opcode such as add or get-tuple-element; got 'frobnicate'"},
      {"MissingOpenParen", entry("  x = f32[] parameter(0)\n  y = f32[] negate x"),
       "bad.hlo:4:20: expected '(' after the opcode; got 'x'"},
  };
}

std::vector<BadInput> instruction_cases() {
  return {
      {"UndefinedOperand", entry("  ROOT y = f32[] negate(z)"),
       "bad.hlo:3:25: expected an instruction defined earlier in this computation; got 'z'"},
      {"OperandUsedBeforeDefinition", entry("  y = f32[] negate(x)\n  x = f32[] parameter(0)"),
       "bad.hlo:3:20: expected an instruction defined earlier in this computation; got 'x'"},
      {"OperandShapeMismatch", entry("  x = f32[2] parameter(0)\n  y = f32[2] negate(f32[3] %x)"),
       "bad.hlo:4:21: operand shape must match %x (f32[2]); got f32[3]"},
      {"UnclosedOperands", entry("  x = f32[] parameter(0)\n  y = f32[] negate(x"),
       "bad.hlo:5:1: expected ',' or ')' after an operand; got '}'"},
      {"DuplicateInstruction", entry("  x = f32[] parameter(0)\n  x = f32[] negate(x)"),
       "bad.hlo:4:3: instruction names must be unique in a computation; got 'x' twice"},
      {"TwoRoots", entry("  ROOT x = f32[] parameter(0)\n  ROOT y = f32[] negate(x)"),
       "bad.hlo:4:3: expected one ROOT per computation; got 'ROOT'"},
      {"ParameterNotANumber", entry("  x = f32[] parameter(x)"),
       "bad.hlo:3:23: expected a parameter number; got 'x'"},
      {"ParameterNumberHuge", entry("  x = f32[] parameter(4000000000)"),
       "bad.hlo:3:23: expected a parameter number in [0, 1048576]; got '4000000000'"},
      {"TooFewElements", entry("  c = f32[3] constant({1, 2})"),
       "bad.hlo:3:28: expected 3 elements in dimension 0 of f32[3]; got 2"},
      {"TooManyElements", entry("  c = f32[2] constant({1, 2, 3})"),
       "bad.hlo:3:28: expected 2 elements in dimension 0 of f32[2]; got more"},
      {"MissingInnerBraces", entry("  c = f32[2,2] constant({1, 2, 3, 4})"),
       "bad.hlo:3:26: expected '{' in dimension 1 of f32[2,2]; got '1'"},
      {"IntegerOutOfRange", entry("  c = s8[] constant(300)"),
       "bad.hlo:3:21: expected an integer in [-128, 127]; got '300'"},
      {"NegativeUnsigned", entry("  c = u32[] constant(-1)"),
       "bad.hlo:3:22: expected an integer in [0, 4294967295]; got '-1'"},
      {"FloatForInteger", entry("  c = s32[] constant(1.5)"),
       "bad.hlo:3:22: expected an integer in [-2147483648, 2147483647]; got '1.5'"},
      {"BadPred", entry("  c = pred[] constant(yes)"),
       "bad.hlo:3:23: expected true or false; got 'yes'"},
      {"BadFloat", entry("  c = f32[] constant(one)"),
       "bad.hlo:3:22: expected a f32 value; got 'one'"},
      {"SecondDecimalPoint", entry("  c = f32[] constant(1.5.2)"),
       "bad.hlo:3:25: expected ')' after the operands; got '.2'"},
      {"NanPayloadTooWide", entry("  c = bf16[] constant(nan(0xff))"),
       "bad.hlo:3:23: expected a bf16 value (a NaN payload must be nonzero and fit the mantissa); "
       "got 'nan(0xff)'"},
      {"ComplexWithoutParens", entry("  c = c64[] constant(1)"),
       "bad.hlo:3:22: expected '(' to open a complex value; got '1'"},
      {"AbsurdConstant", entry("  c = f32[1000000] constant({1})"),
       "bad.hlo:3:29: expected 1000000 elements for f32[1000000] (the text is too short for them); "
       "got '{'"},
      {"TupleConstantArity", entry("  c = (f32[], f32[]) constant((1))"),
       "bad.hlo:3:33: expected 2 tuple elements, so ','; got ')'"},
      {"UnexpectedCharacter", entry("  x = f32[] parameter(0) @"),
       "bad.hlo:3:26: expected an instruction name; got unexpected character '@'"},
      {"MalformedNumber", entry("  x = f32[2a] parameter(0)"),
       "bad.hlo:3:11: expected a dimension size; got malformed number '2a'"},
      {"UnterminatedComment", entry("  x = f32[] parameter(0) /* never closed"),
       "bad.hlo:3:26: expected an instruction name; got unterminated comment '/*'"},
      {"PercentWithoutName", entry("  ROOT y = f32[] negate(% x)"),
       "bad.hlo:3:25: expected an operand name; got expected a name after '%'"},
  };
}

std::vector<BadInput> attribute_cases() {
  const std::string x = "  x = f32[4,4] parameter(0)\n  z = f32[] constant(0)\n";
  return {
      {"MissingAttributeName", entry("  x = f32[] parameter(0), "),
       "bad.hlo:4:1: expected an attribute name; got '}'"},
      {"AttributeWithoutEquals", entry("  x = f32[] parameter(0), metadata"),
       "bad.hlo:4:1: expected '=' after the attribute name; got '}'"},
      {"DuplicateAttribute",
       entry(x + "  t = f32[4,4] transpose(x), dimensions={1,0}, dimensions={0,1}"),
       "bad.hlo:5:48: each attribute may appear once; got 'dimensions' twice"},
      {"IntListWithoutBraces", entry(x + "  t = f32[4,4] transpose(x), dimensions=1"),
       "bad.hlo:5:41: expected '{' to open an integer list; got '1'"},
      {"IntListBadElement", entry(x + "  t = f32[4,4] transpose(x), dimensions={1,a}"),
       "bad.hlo:5:44: expected an integer; got 'a'"},
      {"BoolAttribute", entry(x + "  s = f32[4,4] sort(x), dimensions={0}, is_stable=yes"),
       "bad.hlo:5:51: expected true or false; got 'yes'"},
      {"IntAttribute",
       entry("  t = (f32[]) parameter(0)\n  g = f32[] get-tuple-element(t), index=first"),
       "bad.hlo:4:41: expected an integer; got 'first'"},
      {"IdentifierAttribute", entry(x + "  c = pred[4,4] compare(x, x), direction=\"LT\""),
       "bad.hlo:5:42: expected an identifier; got '\"LT\"'"},
      {"StringAttribute", entry(x + "  c = f32[4,4] custom-call(x), custom_call_target=foo"),
       "bad.hlo:5:51: expected a quoted string; got 'foo'"},
      {"BadEscape", entry(x + "  c = f32[4,4] custom-call(x), custom_call_target=\"a\\qb\""),
       "bad.hlo:5:51: unknown escape sequence '\\q' in string"},
      {"UnterminatedString", entry(x + "  c = f32[4,4] custom-call(x), custom_call_target=\"abc"),
       "bad.hlo:5:51: expected a quoted string; got unterminated string"},
      {"UnknownWindowField",
       entry_after_add(
           x + "  w = f32[4,4] reduce-window(x, z), window={size=1x1 skip=2x2}, to_apply=add"),
       "bad.hlo:10:54: expected a window field (size, stride, pad, lhs_dilate, rhs_dilate, "
       "rhs_reversal); got 'skip'"},
      {"WindowRankMismatch",
       entry_after_add(
           x + "  w = f32[4,4] reduce-window(x, z), window={size=1x1 stride=2}, to_apply=add"),
       "bad.hlo:10:61: expected 2 dimensions in window field 'stride'; got '2'"},
      {"WindowDuplicateField",
       entry_after_add(
           x + "  w = f32[4,4] reduce-window(x, z), window={size=1x1 size=1x1}, to_apply=add"),
       "bad.hlo:10:54: each window field may appear once; got 'size' twice"},
      {"WindowBadPad",
       entry_after_add(
           x + "  w = f32[4,4] reduce-window(x, z), window={size=1x1 pad=1x1}, to_apply=add"),
       "bad.hlo:10:58: expected window padding such as 1_1x0_1; got '1x1'"},
      {"BadPadding", entry(x + "  p = f32[5,5] pad(x, z), padding=1"),
       "bad.hlo:5:35: expected padding such as 0_0x1_2_1 (low_high[_interior] per dimension); got "
       "'1'"},
      {"SliceWithoutColon", entry(x + "  s = f32[2,4] slice(x), slice={[0 2], [0:4]}"),
       "bad.hlo:5:36: expected ':' after the slice start; got '2'"},
      {"BadDimLabels", entry(x + "  c = f32[4,4] convolution(x, x), dim_labels=b01f_01io->b0f"),
       "bad.hlo:5:46: expected dimension labels such as b01f_01io->b01f"},
      {"RepeatedDimLabel", entry(x + "  c = f32[4,4] convolution(x, x), dim_labels=bb0f_0io->b0f"),
       "bad.hlo:5:46: expected dimension labels such as b01f_01io->b01f"},
      {"UndefinedComputation",
       entry(x + "  r = f32[] reduce(x, z), dimensions={0,1}, to_apply=%nope"),
       "bad.hlo:5:54: expected a computation defined earlier in the module; got '%nope'"},
      {"ForwardComputationReference",
       "HloModule m\nENTRY main {\n  x = f32[4] parameter(0)\n  z = f32[] constant(0)\n"
       "  ROOT r = f32[] reduce(x, z), dimensions={0}, to_apply=add\n}\n" +
           kAdd.substr(12),
       "bad.hlo:5:57: expected a computation defined earlier in the module; got 'add'"},
      {"ComputationNotAName", entry(x + "  r = f32[] reduce(x, z), dimensions={0,1}, to_apply={}"),
       "bad.hlo:5:54: expected a computation name such as %add; got '{'"},
      {"UnbalancedRawAttribute", entry("  x = f32[] parameter(0), metadata={{op_name=\"x\""),
       "bad.hlo:3:36: unbalanced bracket: no '}' before end of input"},
      {"MismatchedRawBracket", entry("  x = f32[] parameter(0), sharding={devices=[2,1)}"),
       "bad.hlo:3:49: expected ']' to close a bracket; got ')'"},
      {"RawStringUnterminated", entry("  x = f32[] parameter(0), backend_config=\"abc"),
       "bad.hlo:3:42: unterminated string in attribute value"},
  };
}

void expect_error(const BadInput& input) {
  auto module = parse_module(input.text, "bad.hlo");
  ASSERT_FALSE(module.ok()) << input.name << " parsed:\n" << input.text;
  EXPECT_NE(module.error().message().find(input.expected), std::string::npos)
      << input.name << "\n  expected: " << input.expected
      << "\n  actual:   " << module.error().message();
}

TEST(ParseErrors, MalformedModules) {
  for (const BadInput& input : module_cases()) expect_error(input);
}

TEST(ParseErrors, MalformedInstructionsAndConstants) {
  for (const BadInput& input : instruction_cases()) expect_error(input);
}

TEST(ParseErrors, MalformedAttributes) {
  for (const BadInput& input : attribute_cases()) expect_error(input);
}

TEST(ParseErrors, MalformedLiteralsAndShapes) {
  const std::vector<std::pair<std::string, std::string>> literals = {
      {"f32[] 1 2", "<literal>:1:9: expected the end of the literal; got '2'"},
      {"f32[2] {1, 2", "<literal>:1:13: expected '}' in dimension 0 of f32[2]; got end of input"},
      {"(f32[], s32[]) (f32[] 1, f32[] 2)",
       "<literal>:1:26: tuple element shape must be s32[]; got f32[]"},
      {"s32[]",
       "<literal>:1:6: expected an integer in [-2147483648, 2147483647]; got end of input"},
  };
  for (const auto& [text, expected] : literals) {
    auto literal = parse_literal(text);
    ASSERT_FALSE(literal.ok()) << text;
    EXPECT_NE(literal.error().message().find(expected), std::string::npos)
        << literal.error().message();
  }
  auto shape = parse_shape("f32[2] x");
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.error().message(), "<shape>:1:8: expected the end of the shape; got 'x'");
}

// Hostile inputs: deep nesting and long garbage must give errors quickly, not crash.
TEST(ParseErrors, HostileInputsGiveErrors) {
  EXPECT_FALSE(parse_module(entry("  x = f32[] parameter(0), metadata=" + std::string(100000, '{')),
                            "bad.hlo")
                   .ok());
  EXPECT_FALSE(parse_literal("f32[] " + std::string(100000, '(')).ok());
  EXPECT_FALSE(parse_literal(std::string(100000, '(')).ok());
  std::string dims;
  for (int i = 0; i < 70; ++i) dims += (i > 0 ? ",1" : "1");
  auto too_many = parse_shape("f32[" + dims + "]");
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message().find("expected at most 64 dimensions"), std::string::npos);
  for (const char* garbage :
       {"\x01\x02", "HloModule m\nENTRY e {\x7f}", "HloModule \"m\"", "}}}}", "HloModule m\n%"}) {
    EXPECT_FALSE(parse_module(garbage, "bad.hlo").ok()) << garbage;
  }
}

}  // namespace
}  // namespace hlocc::ir
