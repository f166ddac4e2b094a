// Every elemental rule of the data-movement, reduction and contraction ops, run element by
// element through the ElementalInterpreter and compared with the reference evaluator exactly
// (same order of float ops), on hand-written edge cases and on the golden corpus.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <filesystem>
#include <iostream>
#include <map>

#include "backends/reference/evaluator.h"
#include "golden/golden_files.h"
#include "ir/elemental_interpreter.h"
#include "ir/op_rules.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "test_helpers.h"

namespace hlocc::testing {
namespace {

using ir::Literal;

// Deterministic arguments for a parameter: floats in [-1, 1), integers in [-4, 12) (unsigned:
// [0, 16)) so that index operands reach past both ends of small dims, pred alternating.
Literal make_argument(const ir::Shape& shape, uint64_t seed) {
  if (shape.is_tuple()) {
    std::vector<Literal> elements;
    for (const ir::Shape& element : shape.tuple_shapes()) {
      elements.push_back(make_argument(element, ++seed));
    }
    return Literal::tuple(std::move(elements));
  }
  Literal values = random_f32(shape.dims(), seed);
  Literal result(shape);
  ir::dispatch_dtype(shape.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const std::span<const float> source = values.data<float>();
    const std::span<T> target = result.data<T>();
    for (size_t i = 0; i < target.size(); ++i) {
      const float x = source[i];
      if constexpr (std::is_same_v<T, bool>) {
        target[i] = x > 0;
      } else if constexpr (std::is_integral_v<T>) {
        target[i] = static_cast<T>(std::floor(x * 8 + (std::is_signed_v<T> ? 4 : 8)));
      } else if constexpr (std::is_same_v<T, std::complex<float>> ||
                           std::is_same_v<T, std::complex<double>>) {
        target[i] = T(x, source[(i + 1) % source.size()]);
      } else {
        target[i] = T(x);
      }
    }
  });
  return result;
}

std::vector<Literal> make_arguments(const ir::Module& module) {
  std::vector<Literal> args;
  for (const ir::Shape& shape : module.entry()->parameter_shapes()) {
    args.push_back(make_argument(shape, 17 + args.size()));
  }
  return args;
}

// Whether `rule` is ir::lowered_by_backend(): every copy of it holds the one lambda type.
bool lowered_whole(const ir::ElementalRule& rule) {
  return rule.target_type() == ir::lowered_by_backend().target_type();
}

// Whether every instruction has an elemental rule (ops lowered whole are not run here), apart from
// parameters, constants, tuples and get-tuple-element, which run_elementally handles itself.
bool runs_elementally(const ir::Computation& computation) {
  for (const auto& inst : computation.instructions()) {
    const ir::Op op = inst->op();
    const bool structural = op == ir::Op::Parameter || op == ir::Op::Constant ||
                            op == ir::Op::Tuple || op == ir::Op::GetTupleElement;
    if (structural) continue;
    const ir::ElementalRule& rule = ir::op_rules(op).elemental;
    if (!rule || lowered_whole(rule)) return false;
    // Elemental rules produce arrays; only reduce and reduce-window group several in a tuple.
    const bool tuple_of_arrays = op == ir::Op::Reduce || op == ir::Op::ReduceWindow;
    if (inst->shape().is_tuple() && !tuple_of_arrays) return false;
  }
  return true;
}

// The entry computation with every array-producing instruction computed by its elemental rule.
Result<Literal> run_elementally(const ir::Module& module, std::span<const Literal> args) {
  std::map<const ir::Instruction*, Literal> values;
  for (const auto& inst : module.entry()->instructions()) {
    std::vector<const Literal*> operands;
    for (const ir::Instruction* operand : inst->operands()) operands.push_back(&values[operand]);
    switch (inst->op()) {
      case ir::Op::Parameter:
        values[inst.get()] = args[static_cast<size_t>(inst->parameter_number())];
        break;
      case ir::Op::Constant:
        values[inst.get()] = inst->literal();
        break;
      case ir::Op::Tuple: {
        std::vector<Literal> elements;
        for (const Literal* operand : operands) elements.push_back(*operand);
        values[inst.get()] = Literal::tuple(std::move(elements));
        break;
      }
      case ir::Op::GetTupleElement:
        values[inst.get()] = operands[0]->element(*inst->attrs().get<int64_t>("index"));
        break;
      default: {
        HLOCC_TRY(Literal value, evaluate_elementally(*inst, operands));
        values[inst.get()] = std::move(value);
      }
    }
  }
  return values[module.entry()->root()];
}

// The elemental result must equal the evaluator's (NaN matches NaN; otherwise exact).
void expect_same_as_evaluator(const ir::Module& module, std::span<const Literal> args) {
  Result<Literal> expected = reference::evaluate(module, args);
  ASSERT_TRUE(expected.ok()) << expected.error().message();
  Result<Literal> actual = run_elementally(module, args);
  ASSERT_TRUE(actual.ok()) << actual.error().message();
  const std::string diff = compare_literals(*expected, *actual, Tolerance{0, 0});
  EXPECT_TRUE(diff.empty()) << module.name() << ": " << diff;
}

void check_module(std::string_view text) {
  std::unique_ptr<ir::Module> module = parse_and_verify(text);
  ASSERT_TRUE(module);
  expect_same_as_evaluator(*module, make_arguments(*module));
}

// Scalar computations the cases below call.
constexpr std::string_view kComputations = R"(
add_f32 {
  add_f32.a = f32[] parameter(0)
  add_f32.b = f32[] parameter(1)
  ROOT add_f32.r = f32[] add(add_f32.a, add_f32.b)
}
add_f16 {
  add_f16.a = f16[] parameter(0)
  add_f16.b = f16[] parameter(1)
  ROOT add_f16.r = f16[] add(add_f16.a, add_f16.b)
}
add_s32 {
  add_s32.a = s32[] parameter(0)
  add_s32.b = s32[] parameter(1)
  ROOT add_s32.r = s32[] add(add_s32.a, add_s32.b)
}
max_f32 {
  max_f32.a = f32[] parameter(0)
  max_f32.b = f32[] parameter(1)
  ROOT max_f32.r = f32[] maximum(max_f32.a, max_f32.b)
}
ge_f32 {
  ge_f32.a = f32[] parameter(0)
  ge_f32.b = f32[] parameter(1)
  ROOT ge_f32.r = pred[] compare(ge_f32.a, ge_f32.b), direction=GE
}
mul_sub_f32 {
  mul_sub_f32.a = f32[] parameter(0)
  mul_sub_f32.b = f32[] parameter(1)
  mul_sub_f32.m = f32[] multiply(mul_sub_f32.a, mul_sub_f32.b)
  ROOT mul_sub_f32.r = f32[] subtract(mul_sub_f32.m, mul_sub_f32.a)
}
argmax {
  argmax.value_acc = f32[] parameter(0)
  argmax.index_acc = s32[] parameter(1)
  argmax.value = f32[] parameter(2)
  argmax.index = s32[] parameter(3)
  argmax.greater = pred[] compare(argmax.value, argmax.value_acc), direction=GT
  argmax.new_value = f32[] select(argmax.greater, argmax.value, argmax.value_acc)
  argmax.new_index = s32[] select(argmax.greater, argmax.index, argmax.index_acc)
  ROOT argmax.r = (f32[], s32[]) tuple(argmax.new_value, argmax.new_index)
}
)";

