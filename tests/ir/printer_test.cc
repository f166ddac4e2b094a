// The HLO text printer: canonical output, exact float round trips, and parse -> print -> parse ->
// print giving the same text for every syntax feature.
#include "ir/printer.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>

#include "ir/parser.h"

namespace hlocc::ir {
namespace {

std::unique_ptr<Module> parse_ok(std::string_view text) {
  auto module = parse_module(text, "test.hlo");
  EXPECT_TRUE(module.ok()) << module.error().message() << "\n" << text;
  return module.ok() ? std::move(*module) : nullptr;
}

// Prints `text`, re-parses the result, and checks that printing again changes nothing.
std::string round_trip(std::string_view text) {
  auto module = parse_ok(text);
  if (!module) return "";
  const std::string printed = print_module(*module);
  auto again = parse_ok(printed);
  if (!again) return "";
  EXPECT_EQ(print_module(*again), printed);
  return printed;
}

std::string print_entry(std::string_view body) {
  return round_trip("HloModule m\nENTRY main {\n" + std::string(body) + "\n}\n");
}

std::string literal_text(std::string_view text) {
  auto literal = parse_literal(text);
  EXPECT_TRUE(literal.ok()) << literal.error().message();
  return literal.ok() ? print_literal(*literal) : "";
}

TEST(Printer, CanonicalModuleText) {
  const std::string printed = round_trip(R"(HloModule m, is_scheduled=true
add {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  ROOT s = f32[] add(f32[] x, y)
}
ENTRY main {
  p = f32[2,3]{1,0} parameter(0)
  z = f32[] constant(0)
  ROOT r = f32[2] reduce(p, z), dimensions={1}, to_apply=add
}
)");
  EXPECT_EQ(printed, R"(HloModule m, is_scheduled=true

%add (x: f32[], y: f32[]) -> f32[] {
  %x = f32[] parameter(0)
  %y = f32[] parameter(1)
  ROOT %s = f32[] add(%x, %y)
}

ENTRY %main (p: f32[2,3]{1,0}) -> f32[2] {
  %p = f32[2,3]{1,0} parameter(0)
  %z = f32[] constant(0)
  ROOT %r = f32[2] reduce(%p, %z), dimensions={1}, to_apply=%add
}
)");
}

TEST(Printer, RootIsMarkedWhereverItIs) {
  const std::string printed = print_entry("  ROOT a = f32[] constant(1)\n  b = f32[] negate(a)");
  EXPECT_NE(printed.find("  ROOT %a = f32[] constant(1)\n  %b = f32[] negate(%a)\n"),
            std::string::npos);
}

TEST(Printer, PrintInstructionHasNoIndentOrRoot) {
  auto module = parse_ok(
      "HloModule m\nENTRY e {\n  x = f32[2] parameter(0)\n"
      "  ROOT y = f32[2] add(x, x), metadata={op_name=\"y\"}\n}\n");
  ASSERT_TRUE(module);
  EXPECT_EQ(print_instruction(*module->entry()->root()),
            "%y = f32[2] add(%x, %x), metadata={op_name=\"y\"}");
}

TEST(Printer, StructureNamesInstructionsByPosition) {
  auto module = parse_ok(R"(HloModule m
first {
  a = f32[2] parameter(0)
  k = f32[] constant(3)
  kb = f32[2] broadcast(k), dimensions={}
  ROOT s = f32[2] add(a, kb), metadata={op_name="layer1"}
}
second {
  p.7 = f32[2] parameter(0)
  c = f32[] constant(3)
  cb = f32[2] broadcast(c), dimensions={}
  ROOT sum = f32[2] add(p.7, cb), metadata={op_name="layer2"}
}
other_constant {
  a = f32[2] parameter(0)
  k = f32[] constant(4)
  kb = f32[2] broadcast(k), dimensions={}
  ROOT s = f32[2] add(a, kb)
}
swapped_operands {
  a = f32[2] parameter(0)
  k = f32[] constant(3)
  kb = f32[2] broadcast(k), dimensions={}
  ROOT s = f32[2] add(kb, a)
}
ENTRY main {
  x = f32[2] parameter(0)
  ROOT y = f32[2] call(x), to_apply=first
}
)");
  ASSERT_TRUE(module);
  const auto structure = [&](std::string_view name) {
    for (const auto& computation : module->computations()) {
      if (computation->name() == name) return print_structure(*computation);
    }
    ADD_FAILURE() << "no computation " << name;
    return std::string();
  };
  EXPECT_EQ(structure("first"),
            "%0 = f32[2] parameter(0)\n%1 = f32[] constant(3)\n"
            "%2 = f32[2] broadcast(%1), dimensions={}\nROOT %3 = f32[2] add(%0, %2)\n");
  EXPECT_EQ(structure("second"), structure("first"));
  EXPECT_NE(structure("other_constant"), structure("first"));
  EXPECT_NE(structure("swapped_operands"), structure("first"));
}

TEST(Printer, CalleesComeBeforeCallersEvenWhenAddedLater) {
  auto module = parse_ok(
      "HloModule m\nadd {\n  a = f32[] parameter(0)\n  b = f32[] parameter(1)\n"
      "  ROOT s = f32[] add(a, b)\n}\nENTRY main {\n  x = f32[4] parameter(0)\n"
      "  z = f32[] constant(0)\n  ROOT r = f32[] reduce(x, z), dimensions={0}, to_apply=add\n}\n");
  ASSERT_TRUE(module);
  // A pass might append a new reducer after the entry; the text must still re-parse.
  auto late = std::make_unique<Computation>("late_max");
  auto a = std::make_unique<Instruction>(Op::Parameter, Shape::scalar(DType::F32), "la");
  a->set_parameter_number(0);
  auto b = std::make_unique<Instruction>(Op::Parameter, Shape::scalar(DType::F32), "lb");
  b->set_parameter_number(1);
  Instruction* pa = late->add(std::move(a));
  Instruction* pb = late->add(std::move(b));
  auto max = std::make_unique<Instruction>(Op::Maximum, Shape::scalar(DType::F32), "lm");
  max->append_operand(pa);
  max->append_operand(pb);
  late->add(std::move(max));
  Computation* added = module->add_computation(std::move(late));
  module->entry()->root()->attrs().set("to_apply", added);
  const std::string printed = print_module(*module);
  EXPECT_LT(printed.find("%late_max ("), printed.find("ENTRY %main"));
  auto reparsed = parse_ok(printed);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(print_module(*reparsed), printed);
}

TEST(Printer, WindowPrintsOnlyNonDefaultFields) {
  const std::string printed = round_trip(R"(HloModule m
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY main {
  x = f32[8,8] parameter(0)
  z = f32[] constant(0)
  w1 = f32[4,4] reduce-window(x, z), window={stride=2x2 size=2x2 pad=0_0x0_0 rhs_dilate=1x1}, to_apply=add
  w2 = f32[4,4] reduce-window(x, z), window={size=3x3 pad=1_1x0_-1 lhs_dilate=2x1 rhs_dilate=1x3 rhs_reversal=1x0}, to_apply=add
  ROOT w3 = f32[] reduce-window(z, z), window={}, to_apply=add
}
)");
  EXPECT_NE(printed.find("window={size=2x2 stride=2x2}, to_apply=%add"), std::string::npos)
      << printed;
  EXPECT_NE(
      printed.find("window={size=3x3 pad=1_1x0_-1 lhs_dilate=2x1 rhs_dilate=1x3 rhs_reversal=1x0}"),
      std::string::npos);
  EXPECT_NE(printed.find("window={}, to_apply=%add"), std::string::npos);
}

TEST(Printer, PaddingSliceDimLabelsAndLists) {
  const std::string printed = print_entry(
      "  x = f32[4,5] parameter(0)\n  z = f32[] constant(0)\n"
      "  p1 = f32[5,5] pad(x, z), padding=1_0_0x0_0_0\n  p2 = f32[5,9] pad(x, z), "
      "padding=1_0x0_0_1\n"
      "  p3 = f32[] pad(z, z), padding={}\n"
      "  s = f32[2,2] slice(x), slice={[0:2:1], [1:5:2]}\n"
      "  c = f32[1,1,1,1] convolution(x, x), window={size=1x1}, dim_labels=f01b_i01o->01bf\n"
      "  t = f32[5,4] transpose(x), dimensions={1,0}\n"
      "  ROOT cc = f32[4,5] custom-call(x), custom_call_target=\"a\\\"b\\\\c\\nd\", kind=kLoop");
  EXPECT_NE(printed.find("padding=1_0x0_0\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find("padding=1_0_0x0_0_1"), std::string::npos);
  EXPECT_NE(printed.find("padding={}"), std::string::npos);
  EXPECT_NE(printed.find("slice={[0:2], [1:5:2]}"), std::string::npos);
  EXPECT_NE(printed.find("dim_labels=f01b_i01o->01bf"), std::string::npos);
  EXPECT_NE(printed.find("dimensions={1,0}"), std::string::npos);
  EXPECT_NE(printed.find("custom_call_target=\"a\\\"b\\\\c\\nd\", kind=kLoop"), std::string::npos);
}

TEST(Printer, ComputationListsAndBools) {
  const std::string printed = round_trip(R"(HloModule m
b0 {
  a = f32[] parameter(0)
  ROOT n = f32[] negate(a)
}
b1 {
  a1 = f32[] parameter(0)
  ROOT c = f32[] copy(a1)
}
cmp {
  l = f32[] parameter(0)
  r = f32[] parameter(1)
  ROOT lt = pred[] compare(l, r), direction=LT
}
ENTRY main {
  i = s32[] parameter(0)
  x = f32[] parameter(1)
  v = f32[4] parameter(2)
  s = f32[4] sort(v), dimensions={0}, is_stable=false, to_apply=cmp
  ROOT r = f32[] conditional(i, x, x), branch_computations={b0, %b1}
}
)");
  EXPECT_NE(printed.find("branch_computations={%b0, %b1}"), std::string::npos) << printed;
  EXPECT_NE(printed.find("is_stable=false, to_apply=%cmp"), std::string::npos);
  EXPECT_NE(printed.find("direction=LT"), std::string::npos);
}

TEST(Printer, LiteralsInConstantSyntax) {
  EXPECT_EQ(literal_text("f32[2,2] {{1, 2}, {3, 4}}"), "f32[2,2] { {1, 2}, {3, 4} }");
  EXPECT_EQ(literal_text("s32[2,1,2] {{{1,2}},{{3,4}}}"), "s32[2,1,2] { { {1, 2} }, { {3, 4} } }");
  EXPECT_EQ(literal_text("s32[] -7"), "s32[] -7");
  EXPECT_EQ(literal_text("(f32[], pred[]) (1, true)"), "(f32[], pred[]) (1, true)");
  EXPECT_EQ(literal_text("c64[2] {(1, 2), (3, -4.5)}"), "c64[2] {(1, 2), (3, -4.5)}");
  EXPECT_EQ(literal_text("f32[0] {}"), "f32[0] {}");
  EXPECT_EQ(literal_text("f32[2,0] {{}, {}}"), "f32[2,0] { {}, {} }");
  EXPECT_EQ(literal_text("u64[] 18446744073709551615"), "u64[] 18446744073709551615");
  EXPECT_EQ(literal_text("s8[2] {-128, 127}"), "s8[2] {-128, 127}");
  EXPECT_EQ(literal_text("u8[1] {255}"), "u8[1] {255}");
  auto literal = parse_literal("(f32[], s32[2]) (1.5, {1, 2})");
  ASSERT_TRUE(literal.ok());
  EXPECT_EQ(print_literal_value(*literal), "(1.5, {1, 2})");
}

TEST(Printer, FloatsPrintLikeXla) {
  EXPECT_EQ(literal_text("f32[6] {1, -3, 0.5, 1e20, 0.1, -0}"),
            "f32[6] {1, -3, 0.5, 1e+20, 0.1, -0}");
  EXPECT_EQ(literal_text("f32[3] {inf, -inf, nan}"), "f32[3] {inf, -inf, nan}");
  EXPECT_EQ(literal_text("f32[2] {-nan, nan(0x1)}"), "f32[2] {-nan, nan(0x1)}");
  EXPECT_EQ(literal_text("f32[1] {16777217}"), "f32[1] {16777216}");
  EXPECT_EQ(literal_text("f32[1] {3.14159274}"), "f32[1] {3.14159274}");
  EXPECT_EQ(literal_text("f64[2] {0.1, 3.141592653589793}"), "f64[2] {0.1, 3.1415926535897931}");
  EXPECT_EQ(literal_text("f16[2] {0.1, 65504}"), "f16[2] {0.1, 6.55e+04}");
  EXPECT_EQ(literal_text("bf16[2] {1.5, 0.1}"), "bf16[2] {1.5, 0.1}");
}

// Every bit pattern that prints must read back to the same bits.
template <class T, class Bits>
void expect_exact_round_trip(std::string_view type, Bits bits) {
  Literal literal(Shape::scalar(DTypeOf<T>::value));
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    literal.data<T>()[0] = T::from_bits(static_cast<uint16_t>(bits));
  } else {
    literal.data<T>()[0] = std::bit_cast<T>(bits);
  }
  const std::string text = print_literal(literal);
  ASSERT_EQ(text.substr(0, type.size()), type);
  auto back = parse_literal(text);
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_EQ(std::memcmp(back->raw(), literal.raw(), sizeof(T)), 0) << text << " bits " << bits;
}

TEST(Printer, FloatBitsRoundTripExactly) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 5000; ++i) {
    expect_exact_round_trip<float>("f32[]", static_cast<uint32_t>(random()));
    expect_exact_round_trip<double>("f64[]", static_cast<uint64_t>(random()));
  }
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    expect_exact_round_trip<Half>("f16[]", bits);
    expect_exact_round_trip<BFloat16>("bf16[]", bits);
  }
  for (uint32_t bits : {0x00000001u, 0x007fffffu, 0x7f7fffffu, 0x80000000u, 0xff800000u}) {
    expect_exact_round_trip<float>("f32[]", bits);
  }
}

