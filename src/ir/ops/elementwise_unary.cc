// Rules of the elementwise unary ops (abs ... tanh): the element types each accepts (XLA's shape
// inference) and its value per element (XLA's evaluator). f16/bf16 compute in float.
#include <bit>
#include <cmath>
#include <complex>

#include "ir/ops/elementwise_helpers.h"

namespace hlocc::ir::detail {
namespace {

using ops::ComputeType;
using ops::is_complex_v;
using ops::is_half_v;
using ops::is_int_v;
using ops::ResultType;

/// Wraps a math function written for compute types (float, double, complex) so that it takes and
/// returns storage types: f16/bf16 go through float and round back to nearest even.
template <class Fn>
auto in_compute(Fn fn) {
  return [fn](auto x) {
    using T = decltype(x);
    if constexpr (is_half_v<T>) {
      return T(static_cast<float>(fn(static_cast<float>(x))));
    } else {
      return fn(x);
    }
  };
}

Result<Shape> infer_unary(const Instruction& inst, uint32_t accepted, ResultType result_type) {
  HLOCC_TRY(const Shape* shape, ops::array_operand(inst, 0));
  HLOCC_TRY_STATUS(ops::check_element_type(inst, *shape, accepted));
  switch (result_type) {
    case ResultType::Same:
      return shape->without_layout();
    case ResultType::Pred:
      return shape->without_layout().with_dtype(DType::Pred);
    case ResultType::Component:
      return shape->without_layout().with_dtype(complex_component_type(shape->dtype()));
  }
  return shape->without_layout();
}

template <uint32_t kAccepted, class Fn>
OpRules unary_rule(ResultType result_type, Fn fn) {
  return OpRules{
      .infer_shape =
          [result_type](const Instruction& inst) {
            return infer_unary(inst, kAccepted, result_type);
          },
      .evaluate = [fn](const Instruction& inst, std::span<const Literal* const> operands,
                       EvalContext&) -> Result<Literal> {
        return ops::map_unary<kAccepted>(inst.shape(), *operands[0], fn);
      },
  };
}

/// A rule for a float-or-complex math function such as exp: same type in and out.
template <class Fn>
OpRules inexact_rule(Fn fn) {
  return unary_rule<ops::kInexactClass>(ResultType::Same, in_compute(fn));
}

/// A rule for a rounding function (floating-point only).
template <class Fn>
OpRules rounding_rule(Fn fn) {
  return unary_rule<ops::kFloatClass>(ResultType::Same, in_compute(fn));
}

// exp(a + bi) - 1 without cancellation near 0: real part expm1(a) cos b - 2 sin^2(b / 2).
template <class V>
std::complex<V> complex_expm1(std::complex<V> z) {
  const V half_sin = std::sin(z.imag() / 2);
  const V real = std::expm1(z.real()) * std::cos(z.imag()) - 2 * half_sin * half_sin;
  return {real, std::exp(z.real()) * std::sin(z.imag())};
}

// log(1 + z) without cancellation near 0: log|1 + z| = log1p(2a + a^2 + b^2) / 2.
template <class V>
std::complex<V> complex_log1p(std::complex<V> z) {
  const V a = z.real();
  const V b = z.imag();
  if (std::abs(a) >= V(0.5) || std::abs(b) >= V(0.5)) return std::log(V(1) + z);
  return {std::log1p(2 * a + a * a + b * b) / 2, std::atan2(b, 1 + a)};
}

const auto kExpm1 = [](auto v) {
  if constexpr (is_complex_v<decltype(v)>)
    return complex_expm1(v);
  else
    return std::expm1(v);
};
const auto kLog1p = [](auto v) {
  if constexpr (is_complex_v<decltype(v)>)
    return complex_log1p(v);
  else
    return std::log1p(v);
};
const auto kCbrt = [](auto v) {
  using V = decltype(v);
  if constexpr (is_complex_v<V>)
    return std::pow(v, V(1.0 / 3.0));  // principal root, as XLA
  else
    return std::cbrt(v);
};
const auto kRsqrt = [](auto v) { return decltype(v)(1) / std::sqrt(v); };
const auto kLogistic = [](auto v) {
  using V = decltype(v);
  return V(1) / (V(1) + std::exp(-v));
};

// abs: integers wrap (abs(INT_MIN) = INT_MIN); complex gives its real magnitude.
const auto kAbs = [](auto x) {
  using T = decltype(x);
  if constexpr (is_int_v<T>) {
    return x < 0 ? ops::hlo_subtract(T(0), x) : x;
  } else {
    return in_compute([](auto v) { return std::abs(v); })(x);
  }
};

const auto kNegate = [](auto x) {
  using T = decltype(x);
  if constexpr (is_int_v<T>) {
    return ops::hlo_subtract(T(0), x);  // wraps: -INT_MIN = INT_MIN
  } else {
    return in_compute([](auto v) { return -v; })(x);
  }
};

// sign: -1, 0 or 1; floats keep NaN and the sign of zero; complex is x / |x| (0 for 0).
const auto kSign = [](auto x) {
  using T = decltype(x);
  if constexpr (is_int_v<T>) {
    return static_cast<T>((T(0) < x) - (x < T(0)));
  } else if constexpr (is_complex_v<T>) {
    const auto magnitude = std::abs(x);
    return magnitude == 0 ? T(0) : x / magnitude;
  } else {
    return in_compute(
        [](auto v) { return std::isnan(v) ? v : std::copysign(decltype(v)(v != 0), v); })(x);
  }
};

const auto kNot = [](auto x) {
  using T = decltype(x);
  if constexpr (std::is_same_v<T, bool>)
    return !x;
  else
    return static_cast<T>(~x);
};

const auto kClz = [](auto x) {
  using T = decltype(x);
  return static_cast<T>(std::countl_zero(static_cast<std::make_unsigned_t<T>>(x)));
};

const auto kPopcnt = [](auto x) {
  using T = decltype(x);
  return static_cast<T>(std::popcount(static_cast<std::make_unsigned_t<T>>(x)));
};

// real / imag of a real number: the number itself / zero.
const auto kReal = [](auto x) {
  if constexpr (is_complex_v<decltype(x)>)
    return x.real();
  else
    return x;
};
const auto kImag = [](auto x) {
  using T = decltype(x);
  if constexpr (is_complex_v<T>)
    return x.imag();
  else
    return T(0);
};

const auto kIsFinite = [](auto x) {
  return static_cast<bool>(std::isfinite(static_cast<ComputeType<decltype(x)>>(x)));
};

// copy accepts any shape, tuples included, and returns its operand unchanged.
OpRules copy_rule() {
  return OpRules{
      .infer_shape = [](const Instruction& inst) -> Result<Shape> {
        return inst.operand(0)->shape().without_layout();
      },
      .evaluate = [](const Instruction&, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> { return *operands[0]; },
  };
}

}  // namespace

void register_elementwise_unary_ops(OpRuleTable& table) {
  using ops::kFloatClass, ops::kIntClass, ops::kNumericClass, ops::kInexactClass;
  constexpr uint32_t kSignedOrInexact = ops::kSignedClass | kInexactClass;
  ops::set_rules(table, Op::Abs, unary_rule<kSignedOrInexact>(ResultType::Component, kAbs));
  ops::set_rules(table, Op::Cbrt, inexact_rule(kCbrt));
  ops::set_rules(table, Op::Ceil, rounding_rule([](auto v) { return std::ceil(v); }));
  ops::set_rules(table, Op::Clz, unary_rule<kIntClass>(ResultType::Same, kClz));
  ops::set_rules(table, Op::Copy, copy_rule());
  ops::set_rules(table, Op::Cosine, inexact_rule([](auto v) { return std::cos(v); }));
  ops::set_rules(table, Op::Exp, inexact_rule([](auto v) { return std::exp(v); }));
  ops::set_rules(table, Op::Expm1, inexact_rule(kExpm1));
  ops::set_rules(table, Op::Floor, rounding_rule([](auto v) { return std::floor(v); }));
  ops::set_rules(table, Op::Imag, unary_rule<kInexactClass>(ResultType::Component, kImag));
  ops::set_rules(table, Op::IsFinite, unary_rule<kFloatClass>(ResultType::Pred, kIsFinite));
  ops::set_rules(table, Op::Log, inexact_rule([](auto v) { return std::log(v); }));
  ops::set_rules(table, Op::Log1p, inexact_rule(kLog1p));
  ops::set_rules(table, Op::Logistic, inexact_rule(kLogistic));
  ops::set_rules(table, Op::Negate, unary_rule<kNumericClass>(ResultType::Same, kNegate));
  ops::set_rules(table, Op::Not, unary_rule<ops::kPredClass | kIntClass>(ResultType::Same, kNot));
  ops::set_rules(table, Op::Popcnt, unary_rule<kIntClass>(ResultType::Same, kPopcnt));
  ops::set_rules(table, Op::Real, unary_rule<kInexactClass>(ResultType::Component, kReal));
  // round-nearest-afz: halfway cases away from zero; round-nearest-even: halfway cases to even
  // (nearbyint in the default rounding mode, which nothing in hlocc changes).
  ops::set_rules(table, Op::RoundNearestAfz, rounding_rule([](auto v) { return std::round(v); }));
  ops::set_rules(table, Op::RoundNearestEven,
                 rounding_rule([](auto v) { return std::nearbyint(v); }));
  ops::set_rules(table, Op::Rsqrt, inexact_rule(kRsqrt));
  ops::set_rules(table, Op::Sign, unary_rule<kSignedOrInexact>(ResultType::Same, kSign));
  ops::set_rules(table, Op::Sine, inexact_rule([](auto v) { return std::sin(v); }));
  ops::set_rules(table, Op::Sqrt, inexact_rule([](auto v) { return std::sqrt(v); }));
  ops::set_rules(table, Op::Tan, inexact_rule([](auto v) { return std::tan(v); }));
  ops::set_rules(table, Op::Tanh, inexact_rule([](auto v) { return std::tanh(v); }));
}

}  // namespace hlocc::ir::detail
