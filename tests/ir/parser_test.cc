// The HLO text parser: every syntax feature, read into the IR and checked field by field.
#include "ir/parser.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "ir/printer.h"

namespace hlocc::ir {
namespace {

std::unique_ptr<Module> parse_ok(std::string_view text) {
  auto module = parse_module(text, "test.hlo");
  EXPECT_TRUE(module.ok()) << module.error().message() << "\n" << text;
  return module.ok() ? std::move(*module) : nullptr;
}

// A module whose entry computation is `body` (instruction lines).
std::unique_ptr<Module> parse_entry(std::string_view body) {
  return parse_ok("HloModule m\nENTRY main {\n" + std::string(body) + "\n}\n");
}

const Instruction& find(const Module& module, std::string_view name) {
  for (const auto& computation : module.computations()) {
    if (const Instruction* inst = computation->find(name)) return *inst;
  }
  ADD_FAILURE() << "no instruction " << name;
  return *module.entry()->root();
}

Literal literal_ok(std::string_view text) {
  auto literal = parse_literal(text);
  EXPECT_TRUE(literal.ok()) << literal.error().message() << "\n" << text;
  return literal.ok() ? std::move(*literal) : Literal();
}

Shape shape_ok(std::string_view text) {
  auto shape = parse_shape(text);
  EXPECT_TRUE(shape.ok()) << shape.error().message() << "\n" << text;
  return shape.ok() ? *shape : Shape();
}

// ---- module structure ----

TEST(Parser, MinimalModule) {
  auto module = parse_ok(
      "HloModule add_one\nENTRY main {\n  x = f32[3] parameter(0)\n"
      "  one = f32[3] constant({1, 1, 1})\n  ROOT y = f32[3] add(x, one)\n}\n");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->name(), "add_one");
  ASSERT_EQ(module->computations().size(), 1u);
  const Computation* entry = module->entry();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->name(), "main");
  EXPECT_EQ(entry->instruction_count(), 3);
  EXPECT_EQ(entry->root()->name(), "y");
  EXPECT_EQ(entry->root()->op(), Op::Add);
  EXPECT_EQ(entry->root()->operand(0)->name(), "x");
  EXPECT_EQ(entry->root()->operand(1)->name(), "one");
  EXPECT_EQ(entry->parameter_count(), 1);
  EXPECT_EQ(entry->parameter(0)->parameter_number(), 0);
  EXPECT_EQ(entry->root()->shape(), Shape::array(DType::F32, {3}));
}

TEST(Parser, HeaderAttributesAreKeptVerbatim) {
  auto module = parse_ok(
      "HloModule jit_f.1, is_scheduled=true, entry_computation_layout={(f32[2]{0}, "
      "s32[])->f32[2]{0}}, "
      "frontend_attributes={a=\"x,y\"}\nENTRY e {\n  ROOT p = f32[2] parameter(0)\n}\n");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->name(), "jit_f.1");
  const auto& attrs = module->header_attributes();
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs[0], (std::pair<std::string, std::string>{"is_scheduled", "true"}));
  EXPECT_EQ(attrs[1].first, "entry_computation_layout");
  EXPECT_EQ(attrs[1].second, "{(f32[2]{0}, s32[])->f32[2]{0}}");
  EXPECT_EQ(attrs[2].second, "{a=\"x,y\"}");
}

TEST(Parser, EntryMarkerAndSignatures) {
  auto module = parse_ok(R"(HloModule m
%add (x: f32[], y: f32[]) -> f32[] {
  %x = f32[] parameter(0)
  %y = f32[] parameter(1)
  ROOT %s = f32[] add(%x, %y)
}
ENTRY %main (p: f32[4]{0}, q: (f32[], s32[2])) -> f32[] {
  %p = f32[4]{0} parameter(0)
  %q = (f32[], s32[2]) parameter(1)
  %z = f32[] constant(0)
  ROOT %r = f32[] reduce(%p, %z), dimensions={0}, to_apply=%add
}
other {
  ROOT c = f32[] constant(1)
}
)");
  ASSERT_TRUE(module);
  ASSERT_EQ(module->computations().size(), 3u);
  EXPECT_EQ(module->entry()->name(), "main");
  EXPECT_EQ(module->computations()[0]->name(), "add");
  EXPECT_EQ(module->computations()[2]->name(), "other");
}