TEST(Printer, BigConstantsArePrintedInFull) {
  std::string values;
  for (int i = 0; i < 1000; ++i) values += (i > 0 ? ", " : "") + std::to_string(i);
  const std::string printed = print_entry("  ROOT c = s32[1000] constant({" + values + "})");
  EXPECT_NE(printed.find("constant({" + values + "})"), std::string::npos);
}

TEST(Printer, EveryConstantKindRoundTrips) {
  print_entry(
      "  a = pred[2] constant({true, false})\n  b = u64[] constant(18446744073709551615)\n"
      "  c = s64[] constant(-9223372036854775808)\n  d = f16[2] constant({0.1, -inf})\n"
      "  e = bf16[] constant(nan)\n  f = c128[1] constant({(1e-300, -2)})\n"
      "  g = (f32[], (s32[], pred[])) constant((1, (2, true)))\n  h = f32[2,0] constant({ {}, {} "
      "})\n"
      "  i = f64[] constant(-nan(0x123))\n  ROOT t = (pred[2], u64[]) tuple(a, b)");
}

TEST(Printer, LayoutsAndTuplesRoundTrip) {
  const std::string printed = print_entry(
      "  p = (f32[2,3]{0,1}, (s32[]{}, f32[4]{0:T(128)})) parameter(0)\n"
      "  ROOT a = f32[2,3]{0,1} get-tuple-element(p), index=0");
  EXPECT_NE(printed.find("%p = (f32[2,3]{0,1}, (s32[]{}, f32[4]{0:T(128)})) parameter(0)"),
            std::string::npos);
}

TEST(Printer, XlaDumpRoundTrips) {
  round_trip(
      R"(HloModule jit_conv, entry_computation_layout={(f32[1,8,8,3]{3,2,1,0})->f32[1,4,4,16]{3,2,1,0}}

ENTRY %main.4 (Arg_0.1: f32[1,8,8,3], Arg_1.2: f32[3,3,3,16]) -> f32[1,4,4,16] {
  %Arg_0.1 = f32[1,8,8,3]{3,2,1,0} parameter(0), metadata={op_name="x"}
  %Arg_1.2 = f32[3,3,3,16]{3,2,1,0} parameter(1)
  ROOT %convolution.3 = f32[1,4,4,16]{3,2,1,0} convolution(f32[1,8,8,3]{3,2,1,0} %Arg_0.1, f32[3,3,3,16]{3,2,1,0} %Arg_1.2), window={size=3x3 stride=2x2 pad=0_1x0_1}, dim_labels=b01f_01io->b01f, operand_precision={highest,highest}, metadata={op_type="conv_general_dilated" op_name="jit(f)/conv_general_dilated" source_file="x.py" source_line=7}
}
)");
}

}  // namespace
}  // namespace hlocc::ir
