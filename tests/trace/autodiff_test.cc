// The autodiff front end: grad, value_and_grad (with aux), vjp, jvp and stop_gradient over
// pytrees, composed with jit and with themselves; values checked against derivatives by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "hlocc/hlocc.h"
#include "trace/tensor_test_helpers.h"

namespace hlocc {
using tensor_testing::error_of;
using tensor_testing::f64;
using tensor_testing::values_of;

struct Affine {
  Tensor w;
  Tensor b;
};
HLOCC_PYTREE(Affine, w, b)

namespace {

TEST(Autodiff, GradOfASumOfSquaresEagerAndJitted) {
  auto loss = [](const Tensor& x) { return sum(x * x); };
  const Tensor x = f64({3}, {1, -2, 0.5});
  EXPECT_EQ(values_of<double>(grad(loss)(x)), (std::vector<double>{2, -4, 1}));
  auto jitted = jit(grad(loss));
  EXPECT_EQ(values_of<double>(jitted(x)), (std::vector<double>{2, -4, 1}));
  EXPECT_EQ(values_of<double>(jitted(f64({3}, {3, 3, 3}))), (std::vector<double>{6, 6, 6}));
  EXPECT_EQ(jitted.trace_count(), 1);
  const std::string text = trace(grad(loss), TensorSpec{DType::F64, {3}}).to_string();
  EXPECT_NE(text.find("call("), std::string::npos) << text;
}

TEST(Autodiff, GradientsComeBackInTheParametersStructure) {
  // loss = sum(w * x + b * b): d/dw = x, d/db = 2b; d/dx = w.
  auto loss = [](const Affine& p, const Tensor& x) { return sum(p.w * x + p.b * p.b); };
  const Affine p{f64({2}, {1, 2}), f64({2}, {3, -1})};
  const Tensor x = f64({2}, {5, 7});
  const Affine g = grad(loss)(p, x);
  EXPECT_EQ(values_of<double>(g.w), (std::vector<double>{5, 7}));
  EXPECT_EQ(values_of<double>(g.b), (std::vector<double>{6, -2}));
  const auto [gp, gx] = grad(loss, Argnums<0, 1>{})(p, x);
  EXPECT_EQ(values_of<double>(gp.b), (std::vector<double>{6, -2}));
  EXPECT_EQ(values_of<double>(gx), (std::vector<double>{1, 2}));
  const auto [value, gw] = value_and_grad(loss)(p, x);
  EXPECT_EQ(values_of<double>(value), std::vector<double>{5 + 14 + 9 + 1});
  EXPECT_EQ(values_of<double>(gw.w), (std::vector<double>{5, 7}));
}

TEST(Autodiff, ValueAndGradWithAux) {
  auto loss = [](const Tensor& x) { return std::pair{sum(x * x), x * x}; };
  const auto [value, g] = value_and_grad(loss, Argnums<0>{}, has_aux)(f64({2}, {3, 4}));
  EXPECT_EQ(values_of<double>(value.first), std::vector<double>{25});
  EXPECT_EQ(values_of<double>(value.second), (std::vector<double>{9, 16}));
  EXPECT_EQ(values_of<double>(g), (std::vector<double>{6, 8}));
}

TEST(Autodiff, VjpAndJvp) {
  // f(x, y) = (x * y, x * x): J = [[y, x], [2x, 0]].
  auto f = [](const Tensor& x, const Tensor& y) { return std::pair{x * y, x * x}; };
  const Tensor x = f64({}, {3}), y = f64({}, {5});
  auto [outputs, vjp_fn] = vjp(f, x, y);
  EXPECT_EQ(values_of<double>(outputs.first), std::vector<double>{15});
  const auto [ct_x, ct_y] = vjp_fn(std::pair{f64({}, {1}), f64({}, {10})});
  EXPECT_EQ(values_of<double>(ct_x), std::vector<double>{5 + 60});  // y * 1 + 2x * 10
  EXPECT_EQ(values_of<double>(ct_y), std::vector<double>{3});
  const auto [primal_out, tangent_out] = jvp(f, std::tuple{x, y}, std::tuple{f64({}, {1}), f64({}, {2})});
  EXPECT_EQ(values_of<double>(primal_out.second), std::vector<double>{9});
  EXPECT_EQ(values_of<double>(tangent_out.first), std::vector<double>{5 + 6});  // y * 1 + x * 2
  EXPECT_EQ(values_of<double>(tangent_out.second), std::vector<double>{6});     // 2x * 1
}

TEST(Autodiff, SecondDerivativesAndStopGradient) {
  auto cube = [](const Tensor& x) { return x * x * x; };
  auto d2 = grad(grad(cube));
  EXPECT_EQ(values_of<double>(d2(f64({}, {2}))), std::vector<double>{12});  // 6x
  EXPECT_EQ(values_of<double>(jit(grad(grad(grad(cube))))(f64({}, {2}))), std::vector<double>{6});
  // A few smooth functions and their second derivatives by hand, eagerly and under jit.
  struct Case {
    std::function<Tensor(const Tensor&)> f;
    std::function<double(double)> second;
  };
  const std::vector<Case> cases = {
      {[](const Tensor& v) { return sin(v); }, [](double v) { return -std::sin(v); }},
      {[](const Tensor& v) { return v * exp(v); }, [](double v) { return (v + 2) * std::exp(v); }},
      {[](const Tensor& v) { return log1p(v * v); },
       [](double v) { return (2 - 2 * v * v) / ((1 + v * v) * (1 + v * v)); }},
      {[](const Tensor& v) { return tanh(v); },
       [](double v) { return -2 * std::tanh(v) * (1 - std::tanh(v) * std::tanh(v)); }},
      {[](const Tensor& v) { return sqrt(v) / (v + 1.0); },
       [](double v) {  // (sqrt(v) / (v + 1))''
         const double s = std::sqrt(v), d = v + 1;
         return -0.25 / (v * s * d) - 1 / (s * d * d) + 2 * s / (d * d * d);
       }}};
  for (const Case& c : cases) {
    for (double v : {0.3, 1.7}) {
      EXPECT_NEAR(values_of<double>(grad(grad(c.f))(f64({}, {v})))[0], c.second(v), 1e-12) << v;
      EXPECT_NEAR(values_of<double>(jit(grad(grad(c.f)))(f64({}, {v})))[0], c.second(v), 1e-12);
    }
  }
  // relu at 0 has JAX's subgradient 0 (and relu keeps NaN); abs at 0 has JAX's 1.
  const Tensor points = f64({4}, {-1, 0, 2, -0.0});
  EXPECT_EQ(values_of<double>(grad([](const Tensor& v) { return sum(relu(v)); })(points)),
            (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(values_of<double>(grad([](const Tensor& v) { return sum(abs(v)); })(points)),
            (std::vector<double>{-1, 1, 1, 1}));
  EXPECT_TRUE(std::isnan(values_of<double>(relu(f64({1}, {std::nan("")})))[0]));
  // d/dx (x * stop_gradient(x)) = stop_gradient(x) = x.
  auto partial = [](const Tensor& x) { return x * stop_gradient(x); };
  EXPECT_EQ(values_of<double>(grad(partial)(f64({}, {3}))), std::vector<double>{3});
}

TEST(Autodiff, DataDependentWhileLoopsNeedABound) {
  // x = 1; while (x < 10) x *= a: with a = 1.7 that is 5 trips, x = a^5, dx/da = 5 a^4.
  auto power_until_ten = [](const Tensor& a, WhileOptions options) {
    return while_loop([](const Tensor& x) { return less(x, f64({}, {10})); },
                      [&](const Tensor& x) { return x * a; }, f64({}, {1}), options);
  };
  auto bounded = [&](const Tensor& a) { return power_until_ten(a, {.max_trips = 16}); };
  const std::vector<double> g = values_of<double>(grad(bounded)(f64({}, {1.7})));
  EXPECT_NEAR(g[0], 5 * std::pow(1.7, 4), 1e-12);
  EXPECT_NEAR(values_of<double>(jit(grad(bounded))(f64({}, {1.7})))[0], 5 * std::pow(1.7, 4), 1e-12);
  const std::string message = error_of([&] {
    (void)grad([&](const Tensor& a) { return power_until_ten(a, {}); })(f64({}, {1.7}));
  });
  // Forward mode needs no bound: the tangent rides along with the state.
  const auto [value, tangent] = jvp([&](const Tensor& a) { return power_until_ten(a, {}); },
                                    std::tuple{f64({}, {1.7})}, std::tuple{f64({}, {1})});
  EXPECT_NEAR(values_of<double>(value)[0], std::pow(1.7, 5), 1e-12);
  EXPECT_NEAR(values_of<double>(tangent)[0], 5 * std::pow(1.7, 4), 1e-12);
  EXPECT_NE(message.find("data-dependent trip count"), std::string::npos) << message;
  EXPECT_NE(message.find("autodiff_test.cc:"), std::string::npos) << message;
}

TEST(Autodiff, CustomVjpReplacesTheDerivative) {
  // softplus with its derivative given by hand: sigmoid(x).
  auto softplus = custom_vjp([](const Tensor& x) { return log1p(exp(x)); },
                             [](const Tensor& x, const Tensor&, const Tensor& ct) {
                               return std::tuple{ct * sigmoid(x)};
                             });
  const Tensor x = f64({3}, {-1, 0, 2});
  const std::vector<double> value = values_of<double>(softplus(x));
  EXPECT_NEAR(value[1], std::log(2.0), 1e-15);
  auto loss = [&](const Tensor& v) { return sum(softplus(v)); };
  const std::vector<double> g = values_of<double>(jit(grad(loss))(x));
  for (size_t i = 0; i < 3; ++i) {
    const double xi = std::vector<double>{-1, 0, 2}[i];
    EXPECT_NEAR(g[i], 1 / (1 + std::exp(-xi)), 1e-15);
  }
  // The rule given is the rule used, even when it is not the true derivative.
  auto doubled = custom_vjp([](const Tensor& a, const Tensor& b) { return std::pair{a * b, a + b}; },
                            [](const Tensor&, const Tensor&, const std::pair<Tensor, Tensor>&,
                               const std::pair<Tensor, Tensor>& ct) {
                              return std::tuple{ct.first * 2.0, ct.second * 3.0};
                            });
  auto loss2 = [&](const Tensor& a, const Tensor& b) {
    const auto [p, q] = doubled(a, b);
    return sum(p + q);
  };
  const auto [ga, gb] = grad(loss2, Argnums<0, 1>{})(f64({1}, {5}), f64({1}, {7}));
  EXPECT_EQ(values_of<double>(ga), std::vector<double>{2});
  EXPECT_EQ(values_of<double>(gb), std::vector<double>{3});
  const std::string text = trace(loss, TensorSpec{DType::F64, {3}}).to_string();
  EXPECT_NE(text.find("custom_call_target=\"hlocc.custom_vjp\", called_computations={"),
            std::string::npos)
      << text;
  const std::string message = error_of([&] {
    auto wrong = custom_vjp([](const Tensor& v) { return v * v; },
                            [](const Tensor&, const Tensor&, const Tensor& ct) {
                              return std::tuple{astype(ct, DType::F32)};
                            });
    (void)grad([&](const Tensor& v) { return sum(wrong(v)); })(x);
  });
  EXPECT_NE(message.find("custom_vjp: the vjp function must return cotangents of the inputs' "
                         "types; input 0 is f64[3], got f32[3]"),
            std::string::npos)
      << message;
}

TEST(Autodiff, ErrorsNameTheFunctionAndTheUsersLine) {
  const std::string message = error_of([] {
    (void)grad([](const Tensor& x) { return x * x; })(f64({2}, {1, 2}));
  });
  EXPECT_NE(message.find("grad: the function must return an f32 or f64 scalar loss; got f64[2]"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("autodiff_test.cc:"), std::string::npos) << message;
}

}  // namespace
}  // namespace hlocc
