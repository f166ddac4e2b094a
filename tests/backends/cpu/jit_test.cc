// The LLVM JIT's loop kernels against the reference evaluator: every elementwise op on every
// dtype its shape rule accepts, on edge-case inputs (0, -0, NaN, inf, subnormals, INT_MIN, -1,
// out-of-range shifts); conversions; fused chains; multi-output roots; scalar functions; row
// splits among threads. Exact for integers, pred, f16 and bf16; 1e-5 relative for f32/f64/complex.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <limits>
#include <thread>

#include "backends/cpu/llvm/jit.h"
#include "backends/reference/evaluator.h"
#include "ir/ops/scalar_math.h"
#include "test_helpers.h"

namespace hlocc::cpu {
namespace {

using ir::DType;
using ir::Literal;

Jit& shared_jit() {
  static std::unique_ptr<Jit> jit = [] {
    auto created = Jit::create();
    HLOCC_CHECK(created.ok()) << created.error().what();
    return std::move(created).value();
  }();
  return *jit;
}

// ---- Inputs ----

template <class T>
std::vector<T> edge_values() {
  using L = std::numeric_limits<T>;
  if constexpr (std::is_same_v<T, bool>) {
    return {false, true};
  } else if constexpr (ir::ops::is_int_v<T>) {
    std::vector<T> values = {0, 1, 2, 3, 5, 7, 8, 15, 31, 32, 63, 64, 100, L::max(), L::max() - 1};
    if constexpr (std::is_signed_v<T>) {
      for (T x : {T(-1), T(-2), T(-7), T(-64), T(-100), L::min(), T(L::min() + 1)}) {
        values.push_back(x);
      }
    } else {
      values.push_back(T(L::max() / 2 + 1));
    }
    return values;
  } else if constexpr (ir::ops::is_complex_v<T>) {
    using V = typename T::value_type;
    const V inf = std::numeric_limits<V>::infinity();
    return {T(0, 0),     T(1, 0),    T(0, 1),  T(-1, 0.5),    T(0.3, -0.7), T(2, 3),     T(-2, -3),
            T(0.1, 0.2), T(-0.4, 0), T(5, -1), T(0.25, 0.25), T(inf, 0),    T(-1.5, 2.5)};
  } else {
    using C = ir::ops::ComputeType<T>;
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> values = {0,    -0.0,  1,    -1,   0.5,          -0.5, 1.5,  2.5,
                                  -2.5, 3.7,   -3.7, 0.1,  0.75,         100,  -100, 1e4,
                                  1e30, -1e-3, inf,  -inf, std::nan(""), 0.3,  -7.25};
    const double tiny = static_cast<double>(std::numeric_limits<C>::denorm_min());
    const double smallest_normal = static_cast<double>(std::numeric_limits<C>::min());
    if constexpr (std::is_same_v<T, Half>) {  // f16's own subnormals, not f32's
      values.insert(values.end(), {6e-8, -3e-6, 4e-5});
    } else {
      values.insert(values.end(), {3 * tiny, -tiny, smallest_normal / 2});
    }
    std::vector<T> result;
    for (double x : values) result.push_back(T(static_cast<C>(x)));
    return result;
  }
}

/// A literal holding `count` values; element i is values[pick(i)].
Literal make_input(DType dtype, int64_t count, const std::function<size_t(int64_t, size_t)>& pick) {
  Literal literal(ir::Shape::array(dtype, {count}));
  ir::dispatch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const std::vector<T> values = edge_values<T>();
    auto data = literal.data<T>();
    for (int64_t i = 0; i < count; ++i)
      data[static_cast<size_t>(i)] = values[pick(i, values.size())];
  });
  return literal;
}

size_t edge_count(DType dtype) {
  return ir::dispatch_dtype(
      dtype, [](auto tag) { return edge_values<typename decltype(tag)::type>().size(); });
}

// ---- Running both paths ----

