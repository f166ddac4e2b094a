// Rules of map and sort: ops that call a scalar computation per element (map) or per pair of
// elements along one dimension (sort). Sort is always stable, and its merge sort stays in bounds
// and terminates whatever the comparator answers (NaNs under LT, inconsistent comparators).
#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "ir/computation.h"
#include "ir/ops/rule_helpers.h"
#include "ir/ops/scalar_math.h"

namespace hlocc::ir::detail {
namespace {

using ops::op_error;

std::string str(int64_t value) { return std::to_string(value); }

Result<const Computation*> to_apply(const Instruction& inst) {
  HLOCC_TRY(Computation* const* computation, ops::require_attr<Computation*>(inst, "to_apply"));
  if (*computation == nullptr) return op_error(inst, "to_apply names no computation");
  return *computation;
}

// At least one operand, all arrays with operand 0's dimensions (element types may differ).
Status check_same_dims(const Instruction& inst) {
  if (inst.operand_count() == 0) return op_error(inst, "expects at least one operand; got none");
  for (int64_t i = 0; i < inst.operand_count(); ++i) {
    HLOCC_TRY(const Shape* shape, ops::array_operand(inst, i));
    if (shape->dims() != inst.operand(0)->shape().dims()) {
      return op_error(inst,
                      "operands must have the same dimensions; got " + ops::operand_shapes(inst));
    }
  }
  return ok_status();
}

// `callee` must take one scalar of each of `dtypes`, in order (`why` explains the count).
Status check_scalar_parameters(const Instruction& inst, const Computation& callee,
                               const std::vector<DType>& dtypes, std::string_view why) {
  const std::string what = "to_apply computation %" + callee.name();
  const auto count = static_cast<int64_t>(dtypes.size());
  if (callee.parameter_count() != count) {
    return op_error(inst, what + " must take " + str(count) + " scalar parameter(s) (" +
                              std::string(why) + "); got " + str(callee.parameter_count()));
  }
  for (int64_t i = 0; i < count; ++i) {
    const Shape expected = Shape::scalar(dtypes[static_cast<size_t>(i)]);
    const Shape& parameter = callee.parameter(i)->shape();
    if (!(parameter == expected)) {
      return op_error(inst, "parameter " + str(i) + " of " + what + " must be " +
                                expected.to_string(false) + "; got " + parameter.to_string(false));
    }
  }
  return ok_status();
}

std::vector<DType> operand_dtypes(const Instruction& inst, int copies) {
  std::vector<DType> dtypes;
  for (const Instruction* operand : inst.operands()) {
    dtypes.insert(dtypes.end(), static_cast<size_t>(copies), operand->shape().dtype());
  }
  return dtypes;
}

// Scalar Literals reused as a computation's arguments for every element, so the per-element loop
// allocates nothing beyond what the call itself does.
class ScalarArgs {
 public:
  explicit ScalarArgs(const std::vector<DType>& dtypes) {
    scalars_.reserve(dtypes.size());
    for (DType dtype : dtypes) scalars_.emplace_back(Shape::scalar(dtype));
    for (const Literal& scalar : scalars_) pointers_.push_back(&scalar);
  }
  // Argument i := element `position` (row-major) of the array `source`.
  void load(size_t i, const Literal& source, int64_t position) {
    const auto size = static_cast<size_t>(scalars_[i].raw_size());
    std::memcpy(scalars_[i].raw(), source.raw() + static_cast<size_t>(position) * size, size);
  }
  std::span<const Literal* const> pointers() const { return pointers_; }