// A module of the shared computations and an entry whose body is `body` on `params`.
void check_entry(std::string_view params, std::string_view body) {
  const std::string text = "HloModule elemental\n" + std::string(kComputations) +
                           "\nENTRY main {\n" + std::string(params) + "\n" + std::string(body) +
                           "\n}\n";
  SCOPED_TRACE(std::string(params) + "\n" + std::string(body));
  check_module(text);
}

TEST(ElementalRules, Broadcast) {
  check_entry("x = f32[3] parameter(0)", "ROOT r = f32[2,3,4] broadcast(x), dimensions={1}");
  check_entry("x = f32[4,2] parameter(0)",  // a transposing broadcast
              "ROOT r = f32[2,3,4] broadcast(x), dimensions={2,0}");
  check_entry("x = s8[] parameter(0)", "ROOT r = s8[2,2] broadcast(x), dimensions={}");
}

TEST(ElementalRules, ReshapeAndBitcast) {
  check_entry("x = f32[2,3,4] parameter(0)", "ROOT r = f32[6,1,4] reshape(x)");
  check_entry("x = s32[2,3,4] parameter(0)", "ROOT r = s32[24] reshape(x)");
  check_entry("x = f32[1] parameter(0)", "ROOT r = f32[] reshape(x)");
  check_entry("x = f32[2,3] parameter(0)", "ROOT r = f32[3,2] bitcast(x)");
  // Layouts: the bytes are read and written in each shape's physical order.
  check_entry("x = f32[2,3]{0,1} parameter(0)", "ROOT r = f32[3,2]{1,0} bitcast(x)");
  check_entry("x = f32[2,3,4]{1,2,0} parameter(0)", "ROOT r = f32[4,6]{0,1} bitcast(x)");
  check_entry("x = f32[4] parameter(0)", "ROOT r = s32[2,2] bitcast(x)");
}

