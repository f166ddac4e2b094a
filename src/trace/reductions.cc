// Reductions (HLO reduce with a scalar combiner), arg-reductions (a variadic reduce over values and
// an iota of indices), softmax and friends (composites, shifted by the maximum for stability) and
// the cumulative operations (reduce-window whose window spans the whole axis).
#include "hlocc/reductions.h"

#include <algorithm>
#include <limits>

#include "hlocc/ops.h"
#include "ir/dtype.h"
#include "trace/nested_computation.h"
#include "trace/op_helpers.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::emit;
using tracing::throw_op_error;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The identity of maximum on `dtype`: -inf, which convert saturates to an integer type's lowest
// value; but false for pred, where -inf converts to true. (+inf, minimum's, is right for all.)
double max_identity(DType dtype) { return dtype == DType::Pred ? 0 : -kInf; }

void check_float(const Tensor& x, const char* op, const Where& where) {
  if (ir::is_float(x.dtype())) return;
  throw_op_error(op, "needs a floating-point dtype", {x}, where,
                 "convert first, e.g. " + std::string(op) + "(astype(x, DType::F32), ...)");
}

void check_ordered(const Tensor& x, const char* op, const Where& where) {
  if (!ir::is_complex(x.dtype())) return;
  throw_op_error(op, "complex numbers have no order", {x}, where, "compare real parts, or abs(x)");
}

// x's dims with the (sorted) reduced `axes` kept as size-1 dimensions, or dropped.
std::vector<int64_t> reduced_dims(const Tensor& x, const std::vector<int64_t>& axes,
                                  bool keepdims) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (!std::binary_search(axes.begin(), axes.end(), d)) {
      dims.push_back(x.dims()[static_cast<size_t>(d)]);
    } else if (keepdims) {
      dims.push_back(1);
    }
  }
  return dims;
}

int64_t element_count_of(const Tensor& x, const std::vector<int64_t>& axes) {
  int64_t count = 1;
  for (int64_t axis : axes) count *= x.dims()[static_cast<size_t>(axis)];
  return count;
}

// `op` (reduce or reduce-window, configured by `attrs`) of x with init value `init` and the scalar
// computation `combine` as to_apply.
Tensor reduce_with(ir::Op op, ir::Op combine, double init, const Tensor& x, ir::Attributes attrs,
                   const Where& where) {
  return tracing::staged({x}, [&](const std::vector<Tensor>& args) {
    const DType dtype = args[0].dtype();
    attrs.set("to_apply", tracing::Trace::current()->scalar_computation(combine, dtype));
    return std::vector<Tensor>{
        emit(op, {args[0], full_like_scalar(init, dtype, where)}, attrs, {}, where)};
  })[0];
}

// reduce over `axes` with the binary `combine`, whose identity is `init`.
Tensor reduction(const char* name, ir::Op combine, double init, const Tensor& x,
                 const std::vector<int64_t>& axes, bool keepdims, const Where& where) {
  const std::vector<int64_t> dims = tracing::reduction_axes(x, axes, name, where);
  const Tensor reduced =
      reduce_with(ir::Op::Reduce, combine, init, x, tracing::dims_attr("dimensions", dims), where);
  return keepdims ? reshape(reduced, reduced_dims(x, dims, true), where) : reduced;
}

Tensor logical(ir::Op op, const Tensor& a, const Tensor& b, const Where& where) {
  return emit(op, {a, b}, {}, {}, where);
}