/// Runs the entry computation as a JIT loop kernel, rows split into `threads` contiguous parts.
Literal run_jit(const ir::Module& module, const std::vector<Literal>& args, int threads = 1) {
  const ir::Computation& entry = *module.entry();
  const KernelRequest request{&entry, KernelRequest::Kind::Loop, "kernel"};
  auto compiled = shared_jit().compile(std::span(&request, 1));
  HLOCC_CHECK(compiled.ok()) << compiled.error().what();
  const LoopKernel kernel = compiled->at(0).loop;
  Literal result(entry.result_shape());
  std::vector<const void*> inputs;
  for (const Literal& arg : args) inputs.push_back(arg.raw());
  std::vector<void*> outputs;
  if (result.shape().is_tuple()) {
    for (Literal& element : result.elements()) outputs.push_back(element.raw());
  } else {
    outputs.push_back(result.raw());
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    const int64_t begin = kernel.rows * t / threads;
    const int64_t end = kernel.rows * (t + 1) / threads;
    workers.emplace_back([&, begin, end] { kernel.fn(inputs.data(), outputs.data(), begin, end); });
  }
  for (std::thread& worker : workers) worker.join();
  return result;
}

/// Tolerance for comparing JIT results with the evaluator's: exact but for f32/f64/complex.
testing::Tolerance jit_tolerance(DType dtype) {
  const DType part = ir::complex_component_type(dtype);
  if (part == DType::F32 || part == DType::F64) return {1e-5, 1e-30};
  return {0, 0};
}

std::string compare_outputs(const Literal& expected, const Literal& actual) {
  if (!expected.shape().is_tuple()) {
    return testing::compare_literals(expected, actual, jit_tolerance(expected.shape().dtype()));
  }
  std::string report;
  for (int64_t i = 0; i < expected.shape().tuple_size(); ++i) {
    const std::string part = testing::compare_literals(
        expected.element(i), actual.element(i), jit_tolerance(expected.element(i).shape().dtype()));
    if (!part.empty()) report += "output " + std::to_string(i) + ": " + part;
  }
  return report;
}

/// The one check every test makes: the JIT computes what the evaluator computes.
void expect_matches_reference(const std::string& hlo, const std::vector<Literal>& args,
                              int threads = 1) {
  SCOPED_TRACE(hlo);
  const std::unique_ptr<ir::Module> module = testing::parse_and_verify(hlo);
  ASSERT_TRUE(module);
  auto expected = reference::evaluate(*module, args);
  ASSERT_TRUE(expected.ok()) << expected.error().what();
  const Literal actual = run_jit(*module, args, threads);
  EXPECT_EQ(compare_outputs(*expected, actual), "");
}

std::string shape_text(DType dtype, int64_t count) {
  return std::string(ir::dtype_name(dtype)) + "[" + std::to_string(count) + "]";
}

// ---- The op table, as the shape rules accept it ----

const std::vector<DType> kFloats = {DType::F16, DType::BF16, DType::F32, DType::F64};
const std::vector<DType> kComplex = {DType::C64, DType::C128};
const std::vector<DType> kSigned = {DType::S8, DType::S16, DType::S32, DType::S64};
const std::vector<DType> kUnsigned = {DType::U8, DType::U16, DType::U32, DType::U64};
const std::vector<DType> kPred = {DType::Pred};

std::vector<DType> join(std::initializer_list<std::vector<DType>> lists) {
  std::vector<DType> all;
  for (const auto& list : lists) all.insert(all.end(), list.begin(), list.end());
  return all;
}

enum class ResultKind { Same, Pred, Component };

struct OpCase {
  std::string name;
  std::vector<DType> dtypes;
  ResultKind result = ResultKind::Same;
  std::string attributes = "";
};

DType result_dtype(const OpCase& op, DType dtype) {
  if (op.result == ResultKind::Pred) return DType::Pred;
  if (op.result == ResultKind::Component) return ir::complex_component_type(dtype);
  return dtype;
}