TEST(ElementalRules, TransposeReverseSlice) {
  check_entry("x = f32[2,3,4] parameter(0)",
              "ROOT r = f32[4,2,3] transpose(x), dimensions={2,0,1}");
  check_entry("x = f32[5,4] parameter(0)", "ROOT r = f32[5,4] reverse(x), dimensions={0,1}");
  check_entry("x = f32[7,9] parameter(0)", "ROOT r = f32[3,3] slice(x), slice={[1:7:2], [2:9:3]}");
  // reverse then a strided slice: the slice reads the reversed order
  check_entry("x = s32[8,5] parameter(0)",
              "v = s32[8,5] reverse(x), dimensions={0}\n"
              "ROOT r = s32[3,2] slice(v), slice={[1:8:3], [0:4:2]}");
}

TEST(ElementalRules, Pad) {
  check_entry("x = f32[3,4] parameter(0)\nv = f32[] constant(-7)",
              "ROOT r = f32[6,5] pad(x, v), padding=-1_2_1x2_-1_0");
  check_entry("x = f32[5,6] parameter(0)\nv = f32[] constant(0)",
              "ROOT r = f32[2,3] pad(x, v), padding=-2_-1x-1_-2");
  check_entry("x = s32[3] parameter(0)\nv = s32[] parameter(1)",
              "ROOT r = s32[9] pad(x, v), padding=-1_1_3");
  check_entry("x = f32[0,2] parameter(0)\nv = f32[] constant(3)",
              "ROOT r = f32[2,4] pad(x, v), padding=1_1x1_1");
}

TEST(ElementalRules, ConcatenateAndIota) {
  check_entry("a = f32[2,3] parameter(0)\nb = f32[2,0] parameter(1)\nc = f32[2,4] parameter(2)",
              "ROOT r = f32[2,7] concatenate(a, b, c), dimensions={1}");
  check_entry("a = s32[1,2] parameter(0)\nb = s32[3,2] parameter(1)",
              "ROOT r = s32[4,2] concatenate(a, b), dimensions={0}");
  check_entry("", "ROOT r = s32[3,4] iota(), iota_dimension=1");
  check_entry("", "ROOT r = f16[5,2] iota(), iota_dimension=0");
  check_entry("", "ROOT r = c64[3] iota(), iota_dimension=0");
  check_entry("", "ROOT r = bf16[2,300] iota(), iota_dimension=1");
}

TEST(ElementalRules, DynamicSlices) {
  // Start indices from the generator lie in [-4, 12): most clamp at one end or the other.
  check_entry("x = f32[6,5] parameter(0)\ni = s32[] parameter(1)\nj = s32[] parameter(2)",
              "ROOT r = f32[2,3] dynamic-slice(x, i, j), dynamic_slice_sizes={2,3}");
  check_entry("x = f32[6,5] parameter(0)\ni = u8[] parameter(1)\nj = u8[] parameter(2)",
              "ROOT r = f32[4,1] dynamic-slice(x, i, j), dynamic_slice_sizes={4,1}");
  for (const char* starts : {"i = s64[] constant(-3)\nj = s64[] constant(2)",
                             "i = s64[] constant(1)\nj = s64[] constant(40)"}) {
    check_entry("x = f32[6,5] parameter(0)\nu = f32[2,3] parameter(1)\n" + std::string(starts),
                "ROOT r = f32[6,5] dynamic-update-slice(x, u, i, j)");
  }
  check_entry("x = s32[4] parameter(0)\nu = s32[4] parameter(1)\ni = u32[] parameter(2)",
              "ROOT r = s32[4] dynamic-update-slice(x, u, i)");
}

