#include "trace/op_helpers.h"

#include <algorithm>

#include "trace/trace_context.h"

namespace hlocc::tracing {

ir::Attributes dims_attr(const char* name, std::vector<int64_t> values) {
  ir::Attributes attrs;
  attrs.set(name, std::move(values));
  return attrs;
}

int64_t normalize_axis(int64_t axis, int64_t rank, const char* op, const Tensor& x,
                       const Where& where) {
  const int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    throw_op_error(op, "axis " + std::to_string(axis) + " is out of range", {x}, where,
                   "axes run from " + std::to_string(-rank) + " to " + std::to_string(rank - 1));
  }
  return normalized;
}

std::vector<int64_t> reduction_axes(const Tensor& x, const std::vector<int64_t>& axes,
                                    const char* op, const Where& where) {
  std::vector<int64_t> result;
  for (int64_t axis : axes) result.push_back(normalize_axis(axis, x.rank(), op, x, where));
  if (axes.empty()) {
    for (int64_t axis = 0; axis < x.rank(); ++axis) result.push_back(axis);
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

std::vector<int64_t> broadcast_dims(const Tensor& a, const Tensor& b, const char* op,
                                    const Where& where) {
  const std::vector<int64_t>& x = a.dims();
  const std::vector<int64_t>& y = b.dims();
  const size_t rank = std::max(x.size(), y.size());
  std::vector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t dx = i < rank - x.size() ? 1 : x[i - (rank - x.size())];
    const int64_t dy = i < rank - y.size() ? 1 : y[i - (rank - y.size())];
    if (dx != dy && dx != 1 && dy != 1) {
      throw_op_error(op, "shapes cannot be broadcast together", {a, b}, where,
                     "each trailing dimension must match or be 1");
    }
    result[i] = dx == 1 ? dy : dx;
  }
  return result;
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op, const Where& where) {
  if (a.dtype() == b.dtype()) return;
  throw_op_error(op, "operands have different dtypes", {a, b}, where,
                 "convert one operand with astype");
}

void throw_op_error(const char* op, const std::string& what, const std::vector<Tensor>& operands,
                    const Where& where, const std::string& hint) {
  std::string shapes;
  for (const Tensor& operand : operands) {
    shapes += (shapes.empty() ? "" : " and ") +
              (operand.defined() ? operand.shape_string() : std::string("an empty Tensor"));
  }
  throw Error(std::string(op) + ": " + what + (shapes.empty() ? "" : "; got " + shapes) +
              user_location(where) + (hint.empty() ? "" : "\n  hint: " + hint));
}

}  // namespace hlocc::tracing
