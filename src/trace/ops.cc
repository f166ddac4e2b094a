// The public operations: numpy-style front ends over emit(), one HLO op (or a few) each.
#include <algorithm>
#include <functional>

#include "hlocc/ops.h"
#include "hlocc/trace.h"
#include "trace/tensor_node.h"
#include "trace/op_helpers.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::broadcast_dims;
using tracing::check_same_dtype;
using tracing::dims_attr;
using tracing::emit;

Tensor binary(ir::Op op, const Tensor& a, const Tensor& b, const Where& where,
              ir::Attributes attrs = {}) {
  const char* name = ir::op_name(op).data();
  check_same_dtype(a, b, name, where);
  const std::vector<int64_t> dims = broadcast_dims(a, b, name, where);
  return emit(op, {broadcast_to(a, dims, where), broadcast_to(b, dims, where)}, std::move(attrs),
              {}, where);
}

Tensor compare(const char* direction, const Tensor& a, const Tensor& b, const Where& where) {
  ir::Attributes attrs;
  attrs.set("direction", std::string(direction));
  return binary(ir::Op::Compare, a, b, where, std::move(attrs));
}

Tensor unary(ir::Op op, const Tensor& x, const Where& where) {
  return emit(op, {x}, {}, {}, where);
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Add, a, b, where);
}
Tensor subtract(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Subtract, a, b, where);
}
Tensor multiply(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Multiply, a, b, where);
}
Tensor divide(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Divide, a, b, where);
}
Tensor maximum(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Maximum, a, b, where);
}
Tensor minimum(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Minimum, a, b, where);
}

Tensor power(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Power, a, b, where);
}
Tensor remainder(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Remainder, a, b, where);
}
Tensor atan2(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Atan2, a, b, where);
}

Tensor bitwise_and(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::And, a, b, where);
}
Tensor bitwise_or(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Or, a, b, where);
}
Tensor bitwise_xor(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::Xor, a, b, where);
}
Tensor left_shift(const Tensor& a, const Tensor& b, Where where) {
  return binary(ir::Op::ShiftLeft, a, b, where);
}
Tensor right_shift(const Tensor& a, const Tensor& b, Where where) {
  const bool is_unsigned = a.dtype() == DType::U8 || a.dtype() == DType::U16 ||
                           a.dtype() == DType::U32 || a.dtype() == DType::U64;
  return binary(is_unsigned ? ir::Op::ShiftRightLogical : ir::Op::ShiftRightArithmetic, a, b,
                where);
}
Tensor bitwise_not(const Tensor& x, Where where) { return unary(ir::Op::Not, x, where); }
Tensor clz(const Tensor& x, Where where) { return unary(ir::Op::Clz, x, where); }
Tensor popcount(const Tensor& x, Where where) { return unary(ir::Op::Popcnt, x, where); }
Tensor complex(const Tensor& real, const Tensor& imag, Where where) {
  return binary(ir::Op::Complex, real, imag, where);
}
Tensor real(const Tensor& x, Where where) { return unary(ir::Op::Real, x, where); }
Tensor imag(const Tensor& x, Where where) { return unary(ir::Op::Imag, x, where); }
Tensor clip(const Tensor& x, const Tensor& lo, const Tensor& hi, Where where) {
  return minimum(maximum(x, lo, where), hi, where);
}

Tensor equal(const Tensor& a, const Tensor& b, Where where) { return compare("EQ", a, b, where); }
Tensor not_equal(const Tensor& a, const Tensor& b, Where where) {
  return compare("NE", a, b, where);
}
Tensor less(const Tensor& a, const Tensor& b, Where where) { return compare("LT", a, b, where); }
Tensor less_equal(const Tensor& a, const Tensor& b, Where where) {
  return compare("LE", a, b, where);
}
Tensor greater(const Tensor& a, const Tensor& b, Where where) { return compare("GT", a, b, where); }
Tensor greater_equal(const Tensor& a, const Tensor& b, Where where) {
  return compare("GE", a, b, where);
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b, Where where) {
  if (condition.dtype() != DType::Pred) {
    throw Error("where: the condition must be pred; got " + condition.shape_string() +
                tracing::user_location(where) + "\n  hint: compare first, e.g. greater(x, 0)");
  }
  check_same_dtype(a, b, "where", where);
  const Tensor shape_of_both = broadcast_to(a, broadcast_dims(a, b, "where", where), where);
  const std::vector<int64_t> dims = broadcast_dims(condition, shape_of_both, "where", where);
  return emit(ir::Op::Select,
              {broadcast_to(condition, dims, where), broadcast_to(a, dims, where),
               broadcast_to(b, dims, where)},
              {}, {}, where);
}