TEST(ElementalRules, Gather) {
  // Index values lie in [-4, 12): many clamp.
  check_entry("x = f32[4,5] parameter(0)\ni = s32[3,2] parameter(1)",
              "ROOT r = f32[3,2,2] gather(x, i), offset_dims={1,2}, collapsed_slice_dims={}, "
              "start_index_map={0,1}, index_vector_dim=1, slice_sizes={2,2}");
  // Rows of an embedding table; index_vector_dim == rank (an implicit trailing 1).
  check_entry("x = f32[6,3] parameter(0)\ni = s64[2,4] parameter(1)",
              "ROOT r = f32[2,4,3] gather(x, i), offset_dims={2}, collapsed_slice_dims={0}, "
              "start_index_map={0}, index_vector_dim=2, slice_sizes={1,3}");
  // Offset dims before batch dims, start_index_map reordered, index_vector_dim = 0.
  check_entry("x = f32[5,4,3] parameter(0)\ni = u8[2,3] parameter(1)",
              "ROOT r = f32[2,2,3] gather(x, i), offset_dims={0,1}, collapsed_slice_dims={1}, "
              "start_index_map={2,1}, index_vector_dim=0, slice_sizes={2,1,2}");
  // Batching dims: operand dim 0 pairs with index dim 0.
  check_entry("x = f32[3,5,2] parameter(0)\ni = s32[3,2,1] parameter(1)",
              "ROOT r = f32[3,2,2] gather(x, i), offset_dims={2}, collapsed_slice_dims={1}, "
              "start_index_map={1}, operand_batching_dims={0}, "
              "start_indices_batching_dims={0}, index_vector_dim=2, slice_sizes={1,1,2}");
}

TEST(ElementalRules, Reduce) {
  check_entry("x = f32[3,4,5] parameter(0)\nz = f32[] constant(0)",
              "ROOT r = f32[4] reduce(x, z), dimensions={0,2}, to_apply=add_f32");
  check_entry("x = f32[3,4,5] parameter(0)\nz = f32[] constant(0.5)",
              "ROOT r = f32[] reduce(x, z), dimensions={2,1,0}, to_apply=mul_sub_f32");
  check_entry("x = f16[64,3] parameter(0)\nz = f16[] constant(0)",
              "ROOT r = f16[3] reduce(x, z), dimensions={0}, to_apply=add_f16");
  check_entry("x = s32[2,3] parameter(0)\nz = s32[] constant(1)",
              "ROOT r = s32[2,3] reduce(x, z), dimensions={}, to_apply=add_s32");
  // argmax: a variadic reduce with a tuple reducer
  check_entry(
      "x = f32[4,6] parameter(0)\nn = s32[4,6] iota(), iota_dimension=1\n"
      "lo = f32[] constant(-inf)\nzero = s32[] constant(0)",
      "ROOT r = (f32[4], s32[4]) reduce(x, n, lo, zero), dimensions={1}, "
      "to_apply=argmax");
}

TEST(ElementalRules, ReduceWindow) {
  check_entry("x = f32[5,6] parameter(0)\nlo = f32[] constant(-inf)",
              "ROOT r = f32[3,3] reduce-window(x, lo), window={size=3x2 stride=2x2 pad=1_1x0_0}, "
              "to_apply=max_f32");
  // Base and window dilation with padding: holes and padding are skipped.
  check_entry("x = f32[4,5] parameter(0)\nz = f32[] constant(0)",
              "ROOT r = f32[5,3] reduce-window(x, z), window={size=2x3 stride=2x1 pad=1_2x1_1 "
              "lhs_dilate=2x1 rhs_dilate=1x2}, to_apply=add_f32");
  check_entry("x = f32[7] parameter(0)\nz = f32[] constant(1)",
              "ROOT r = f32[2] reduce-window(x, z), window={size=3 stride=2 pad=0_0 rhs_dilate=2}, "
              "to_apply=mul_sub_f32");
  check_entry("x = f32[6] parameter(0)\nz = f32[] constant(0)",  // negative padding crops
              "ROOT r = f32[3] reduce-window(x, z), window={size=2 pad=-1_-1}, to_apply=add_f32");
  check_entry(
      "x = f32[6] parameter(0)\nn = s32[6] iota(), iota_dimension=0\n"
      "lo = f32[] constant(-inf)\nzero = s32[] constant(-1)",
      "ROOT r = (f32[3], s32[3]) reduce-window(x, n, lo, zero), "
      "window={size=3 stride=2 pad=1_1}, to_apply=argmax");
}

