// Reverse mode through the loops and conditionals the front end traces (fori_loop, scan,
// while_loop, cond, switch_): their HLO text, parsed back, must differentiate (the counted-loop
// analysis has to see through the front end's call wrappers) and match central differences.
#include <gtest/gtest.h>

#include "autodiff/gradient_check.h"
#include "autodiff/reverse.h"
#include "hlocc/hlocc.h"
#include "ir/parser.h"
#include "ir/printer.h"

namespace hlocc {
namespace {

Tensor s32(int32_t value) { return HostArray::scalar<int32_t>(value); }

std::unique_ptr<ir::Module> parsed(const Module& module) {
  auto result = ir::parse_module(module.to_string());
  HLOCC_CHECK(result.ok()) << result.error().message();
  return std::move(*result);
}

// Random f64 inputs for the module's f64 parameters; `fixed` for the others, in order.
std::vector<ir::Literal> arguments(const ir::Module& module, std::vector<ir::Literal> fixed,
                                   uint64_t seed) {
  std::vector<ir::Literal> args;
  size_t next_fixed = 0;
  for (const ir::Instruction* parameter : module.entry()->parameters()) {
    if (parameter->shape().dtype() == ir::DType::F64) {
      args.push_back(testing::random_f64(parameter->shape(), seed + args.size(), -1, 1));
    } else {
      args.push_back(fixed.at(next_fixed++));
    }
  }
  return args;
}

void expect_gradients(const Module& traced, std::vector<ir::Literal> fixed = {}) {
  const std::unique_ptr<ir::Module> module = parsed(traced);
  for (uint64_t trial = 0; trial < 2; ++trial) {
    EXPECT_EQ(testing::check_gradients(*module, arguments(*module, fixed, 10 * trial + 1), trial),
              "")
        << traced.to_string();
  }
}

TEST(AutodiffControlFlow, TracedForiLoop) {
  auto program = [](const Tensor& x, const Tensor& w) {
    return fori_loop(0, 5, [&](const Tensor&, const Tensor& v) { return v * w + sin(v); }, x);
  };
  expect_gradients(trace(program, TensorSpec{DType::F64, {3}}, TensorSpec{DType::F64, {3}}));
}

TEST(AutodiffControlFlow, TracedForiLoopUsingItsIndex) {
  // The index scales the update, so the saved integer state must be the right one per trip.
  auto program = [](const Tensor& x) {
    return fori_loop(
        2, 6,
        [&](const Tensor& i, const Tensor& v) { return tanh(v) * astype(i, DType::F64) + x; }, x);
  };
  expect_gradients(trace(program, TensorSpec{DType::F64, {2, 2}}));
}

ScanResult<Tensor, Tensor> scaled_scan(const Tensor& xs, const Tensor& scale) {
  return scan(
      [&](const Tensor& carry, const Tensor& x) {
        const Tensor next = sin(carry * sum(x, {1})) + scale;
        return std::pair{next, next * scale};
      },
      Tensor(HostArray::from_vector<double>({2}, {0.5, -0.25})), xs);
}

TEST(AutodiffControlFlow, TracedScanStacksOnlyTheCarry) {
  auto program = [](const Tensor& xs, const Tensor& scale) {
    const auto [carry, ys] = scaled_scan(xs, scale);
    return ys + carry;
  };
  const Module traced =
      trace(program, TensorSpec{DType::F64, {4, 2, 3}}, TensorSpec{DType::F64, {}});
  expect_gradients(traced);
  // Of the scan's state (counter, carry f64[2], xs f64[4,2,3], ys f64[4,2], scale), xs and scale
  // pass through and ys is only written into: only the counter and the carry are stacked
  // (f64[4,2]), so no f64[4,4,2,3] or f64[4,4,2] stack appears.
  const std::unique_ptr<ir::Module> module = parsed(traced);
  auto gradient = autodiff::build_vjp(*module->entry(), "main_vjp");
  ASSERT_TRUE(gradient.ok()) << gradient.error().message();
  const std::string text = ir::print_module(*module);
  EXPECT_NE(text.find("s32[4] dynamic-update-slice"), std::string::npos) << text;
  EXPECT_EQ(text.find("f64[4,4,2"), std::string::npos) << text;
}

TEST(AutodiffControlFlow, TracedCondBothBranches) {
  auto program = [](const Tensor& p, const Tensor& x, const Tensor& w) {
    return cond(
        p, [&](const Tensor& v) { return v * w; }, [&](const Tensor& v) { return exp(v) - w; }, x);
  };
  const Module traced = trace(program, TensorSpec{DType::Pred, {}}, TensorSpec{DType::F64, {3}},
                              TensorSpec{DType::F64, {3}});
  expect_gradients(traced, {ir::Literal::scalar<bool>(true)});
  expect_gradients(traced, {ir::Literal::scalar<bool>(false)});
}

TEST(AutodiffControlFlow, TracedSwitchThreeBranches) {
  auto program = [](const Tensor& index, const Tensor& x, const Tensor& w) {
    using Branch = std::function<Tensor(const Tensor&, const Tensor&)>;
    const std::vector<Branch> branches = {
        [](const Tensor& a, const Tensor& b) { return a * b; },
        [](const Tensor& a, const Tensor&) { return sin(a); },
        [](const Tensor& a, const Tensor& b) { return cos(b) - a; }};
    return switch_(index, branches, x, w);
  };
  const Module traced = trace(program, TensorSpec{DType::S32, {}}, TensorSpec{DType::F64, {2}},
                              TensorSpec{DType::F64, {2}});
  for (int32_t index : {0, 1, 2, 9}) {
    expect_gradients(traced, {ir::Literal::scalar<int32_t>(index)});
  }
}

TEST(AutodiffControlFlow, TracedCondInsideWhileInsideWhile) {
  // The nested program of tests/trace/control_flow_test.cc, in f64 and with a nonlinear body.
  using State = std::pair<Tensor, Tensor>;
  auto nested = [](const Tensor& x) {
    return while_loop(
               [](const State& s) { return less(s.first, s32(3)); },
               [&](const State& s) {
                 const Tensor updated = cond(
                     greater(s.first, s32(0)),
                     [&](const Tensor& v) {
                       return while_loop([](const State& t) { return less(t.first, s32(2)); },
                                         [&](const State& t) {
                                           return State{t.first + s32(1), sin(t.second) * x};
                                         },
                                         State{s32(0), v})
                           .second;
                     },
                     [](const Tensor& v) { return v * v; }, s.second);
                 return State{s.first + s32(1), updated};
               },
               State{s32(0), x})
        .second;
  };
  expect_gradients(trace(nested, TensorSpec{DType::F64, {2}}));
}

TEST(AutodiffControlFlow, TracedDataDependentWhileLoopNeedsABound) {
  auto program = [](const Tensor& x) {
    const Tensor ten = HostArray::scalar<double>(10);
    return while_loop([&](const Tensors& s) { return less(sum(s[0]), ten); },
                      [](const Tensors& s) { return Tensors{s[0] * 2.0}; }, Tensors{x})[0];
  };
  const std::unique_ptr<ir::Module> module = parsed(trace(program, TensorSpec{DType::F64, {}}));
  auto grad = autodiff::value_and_grad(*module, {});
  ASSERT_FALSE(grad.ok());
  EXPECT_NE(grad.error().message().find(
                "this while loop has a data-dependent trip count; reverse mode needs a bound: "
                "while_loop(cond, body, init, {.max_trips = N}), or use fori_loop/scan"),
            std::string::npos)
      << grad.error().message();
}

}  // namespace
}  // namespace hlocc
