// The vjp rules of the elementwise ops (see ir/vjp.h). Derivatives, and their values at kinks and
// ties, follow JAX's jax/_src/lax/lax.py unless a comment says otherwise. Complex values use JAX's
// convention: a holomorphic op's cotangent is ct * f'(x), unconjugated, so the cotangent of a
// complex value z under a real loss L is dL/dre(z) - i dL/dim(z).
#include "ir/op_rules.h"

namespace hlocc::ir::detail {
namespace {

using Cotangents = Result<std::vector<Instruction*>>;

/// A constant of x's element type and dimensions.
Instruction* full_like(VjpBuilder& b, double value, const Instruction* x) {
  return b.full(value, x->shape().dtype(), x->shape().dims());
}

Instruction* square(VjpBuilder& b, Instruction* x) { return b.mul(x, x); }

/// select(x == 0, 1, x): keeps a formula finite where its factor would vanish anyway (JAX's
/// _replace_zero).
Instruction* replace_zero(VjpBuilder& b, Instruction* x) {
  return b.select(b.compare(x, full_like(b, 0, x), "EQ"), full_like(b, 1, x), x);
}

Instruction* conj(VjpBuilder& b, Instruction* z) {
  return b.add(Op::Complex, {b.add(Op::Real, {z}), b.neg(b.add(Op::Imag, {z}))});
}

/// x broadcast to `dims` (x is a scalar or already has them).
Instruction* broadcast_to(VjpBuilder& b, Instruction* x, const std::vector<int64_t>& dims) {
  if (x->shape().dims() == dims) return x;
  Attributes attrs;
  attrs.set("dimensions", std::vector<int64_t>{});
  return b.add(Op::Broadcast, {x}, std::move(attrs), Shape::array(x->shape().dtype(), dims));
}

/// x (of the result's dims) summed down to `like`'s dims: a scalar clamp bound gets the sum.
Instruction* sum_to(VjpBuilder& b, Instruction* x, const Instruction* like) {
  if (x->shape().dims() == like->shape().dims()) return x;
  std::vector<int64_t> all;
  for (int64_t d = 0; d < x->shape().rank(); ++d) all.push_back(d);
  return b.reduce_sum(x, all);
}

/// The rule of a unary op whose cotangent is ct * derivative(b).
template <class Derivative>
VjpRule unary(Derivative derivative) {
  return [derivative](VjpBuilder& b) -> Cotangents {
    return std::vector<Instruction*>{b.mul(b.cotangent(), derivative(b))};
  };
}

/// The rule of ops whose operand's cotangent is the result's (copy).
Cotangents pass_through(VjpBuilder& b) { return std::vector<Instruction*>{b.cotangent()}; }

// --- unary ---

Cotangents abs_vjp(VjpBuilder& b) {
  Instruction* x = b.operand(0);
  const DType dtype = x->shape().dtype();
  if (!is_complex(dtype)) {
    // JAX's choice: ct where x >= 0 (so abs'(0) = abs'(-0) = 1), -ct elsewhere.
    Instruction* non_negative = b.compare(x, b.zeros_like(x), "GE");
    return std::vector<Instruction*>{
        b.select(non_negative, b.cotangent(), b.neg(b.cotangent()))};
  }
  // |z| is real: ct_z = ct * conj(z) / |z|, and 0 at z = 0.
  Instruction* modulus = b.convert(replace_zero(b, b.result()), dtype);
  return std::vector<Instruction*>{
      b.mul(b.convert(b.cotangent(), dtype), b.div(conj(b, x), modulus))};
}

Cotangents real_vjp(VjpBuilder& b) {
  // real(x) of a real x is x; of a complex z, ct_z = complex(ct, 0).
  return std::vector<Instruction*>{b.convert(b.cotangent(), b.operand(0)->shape().dtype())};
}

Cotangents imag_vjp(VjpBuilder& b) {
  // imag of a real x is 0; of a complex z, ct_z = complex(0, -ct).
  if (!is_complex(b.operand(0)->shape().dtype())) return std::vector<Instruction*>{nullptr};
  Instruction* ct = b.cotangent();
  return std::vector<Instruction*>{b.add(Op::Complex, {full_like(b, 0, ct), b.neg(ct)})};
}

Cotangents convert_vjp(VjpBuilder& b) {
  // Back to the operand's type (complex to real keeps the real part, as JAX). Integer and pred
  // operands get none.
  const DType dtype = b.operand(0)->shape().dtype();
  if (!is_inexact(dtype)) return std::vector<Instruction*>{nullptr};
  return std::vector<Instruction*>{b.convert(b.cotangent(), dtype)};
}

Cotangents bitcast_convert_vjp(VjpBuilder& b) {
  const Shape& from = b.forward().operand(0)->shape();
  const Shape& to = b.forward().shape();
  if (!is_inexact(from.dtype())) return std::vector<Instruction*>{nullptr};
  if (from == to) return pass_through(b);
  // Reinterpreted bits of one float type as another have no useful derivative; a silent zero
  // would hide the mistake.
  return Error("bitcast-convert between floating-point types reinterprets bits and has no "
               "derivative; got " +
               from.to_string(false) + " to " + to.to_string(false));
}

Cotangents reduce_precision_vjp(VjpBuilder& b) {
  // As JAX: the identity, with the cotangent rounded to the same format.
  return std::vector<Instruction*>{
      b.add(Op::ReducePrecision, {b.cotangent()}, b.forward().attrs())};
}

// --- binary ---

Cotangents divide_vjp(VjpBuilder& b) {
  Instruction* ct = b.cotangent();
  Instruction* y = b.operand(1);
  return std::vector<Instruction*>{b.div(ct, y),
                                   b.div(b.mul(b.neg(ct), b.operand(0)), square(b, y))};
}

/// JAX's lax.max/min rule: the cotangent goes to the operand equal to the result, halved at a
/// tie (1 where x == result, divided by 2 where y == result too).
Instruction* balanced_share(VjpBuilder& b, Instruction* x, Instruction* y) {
  Instruction* z = b.result();
  Instruction* one = full_like(b, 1, z);
  Instruction* chosen = b.select(b.compare(x, z, "EQ"), one, full_like(b, 0, z));
  Instruction* shared = b.select(b.compare(y, z, "EQ"), full_like(b, 2, z), one);
  return b.mul(b.cotangent(), b.div(chosen, shared));
}

Cotangents extremum_vjp(VjpBuilder& b) {
  return std::vector<Instruction*>{balanced_share(b, b.operand(0), b.operand(1)),
                                   balanced_share(b, b.operand(1), b.operand(0))};
}

Cotangents power_vjp(VjpBuilder& b) {
  Instruction* ct = b.cotangent();
  Instruction* x = b.operand(0);
  Instruction* y = b.operand(1);
  // d/dx = y * x^(y-1), taken as 0 where y == 0 (x^0 is constant, also at x = 0 where the
  // formula gives 0 * inf).
  Instruction* zero = full_like(b, 0, y);
  Instruction* x_jacobian = b.mul(y, b.add(Op::Power, {x, b.sub(y, full_like(b, 1, y))}));
  x_jacobian = b.select(b.compare(y, zero, "EQ"), zero, x_jacobian);
  // d/dy = log(x) * x^y, with log(1) at x == 0 (where x^y is 0 or 1), as JAX's _pow_jvp_rhs.
  Instruction* y_jacobian = b.mul(b.add(Op::Log, {replace_zero(b, x)}), b.result());
  return std::vector<Instruction*>{b.mul(ct, x_jacobian), b.mul(ct, y_jacobian)};
}

Cotangents remainder_vjp(VjpBuilder& b) {
  // x - y * trunc(x / y): d/dy = -trunc(x / y), written as JAX does with sign and floor.
  Instruction* ratio = b.div(b.operand(0), b.operand(1));
  Instruction* truncated =
      b.mul(b.add(Op::Sign, {ratio}), b.add(Op::Floor, {b.add(Op::Abs, {ratio})}));
  return std::vector<Instruction*>{b.cotangent(), b.mul(b.neg(b.cotangent()), truncated)};
}

Cotangents atan2_vjp(VjpBuilder& b) {
  Instruction* ct = b.cotangent();
  Instruction* x = b.operand(0);
  Instruction* y = b.operand(1);
  Instruction* norm = b.sum(square(b, x), square(b, y));
  return std::vector<Instruction*>{b.div(b.mul(ct, y), norm), b.div(b.mul(b.neg(ct), x), norm)};
}

Cotangents complex_vjp(VjpBuilder& b) {
  Instruction* ct = b.cotangent();
  return std::vector<Instruction*>{b.add(Op::Real, {ct}), b.neg(b.add(Op::Imag, {ct}))};
}

// --- ternary ---

Cotangents select_vjp(VjpBuilder& b) {
  Instruction* pred = b.operand(0);
  Instruction* ct = b.cotangent();
  Instruction* zeros = full_like(b, 0, ct);
  return std::vector<Instruction*>{nullptr, b.select(pred, ct, zeros), b.select(pred, zeros, ct)};
}

Cotangents clamp_vjp(VjpBuilder& b) {
  // JAX's clamp rule: min gets the cotangent where min > x and min < max, x where min < x < max,
  // max where max < x; at ties nobody does. Unlike JAX, max also gets it where max < min (the
  // result is then max, by XLA's min(max, maximum(x, min))). Scalar bounds get the sum over the
  // elements.
  Instruction* ct = b.cotangent();
  const std::vector<int64_t>& dims = ct->shape().dims();
  Instruction* low = broadcast_to(b, b.operand(0), dims);
  Instruction* x = b.operand(1);
  Instruction* high = broadcast_to(b, b.operand(2), dims);
  Instruction* zeros = full_like(b, 0, ct);
  auto where = [&](Instruction* pred) { return b.select(pred, ct, zeros); };
  auto both = [&](Instruction* p, Instruction* q) { return b.add(Op::And, {p, q}); };
  Instruction* low_ct = where(both(b.compare(low, x, "GT"), b.compare(low, high, "LT")));
  Instruction* x_ct = where(both(b.compare(x, low, "GT"), b.compare(x, high, "LT")));
  Instruction* high_ct =
      where(b.add(Op::Or, {b.compare(high, x, "LT"), b.compare(high, low, "LT")}));
  return std::vector<Instruction*>{sum_to(b, low_ct, b.operand(0)), x_ct,
                                   sum_to(b, high_ct, b.operand(2))};
}

}  // namespace

void register_elementwise_vjps(OpRuleTable& table) {
  auto set = [&table](Op op, VjpRule rule) { table[static_cast<size_t>(op)].vjp = std::move(rule); };
  // Piecewise constant, integer, bitwise and predicate ops: zero cotangents (JAX gives zeros for
  // the rounding ops and sign).
  for (Op op : {Op::Ceil, Op::Floor, Op::RoundNearestAfz, Op::RoundNearestEven, Op::Sign,
                Op::IsFinite, Op::Not, Op::Clz, Op::Popcnt, Op::And, Op::Or, Op::Xor,
                Op::ShiftLeft, Op::ShiftRightArithmetic, Op::ShiftRightLogical, Op::Compare}) {
    set(op, not_differentiable());
  }

  // Unary. `x` is the operand, `y` the result.
  auto x = [](VjpBuilder& b) { return b.operand(0); };
  auto y = [](VjpBuilder& b) { return b.result(); };
  set(Op::Abs, abs_vjp);
  set(Op::Cbrt, unary([y](VjpBuilder& b) {  // 1 / (3 y^2)
        return b.div(full_like(b, 1, y(b)), b.mul(full_like(b, 3, y(b)), square(b, y(b))));
      }));
  set(Op::Copy, pass_through);
  set(Op::Cosine, unary([x](VjpBuilder& b) { return b.neg(b.add(Op::Sine, {x(b)})); }));
  set(Op::Exp, unary(y));
  set(Op::Expm1, unary([y](VjpBuilder& b) { return b.sum(y(b), full_like(b, 1, y(b))); }));
  set(Op::Imag, imag_vjp);
  set(Op::Log, unary([x](VjpBuilder& b) { return b.div(full_like(b, 1, x(b)), x(b)); }));
  set(Op::Log1p, unary([x](VjpBuilder& b) {
        return b.div(full_like(b, 1, x(b)), b.sum(x(b), full_like(b, 1, x(b))));
      }));
  set(Op::Logistic, unary([y](VjpBuilder& b) {
        return b.mul(y(b), b.sub(full_like(b, 1, y(b)), y(b)));
      }));
  set(Op::Negate, [](VjpBuilder& b) -> Cotangents {
    return std::vector<Instruction*>{b.neg(b.cotangent())};
  });
  set(Op::Real, real_vjp);
  set(Op::Rsqrt, unary([x, y](VjpBuilder& b) {  // -y / (2 x)
        return b.mul(full_like(b, -0.5, y(b)), b.div(y(b), x(b)));
      }));
  set(Op::Sine, unary([x](VjpBuilder& b) { return b.add(Op::Cosine, {x(b)}); }));
  set(Op::Sqrt, unary([y](VjpBuilder& b) {  // 1 / (2 y): +inf at 0, as JAX
        return b.div(full_like(b, 0.5, y(b)), y(b));
      }));
  set(Op::Tan, unary([y](VjpBuilder& b) { return b.sum(full_like(b, 1, y(b)), square(b, y(b))); }));
  set(Op::Tanh,
      unary([y](VjpBuilder& b) { return b.sub(full_like(b, 1, y(b)), square(b, y(b))); }));

  // Binary.
  set(Op::Add, [](VjpBuilder& b) -> Cotangents {
    return std::vector<Instruction*>{b.cotangent(), b.cotangent()};
  });
  set(Op::Subtract, [](VjpBuilder& b) -> Cotangents {
    return std::vector<Instruction*>{b.cotangent(), b.neg(b.cotangent())};
  });
  set(Op::Multiply, [](VjpBuilder& b) -> Cotangents {
    return std::vector<Instruction*>{b.mul(b.cotangent(), b.operand(1)),
                                     b.mul(b.cotangent(), b.operand(0))};
  });
  set(Op::Divide, divide_vjp);
  set(Op::Maximum, extremum_vjp);
  set(Op::Minimum, extremum_vjp);
  set(Op::Power, power_vjp);
  set(Op::Remainder, remainder_vjp);
  set(Op::Atan2, atan2_vjp);
  set(Op::Complex, complex_vjp);

  // Ternary and conversions.
  set(Op::Select, select_vjp);
  set(Op::Clamp, clamp_vjp);
  set(Op::Convert, convert_vjp);
  set(Op::BitcastConvert, bitcast_convert_vjp);
  set(Op::ReducePrecision, reduce_precision_vjp);
}

}  // namespace hlocc::ir::detail