TEST(Parser, WithoutEntryMarkerTheLastComputationIsTheEntry) {
  auto module = parse_ok(
      "HloModule m\nfirst {\n  ROOT a = f32[] constant(1)\n}\n"
      "second {\n  ROOT b = f32[] constant(2)\n}\n");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->entry()->name(), "second");
}

TEST(Parser, RootDefaultsToTheLastInstructionAndMayComeEarlier) {
  auto last = parse_entry("  a = f32[] constant(1)\n  b = f32[] negate(a)");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->entry()->root()->name(), "b");
  auto early = parse_entry("  ROOT a = f32[] constant(1)\n  b = f32[] negate(a)");
  ASSERT_TRUE(early);
  EXPECT_EQ(early->entry()->root()->name(), "a");
}

TEST(Parser, NamesWithAndWithoutSigils) {
  auto module = parse_entry(
      "  %x.1 = f32[] parameter(0)\n  get-tuple-element.2 = f32[] negate(x.1)\n"
      "  ROOT %r = f32[] add(%get-tuple-element.2, x.1)");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->entry()->root()->operand(0)->name(), "get-tuple-element.2");
  EXPECT_EQ(module->entry()->root()->operand(1)->name(), "x.1");
}

TEST(Parser, OperandShapesAreAcceptedWhenTheyMatch) {
  auto module = parse_entry(
      "  t = (f32[2]{0}, s32[]) parameter(0)\n"
      "  a = f32[2]{0} get-tuple-element((f32[2]{0}, s32[]) %t), index=0\n"
      "  ROOT b = f32[2]{0} add(f32[2]{0} %a, f32[2] a)");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->entry()->root()->operand_count(), 2);
}

TEST(Parser, CommentsAreSkippedAnywhere) {
  auto module = parse_ok(
      "// leading comment\nHloModule m /* inline */\nENTRY main { // trailing\n"
      "  a = f32[] /* in a shape's place? no: before it */ constant(1)\n"
      "  ROOT t = (f32[], f32[]) tuple(a, /*index=1*/a) // end\n}\n// after\n");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->entry()->root()->operand_count(), 2);
}

TEST(Parser, SourceLocationsPointAtInstructionNames) {
  auto module = parse_module(
      "HloModule m\nENTRY main {\n  x = f32[] parameter(0)\n  ROOT %y = f32[] negate(x)\n}\n",
      "model.hlo");
  ASSERT_TRUE(module.ok());
  const auto& x = (*module)->entry()->instructions()[0]->location();
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->to_string(), "model.hlo:3:3");
  EXPECT_EQ((*module)->entry()->root()->location()->to_string(), "model.hlo:4:8");
}

TEST(Parser, ParserDoesNotVerify) {
  // Wrong shapes are the verifier's business, not the parser's.
  auto module = parse_entry("  a = f32[2] parameter(0)\n  ROOT b = s32[7,7] add(a, a)");
  ASSERT_TRUE(module);
}

// ---- shapes ----

TEST(ParserShapes, AllElementTypes) {
  for (const char* name : {"pred", "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64", "f16",
                           "bf16", "f32", "f64", "c64", "c128"}) {
    const Shape shape = shape_ok(std::string(name) + "[2,3]");
    EXPECT_EQ(dtype_name(shape.dtype()), name);
    EXPECT_EQ(shape.dims(), (std::vector<int64_t>{2, 3}));
  }
  EXPECT_TRUE(shape_ok("token[]").is_token());
  EXPECT_TRUE(shape_ok("f32[]").is_scalar());
  EXPECT_EQ(shape_ok("f32[0,5]").element_count(), 0);
}

TEST(ParserShapes, TuplesNestAndMayBeEmpty) {
  const Shape shape = shape_ok("(f32[], (s32[4], pred[]), ())");
  ASSERT_TRUE(shape.is_tuple());
  ASSERT_EQ(shape.tuple_size(), 3);
  EXPECT_EQ(shape.tuple_shape(1).tuple_shape(0), Shape::array(DType::S32, {4}));
  EXPECT_EQ(shape.tuple_shape(2).tuple_size(), 0);
}