 private:
  std::vector<Literal> scalars_;
  std::vector<const Literal*> pointers_;
};

// ---- map --------------------------------------------------------------------------------------

Result<Shape> infer_map(const Instruction& inst) {
  HLOCC_TRY_STATUS(check_same_dims(inst));
  const Shape& first = inst.operand(0)->shape();
  if (inst.attrs().has("dimensions")) {
    HLOCC_TRY(const std::vector<int64_t>* dims,
              ops::require_attr<std::vector<int64_t>>(inst, "dimensions"));
    std::vector<int64_t> all(static_cast<size_t>(first.rank()));
    std::iota(all.begin(), all.end(), 0);
    if (*dims != all) {
      return op_error(inst, "dimensions must list every operand dimension in order, " +
                                ops::braced(all) + "; got " + ops::braced(*dims) + " for " +
                                first.to_string(false));
    }
  }
  HLOCC_TRY(const Computation* callee, to_apply(inst));
  HLOCC_TRY_STATUS(
      check_scalar_parameters(inst, *callee, operand_dtypes(inst, 1), "one per operand"));
  const Shape& result = callee->result_shape();
  if (!result.is_scalar()) {
    return op_error(inst, "to_apply computation %" + callee->name() +
                              " must return a scalar; got " + result.to_string(false));
  }
  return Shape::array(result.dtype(), first.dims());
}

Result<Literal> evaluate_map(const Instruction& inst, std::span<const Literal* const> operands,
                             EvalContext& context) {
  const Computation& callee = **inst.attrs().get<Computation*>("to_apply");
  ScalarArgs args(operand_dtypes(inst, 1));
  Literal result(inst.shape());
  const auto size = static_cast<size_t>(dtype_byte_size(result.shape().dtype()));
  for (int64_t e = 0; e < result.element_count(); ++e) {
    for (size_t i = 0; i < operands.size(); ++i) args.load(i, *operands[i], e);
    HLOCC_TRY(const Literal value, context.call(callee, args.pointers()));
    std::memcpy(result.raw() + static_cast<size_t>(e) * size, value.raw(), size);
  }
  return result;
}

// ---- sort: shape ------------------------------------------------------------------------------

Result<Shape> infer_sort(const Instruction& inst) {
  HLOCC_TRY_STATUS(check_same_dims(inst));
  const Shape& first = inst.operand(0)->shape();
  HLOCC_TRY(const std::vector<int64_t>* dims,
            ops::require_attr<std::vector<int64_t>>(inst, "dimensions"));
  if (dims->size() != 1 || (*dims)[0] < 0 || (*dims)[0] >= first.rank()) {
    return op_error(inst, "dimensions must name one dimension of the operands; got " +
                              ops::braced(*dims) + " for " + first.to_string(false));
  }
  if (inst.attrs().has("is_stable")) HLOCC_TRY_STATUS(ops::require_attr<bool>(inst, "is_stable"));
  HLOCC_TRY(const Computation* comparator, to_apply(inst));
  HLOCC_TRY_STATUS(
      check_scalar_parameters(inst, *comparator, operand_dtypes(inst, 2), "two per operand"));
  if (!(comparator->result_shape() == Shape::scalar(DType::Pred))) {
    return op_error(inst, "comparator %" + comparator->name() + " must return pred[]; got " +
                              comparator->result_shape().to_string(false));
  }
  if (inst.operand_count() == 1) return first;
  std::vector<Shape> results;
  for (const Instruction* operand : inst.operands()) results.push_back(operand->shape());
  return Shape::tuple(std::move(results));
}

// ---- sort: evaluation -------------------------------------------------------------------------

// Stable bottom-up merge sort of `order` by `less`. Every index stays within [0, n) and each pass
// runs a fixed number of steps, so a comparator that is no strict weak order (NaN under LT) can
// only give a different permutation, never a crash or a hang.
template <class Less>
void merge_sort(std::vector<int64_t>& order, std::vector<int64_t>& buffer, Less& less) {
  const size_t n = order.size();
  buffer.resize(n);
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t low = 0; low < n; low += 2 * width) {
      const size_t middle = std::min(low + width, n);
      const size_t high = std::min(low + 2 * width, n);
      size_t left = low, right = middle, out = low;
      // Ties take the left element: that is what makes the sort stable.
      while (left < middle && right < high) {
        buffer[out++] = less(order[right], order[left]) ? order[right++] : order[left++];
      }
      while (left < middle) buffer[out++] = order[left++];
      while (right < high) buffer[out++] = order[right++];
    }
    order.swap(buffer);
  }
}

// Sorts every slice along `dim`; less(a, b) compares row-major positions a and b of the operands.
template <class Less>
Literal sort_slices(std::span<const Literal* const> operands, int64_t dim, Less less) {
  const Shape& shape = operands[0]->shape();
  const std::vector<int64_t> strides = row_major_strides(shape.dims());
  const int64_t length = shape.dim(dim);
  const int64_t stride = strides[static_cast<size_t>(dim)];
  std::vector<Literal> results;
  for (const Literal* operand : operands) results.emplace_back(operand->shape());
  std::vector<int64_t> order(static_cast<size_t>(length));
  std::vector<int64_t> buffer;
  std::vector<int64_t> slice_starts = shape.dims();
  slice_starts[static_cast<size_t>(dim)] = 1;
  ops::for_each_index(slice_starts, [&](std::span<const int64_t> index) {
    const int64_t base =
        std::inner_product(index.begin(), index.end(), strides.begin(), int64_t{0});
    for (int64_t k = 0; k < length; ++k) order[static_cast<size_t>(k)] = base + k * stride;
    merge_sort(order, buffer, less);
    for (size_t i = 0; i < operands.size(); ++i) {
      const auto size = static_cast<size_t>(dtype_byte_size(operands[i]->shape().dtype()));
      for (int64_t k = 0; k < length; ++k) {
        std::memcpy(results[i].raw() + static_cast<size_t>(base + k * stride) * size,
                    operands[i]->raw() + static_cast<size_t>(order[static_cast<size_t>(k)]) * size,
                    size);
      }
    }
  });
  if (results.size() == 1) return std::move(results[0]);
  return Literal::tuple(std::move(results));
}

