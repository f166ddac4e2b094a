/// Operations on Tensors, with numpy/JAX names and semantics, each lowered to HLO. Binary
/// operations broadcast like numpy; operands must share a dtype (scalars of C++ arithmetic types
/// take the tensor's dtype). A bad call throws hlocc::Error naming the operation, the operands'
/// shapes, and the caller's file:line.
#pragma once

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

Tensor add(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor subtract(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor multiply(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor divide(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor maximum(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor minimum(const Tensor& a, const Tensor& b, Where where = Where::current());

Tensor power(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor remainder(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor atan2(const Tensor& a, const Tensor& b, Where where = Where::current());

/// Bitwise operations on integers (and logical ones on pred), numpy's names. right_shift is
/// arithmetic for signed types and logical for unsigned ones, as in numpy.
Tensor bitwise_and(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor bitwise_or(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor bitwise_xor(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor left_shift(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor right_shift(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor bitwise_not(const Tensor& x, Where where = Where::current());
/// Count of leading zero bits / of set bits, per element (integers).
Tensor clz(const Tensor& x, Where where = Where::current());
Tensor popcount(const Tensor& x, Where where = Where::current());
/// Complex numbers: real + i * imag from two float tensors, and the parts back.
Tensor complex(const Tensor& real, const Tensor& imag, Where where = Where::current());
Tensor real(const Tensor& x, Where where = Where::current());
Tensor imag(const Tensor& x, Where where = Where::current());
/// numpy.clip: min(max(x, lo), hi), all three broadcast together.
Tensor clip(const Tensor& x, const Tensor& lo, const Tensor& hi, Where where = Where::current());

/// Comparisons give pred tensors (floats compare as IEEE: NaN is unequal to everything).
Tensor equal(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor not_equal(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor less(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor less_equal(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor greater(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor greater_equal(const Tensor& a, const Tensor& b, Where where = Where::current());
/// numpy.where: elements of a where condition is true, else of b; all three broadcast together.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b,
             Where where = Where::current());
/// The elements converted to `dtype` (XLA's convert: float to int saturates, NaN becomes 0).
Tensor astype(const Tensor& x, DType dtype, Where where = Where::current());

Tensor negative(const Tensor& x, Where where = Where::current());
Tensor abs(const Tensor& x, Where where = Where::current());
Tensor sign(const Tensor& x, Where where = Where::current());
Tensor floor(const Tensor& x, Where where = Where::current());
Tensor ceil(const Tensor& x, Where where = Where::current());
/// Rounds half to even, like numpy.round.
Tensor round(const Tensor& x, Where where = Where::current());
Tensor expm1(const Tensor& x, Where where = Where::current());
Tensor log1p(const Tensor& x, Where where = Where::current());
Tensor rsqrt(const Tensor& x, Where where = Where::current());
Tensor cbrt(const Tensor& x, Where where = Where::current());
Tensor sin(const Tensor& x, Where where = Where::current());
Tensor cos(const Tensor& x, Where where = Where::current());
Tensor tan(const Tensor& x, Where where = Where::current());
Tensor sigmoid(const Tensor& x, Where where = Where::current());
Tensor isfinite(const Tensor& x, Where where = Where::current());
Tensor logical_not(const Tensor& x, Where where = Where::current());
Tensor exp(const Tensor& x, Where where = Where::current());
Tensor log(const Tensor& x, Where where = Where::current());
Tensor tanh(const Tensor& x, Where where = Where::current());
Tensor sqrt(const Tensor& x, Where where = Where::current());
Tensor relu(const Tensor& x, Where where = Where::current());

/// A scalar of `dtype` holding `value` (converted).
Tensor full_like_scalar(double value, DType dtype, Where where = Where::current());
/// numpy.broadcast_to.
Tensor broadcast_to(const Tensor& x, const std::vector<int64_t>& dims,
                    Where where = Where::current());
Tensor reshape(const Tensor& x, const std::vector<int64_t>& dims, Where where = Where::current());
/// numpy.transpose with an explicit permutation.
Tensor transpose(const Tensor& x, const std::vector<int64_t>& permutation,
                 Where where = Where::current());

/// An operator's operand that remembers where the expression was written: operators cannot take
/// a defaulted source_location parameter, but the conversion to Operand happens at the user's line.
struct Operand {
  Operand(const Tensor& t, Where w = Where::current()) : tensor(t), where(w) {}  // NOLINT
  const Tensor& tensor;
  Where where;
};

inline Tensor operator+(const Tensor& a, Operand b) { return add(a, b.tensor, b.where); }
inline Tensor operator-(const Tensor& a, Operand b) { return subtract(a, b.tensor, b.where); }
inline Tensor operator*(const Tensor& a, Operand b) { return multiply(a, b.tensor, b.where); }
inline Tensor operator/(const Tensor& a, Operand b) { return divide(a, b.tensor, b.where); }
inline Tensor operator-(Operand x) { return negative(x.tensor, x.where); }
inline Tensor operator+(Operand a, double b) {
  return add(a.tensor, full_like_scalar(b, a.tensor.dtype(), a.where), a.where);
}
inline Tensor operator-(Operand a, double b) {
  return subtract(a.tensor, full_like_scalar(b, a.tensor.dtype(), a.where), a.where);
}
inline Tensor operator*(Operand a, double b) {
  return multiply(a.tensor, full_like_scalar(b, a.tensor.dtype(), a.where), a.where);
}
inline Tensor operator/(Operand a, double b) {
  return divide(a.tensor, full_like_scalar(b, a.tensor.dtype(), a.where), a.where);
}

}  // namespace hlocc

// Reductions (sum, max, ...) and linear algebra (matmul, einsum) live in their own headers; they
// are included here so that code written against ops.h alone keeps compiling.
#include "hlocc/linalg.h"      // IWYU pragma: export
#include "hlocc/reductions.h"  // IWYU pragma: export