TEST(ParserShapes, LayoutsAndTheirTails) {
  const Shape plain = shape_ok("f32[2,3]{0,1}");
  ASSERT_TRUE(plain.layout().has_value());
  EXPECT_EQ(plain.layout()->minor_to_major, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(plain.layout()->tail, "");
  const Shape tiled = shape_ok("f32[8,128]{1,0:T(8,128)S(1)}");
  EXPECT_EQ(tiled.layout()->tail, "T(8,128)S(1)");
  EXPECT_EQ(tiled.to_string(), "f32[8,128]{1,0:T(8,128)S(1)}");
  EXPECT_TRUE(shape_ok("f32[]{}").layout().has_value());
  EXPECT_FALSE(shape_ok("f32[2]").layout().has_value());
}

// ---- constants and literals ----

TEST(ParserLiterals, ScalarsOfEveryKind) {
  EXPECT_EQ(literal_ok("s32[] -7"), Literal::scalar<int32_t>(-7));
  EXPECT_EQ(literal_ok("pred[] true"), Literal::scalar(true));
  EXPECT_EQ(literal_ok("pred[] false"), Literal::scalar(false));
  EXPECT_EQ(literal_ok("u64[] 18446744073709551615"),
            Literal::scalar(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(literal_ok("s64[] -9223372036854775808"),
            Literal::scalar(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(literal_ok("u8[] 255"), Literal::scalar<uint8_t>(255));
  EXPECT_EQ(literal_ok("f32[] 1.5e3"), Literal::scalar(1500.0f));
  EXPECT_EQ(literal_ok("f64[] -2.5E-3"), Literal::scalar(-2.5e-3));
  EXPECT_EQ(literal_ok("f32[] 3"), Literal::scalar(3.0f));
  EXPECT_EQ(literal_ok("f32[] .5"), Literal::scalar(0.5f));
  EXPECT_EQ(literal_ok("f32[] {2}"), Literal::scalar(2.0f));  // braces around a scalar are allowed
  EXPECT_EQ(literal_ok("c64[] (1, -2)"), Literal::scalar(std::complex<float>(1, -2)));
  EXPECT_EQ(literal_ok("c128[] (0.5, inf)"), Literal::scalar(std::complex<double>(0.5, INFINITY)));
}

TEST(ParserLiterals, OutOfRangeDecimalsSaturateAsInXla) {
  EXPECT_EQ(literal_ok("f32[4] {1e999, -1e39, 1e-999, 4e-50}"),
            Literal::from_vector<float>({4}, {INFINITY, -INFINITY, 0, 0}));
  EXPECT_TRUE(std::signbit(literal_ok("f64[] -1e-999").data<double>()[0]));
  EXPECT_EQ(literal_ok("f16[] 1e10").data<Half>()[0].bits(), 0x7c00u);
}

TEST(ParserLiterals, NegativeZeroKeepsItsSign) {
  const Literal zero = literal_ok("f32[] -0");
  EXPECT_TRUE(std::signbit(zero.data<float>()[0]));
}

TEST(ParserLiterals, InfinitiesAndNans) {
  const Literal values = literal_ok("f32[4] {inf, -inf, nan, -nan}");
  const auto data = values.data<float>();
  EXPECT_EQ(data[0], INFINITY);
  EXPECT_EQ(data[1], -INFINITY);
  EXPECT_TRUE(std::isnan(data[2]) && !std::signbit(data[2]));
  EXPECT_TRUE(std::isnan(data[3]) && std::signbit(data[3]));
  EXPECT_EQ(std::bit_cast<uint32_t>(data[2]), 0x7fc00000u);  // XLA's default quiet NaN
}

TEST(ParserLiterals, NanPayloads) {
  EXPECT_EQ(std::bit_cast<uint32_t>(literal_ok("f32[] nan(0x1)").data<float>()[0]), 0x7f800001u);
  EXPECT_EQ(std::bit_cast<uint64_t>(literal_ok("f64[] -nan(0x5)").data<double>()[0]),
            0xfff0000000000005u);
  EXPECT_EQ(literal_ok("bf16[] nan(0x3)").data<BFloat16>()[0].bits(), 0x7f83u);
  EXPECT_EQ(literal_ok("f16[] nan").data<Half>()[0].bits(), 0x7e00u);
}

TEST(ParserLiterals, HalfTypesGoThroughFloat) {
  const Literal half = literal_ok("f16[3] {0.1, 65504, -2}");
  EXPECT_EQ(half.data<Half>()[0].bits(), Half(0.1f).bits());
  EXPECT_EQ(static_cast<float>(half.data<Half>()[1]), 65504.0f);
  const Literal bf = literal_ok("bf16[2] {1.5, -3}");
  EXPECT_EQ(static_cast<float>(bf.data<BFloat16>()[0]), 1.5f);
}

TEST(ParserLiterals, NestedArraysAreRowMajor) {
  EXPECT_EQ(literal_ok("f32[2,2] {{1, 2}, {3, 4}}"),
            Literal::from_vector<float>({2, 2}, {1, 2, 3, 4}));
  EXPECT_EQ(literal_ok("s32[2,1,3] { { {1, 2, 3} }, { {4, 5, 6} } }"),
            Literal::from_vector<int32_t>({2, 1, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(literal_ok("pred[3] {true, false, 1}"),
            Literal::from_vector<bool>({3}, {true, false, true}));
}

TEST(ParserLiterals, EmptyDimensions) {
  EXPECT_EQ(literal_ok("f32[0] {}").element_count(), 0);
  EXPECT_EQ(literal_ok("f32[2,0] { {}, {} }").shape().dims(), (std::vector<int64_t>{2, 0}));
}

TEST(ParserLiterals, TuplesWithAndWithoutElementShapes) {
  const Literal plain = literal_ok("(f32[], pred[]) (1, true)");
  ASSERT_TRUE(plain.shape().is_tuple());
  EXPECT_EQ(plain.element(0), Literal::scalar(1.0f));
  EXPECT_EQ(plain.element(1), Literal::scalar(true));
  EXPECT_EQ(
      literal_ok("(f32[], (s32[2], pred[])) (f32[] 1, ({3, 4}, false))").element(1).element(0),
      Literal::from_vector<int32_t>({2}, {3, 4}));
  EXPECT_EQ(literal_ok("() ()").shape().tuple_size(), 0);
}

TEST(ParserLiterals, ComplexArrays) {
  EXPECT_EQ(literal_ok("c64[2] {(1, 2), (3, 4)}"),
            Literal::from_vector<std::complex<float>>({2}, {{1, 2}, {3, 4}}));
}

TEST(ParserLiterals, AdjacentLayoutBelongsToTheShape) {
  const Literal literal = literal_ok("f32[2]{0} {1, 2}");
  EXPECT_EQ(literal, Literal::from_vector<float>({2}, {1, 2}));
}

TEST(ParserLiterals, ConstantInstructions) {
  auto module = parse_entry(
      "  a = u64[] constant(18446744073709551615)\n  b = pred[2] constant({true, false})\n"
      "  c = (f32[], s32[]) constant((1.5, -2))\n  d = f32[2,2]{0,1} constant({ {1, 2}, {3, 4} })\n"
      "  ROOT e = c128[] constant((1, -1))");
  ASSERT_TRUE(module);
  EXPECT_EQ(find(*module, "a").literal(), Literal::scalar(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(find(*module, "c").literal().element(1), Literal::scalar<int32_t>(-2));
  // The literal is row-major whatever the layout says.
  EXPECT_EQ(find(*module, "d").literal(), Literal::from_vector<float>({2, 2}, {1, 2, 3, 4}));
  EXPECT_EQ(find(*module, "e").literal(), Literal::scalar(std::complex<double>(1, -1)));
}

// ---- attributes ----

TEST(ParserAttributes, TypedValues) {
  auto module = parse_ok(R"(HloModule m
cmp {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT lt = pred[] compare(a, b), direction=LT, type=TOTALORDER
}
ENTRY main {
  x = f32[4,3] parameter(0)
  i = s32[4] iota(), iota_dimension=0
  t = f32[3,4] transpose(x), dimensions={1,0}
  e = f32[4,3] transpose(x), dimensions={}
  s = f32[4,3] sort(x), dimensions={0}, is_stable=true, to_apply=cmp
  ROOT cc = f32[4,3] custom-call(x), custom_call_target="my\"target\n\x41\101"
}
)");
  ASSERT_TRUE(module);
  EXPECT_EQ(*find(*module, "i").attrs().get<int64_t>("iota_dimension"), 0);
  EXPECT_EQ(*find(*module, "t").attrs().get<std::vector<int64_t>>("dimensions"),
            (std::vector<int64_t>{1, 0}));
  EXPECT_TRUE(find(*module, "e").attrs().get<std::vector<int64_t>>("dimensions")->empty());
  EXPECT_EQ(*find(*module, "lt").attrs().get<std::string>("direction"), "LT");
  EXPECT_EQ(*find(*module, "lt").attrs().get<std::string>("type"), "TOTALORDER");
  EXPECT_TRUE(*find(*module, "s").attrs().get<bool>("is_stable"));
  EXPECT_EQ(*find(*module, "s").attrs().get<Computation*>("to_apply"),
            module->computations()[0].get());
  EXPECT_EQ(*find(*module, "cc").attrs().get<std::string>("custom_call_target"), "my\"target\nAA");
}

TEST(ParserAttributes, WindowFieldsInAnyOrderAndSubset) {
  auto module = parse_ok(R"(HloModule m
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY main {
  x = f32[8,8] parameter(0)
  z = f32[] constant(0)
  w1 = f32[4,4] reduce-window(x, z), window={rhs_reversal=0x1 pad=1_1x0_-1 size=3x2 stride=2x2 lhs_dilate=1x2 rhs_dilate=2x1}, to_apply=add
  w2 = f32[8] reduce-window(x, z), window={size=3}, to_apply=add
  ROOT w3 = f32[] reduce-window(z, z), window={}, to_apply=add
}
)");
  ASSERT_TRUE(module);
  const Window& w1 = *find(*module, "w1").attrs().get<Window>("window");
  ASSERT_EQ(w1.dims.size(), 2u);
  EXPECT_EQ(w1.dims[0], (WindowDim{.size = 3,
                                   .stride = 2,
                                   .pad_low = 1,
                                   .pad_high = 1,
                                   .lhs_dilation = 1,
                                   .rhs_dilation = 2,
                                   .reversal = false}));
  EXPECT_EQ(w1.dims[1], (WindowDim{.size = 2,
                                   .stride = 2,
                                   .pad_low = 0,
                                   .pad_high = -1,
                                   .lhs_dilation = 2,
                                   .rhs_dilation = 1,
                                   .reversal = true}));
  const Window& w2 = *find(*module, "w2").attrs().get<Window>("window");
  ASSERT_EQ(w2.dims.size(), 1u);
  EXPECT_EQ(w2.dims[0].size, 3);
  EXPECT_EQ(w2.dims[0].stride, 1);
  EXPECT_TRUE(find(*module, "w3").attrs().get<Window>("window")->dims.empty());
}

TEST(ParserAttributes, PaddingAndSlice) {
  auto module = parse_entry(
      "  x = f32[4,5] parameter(0)\n  z = f32[] constant(0)\n"
      "  p = f32[5,9] pad(x, z), padding=0_1x-1_2_1\n  q = f32[6] pad(z, z), padding={}\n"
      "  ROOT s = f32[2,2] slice(x), slice={[0:2], [1:5:2]}");
  ASSERT_TRUE(module);
  const PaddingConfig& padding = *find(*module, "p").attrs().get<PaddingConfig>("padding");
  ASSERT_EQ(padding.dims.size(), 2u);
  EXPECT_EQ(padding.dims[0], (PadDim{0, 1, 0}));
  EXPECT_EQ(padding.dims[1], (PadDim{-1, 2, 1}));
  EXPECT_TRUE(find(*module, "q").attrs().get<PaddingConfig>("padding")->dims.empty());
  const SliceConfig& slice = *find(*module, "s").attrs().get<SliceConfig>("slice");
  ASSERT_EQ(slice.dims.size(), 2u);
  EXPECT_EQ(slice.dims[0], (SliceDim{0, 2, 1}));
  EXPECT_EQ(slice.dims[1], (SliceDim{1, 5, 2}));
}

ConvDimLabels labels_of(std::string_view labels) {
  auto module = parse_entry(
      "  x = f32[1,1,1,1,1] parameter(0)\n  ROOT c = f32[1] convolution(x, x), dim_labels=" +
      std::string(labels));
  if (!module) return {};
  return *module->entry()->root()->attrs().get<ConvDimLabels>("dim_labels");
}

TEST(ParserAttributes, ConvolutionDimLabels) {
  const ConvDimLabels two_d = labels_of("b01f_01io->b01f");
  EXPECT_EQ(two_d.input_batch, 0);
  EXPECT_EQ(two_d.input_feature, 3);
  EXPECT_EQ(two_d.input_spatial, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(two_d.kernel_input_feature, 2);
  EXPECT_EQ(two_d.kernel_output_feature, 3);
  EXPECT_EQ(two_d.kernel_spatial, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(two_d.output_feature, 3);
  const ConvDimLabels permuted = labels_of("f10b_o10i->1bf0");
  EXPECT_EQ(permuted.input_feature, 0);
  EXPECT_EQ(permuted.input_batch, 3);
  EXPECT_EQ(permuted.input_spatial, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(permuted.kernel_output_feature, 0);
  EXPECT_EQ(permuted.output_spatial, (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(labels_of("bf0_oi0->bf0").input_spatial, (std::vector<int64_t>{2}));
  EXPECT_EQ(labels_of("b012f_012io->b012f").output_spatial, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE(labels_of("bf_io->bf").input_spatial.empty());
}

TEST(ParserAttributes, ComputationsAndComputationLists) {
  auto module = parse_ok(R"(HloModule m
%neg (a: f32[]) -> f32[] {
  %a = f32[] parameter(0)
  ROOT %n = f32[] negate(%a)
}
id {
  b = f32[] parameter(0)
  ROOT c = f32[] copy(b)
}
ENTRY main {
  i = s32[] parameter(0)
  x = f32[] parameter(1)
  ROOT r = f32[] conditional(i, x, x), branch_computations={%neg, id}
}
)");
  ASSERT_TRUE(module);
  const auto& list =
      *module->entry()->root()->attrs().get<std::vector<Computation*>>("branch_computations");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]->name(), "neg");
  EXPECT_EQ(list[1]->name(), "id");
  EXPECT_EQ(module->entry()->root()->called_computations().size(), 2u);
}

TEST(ParserAttributes, UnknownAttributesKeepTheirExactText) {
  auto module = parse_entry(
      "  x = f32[2] parameter(0)\n"
      "  ROOT y = f32[2] custom-call(x), custom_call_target=\"f\", metadata={op_name=\"a{b\" "
      "source_line=3}, "
      "backend_config=\"{\\\"k\\\": 1}\", sharding={devices=[2,1]0,1}, "
      "api_version=API_VERSION_TYPED_FFI, "
      "frontend_attributes={_xla=\"x\"}, operand_precision={highest,default}, "
      "custom_call_has_side_effect=true, "
      "output_to_operand_aliasing={{}: (0, {})}, control-predecessors={%x}, "
      "backend_config2={\"a\":[1,{}]}");
  ASSERT_TRUE(module);
  const Attributes& attrs = module->entry()->root()->attrs();
  auto raw = [&](std::string_view name) {
    const RawAttr* value = attrs.get<RawAttr>(name);
    return value ? value->text : std::string("<missing>");
  };
  EXPECT_EQ(raw("metadata"), "{op_name=\"a{b\" source_line=3}");
  EXPECT_EQ(raw("backend_config"), "\"{\\\"k\\\": 1}\"");
  EXPECT_EQ(raw("sharding"), "{devices=[2,1]0,1}");
  EXPECT_EQ(raw("api_version"), "API_VERSION_TYPED_FFI");
  EXPECT_EQ(raw("frontend_attributes"), "{_xla=\"x\"}");
  EXPECT_EQ(raw("operand_precision"), "{highest,default}");
  EXPECT_EQ(raw("custom_call_has_side_effect"), "true");
  EXPECT_EQ(raw("output_to_operand_aliasing"), "{{}: (0, {})}");
  EXPECT_EQ(raw("control-predecessors"), "{%x}");
  EXPECT_EQ(raw("backend_config2"), "{\"a\":[1,{}]}");
  // Attribute order is kept.
  EXPECT_EQ(attrs.items()[0].first, "custom_call_target");
  EXPECT_EQ(attrs.items()[1].first, "metadata");
}

TEST(ParserAttributes, MultiLineRawValue) {
  auto module =
      parse_entry("  ROOT x = f32[] constant(1), metadata={op_name=\"a\"\n    source_line=3}");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->entry()->root()->attrs().get<RawAttr>("metadata")->text,
            "{op_name=\"a\"\n    source_line=3}");
}

// ---- a module in the style XLA dumps ----

constexpr const char* kXlaDump =
    R"(HloModule jit_f, is_scheduled=true, entry_computation_layout={(f32[8,16]{1,0}, f32[16]{0})->(f32[8]{0}, s32[])}, allow_spmd_sharding_propagation_to_output={true}

%region_0.4 (Arg_0.5: f32[], Arg_1.6: f32[]) -> f32[] {
  %Arg_0.5 = f32[] parameter(0), metadata={op_name="jit(f)/reduce_sum"}
  %Arg_1.6 = f32[] parameter(1), metadata={op_name="jit(f)/reduce_sum"}
  ROOT %add.7 = f32[] add(f32[] %Arg_0.5, f32[] %Arg_1.6), metadata={op_name="jit(f)/reduce_sum" source_file="/tmp/x.py" source_line=4}
}

%fused_computation (param_0.1: f32[8,16], param_1.2: f32[16]) -> f32[8,16] {
  %param_0.1 = f32[8,16]{1,0} parameter(0)
  %param_1.2 = f32[16]{0} parameter(1)
  %broadcast.1 = f32[8,16]{1,0} broadcast(f32[16]{0} %param_1.2), dimensions={1}
  ROOT %multiply.1 = f32[8,16]{1,0} multiply(f32[8,16]{1,0} %param_0.1, f32[8,16]{1,0} %broadcast.1)
}

ENTRY %main.10 (Arg_0.1: f32[8,16], Arg_1.2: f32[16]) -> (f32[8], s32[]) {
  %Arg_0.1 = f32[8,16]{1,0} parameter(0), sharding={replicated}, metadata={op_name="x"}
  %Arg_1.2 = f32[16]{0:T(128)S(1)} parameter(1)
  %fusion = f32[8,16]{1,0} fusion(f32[8,16]{1,0} %Arg_0.1, f32[16]{0:T(128)S(1)} %Arg_1.2), kind=kLoop, calls=%fused_computation, backend_config={"outer_dimension_partitions":["2"]}
  %constant.3 = f32[] constant(0)
  %reduce.8 = f32[8]{0} reduce(f32[8,16]{1,0} %fusion, f32[] %constant.3), dimensions={1}, to_apply=%region_0.4, metadata={op_name="jit(f)/reduce_sum" source_file="/tmp/x.py" source_line=4}
  %constant.9 = s32[] constant(42)
  %custom-call = f32[8]{0} custom-call(f32[8]{0} %reduce.8), custom_call_target="Sharding", custom_call_has_side_effect=true, api_version=API_VERSION_STATUS_RETURNING, frontend_attributes={_xla_compute_type="host"}, output_to_operand_aliasing={{}: (0, {})}
  %copy = f32[8]{0} copy(%custom-call), control-predecessors={%constant.9}
  ROOT %tuple = (f32[8]{0}, s32[]) tuple(f32[8]{0} %copy, /*index=1*/s32[] %constant.9)
}
)";

TEST(Parser, ModuleInXlaDumpStyle) {
  auto module = parse_ok(kXlaDump);
  ASSERT_TRUE(module);
  EXPECT_EQ(module->entry()->name(), "main.10");
  EXPECT_EQ(module->header_attributes().size(), 3u);
  const Instruction& fusion = find(*module, "fusion");
  EXPECT_EQ(*fusion.attrs().get<std::string>("kind"), "kLoop");
  EXPECT_EQ((*fusion.attrs().get<Computation*>("calls"))->name(), "fused_computation");
  EXPECT_EQ(fusion.operand(1)->shape().layout()->tail, "T(128)S(1)");
  EXPECT_EQ(find(*module, "Arg_0.1").attrs().get<RawAttr>("sharding")->text, "{replicated}");
  EXPECT_EQ(module->entry()->root()->operand(1)->name(), "constant.9");
  // Printed back, the text parses again and prints the same.
  const std::string printed = print_module(*module);
  auto reparsed = parse_ok(printed);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(print_module(*reparsed), printed);
  EXPECT_NE(printed.find(
                "metadata={op_name=\"jit(f)/reduce_sum\" source_file=\"/tmp/x.py\" source_line=4}"),
            std::string::npos);
}

}  // namespace
}  // namespace hlocc::ir