// The combiner of argmax (argmin) over (value, index) pairs: the larger (smaller) value wins, NaN
// beats everything, and among equals (NaNs included) the lower index wins. It is commutative and
// associative, so the answer does not depend on the order in which reduce visits elements.
ir::Computation* arg_combiner(const char* name, bool is_max, DType dtype, const Where& where) {
  const auto combine = [&](const std::vector<Tensor>& p) {
    const Tensor &value = p[0], &index = p[1], &x = p[2], &i = p[3];
    Tensor better = is_max ? greater(x, value, where) : less(x, value, where);
    Tensor tie = equal(x, value, where);
    if (ir::is_float(dtype)) {
      const Tensor x_nan = not_equal(x, x, where);
      const Tensor value_nan = not_equal(value, value, where);
      better = logical(ir::Op::Or, better,
                       logical(ir::Op::And, x_nan, logical_not(value_nan, where), where), where);
      tie = logical(ir::Op::Or, tie, logical(ir::Op::And, x_nan, value_nan, where), where);
    }
    const Tensor take =
        logical(ir::Op::Or, better, logical(ir::Op::And, tie, less(i, index, where), where), where);
    return std::vector<Tensor>{hlocc::where(take, x, value, where),
                               hlocc::where(take, i, index, where)};
  };
  return tracing::scalar_function(name, {dtype, DType::S32, dtype, DType::S32}, combine, where);
}

Tensor arg_reduction(const char* name, bool is_max, const Tensor& x, int64_t axis, bool keepdims,
                     const Where& where) {
  const int64_t dim = tracing::normalize_axis(axis, x.rank(), name, x, where);
  check_ordered(x, name, where);
  if (x.dims()[static_cast<size_t>(dim)] == 0) {
    throw_op_error(name, "axis " + std::to_string(axis) + " is empty, so it has no extreme", {x},
                   where);
  }
  const Tensor index = tracing::staged({x}, [&](const std::vector<Tensor>& args) {
    const Tensor& value = args[0];
    ir::Attributes iota;
    iota.set("iota_dimension", dim);
    const Tensor indices =
        emit(ir::Op::Iota, {}, iota, ir::Shape::array(DType::S32, value.dims()), where);
    ir::Attributes attrs = tracing::dims_attr("dimensions", {dim});
    attrs.set("to_apply", arg_combiner(name, is_max, value.dtype(), where));
    // (identity, 0) is a safe start: it survives only if every element equals the identity,
    // and then index 0 is the answer anyway.
    const double identity = is_max ? max_identity(value.dtype()) : kInf;
    const Tensor pair = emit(ir::Op::Reduce,
                             {value, indices, full_like_scalar(identity, value.dtype(), where),
                              full_like_scalar(0, DType::S32, where)},
                             attrs, {}, where);
    return std::vector<Tensor>{tracing::tuple_elements(pair, 0, 2, where)[1]};
  })[0];
  return keepdims ? reshape(index, reduced_dims(x, {dim}, true), where) : index;
}

// x minus its maximum over `axes` (kept as size-1 dims), and that shift. A non-finite maximum (a
// slice of -inf, or one holding +inf or NaN) shifts by 0 instead, so -inf slices give
// log(sum(exp)) = -inf rather than -inf - -inf = NaN.
std::pair<Tensor, Tensor> shifted_by_max(const Tensor& x, const std::vector<int64_t>& axes,
                                         const Where& where) {
  const Tensor maximum = max(x, axes, true, where);
  const Tensor shift =
      hlocc::where(isfinite(maximum, where), maximum, full_like_scalar(0, x.dtype(), where), where);
  return {subtract(x, shift, where), shift};
}