TEST(JitElementwise, UnaryOpsOnEveryDtype) {
  const auto inexact = join({kFloats, kComplex});
  const auto ints = join({kSigned, kUnsigned});
  const std::vector<OpCase> ops = {
      {"abs", join({kSigned, inexact}), ResultKind::Component},
      {"cbrt", inexact},
      {"ceil", kFloats},
      {"count-leading-zeros", ints},
      {"copy", join({kPred, ints, inexact})},
      {"cosine", inexact},
      {"exponential", inexact},
      {"exponential-minus-one", inexact},
      {"floor", kFloats},
      {"imag", inexact, ResultKind::Component},
      {"is-finite", kFloats, ResultKind::Pred},
      {"log", inexact},
      {"log-plus-one", inexact},
      {"logistic", inexact},
      {"negate", join({ints, inexact})},
      {"not", join({kPred, ints})},
      {"popcnt", ints},
      {"real", inexact, ResultKind::Component},
      {"round-nearest-afz", kFloats},
      {"round-nearest-even", kFloats},
      {"rsqrt", inexact},
      {"sign", join({kSigned, inexact})},
      {"sine", inexact},
      {"sqrt", inexact},
      {"tan", inexact},
      {"tanh", inexact},
  };
  for (const OpCase& op : ops) {
    for (DType dtype : op.dtypes) {
      const int64_t n = static_cast<int64_t>(edge_count(dtype));
      const std::string hlo =
          "HloModule unary\nENTRY main {\n  p = " + shape_text(dtype, n) +
          " parameter(0)\n  ROOT r = " + shape_text(result_dtype(op, dtype), n) + " " + op.name +
          "(p)\n}\n";
      expect_matches_reference(hlo, {make_input(dtype, n, [](int64_t i, size_t) { return i; })});
    }
  }
}

/// Every pair of edge values: a takes value i / k, b value i % k.
std::vector<Literal> all_pairs(DType dtype, int64_t* count) {
  const int64_t k = static_cast<int64_t>(edge_count(dtype));
  *count = k * k;
  return {make_input(dtype, k * k, [k](int64_t i, size_t) { return i / k; }),
          make_input(dtype, k * k, [k](int64_t i, size_t) { return i % k; })};
}

void check_binary(const OpCase& op) {
  for (DType dtype : op.dtypes) {
    int64_t n = 0;
    std::vector<Literal> args = all_pairs(dtype, &n);
    const std::string operand = shape_text(dtype, n);
    DType out = result_dtype(op, dtype);
    if (op.name == "complex") out = dtype == DType::F32 ? DType::C64 : DType::C128;
    const std::string hlo = "HloModule binary\nENTRY main {\n  a = " + operand +
                            " parameter(0)\n  b = " + operand +
                            " parameter(1)\n  ROOT r = " + shape_text(out, n) + " " + op.name +
                            "(a, b)" + op.attributes + "\n}\n";
    expect_matches_reference(hlo, args);
  }
}

TEST(JitElementwise, BinaryOpsOnEveryDtype) {
  const auto ints = join({kSigned, kUnsigned});
  const auto numeric = join({ints, kFloats, kComplex});
  const auto ordered = join({kPred, ints, kFloats});
  const std::vector<OpCase> ops = {
      {"add", join({kPred, numeric})},
      {"and", join({kPred, ints})},
      {"atan2", join({kFloats, kComplex})},
      {"complex", {DType::F32, DType::F64}},
      {"divide", numeric},
      {"maximum", ordered},
      {"minimum", ordered},
      {"multiply", join({kPred, numeric})},
      {"or", join({kPred, ints})},
      {"power", numeric},
      {"remainder", join({ints, kFloats})},
      {"shift-left", ints},
      {"shift-right-arithmetic", ints},
      {"shift-right-logical", ints},
      {"subtract", numeric},
      {"xor", join({kPred, ints})},
  };
  for (const OpCase& op : ops) check_binary(op);
}