Tensor astype(const Tensor& x, DType dtype, Where where) {
  if (x.dtype() == dtype) return x;
  return emit(ir::Op::Convert, {x}, {}, ir::Shape::array(dtype, x.dims()), where);
}

Tensor negative(const Tensor& x, Where where) { return unary(ir::Op::Negate, x, where); }
Tensor abs(const Tensor& x, Where where) { return unary(ir::Op::Abs, x, where); }
Tensor sign(const Tensor& x, Where where) { return unary(ir::Op::Sign, x, where); }
Tensor floor(const Tensor& x, Where where) { return unary(ir::Op::Floor, x, where); }
Tensor ceil(const Tensor& x, Where where) { return unary(ir::Op::Ceil, x, where); }
Tensor round(const Tensor& x, Where where) { return unary(ir::Op::RoundNearestEven, x, where); }
Tensor expm1(const Tensor& x, Where where) { return unary(ir::Op::Expm1, x, where); }
Tensor log1p(const Tensor& x, Where where) { return unary(ir::Op::Log1p, x, where); }
Tensor rsqrt(const Tensor& x, Where where) { return unary(ir::Op::Rsqrt, x, where); }
Tensor cbrt(const Tensor& x, Where where) { return unary(ir::Op::Cbrt, x, where); }
Tensor sin(const Tensor& x, Where where) { return unary(ir::Op::Sine, x, where); }
Tensor cos(const Tensor& x, Where where) { return unary(ir::Op::Cosine, x, where); }
Tensor tan(const Tensor& x, Where where) { return unary(ir::Op::Tan, x, where); }
Tensor sigmoid(const Tensor& x, Where where) { return unary(ir::Op::Logistic, x, where); }
Tensor isfinite(const Tensor& x, Where where) { return unary(ir::Op::IsFinite, x, where); }
Tensor logical_not(const Tensor& x, Where where) { return unary(ir::Op::Not, x, where); }
Tensor exp(const Tensor& x, Where where) { return unary(ir::Op::Exp, x, where); }
Tensor log(const Tensor& x, Where where) { return unary(ir::Op::Log, x, where); }
Tensor tanh(const Tensor& x, Where where) { return unary(ir::Op::Tanh, x, where); }
Tensor sqrt(const Tensor& x, Where where) { return unary(ir::Op::Sqrt, x, where); }
Tensor relu(const Tensor& x, Where where) {
  // where(x <= 0, 0, x): NaN stays NaN, and the gradient at 0 is 0 as with jax.nn.relu (a
  // maximum(x, 0) would split it, 0.5, as lax.max does at ties).
  const Tensor zero = full_like_scalar(0, x.dtype(), where);
  return hlocc::where(less_equal(x, zero, where), zero, x, where);
}

Tensor full_like_scalar(double value, DType dtype, Where where) {
  const Tensor scalar = HostArray::scalar(value);
  if (dtype == DType::F64) return scalar;
  return emit(ir::Op::Convert, {scalar}, {}, ir::Shape::scalar(dtype), where);
}

Tensor broadcast_to(const Tensor& x, const std::vector<int64_t>& dims, Where where) {
  if (x.dims() == dims) return x;
  if (dims.size() < x.dims().size()) {
    throw Error("broadcast_to: cannot broadcast " + x.shape_string() + " to fewer dimensions " +
                shape_string(x.dtype(), dims) + tracing::user_location(where));
  }
  // Size-1 dims of x that grow are dropped first, so that HLO broadcast maps equal sizes only.
  const size_t offset = dims.size() - x.dims().size();
  std::vector<int64_t> kept_dims, kept_sizes;
  for (size_t i = 0; i < x.dims().size(); ++i) {
    if (x.dims()[i] == dims[offset + i]) {
      kept_dims.push_back(static_cast<int64_t>(offset + i));
      kept_sizes.push_back(x.dims()[i]);
    } else if (x.dims()[i] != 1) {
      throw Error("broadcast_to: cannot broadcast " + x.shape_string() + " to " +
                  shape_string(x.dtype(), dims) + tracing::user_location(where) +
                  "\n  hint: each dimension must match the target or be 1");
    }
  }
  const Tensor squeezed = kept_sizes == x.dims() ? x : reshape(x, kept_sizes, where);
  return emit(ir::Op::Broadcast, {squeezed}, dims_attr("dimensions", kept_dims),
              ir::Shape::array(x.dtype(), dims), where);
}

Tensor reshape(const Tensor& x, const std::vector<int64_t>& dims, Where where) {
  return emit(ir::Op::Reshape, {x}, {}, ir::Shape::array(x.dtype(), dims), where);
}

Tensor transpose(const Tensor& x, const std::vector<int64_t>& permutation, Where where) {
  return emit(ir::Op::Transpose, {x}, dims_attr("dimensions", permutation), {}, where);
}

}  // namespace hlocc
