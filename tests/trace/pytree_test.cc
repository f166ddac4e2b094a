// Pytrees: flattening and rebuilding nested containers and registered structs, and the same
// trees as jit inputs/outputs, loop state, branch operands and scan carries; switch_; the retrace
// log; host constants too large to print becoming parameters.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "hlocc/hlocc.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc {
using tensor_testing::error_of;
using tensor_testing::f32;
using tensor_testing::s32;
using tensor_testing::values_of;
namespace {




}  // namespace

// A user struct registered as a pytree node; `name` is not a field, so it is carried along.
struct Dense {
  Tensor weight;
  Tensor bias;
  std::string name = "dense";
};
HLOCC_PYTREE(Dense, weight, bias)

namespace {

TEST(Pytree, FlattensInAFixedOrderWithPathsAndStructure) {
  const Tensor a = f32({1}, {1}), b = f32({1}, {2}), c = f32({1}, {3}), d = f32({1}, {4});
  const std::map<std::string, std::vector<Tensor>> tree = {{"y", {c}}, {"x", {a, b}}};
  const auto flat = flatten(std::tuple{tree, std::array<Tensor, 1>{d}, Dense{a, b}});
  ASSERT_EQ(flat.leaves.size(), 6u);
  // Map entries by key: x before y.
  EXPECT_EQ(values_of(flat.leaves[0]), std::vector<float>{1});
  EXPECT_EQ(values_of(flat.leaves[2]), std::vector<float>{3});
  EXPECT_EQ(values_of(flat.leaves[3]), std::vector<float>{4});
  EXPECT_EQ(flat.paths[1], "[0]['x'][1]");
  EXPECT_EQ(flat.paths[5], "[2].bias");
  EXPECT_EQ(flat.structure, "({x:[*,*],y:[*]},a[*],struct{*,*})");

  const std::vector<Tensor> doubled = {a * 2.0, b * 2.0, c * 2.0, d * 2.0, a * 3.0, b * 3.0};
  const auto rebuilt = unflatten(std::tuple{tree, std::array<Tensor, 1>{d}, Dense{a, b, "fc"}}, doubled);
  EXPECT_EQ(values_of(std::get<0>(rebuilt).at("x")[1]), std::vector<float>{4});
  EXPECT_EQ(values_of(std::get<1>(rebuilt)[0]), std::vector<float>{8});
  EXPECT_EQ(values_of(std::get<2>(rebuilt).bias), std::vector<float>{6});
  EXPECT_EQ(std::get<2>(rebuilt).name, "fc");
}

TEST(Pytree, JitTakesAndReturnsTrees) {
  auto forward = jit([](const Dense& layer, const std::vector<Tensor>& inputs) {
    std::map<std::string, Tensor> out;
    out["first"] = matmul(inputs[0], layer.weight) + layer.bias;
    out["second"] = matmul(inputs[1], layer.weight) + layer.bias;
    return std::pair{out, layer.bias * 2.0};
  });
  const Dense layer{f32({2, 2}, {1, 2, 3, 4}), f32({2}, {10, 20})};
  const auto [out, bias2] = forward(layer, std::vector<Tensor>{f32({1, 2}, {1, 1}), f32({1, 2}, {0, 1})});
  EXPECT_EQ(values_of(out.at("first")), (std::vector<float>{14, 26}));
  EXPECT_EQ(values_of(out.at("second")), (std::vector<float>{13, 24}));
  EXPECT_EQ(values_of(bias2), (std::vector<float>{20, 40}));
  (void)forward(layer, std::vector<Tensor>{f32({1, 2}, {2, 2}), f32({1, 2}, {0, 0})});
  EXPECT_EQ(forward.trace_count(), 1);
  // A new structure (three inputs would not even fit the function; two of another shape do).
  (void)forward(layer, std::vector<Tensor>{f32({3, 2}, {1, 1, 1, 1, 1, 1}), f32({1, 2}, {0, 1})});
  EXPECT_EQ(forward.trace_count(), 2);
}

TEST(Pytree, RetraceLogNamesTheInputThatChanged) {
  setenv("HLOCC_LOG_RETRACE", "1", 1);
  auto f = jit([](const std::map<std::string, Tensor>& params) { return params.at("w") * 2.0; });
  ::testing::internal::CaptureStderr();
  (void)f(std::map<std::string, Tensor>{{"w", f32({2}, {1, 2})}});
  (void)f(std::map<std::string, Tensor>{{"w", f32({2}, {3, 4})}});
  (void)f(std::map<std::string, Tensor>{{"w", f32({3}, {1, 2, 3})}});
  const std::string log = ::testing::internal::GetCapturedStderr();
  unsetenv("HLOCC_LOG_RETRACE");
  EXPECT_NE(log.find("(trace 2): input [0]['w'] changed from f32[2] to f32[3]"), std::string::npos)
      << log;
  EXPECT_NE(log.find("pytree_test.cc:"), std::string::npos) << log;
  EXPECT_EQ(log.find("trace 3"), std::string::npos) << log;
}

TEST(Pytree, LoopStateAndScanCarryAreTrees) {
  // Fibonacci in a map-valued state: {a, b} -> {b, a + b}, 10 times.
  using State = std::map<std::string, Tensor>;
  auto fib = [](const Tensor& start) {
    return fori_loop(
        0, 10,
        [](const Tensor&, const State& s) { return State{{"a", s.at("b")}, {"b", s.at("a") + s.at("b")}}; },
        State{{"a", start}, {"b", start}});
  };
  EXPECT_EQ(values_of(fib(f32({}, {1})).at("a")), std::vector<float>{89});
  const Module module = trace(fib, TensorSpec{DType::F32, {}});
  EXPECT_EQ(module.run({HostArray::scalar<float>(1)})[0].as_double(0), 89);

  // scan over a pair of sequences, with a Dense-shaped carry.
  auto running = [](const Tensor& xs, const Tensor& ys) {
    return scan(
        [](const Dense& acc, const std::pair<Tensor, Tensor>& row) {
          const Dense next{acc.weight + row.first, acc.bias * row.second};
          return std::pair{next, std::vector<Tensor>{next.weight, next.bias}};
        },
        Dense{f32({}, {0}), f32({}, {1})}, std::pair{xs, ys});
  };
  const auto [carry, stacked] = running(f32({3}, {1, 2, 3}), f32({3}, {2, 3, 4}));
  EXPECT_EQ(values_of(carry.weight), std::vector<float>{6});
  EXPECT_EQ(values_of(carry.bias), std::vector<float>{24});
  EXPECT_EQ(values_of(stacked[0]), (std::vector<float>{1, 3, 6}));
  EXPECT_EQ(values_of(stacked[1]), (std::vector<float>{2, 6, 24}));
}

TEST(Pytree, SwitchPicksABranchClampingTheIndex) {
  using Branch = std::function<std::pair<Tensor, Tensor>(const Tensor&, const Tensor&)>;
  const std::vector<Branch> branches = {
      [](const Tensor& a, const Tensor& b) { return std::pair{a + b, a}; },
      [](const Tensor& a, const Tensor& b) { return std::pair{a - b, b}; },
      [](const Tensor& a, const Tensor& b) { return std::pair{a * b, a + a}; }};
  auto f = [&](const Tensor& index, const Tensor& a, const Tensor& b) {
    return switch_(index, branches, a, b);
  };
  const Tensor a = f32({2}, {6, 8}), b = f32({2}, {2, 4});
  // Out-of-range indices clamp, like jax.lax.switch: -1 runs branch 0, 7 runs branch 2.
  const std::vector<std::pair<int32_t, std::vector<float>>> cases = {
      {-1, {8, 12}}, {0, {8, 12}}, {1, {4, 4}}, {2, {12, 32}}, {7, {12, 32}}};
  auto jitted = jit(f);
  for (const auto& [index, expected] : cases) {
    EXPECT_EQ(values_of(f(s32(index), a, b).first), expected) << index;
    EXPECT_EQ(values_of(jitted(s32(index), a, b).first), expected) << index;
  }
  EXPECT_EQ(jitted.trace_count(), 1);
  const std::string text =
      trace(f, TensorSpec{DType::S32, {}}, TensorSpec{DType::F32, {2}}, TensorSpec{DType::F32, {2}})
          .to_string();
  EXPECT_NE(text.find("branch_computations={"), std::string::npos) << text;

  EXPECT_NE(error_of([&] { (void)f(f32({}, {1}), a, b); })
                .find("switch_: the index must be an integer scalar; got f32[]"),
            std::string::npos);
  const std::vector<Branch> mismatched = {
      [](const Tensor& x, const Tensor&) { return std::pair{x, x}; },
      [](const Tensor& x, const Tensor&) { return std::pair{x, astype(x, DType::S32)}; }};
  EXPECT_NE(error_of([&] { (void)switch_(s32(0), mismatched, a, b); })
                .find("switch_: the branches return different types; got (f32[2], f32[2]) and "
                      "(f32[2], s32[2])"),
            std::string::npos);
}

TEST(Pytree, CondTakesSeveralOperandsAndReturnsAStruct) {
  auto f = [](const Tensor& p, const Tensor& w, const Tensor& b) {
    return cond(
        p, [](const Tensor& x, const Tensor& y) { return Dense{x * 2.0, y}; },
        [](const Tensor& x, const Tensor& y) { return Dense{x, y * 2.0}; }, w, b);
  };
  const Tensor yes = HostArray::scalar<bool>(true);
  const Dense out = jit(f)(yes, f32({1}, {3}), f32({1}, {5}));
  EXPECT_EQ(values_of(out.weight), std::vector<float>{6});
  EXPECT_EQ(values_of(out.bias), std::vector<float>{5});
}

TEST(Pytree, StructureMismatchesAreClearErrors) {
  const std::string message = error_of([] {
    (void)while_loop([](const Tensors& s) { return less(s[0], s32(3)); },
                     [](const Tensors& s) { return Tensors{s[0] + s32(1), s[0]}; }, {s32(0)});
  });
  EXPECT_NE(message.find("while_loop: the body returned a tree of a different structure; "
                         "expected [*], got [*,*]"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("pytree_test.cc:"), std::string::npos) << message;

  const std::string spec = error_of([] {
    auto f = jit([](const Tensor& x) { return x; });
    (void)f(TensorSpec{DType::F32, {2}});
  });
  EXPECT_NE(spec.find("jit: input [0] (f32[2]) has no data"), std::string::npos) << spec;
  const std::string count = error_of([] {
    (void)trace([](const Tensor& x) { return x; }, TensorSpec{DType::F32, {}}).run({});
  });
  EXPECT_NE(count.find("Module::run: the program takes 1 inputs; got 0"), std::string::npos)
      << count;
}

TEST(Pytree, LargeHostConstantsBecomeParameters) {
  std::vector<float> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  const Tensor table = f32({1000}, values);  // 4000 bytes: a parameter, not printed
  const Tensor small = f32({3}, {1, 2, 3});  // printed as a constant
  auto f = [&](const Tensor& x) {
    const Tensor looped = fori_loop(
        0, 2, [&](const Tensor&, const Tensor& s) { return s + table; }, x);
    return sum(looped + table) + sum(small);
  };
  const Module module = trace(f, TensorSpec{DType::F32, {1000}});
  const std::string text = module.to_string();
  EXPECT_LT(text.size(), 8000u) << text;
  EXPECT_NE(text.find("constant({1, 2, 3})"), std::string::npos) << text;
  ASSERT_EQ(module.bound_arguments().size(), 1u);
  EXPECT_EQ(module.bound_arguments()[0], table.to_host());
  // sum(x + 3 * table) + 6 with x = 0: 3 * (999 * 1000 / 2) + 6.
  const HostArray zeros = HostArray::from_vector<float>({1000}, std::vector<float>(1000, 0));
  EXPECT_EQ(module.run({zeros})[0].as_double(0), 1498506);
  EXPECT_EQ(values_of(jit(f)(zeros)), std::vector<float>{1498506});
  EXPECT_EQ(values_of(f(zeros)), std::vector<float>{1498506});
}

}  // namespace
}  // namespace hlocc

namespace hlocc {
namespace {

TEST(TraceErrors, TensorsThatEscapeTheirTraceAreRejected) {
  Tensor leaked;
  (void)trace(
      [&](const Tensor& x) {
        leaked = x * 2.0;
        return x;
      },
      TensorSpec{DType::F32, {2}});
  EXPECT_NE(error_of([&] { (void)(leaked + leaked); })
                .find("add: operand f32[2] is an abstract value (of a trace that has ended"),
            std::string::npos);
  // A later trace (possibly at the same address) must not take it for one of its own.
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(error_of([&] {
                (void)trace([&](const Tensor& y) { return y + leaked; },
                            TensorSpec{DType::F32, {2}});
              }).find("a tensor of another trace was used here"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace hlocc