TEST(JitElementwise, CompareInEveryDirectionAndType) {
  const auto all = join({kPred, kSigned, kUnsigned, kFloats});
  for (const char* direction : {"EQ", "NE", "LT", "LE", "GT", "GE"}) {
    check_binary({"compare", all, ResultKind::Pred, std::string(", direction=") + direction});
    check_binary({"compare", kFloats, ResultKind::Pred,
                  std::string(", direction=") + direction + ", type=TOTALORDER"});
  }
  check_binary({"compare", kComplex, ResultKind::Pred, ", direction=EQ"});
  check_binary({"compare", kComplex, ResultKind::Pred, ", direction=NE"});
}

TEST(JitElementwise, ClampWithArrayAndScalarBounds) {
  for (DType dtype : join({kSigned, kUnsigned, kFloats})) {
    int64_t n = 0;
    std::vector<Literal> args = all_pairs(dtype, &n);
    args.push_back(make_input(dtype, n, [](int64_t i, size_t k) { return (i * 7) % k; }));
    const std::string s = shape_text(dtype, n);
    const std::string scalar = std::string(ir::dtype_name(dtype)) + "[]";
    expect_matches_reference("HloModule clamp\nENTRY main {\n  lo = " + s +
                                 " parameter(0)\n  x = " + s + " parameter(1)\n  hi = " + s +
                                 " parameter(2)\n  ROOT r = " + s + " clamp(lo, x, hi)\n}\n",
                             args);
    expect_matches_reference("HloModule clamp\nENTRY main {\n  x = " + s +
                                 " parameter(0)\n  lo = " + scalar +
                                 " constant(2)\n  hi = " + scalar +
                                 " constant(5)\n  ROOT r = " + s + " clamp(lo, x, hi)\n}\n",
                             {args[0]});
  }
}

TEST(JitElementwise, SelectWithArrayAndScalarPredicates) {
  for (DType dtype : join({kPred, kSigned, kUnsigned, kFloats, kComplex})) {
    int64_t n = 0;
    std::vector<Literal> args = all_pairs(dtype, &n);
    args.push_back(make_input(DType::Pred, n, [](int64_t i, size_t) { return (i * 5 / 3) % 2; }));
    const std::string s = shape_text(dtype, n);
    expect_matches_reference("HloModule select\nENTRY main {\n  a = " + s +
                                 " parameter(0)\n  b = " + s + " parameter(1)\n  p = pred[" +
                                 std::to_string(n) + "] parameter(2)\n  ROOT r = " + s +
                                 " select(p, a, b)\n}\n",
                             args);
    expect_matches_reference("HloModule select\nENTRY main {\n  a = " + s +
                                 " parameter(0)\n  b = " + s +
                                 " parameter(1)\n  p = pred[] constant(false)\n  ROOT r = " + s +
                                 " select(p, a, b)\n}\n",
                             {args[0], args[1]});
  }
}

const std::vector<DType> kAllDtypes = {DType::Pred, DType::S8,  DType::S16,  DType::S32,
                                       DType::S64,  DType::U8,  DType::U16,  DType::U32,
                                       DType::U64,  DType::F16, DType::BF16, DType::F32,
                                       DType::F64,  DType::C64, DType::C128};

TEST(JitConversions, ConvertBetweenEveryPairOfDtypes) {
  for (DType from : kAllDtypes) {  // one kernel per source type, a tuple of every target type
    const int64_t n = static_cast<int64_t>(edge_count(from));
    std::string body, root, shapes;
    for (DType to : kAllDtypes) {
      const std::string name = "c_" + std::string(ir::dtype_name(to));
      body += "  " + name + " = " + shape_text(to, n) + " convert(p)\n";
      root += (root.empty() ? "" : ", ") + name;
      shapes += (shapes.empty() ? "" : ", ") + shape_text(to, n);
    }
    expect_matches_reference("HloModule convert\nENTRY main {\n  p = " + shape_text(from, n) +
                                 " parameter(0)\n" + body + "  ROOT r = (" + shapes + ") tuple(" +
                                 root + ")\n}\n",
                             {make_input(from, n, [](int64_t i, size_t) { return i; })});
  }
}