// The general path: the comparator computation decides each pair. Its first error stops the sort.
Result<Literal> sort_by_computation(const Instruction& inst,
                                    std::span<const Literal* const> operands, int64_t dim,
                                    EvalContext& context) {
  const Computation& comparator = **inst.attrs().get<Computation*>("to_apply");
  ScalarArgs args(operand_dtypes(inst, 2));
  Status status;
  auto less = [&](int64_t a, int64_t b) {
    if (!status.ok()) return false;
    for (size_t i = 0; i < operands.size(); ++i) {
      args.load(2 * i, *operands[i], a);
      args.load(2 * i + 1, *operands[i], b);
    }
    Result<Literal> answer = context.call(comparator, args.pointers());
    if (!answer.ok()) {
      status = answer.error();
      return false;
    }
    return answer->data<bool>()[0];
  };
  Literal result = sort_slices(operands, dim, less);
  if (!status.ok()) return status.error();
  return result;
}


// The comparator `ROOT compare(p0, p1), direction=LT|GT` (operands possibly swapped), with the
// default or TOTALORDER comparison type: a plain ascending or descending sort on operand 0.
struct SimpleOrder {
  bool descending = false;
  bool total_order = false;
};

std::optional<SimpleOrder> simple_order(const Computation& comparator, DType dtype) {
  const Instruction& root = *comparator.root();
  if (root.op() != Op::Compare || is_complex(dtype)) return std::nullopt;
  const Instruction& lhs = *root.operand(0);
  const Instruction& rhs = *root.operand(1);
  if (lhs.op() != Op::Parameter || rhs.op() != Op::Parameter) return std::nullopt;
  const bool swapped = lhs.parameter_number() == 1;
  if (lhs.parameter_number() + rhs.parameter_number() != 1) return std::nullopt;  // {0,1} only
  const std::string* direction = root.attrs().get<std::string>("direction");
  if (direction == nullptr || (*direction != "LT" && *direction != "GT")) return std::nullopt;
  const std::string* type_name = root.attrs().get<std::string>("type");
  const ops::CompareType type = type_name ? *ops::compare_type_from_name(*type_name)
                                     : ops::default_compare_type(dtype);
  const bool total_order = type == ops::CompareType::TotalOrder;
  if (total_order && !is_float(dtype)) return std::nullopt;
  if (!total_order && type != ops::default_compare_type(dtype)) return std::nullopt;
  return SimpleOrder{.descending = (*direction == "GT") != swapped, .total_order = total_order};
}


// The fast path for a SimpleOrder: compares operand 0's elements directly, with the same results
// (and the same merge sort) as calling the comparator.
Literal sort_simple(std::span<const Literal* const> operands, int64_t dim, SimpleOrder order) {
  return dispatch_dtype(operands[0]->shape().dtype(), [&](auto tag) -> Literal {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, std::complex<float>> ||
                  std::is_same_v<T, std::complex<double>>) {
      HLOCC_CHECK(false) << "sort_simple on a complex operand";
      __builtin_unreachable();
    } else {
      const std::span<const T> keys = operands[0]->data<T>();
      auto sort_by = [&](auto key) {
        return sort_slices(operands, dim, [&](int64_t a, int64_t b) {
          const auto x = key(keys[static_cast<size_t>(a)]);
          const auto y = key(keys[static_cast<size_t>(b)]);
          return order.descending ? y < x : x < y;
        });
      };
      if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16> ||
                    std::is_floating_point_v<T>) {
        if (order.total_order) return sort_by([](T v) { return ops::total_order_key(v); });
      }
      return sort_by([](T v) { return v; });
    }
  });
}

Result<Literal> evaluate_sort(const Instruction& inst, std::span<const Literal* const> operands,
                              EvalContext& context) {
  const int64_t dim = (*inst.attrs().get<std::vector<int64_t>>("dimensions"))[0];
  const Computation& comparator = **inst.attrs().get<Computation*>("to_apply");
  if (const auto order = simple_order(comparator, operands[0]->shape().dtype())) {
    return sort_simple(operands, dim, *order);
  }
  return sort_by_computation(inst, operands, dim, context);
}

}  // namespace

void register_map_sort_ops(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Map)] = OpRules{.infer_shape = infer_map, .evaluate = evaluate_map};
  table[static_cast<size_t>(Op::Sort)] =
      OpRules{.infer_shape = infer_sort, .evaluate = evaluate_sort};
}

}  // namespace hlocc::ir::detail