TEST(ElementalRules, SelectAndScatter) {
  // Overlapping windows (stride < size) that may select the same element.
  check_entry("x = f32[5] parameter(0)\ns = f32[3] parameter(1)\ninit = f32[] constant(1)",
              "ROOT r = f32[5] select-and-scatter(x, s, init), window={size=3 stride=2 pad=1_1}, "
              "select=ge_f32, scatter=add_f32");
  check_entry("x = f32[6,5] parameter(0)\ns = f32[4,4] parameter(1)\ninit = f32[] constant(1.5)",
              "ROOT r = f32[6,5] select-and-scatter(x, s, init), "
              "window={size=3x2 stride=1x1}, select=ge_f32, scatter=mul_sub_f32");
  check_entry("x = f32[4,4] parameter(0)\ns = f32[2,2] parameter(1)\ninit = f32[] constant(0)",
              "ROOT r = f32[4,4] select-and-scatter(x, s, init), "
              "window={size=2x2 stride=2x1 pad=0_0x0_0 rhs_dilate=1x2}, select=ge_f32, "
              "scatter=add_f32");
  // Ties: constant operand, so the first element of each window is kept by GE.
  check_entry(
      "x = f32[4] constant({1, 1, 1, 1})\ns = f32[3] parameter(0)\n"
      "init = f32[] constant(0)",
      "ROOT r = f32[4] select-and-scatter(x, s, init), window={size=2 stride=1}, "
      "select=ge_f32, scatter=add_f32");
}

TEST(ElementalRules, Map) {
  check_entry("x = f32[3,4] parameter(0)\ny = f32[3,4] parameter(1)",
              "ROOT r = f32[3,4] map(x, y), dimensions={0,1}, to_apply=mul_sub_f32");
}

TEST(ElementalRules, Dot) {
  check_entry("x = f32[3,17] parameter(0)\ny = f32[17,4] parameter(1)",
              "ROOT r = f32[3,4] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}");
  check_entry("x = f32[2,3,4,5] parameter(0)\ny = f32[5,2,6,4] parameter(1)",
              "ROOT r = f32[2,3,6] dot(x, y), lhs_batch_dims={0}, rhs_batch_dims={1}, "
              "lhs_contracting_dims={3,2}, rhs_contracting_dims={0,3}");
  check_entry("x = s32[4,3] parameter(0)\ny = s32[3] parameter(1)",
              "ROOT r = s32[4] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}");
  check_entry("x = f16[2,40] parameter(0)\ny = f16[40,3] parameter(1)",
              "ROOT r = f16[2,3] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}");
  check_entry("x = s8[2,5] parameter(0)\ny = s8[5,2] parameter(1)",
              "ROOT r = s32[2,2] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}");
  check_entry("x = f64[3] parameter(0)\ny = f64[2] parameter(1)", "ROOT r = f64[3,2] dot(x, y)");
  check_entry("x = c64[2,3] parameter(0)\ny = c64[3,2] parameter(1)",
              "ROOT r = c64[2,2] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}");
  check_entry("x = pred[2,3] parameter(0)\ny = pred[3,2] parameter(1)",
              "ROOT r = pred[2,2] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}");
}