TEST(JitConversions, BitcastConvertSameAndOtherWidths) {
  const std::vector<std::pair<DType, DType>> same = {
      {DType::S8, DType::U8},   {DType::F16, DType::S16},  {DType::BF16, DType::U16},
      {DType::U16, DType::F16}, {DType::S16, DType::BF16}, {DType::F32, DType::S32},
      {DType::U32, DType::F32}, {DType::F64, DType::U64},  {DType::S64, DType::F64}};
  for (const auto& [from, to] : same) {
    const int64_t n = static_cast<int64_t>(edge_count(from));
    expect_matches_reference("HloModule bitcast\nENTRY main {\n  p = " + shape_text(from, n) +
                                 " parameter(0)\n  ROOT r = " + shape_text(to, n) +
                                 " bitcast-convert(p)\n}\n",
                             {make_input(from, n, [](int64_t i, size_t) { return i; })});
  }
  const int64_t n = static_cast<int64_t>(edge_count(DType::F32));
  const std::string count = std::to_string(n);
  // Split f32 into bytes and f64 into s16 quarters, then join them back.
  expect_matches_reference("HloModule split\nENTRY main {\n  p = f32[" + count +
                               "] parameter(0)\n  ROOT r = u8[" + count +
                               ",4] bitcast-convert(p)\n}\n",
                           {make_input(DType::F32, n, [](int64_t i, size_t) { return i; })});
  expect_matches_reference(
      "HloModule split_join\nENTRY main {\n  p = f64[" + count + "] parameter(0)\n  q = s16[" +
          count + ",4] bitcast-convert(p)\n  n = s16[" + count + ",4] negate(q)\n  ROOT r = f64[" +
          count + "] bitcast-convert(n)\n}\n",
      {make_input(DType::F64, n, [](int64_t i, size_t) { return i; })});
}

TEST(JitConversions, ReducePrecision) {
  const std::vector<std::tuple<DType, int, int>> cases = {
      {DType::F32, 5, 10}, {DType::F32, 8, 7},   {DType::F32, 5, 2}, {DType::F32, 3, 0},
      {DType::F64, 8, 23}, {DType::F64, 11, 10}, {DType::F16, 5, 3}, {DType::BF16, 4, 4}};
  for (const auto& [dtype, exponent, mantissa] : cases) {
    const int64_t n = static_cast<int64_t>(edge_count(dtype));
    const std::string s = shape_text(dtype, n);
    expect_matches_reference("HloModule rp\nENTRY main {\n  p = " + s +
                                 " parameter(0)\n  ROOT r = " + s +
                                 " reduce-precision(p), exponent_bits=" + std::to_string(exponent) +
                                 ", mantissa_bits=" + std::to_string(mantissa) + "\n}\n",
                             {make_input(dtype, n, [](int64_t i, size_t) { return i; })});
  }
}

// ---- Fusion, outputs, threads ----

TEST(JitKernels, FusedChainWithConstantsAndSharedSubexpressions) {
  const std::string hlo = R"(HloModule chain
ENTRY main {
  a = f32[4,5,6] parameter(0)
  b = f32[4,5,6] parameter(1)
  c = f32[4,5,6] parameter(2)
  ab = f32[4,5,6] multiply(a, b)
  abc = f32[4,5,6] add(ab, c)
  e = f32[4,5,6] exponential(abc)
  t = f32[4,5,6] tanh(ab)
  s = f32[4,5,6] logistic(e)
  m = f32[4,5,6] maximum(s, t)
  half = f32[] constant(0.5)
  lo = f32[] constant(-0.25)
  k = f32[4,5,6] clamp(lo, m, e)
  ROOT r = f32[4,5,6] subtract(k, ab)
})";
  expect_matches_reference(hlo,
                           {testing::random_f32({4, 5, 6}, 1), testing::random_f32({4, 5, 6}, 2),
                            testing::random_f32({4, 5, 6}, 3)});
}