// The running `combine` of x along `axis`: reduce-window with a window as long as the axis,
// padded by length - 1 before (or after, for `reverse`) so that output i sees elements 0..i.
Tensor cumulative(const char* name, ir::Op combine, double init, const Tensor& x, int64_t axis,
                  bool reverse, const Where& where) {
  const int64_t dim = tracing::normalize_axis(axis, x.rank(), name, x, where);
  const int64_t length = x.dims()[static_cast<size_t>(dim)];
  if (length <= 1) return x;  // nothing to accumulate (and a window cannot have size 0)
  ir::Window window;
  window.dims.resize(static_cast<size_t>(x.rank()));
  ir::WindowDim& along = window.dims[static_cast<size_t>(dim)];
  along.size = length;
  (reverse ? along.pad_high : along.pad_low) = length - 1;
  ir::Attributes attrs;
  attrs.set("window", window);
  return reduce_with(ir::Op::ReduceWindow, combine, init, x, std::move(attrs), where);
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, Where where) {
  return reduction("sum", ir::Op::Add, 0, x, axes, keepdims, where);
}
Tensor prod(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, Where where) {
  return reduction("prod", ir::Op::Multiply, 1, x, axes, keepdims, where);
}
Tensor max(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, Where where) {
  return reduction("max", ir::Op::Maximum, max_identity(x.dtype()), x, axes, keepdims, where);
}
Tensor min(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, Where where) {
  return reduction("min", ir::Op::Minimum, kInf, x, axes, keepdims, where);
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, Where where) {
  check_float(x, "mean", where);
  const std::vector<int64_t> dims = tracing::reduction_axes(x, axes, "mean", where);
  const double count = static_cast<double>(element_count_of(x, dims));
  return divide(sum(x, dims, keepdims, where), full_like_scalar(count, x.dtype(), where), where);
}

Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, Where where) {
  check_float(x, "logsumexp", where);
  const std::vector<int64_t> dims = tracing::reduction_axes(x, axes, "logsumexp", where);
  const auto [shifted, shift] = shifted_by_max(x, dims, where);
  const Tensor result = add(log(sum(exp(shifted, where), dims, true, where), where), shift, where);
  return keepdims ? result : reshape(result, reduced_dims(x, dims, false), where);
}

Tensor var(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, int64_t ddof,
           Where where) {
  check_float(x, "var", where);
  const std::vector<int64_t> dims = tracing::reduction_axes(x, axes, "var", where);
  const Tensor deviation = subtract(x, mean(x, dims, true, where), where);
  const Tensor squares = sum(multiply(deviation, deviation, where), dims, keepdims, where);
  // numpy divides by max(count - ddof, 0): a ddof >= count gives inf (or NaN), not a sign flip.
  const double divisor =
      static_cast<double>(std::max<int64_t>(element_count_of(x, dims) - ddof, 0));
  return divide(squares, full_like_scalar(divisor, x.dtype(), where), where);
}

Tensor argmax(const Tensor& x, int64_t axis, bool keepdims, Where where) {
  return arg_reduction("argmax", true, x, axis, keepdims, where);
}
Tensor argmin(const Tensor& x, int64_t axis, bool keepdims, Where where) {
  return arg_reduction("argmin", false, x, axis, keepdims, where);
}

Tensor softmax(const Tensor& x, int64_t axis, Where where) {
  check_float(x, "softmax", where);
  const int64_t dim = tracing::normalize_axis(axis, x.rank(), "softmax", x, where);
  const Tensor exps = exp(shifted_by_max(x, {dim}, where).first, where);
  return divide(exps, sum(exps, {dim}, true, where), where);
}

Tensor log_softmax(const Tensor& x, int64_t axis, Where where) {
  check_float(x, "log_softmax", where);
  const int64_t dim = tracing::normalize_axis(axis, x.rank(), "log_softmax", x, where);
  const Tensor shifted = shifted_by_max(x, {dim}, where).first;
  return subtract(shifted, log(sum(exp(shifted, where), {dim}, true, where), where), where);
}

Tensor cumsum(const Tensor& x, int64_t axis, bool reverse, Where where) {
  return cumulative("cumsum", ir::Op::Add, 0, x, axis, reverse, where);
}
Tensor cumprod(const Tensor& x, int64_t axis, bool reverse, Where where) {
  return cumulative("cumprod", ir::Op::Multiply, 1, x, axis, reverse, where);
}
Tensor cummax(const Tensor& x, int64_t axis, bool reverse, Where where) {
  return cumulative("cummax", ir::Op::Maximum, max_identity(x.dtype()), x, axis, reverse, where);
}
Tensor cummin(const Tensor& x, int64_t axis, bool reverse, Where where) {
  return cumulative("cummin", ir::Op::Minimum, kInf, x, axis, reverse, where);
}

}  // namespace hlocc
