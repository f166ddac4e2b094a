// while_loop, cond and fori_loop: eager, traced into one module (with captured outer tensors),
// nested, and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "backends/reference/evaluator.h"
#include "hlocc/hlocc.h"
#include "trace/tensor_test_helpers.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace hlocc {
using tensor_testing::f32;
using tensor_testing::s32;
using tensor_testing::values_of;
namespace {



// Newton's method for sqrt(a), six steps; `a` is captured by the body.
Tensor newton_sqrt(const Tensor& a) {
  const Tensors result = while_loop([](const Tensors& s) { return less(s[0], s32(6)); },
                                    [&](const Tensors& s) {
                                      return Tensors{s[0] + s32(1), (s[1] + a / s[1]) * 0.5};
                                    },
                                    {s32(0), a});
  return result[1];
}

TEST(ControlFlow, EagerWhileLoopCapturesOuterTensors) {
  const std::vector<float> roots = values_of(newton_sqrt(f32({3}, {2, 9, 10})));
  EXPECT_NEAR(roots[0], std::sqrt(2.0f), 1e-6);
  EXPECT_NEAR(roots[1], 3.0f, 1e-6);
  EXPECT_NEAR(roots[2], std::sqrt(10.0f), 1e-6);
}

TEST(ControlFlow, TracedWhileLoopIsOneHloWhileThatRoundTrips) {
  const Module module = trace(newton_sqrt, TensorSpec{DType::F32, {3}});
  const std::string text = module.to_string();
  EXPECT_NE(text.find(" while("), std::string::npos) << text;
  auto parsed = ir::parse_module(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message() << "\n" << text;
  ASSERT_TRUE(ir::verify(**parsed).ok());
  const HostArray input = HostArray::from_vector<float>({3}, {2, 9, 10});
  EXPECT_EQ(module.run({input})[0], newton_sqrt(Tensor(input)).to_host());
}

TEST(ControlFlow, CondPicksABranchAndCapturesPerBranch) {
  const Tensor scale = f32({}, {10});
  auto f = [&](const Tensor& p, const Tensor& x) {
    return cond(
        p, [&](const Tensor& v) { return v * scale; }, [&](const Tensor& v) { return -v; }, x);
  };
  const Tensor x = f32({2}, {1, -2});
  const Tensor yes = HostArray::scalar<bool>(true), no = HostArray::scalar<bool>(false);
  EXPECT_EQ(values_of(f(yes, x)), (std::vector<float>{10, -20}));
  EXPECT_EQ(values_of(f(no, x)), (std::vector<float>{-1, 2}));
  const Module module = trace(f, TensorSpec{DType::Pred, {}}, TensorSpec{DType::F32, {2}});
  EXPECT_NE(module.to_string().find("conditional("), std::string::npos);
  EXPECT_EQ(module.run({yes.to_host(), x.to_host()})[0], f(yes, x).to_host());
}

TEST(ControlFlow, ForiLoopAndNesting) {
  // sum of i for i in [0, 10), accumulated in f32.
  const Tensor sum = fori_loop(
      0, 10, [](const Tensor& i, const Tensor& s) { return s + astype(i, DType::F32); },
      Tensor(f32({}, {0})));
  EXPECT_EQ(values_of(sum), (std::vector<float>{45}));

  // A while loop inside a cond branch inside a while loop, capturing the outer parameter; the
  // loop state is a pair (a pytree).
  using State = std::pair<Tensor, Tensor>;
  auto nested = [](const Tensor& x) {
    return while_loop(
               [](const State& s) { return less(s.first, s32(3)); },
               [&](const State& s) {
                 const Tensor doubled = cond(
                     greater(s.first, s32(0)),
                     [&](const Tensor& v) {
                       return while_loop([](const State& t) { return less(t.first, s32(2)); },
                                         [&](const State& t) {
                                           return State{t.first + s32(1), t.second + x};
                                         },
                                         State{s32(0), v})
                           .second;
                     },
                     [](const Tensor& v) { return v; }, s.second);
                 return State{s.first + s32(1), doubled};
               },
               State{s32(0), x})
        .second;
  };
  // Iteration 0 keeps x; iterations 1 and 2 add x twice each: x + 4x = 5x.
  const Tensor x = f32({2}, {1, 3});
  EXPECT_EQ(values_of(nested(x)), (std::vector<float>{5, 15}));
  const Module module = trace(nested, TensorSpec{DType::F32, {2}});
  auto parsed = ir::parse_module(module.to_string());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_TRUE(ir::verify(**parsed).ok());
  EXPECT_EQ(module.run({x.to_host()})[0], nested(x).to_host());
}

// Running sums of the rows of xs, scaled by a captured tensor: carry = c + x, y = carry * scale.
ScanResult<Tensor, Tensor> scaled_cumsum(const Tensor& xs, const Tensor& scale) {
  return scan(
      [&](const Tensor& carry, const Tensor& x) {
        const Tensor next = carry + x;
        return std::pair{next, next * scale};
      },
      Tensor(f32({2}, {0, 0})), xs);
}

TEST(ControlFlow, ScanStacksOutputsAndCarries) {
  const Tensor xs = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  const auto [carry, ys] = scaled_cumsum(xs, f32({}, {10}));
  EXPECT_EQ(values_of(carry), (std::vector<float>{9, 12}));
  EXPECT_EQ(ys.shape_string(), "f32[3,2]");
  EXPECT_EQ(values_of(ys), (std::vector<float>{10, 20, 40, 60, 90, 120}));
}

TEST(ControlFlow, ScanInsideCondInsideWhileRoundTripsThroughHloText) {
  // Twice: if the step is even, add the scaled running sums' last row to the state.
  auto program = [](const Tensor& xs, const Tensor& scale) {
    return while_loop([](const Tensors& s) { return less(s[0], s32(2)); },
                      [&](const Tensors& s) {
                        const Tensor even = equal(remainder(s[0], s32(2)), s32(0));
                        const Tensor updated = cond(
                            even,
                            [&](const Tensor& v) {
                              const Tensor ys = scaled_cumsum(xs, scale).ys;
                              return v + reshape(transpose(ys, {1, 0}), {6});
                            },
                            [](const Tensor& v) { return v * 2.0; }, s[1]);
                        return Tensors{s[0] + s32(1), updated};
                      },
                      {s32(0), f32({6}, {0, 0, 0, 0, 0, 0})})[1];
  };
  const Tensor xs = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  const Tensor scale = f32({}, {10});
  // Step 0 (even): 0 + ys^T flattened = {10, 40, 90, 20, 60, 120}; step 1 (odd): doubled.
  EXPECT_EQ(values_of(program(xs, scale)), (std::vector<float>{20, 80, 180, 40, 120, 240}));

  const Module module = trace(program, TensorSpec{DType::F32, {3, 2}}, TensorSpec{DType::F32, {}});
  const std::string text = module.to_string();
  auto parsed = ir::parse_module(text, "program.hlo");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message() << "\n" << text;
  ASSERT_TRUE(ir::verify(**parsed).ok());
  const std::vector<HostArray> args = {xs.to_host(), scale.to_host()};
  EXPECT_EQ(module.run(args)[0], program(xs, scale).to_host());
  // The re-parsed text computes the same values on the reference evaluator.
  auto literal_args = std::vector<ir::Literal>{};
  for (const HostArray& arg : args) {
    ir::Literal literal(ir::Shape::array(arg.dtype(), arg.dims()));
    std::memcpy(literal.raw(), arg.bytes().data(), arg.bytes().size());
    literal_args.push_back(std::move(literal));
  }
  auto from_text = reference::evaluate(**parsed, literal_args);
  ASSERT_TRUE(from_text.ok()) << from_text.error().message();
  const auto values = from_text->data<float>();
  EXPECT_EQ(std::vector<float>(values.begin(), values.end()),
            (std::vector<float>{20, 80, 180, 40, 120, 240}));
}

TEST(ControlFlow, ErrorsNameTheRuleBroken) {
  auto error_of = [](const std::function<void()>& fn) -> std::string {
    try {
      fn();
    } catch (const Error& error) {
      return error.message();
    }
    return "no error";
  };
  const std::string body = error_of([] {
    (void)while_loop([](const Tensors& s) { return less(s[0], s32(3)); },
                     [](const Tensors& s) { return Tensors{astype(s[0], DType::F32)}; }, {s32(0)});
  });
  EXPECT_NE(
      body.find("while_loop: the body must return the loop state's types (s32[]); got (f32[])"),
      std::string::npos)
      << body;
  EXPECT_NE(body.find("control_flow_test.cc:"), std::string::npos) << body;
  const std::string pred = error_of([] {
    (void)cond(
        s32(1), [](const Tensor& o) { return o; }, [](const Tensor& o) { return o; }, s32(2));
  });
  EXPECT_NE(pred.find("cond: the predicate must be a pred scalar; got s32[]"), std::string::npos)
      << pred;
}

}  // namespace
}  // namespace hlocc