TEST(JitKernels, ArrayConstantsAndMultipleOutputsOfMixedTypes) {
  const std::string hlo = R"(HloModule multi
ENTRY main {
  x = f32[2,3] parameter(0)
  k = f32[2,3] constant({{1, 2, 3}, {-4, 0.5, 6}})
  y = f32[2,3] multiply(x, k)
  gt = pred[2,3] compare(y, x), direction=GT
  i = s32[2,3] convert(y)
  h = bf16[2,3] convert(x)
  ROOT r = (f32[2,3], pred[2,3], s32[2,3], bf16[2,3]) tuple(y, gt, i, h)
})";
  expect_matches_reference(hlo, {testing::literal("f32[2,3] {{1.5, -2, 3.25}, {0, 7, -1e9}}")});
}

TEST(JitKernels, RowsSplitAmongThreadsGiveTheSameResult) {
  const std::string hlo = R"(HloModule big
ENTRY main {
  a = f32[1000,37] parameter(0)
  b = f32[1000,37] parameter(1)
  s = f32[1000,37] add(a, b)
  ROOT r = f32[1000,37] exponential(s)
})";
  const std::vector<Literal> args = {testing::random_f32({1000, 37}, 4),
                                     testing::random_f32({1000, 37}, 5)};
  for (int threads : {1, 2, 3, 7}) expect_matches_reference(hlo, args, threads);
}

// A broadcast along a middle dim keeps the kernel row-wise: rows are the outer dims' positions.
TEST(JitKernels, BroadcastChainsRunRowByRow) {
  const std::string hlo = R"(HloModule rows
ENTRY main {
  a = f32[4,5,6] parameter(0)
  b = f32[5] parameter(1)
  c = f32[4,5,6] parameter(2)
  bb = f32[4,5,6] broadcast(b), dimensions={1}
  m = f32[4,5,6] multiply(a, bb)
  s = f32[4,5,6] add(m, c)
  ROOT r = f32[4,5,6] exponential(s)
})";
  const std::vector<Literal> args = {testing::random_f32({4, 5, 6}, 6), testing::random_f32({5}, 7),
                                     testing::random_f32({4, 5, 6}, 8)};
  for (int threads : {1, 3}) expect_matches_reference(hlo, args, threads);
}

// Rules with loops and calls (the rules helper's reduce): a variadic argmax fused with its
// input's elementwise ops, read through get-tuple-element.
TEST(JitKernels, ReductionsUseLoopsCallsAndTupleElements) {
  const std::string hlo = R"(HloModule argmax
argmax {
  v = f32[] parameter(0)
  i = s32[] parameter(1)
  w = f32[] parameter(2)
  j = s32[] parameter(3)
  ge = pred[] compare(v, w), direction=GE
  mv = f32[] select(ge, v, w)
  mi = s32[] select(ge, i, j)
  ROOT t = (f32[], s32[]) tuple(mv, mi)
}
ENTRY main {
  a = f32[8,100] parameter(0)
  e = f32[8,100] exponential(a)
  idx = s32[8,100] iota(), iota_dimension=1
  lo = f32[] constant(-inf)
  zero = s32[] constant(0)
  r = (f32[8], s32[8]) reduce(e, idx, lo, zero), dimensions={1}, to_apply=argmax
  m = f32[8] get-tuple-element(r), index=0
  k = s32[8] get-tuple-element(r), index=1
  l = f32[8] log(m)
  ROOT out = (f32[8], s32[8]) tuple(l, k)
})";
  expect_matches_reference(hlo, {testing::random_f32({8, 100}, 9)});
}

