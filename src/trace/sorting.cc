// sort, argsort and top_k: one stable HLO sort whose comparator is a bare TOTALORDER compare of
// operand 0 (the reference evaluator's fast path). For floats operand 0 is a canonical copy of the
// keys (-0 as +0, every NaN as +NaN), so total order gives numpy's order: NaNs last and -0 == 0.
#include "hlocc/sorting.h"

#include <limits>

#include "hlocc/ops.h"
#include "ir/dtype.h"
#include "trace/nested_computation.h"
#include "trace/op_helpers.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::emit;

// x with -0 replaced by +0 and each NaN (whatever its sign bit: x86 makes -NaN) by +NaN.
Tensor canonical_keys(const Tensor& x, const Where& where) {
  const Tensor zero = full_like_scalar(0, x.dtype(), where);
  const Tensor nan = full_like_scalar(std::numeric_limits<double>::quiet_NaN(), x.dtype(), where);
  const Tensor no_negative_zero = hlocc::where(equal(x, zero, where), zero, x, where);
  return hlocc::where(not_equal(x, x, where), nan, no_negative_zero, where);
}

// `operands` sorted together along `dim` by operand 0, ascending or descending, stably.
std::vector<Tensor> sort_by_first(const std::vector<Tensor>& operands, int64_t dim, bool descending,
                                  const Where& where) {
  std::vector<DType> dtypes;
  for (const Tensor& operand : operands) dtypes.insert(dtypes.end(), 2, operand.dtype());
  const DType key_type = operands[0].dtype();
  const auto compare = [&](const std::vector<Tensor>& p) {
    ir::Attributes attrs;
    attrs.set("direction", std::string(descending ? "GT" : "LT"));
    if (ir::is_float(key_type)) attrs.set("type", std::string("TOTALORDER"));
    return std::vector<Tensor>{emit(ir::Op::Compare, {p[0], p[1]}, attrs, {}, where)};
  };
  ir::Attributes attrs = tracing::dims_attr("dimensions", {dim});
  attrs.set("is_stable", true);
  attrs.set("to_apply",
            tracing::scalar_function(descending ? "greater" : "less", dtypes, compare, where));
  const Tensor sorted = emit(ir::Op::Sort, operands, attrs, {}, where);
  if (operands.size() == 1) return {sorted};
  return tracing::tuple_elements(sorted, 0, operands.size(), where);
}

// x sorted along `axis` in numpy's order, and (with `with_indices`) the s32 indices of the
// sorted elements.
std::vector<Tensor> sorted(const char* name, const Tensor& x, int64_t axis, bool descending,
                           bool with_indices, const Where& where) {
  const int64_t dim = tracing::normalize_axis(axis, x.rank(), name, x, where);
  if (ir::is_complex(x.dtype())) {
    tracing::throw_op_error(name, "complex numbers have no order", {x}, where,
                            "sort by real parts, or by abs(x)");
  }
  return tracing::staged({x}, [&](const std::vector<Tensor>& args) {
    const Tensor& value = args[0];
    std::vector<Tensor> operands = {value};
    if (ir::is_float(value.dtype()))
      operands.insert(operands.begin(), canonical_keys(value, where));
    if (with_indices) {
      ir::Attributes iota;
      iota.set("iota_dimension", dim);
      operands.push_back(
          emit(ir::Op::Iota, {}, iota, ir::Shape::array(DType::S32, value.dims()), where));
    }
    std::vector<Tensor> results = sort_by_first(operands, dim, descending, where);
    if (ir::is_float(value.dtype())) results.erase(results.begin());  // the canonical keys
    return results;
  });
}

// x[..., :k] along the last axis.
Tensor leading(const Tensor& x, int64_t k, const Where& where) {
  if (x.dims().back() == k) return x;
  ir::SliceConfig slice;
  for (int64_t size : x.dims()) slice.dims.push_back(ir::SliceDim{0, size, 1});
  slice.dims.back().limit = k;
  ir::Attributes attrs;
  attrs.set("slice", slice);
  return emit(ir::Op::Slice, {x}, attrs, {}, where);
}

}  // namespace

Tensor sort(const Tensor& x, int64_t axis, bool descending, Where where) {
  return sorted("sort", x, axis, descending, false, where)[0];
}

Tensor argsort(const Tensor& x, int64_t axis, bool descending, Where where) {
  return sorted("argsort", x, axis, descending, true, where)[1];
}

std::pair<Tensor, Tensor> top_k(const Tensor& x, int64_t k, Where where) {
  if (x.rank() == 0) {
    tracing::throw_op_error("top_k", "needs an operand of rank 1 or more", {x}, where);
  }
  const int64_t length = x.dims().back();
  if (k < 0 || k > length) {
    tracing::throw_op_error("top_k",
                            "k = " + std::to_string(k) + " is not in [0, " +
                                std::to_string(length) + "] (the last dimension)",
                            {x}, where);
  }
  const std::vector<Tensor> both = sorted("top_k", x, -1, true, true, where);
  return {leading(both[0], k, where), leading(both[1], k, where)};
}

}  // namespace hlocc