TEST(ElementalRules, Convolution) {
  check_entry("x = f32[2,3,6,5] parameter(0)\nk = f32[4,3,3,2] parameter(1)",
              "ROOT r = f32[2,4,3,5] convolution(x, k), window={size=3x2 stride=2x1 pad=1_0x1_0}, "
              "dim_labels=bf01_oi01->bf01");
  check_entry("x = f32[2,5,5,4] parameter(0)\nk = f32[3,3,2,6] parameter(1)",  // NHWC, 2 groups
              "ROOT r = f32[2,5,5,6] convolution(x, k), window={size=3x3 pad=1_1x1_1}, "
              "dim_labels=b01f_01io->b01f, feature_group_count=2");
  check_entry("x = f32[4,3,5] parameter(0)\nk = f32[3,4,2] parameter(1)",  // batch groups
              "ROOT r = f32[2,4,4] convolution(x, k), window={size=2}, "
              "dim_labels=bf0_io0->bf0, batch_group_count=2");
  check_entry("x = f32[1,2,4,4] parameter(0)\nk = f32[3,2,2,3] parameter(1)",
              "ROOT r = f32[1,3,5,3] convolution(x, k), window={size=2x3 pad=0_-1x1_2 "
              "lhs_dilate=2x1 rhs_dilate=1x2 rhs_reversal=1x0}, dim_labels=bf01_oi01->bf01");
  check_entry("x = f32[5,1,2] parameter(0)\nk = f32[2,2,3] parameter(1)",  // mixed labels
              "ROOT r = f32[3,3,1] convolution(x, k), window={size=2 stride=2 pad=0_1}, "
              "dim_labels=0bf_i0o->f0b");
  check_entry("x = s32[1,2,5] parameter(0)\nk = s32[2,2,3] parameter(1)",
              "ROOT r = s32[1,2,3] convolution(x, k), window={size=3}, dim_labels=bf0_oi0->bf0");
  check_entry("x = f16[1,8,3] parameter(0)\nk = f16[2,8,2] parameter(1)",
              "ROOT r = f16[1,2,2] convolution(x, k), window={size=2}, dim_labels=bf0_oi0->bf0");
}

TEST(ElementalRules, BitcastBetweenWidthsIsAnError) {
  std::unique_ptr<ir::Module> module = parse_and_verify(R"(
HloModule bitcast_widths
ENTRY main {
  x = f32[2] parameter(0)
  ROOT r = f16[4] bitcast(x)
})");
  ASSERT_TRUE(module);
  const Literal x = make_argument(ir::Shape::array(ir::DType::F32, {2}), 1);
  Result<Literal> result = evaluate_elementally(*module->entry()->root(), {&x});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("different widths have no elemental form"),
            std::string::npos)
      << result.error().message();
}

// Every golden module whose entry has only ops with elemental rules, on its own arguments. A rule
// may refuse an instruction it has no elemental form for (an error, e.g. bitcast-convert between
// widths): such modules are listed, not failed.
TEST(ElementalRules, GoldenCorpus) {
  int64_t ran = 0;
  std::string refused;
  for (const std::filesystem::path& path : golden_files()) {
    const GoldenCase golden = parse_golden_directives(read_text_file(path));
    if (!golden.expect) continue;
    Result<std::unique_ptr<ir::Module>> module = ir::parse_module(golden.text, path.string());
    if (!module.ok() || !ir::verify(**module).ok() || !runs_elementally(*(*module)->entry())) {
      continue;
    }
    std::vector<Literal> args;
    for (const std::string& arg : golden.args) args.push_back(literal(arg));
    SCOPED_TRACE(path.string());
    Result<Literal> expected = reference::evaluate(**module, args);
    ASSERT_TRUE(expected.ok()) << expected.error().message();
    Result<Literal> actual = run_elementally(**module, args);
    if (!actual.ok()) {
      refused += "  " + path.filename().string() + ": " + actual.error().message() + "\n";
      continue;
    }
    const std::string diff = compare_literals(*expected, *actual, Tolerance{0, 0});
    EXPECT_TRUE(diff.empty()) << diff;
    ++ran;
  }
  std::cout << "golden modules run elementally: " << ran << "\n";
  if (!refused.empty()) std::cout << "refused by a rule:\n" << refused;
  // Guards against a corpus walk that silently skips everything.
  EXPECT_GE(ran, 120);
}

}  // namespace
}  // namespace hlocc::testing