TEST(JitKernels, FlatKernelsCutTheArrayIntoRows) {
  auto jit = Jit::create(JitOptions{.keep_ir = true, .flat_row_elements = 100});
  ASSERT_TRUE(jit.ok());
  const auto module = testing::parse_and_verify(
      "HloModule flat\nENTRY main {\n  a = f32[7,37] parameter(0)\n  ROOT r = f32[7,37] "
      "negate(a)\n}\n");
  const KernelRequest request{module->entry(), KernelRequest::Kind::Loop, "flat"};
  auto compiled = (*jit)->compile(std::span(&request, 1));
  ASSERT_TRUE(compiled.ok()) << compiled.error().what();
  EXPECT_EQ(compiled->at(0).loop.rows, 3);  // ceil(259 / 100)
  EXPECT_EQ(compiled->at(0).loop.row_elements, 100);
  ASSERT_EQ((*jit)->ir_dumps().size(), 1u);
  EXPECT_NE((*jit)->ir_dumps()[0].find("define void @flat"), std::string::npos);
}

TEST(JitKernels, InnerLoopVectorizesAndCallsLibmvec) {
  auto jit = Jit::create(JitOptions{.keep_ir = true});
  ASSERT_TRUE(jit.ok());
  const auto module = testing::parse_and_verify(
      "HloModule vec\nENTRY main {\n  a = f32[4096] parameter(0)\n  ROOT r = f32[4096] "
      "exponential(a)\n}\n");
  const KernelRequest request{module->entry(), KernelRequest::Kind::Loop, "vec"};
  ASSERT_TRUE((*jit)->compile(std::span(&request, 1)).ok());
  const std::string& ir = (*jit)->ir_dumps().at(0);
  EXPECT_NE(ir.find("<16 x float>"), std::string::npos) << ir;
  EXPECT_NE(ir.find("_ZGVeN16v_expf"), std::string::npos) << ir;
}

TEST(JitKernels, ScalarFunctionsComputeReducersAndComparators) {
  const auto module = testing::parse_and_verify(R"(HloModule scalars
ENTRY main {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  i = s32[] parameter(2)
  s = f32[] add(a, b)
  lt = pred[] compare(a, b), direction=LT, type=TOTALORDER
  m = s32[] multiply(i, i)
  ROOT r = (f32[], pred[], s32[]) tuple(s, lt, m)
})");
  const KernelRequest request{module->entry(), KernelRequest::Kind::Scalar, "scalar"};
  auto compiled = shared_jit().compile(std::span(&request, 1));
  ASSERT_TRUE(compiled.ok()) << compiled.error().what();
  const ScalarFn fn = compiled->at(0).scalar;
  const std::vector<std::tuple<float, float, int32_t>> cases = {
      {1.5f, 2.0f, 3}, {-0.0f, 0.0f, -46341}, {NAN, 1.0f, 7}};
  for (const auto& [a, b, i] : cases) {
    float sum = 0;
    bool less = false;
    int32_t square = 0;
    const void* args[] = {&a, &b, &i};
    void* results[] = {&sum, &less, &square};
    fn(args, results);
    EXPECT_TRUE(sum == a + b || (std::isnan(sum) && std::isnan(a + b))) << a << " + " << b;
    EXPECT_EQ(less, ir::ops::hlo_compare(ir::ops::CompareDirection::Lt,
                                         ir::ops::CompareType::TotalOrder, a, b));
    EXPECT_EQ(square, ir::ops::hlo_multiply(i, i));
  }
}

TEST(JitKernels, OpsWithoutAnElementalRuleAreReportedNotCrashed) {
  const auto module = testing::parse_and_verify(R"(HloModule unfusable
lt {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  ROOT c = pred[] compare(x, y), direction=LT
}
ENTRY main {
  a = f32[4] parameter(0)
  ROOT s = f32[4] sort(a), dimensions={0}, to_apply=lt
})");
  ASSERT_TRUE(module);
  const KernelRequest request{module->entry(), KernelRequest::Kind::Loop, "bad"};
  auto compiled = shared_jit().compile(std::span(&request, 1));
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(std::string(compiled.error().what()).find("sort"), std::string::npos)
      << compiled.error().what();
}

}  // namespace
}  // namespace hlocc::cpu
