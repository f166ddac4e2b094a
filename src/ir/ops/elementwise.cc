// Rules of the elementwise binary ops (add ... xor, compare, complex) and the ternary clamp and
// select: accepted element types and shapes as XLA's shape inference and verifier, values as XLA's
// evaluator (scalar semantics in scalar_math.h). The unary ops are in elementwise_unary.cc.
#include <complex>

#include "ir/ops/elementwise_helpers.h"

namespace hlocc::ir::detail {
namespace {

using ops::CompareDirection;
using ops::CompareType;

Result<Shape> infer_binary(const Instruction& inst, uint32_t accepted) {
  HLOCC_TRY(const Shape* lhs, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* rhs, ops::array_operand(inst, 1));
  (void)rhs;  // only checked for being an array; its type and dims must equal lhs's (below)
  HLOCC_TRY_STATUS(ops::check_same_operand_shapes(inst));
  HLOCC_TRY_STATUS(ops::check_element_type(inst, *lhs, accepted, "operands"));
  return lhs->without_layout();
}

/// An elementwise binary op whose result has its operands' type; fn takes storage types.
template <uint32_t kAccepted, class Fn>
OpRules binary_rule(Fn fn) {
  return OpRules{
      .infer_shape = [](const Instruction& inst) { return infer_binary(inst, kAccepted); },
      .evaluate = [fn](const Instruction& inst, std::span<const Literal* const> operands,
                       EvalContext&) -> Result<Literal> {
        return ops::map_binary<kAccepted>(inst.shape(), *operands[0], *operands[1], fn);
      },
  };
}

// --- compare ---

/// Whether comparison `type` is defined on `dtype`, as XLA emits them: FLOAT on floating-point
/// and complex, TOTALORDER on floating-point, SIGNED on signed and UNSIGNED on unsigned integers
/// and pred.
bool compare_type_fits(CompareType type, DType dtype) {
  switch (type) {
    case CompareType::Float:
      return is_inexact(dtype);
    case CompareType::TotalOrder:
      return is_float(dtype);
    case CompareType::Signed:
      return is_signed_int(dtype);
    case CompareType::Unsigned:
      return is_unsigned_int(dtype) || dtype == DType::Pred;
  }
  return false;
}

struct CompareAttrs {
  CompareDirection direction;
  CompareType type;
};

Result<CompareAttrs> compare_attrs(const Instruction& inst) {
  HLOCC_TRY(const std::string* direction_name, ops::require_attr<std::string>(inst, "direction"));
  const auto direction = ops::compare_direction_from_name(*direction_name);
  if (!direction) {
    return ops::op_error(inst,
                         "direction must be EQ, NE, LT, LE, GT or GE; got " + *direction_name);
  }
  const DType dtype = inst.operand(0)->shape().dtype();
  if (is_complex(dtype) && *direction != CompareDirection::Eq &&
      *direction != CompareDirection::Ne) {
    return ops::op_error(inst, "complex numbers are unordered: direction must be EQ or NE; got " +
                                   *direction_name + " for " + ops::operand_shapes(inst));
  }
  const std::string* type_name = inst.attrs().get<std::string>("type");
  if (type_name == nullptr) return CompareAttrs{*direction, ops::default_compare_type(dtype)};
  const auto type = ops::compare_type_from_name(*type_name);
  if (!type) {
    return ops::op_error(inst,
                         "type must be FLOAT, TOTALORDER, SIGNED or UNSIGNED; got " + *type_name);
  }
  if (!compare_type_fits(*type, dtype)) {
    return ops::op_error(inst, "comparison type " + *type_name +
                                   " does not fit the operands' element type; got " +
                                   ops::operand_shapes(inst));
  }
  return CompareAttrs{*direction, *type};
}

OpRules compare_rule() {
  return OpRules{
      .infer_shape = [](const Instruction& inst) -> Result<Shape> {
        HLOCC_TRY(Shape shape, infer_binary(inst, ops::kAnyClass));
        HLOCC_TRY(const CompareAttrs attrs, compare_attrs(inst));
        (void)attrs;  // validated here, read again by evaluate
        return shape.with_dtype(DType::Pred);
      },
      .evaluate = [](const Instruction& inst, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> {
        HLOCC_TRY(const CompareAttrs attrs, compare_attrs(inst));
        return ops::map_binary<ops::kAnyClass>(
            inst.shape(), *operands[0], *operands[1], [attrs](auto a, auto b) {
              return ops::hlo_compare(attrs.direction, attrs.type, a, b);
            });
      },
  };
}

// --- complex(real, imag) ---

template <class V>
Literal compose_complex(const Shape& result_shape, const Literal& real, const Literal& imag) {
  Literal result(result_shape);
  const std::span<const V> re = real.data<V>();
  const std::span<const V> im = imag.data<V>();
  const std::span<std::complex<V>> out = result.data<std::complex<V>>();
  for (size_t i = 0; i < out.size(); ++i) out[i] = {re[i], im[i]};
  return result;
}

OpRules complex_rule() {
  return OpRules{
      .infer_shape = [](const Instruction& inst) -> Result<Shape> {
        HLOCC_TRY(Shape shape, infer_binary(inst, ops::kFloatClass));
        if (shape.dtype() == DType::F32) return shape.with_dtype(DType::C64);
        if (shape.dtype() == DType::F64) return shape.with_dtype(DType::C128);
        return ops::op_error(inst, "components must be f32 (for c64) or f64 (for c128); got " +
                                       ops::operand_shapes(inst));
      },
      .evaluate = [](const Instruction& inst, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> {
        if (inst.shape().dtype() == DType::C64) {
          return compose_complex<float>(inst.shape(), *operands[0], *operands[1]);
        }
        return compose_complex<double>(inst.shape(), *operands[0], *operands[1]);
      },
  };
}

// --- clamp(min, operand, max) ---

constexpr uint32_t kOrderedClass = ops::kPredClass | ops::kIntClass | ops::kFloatClass;

Result<Shape> infer_clamp(const Instruction& inst) {
  HLOCC_TRY(const Shape* min, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* operand, ops::array_operand(inst, 1));
  HLOCC_TRY(const Shape* max, ops::array_operand(inst, 2));
  HLOCC_TRY_STATUS(ops::check_element_type(inst, *operand, kOrderedClass));
  if (min->dtype() != operand->dtype() || max->dtype() != operand->dtype()) {
    return ops::op_error(inst, "min, operand and max must have the same element type; got " +
                                   ops::operand_shapes(inst));
  }
  const auto fits = [&](const Shape& bound) {
    return bound.is_scalar() || bound.dims() == operand->dims();
  };
  if (!fits(*min) || !fits(*max)) {
    return ops::op_error(inst, "min and max must be scalars or have the operand's shape; got min " +
                                   min->to_string(false) + ", operand " +
                                   operand->to_string(false) + ", max " + max->to_string(false));
  }
  return operand->without_layout();
}

/// XLA's clamp: the first NaN among (min, operand, max) wins; else min(max, maximum(x, min)).
template <class T>
T clamp_value(T low, T value, T high) {
  if (ops::detail::is_nan(low)) return low;
  if (ops::detail::is_nan(value)) return value;
  if (ops::detail::is_nan(high)) return high;
  return ops::hlo_minimum(high, ops::hlo_maximum(value, low));
}

Literal evaluate_clamp(const Shape& result_shape, const Literal& min, const Literal& operand,
                       const Literal& max) {
  Literal result(result_shape);
  // A scalar bound applies to every element: step 0 keeps reading its one value.
  const size_t min_step = min.shape().is_scalar() ? 0 : 1;
  const size_t max_step = max.shape().is_scalar() ? 0 : 1;
  dispatch_dtype(operand.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr ((ops::type_class_of<T>() & kOrderedClass) != 0) {
      const std::span<const T> low = min.data<T>();
      const std::span<const T> in = operand.data<T>();
      const std::span<const T> high = max.data<T>();
      const std::span<T> out = result.data<T>();
      for (size_t i = 0; i < in.size(); ++i) {
        out[i] = clamp_value(low[i * min_step], in[i], high[i * max_step]);
      }
    } else {
      HLOCC_CHECK(false) << "clamp: complex passed the shape rule";
    }
  });
  return result;
}

OpRules clamp_rule() {
  return OpRules{
      .infer_shape = infer_clamp,
      .evaluate = [](const Instruction& inst, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> {
        return evaluate_clamp(inst.shape(), *operands[0], *operands[1], *operands[2]);
      },
  };
}

// --- select(pred, on_true, on_false) ---

Result<Shape> infer_select(const Instruction& inst) {
  HLOCC_TRY(const Shape* pred, ops::array_operand(inst, 0));
  HLOCC_TRY(const Shape* on_true, ops::array_operand(inst, 1));
  HLOCC_TRY(const Shape* on_false, ops::array_operand(inst, 2));
  if (pred->dtype() != DType::Pred) {
    return ops::op_error(
        inst, "the predicate must have element type pred; got " + pred->to_string(false));
  }
  if (!(*on_true == *on_false)) {
    return ops::op_error(inst, "on_true and on_false must have the same shape; got " +
                                   on_true->to_string(false) + " and " +
                                   on_false->to_string(false));
  }
  if (!pred->is_scalar() && pred->dims() != on_true->dims()) {
    return ops::op_error(inst,
                         "the predicate must be a scalar or have the dimensions of on_true; "
                         "got " +
                             ops::operand_shapes(inst));
  }
  return on_true->without_layout();
}

Literal evaluate_select(const Shape& result_shape, const Literal& pred, const Literal& on_true,
                        const Literal& on_false) {
  if (pred.shape().is_scalar()) return pred.data<bool>()[0] ? on_true : on_false;
  Literal result(result_shape);
  dispatch_dtype(on_true.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const std::span<const bool> choose = pred.data<bool>();
    const std::span<const T> a = on_true.data<T>();
    const std::span<const T> b = on_false.data<T>();
    const std::span<T> out = result.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = choose[i] ? a[i] : b[i];
  });
  return result;
}

OpRules select_rule() {
  return OpRules{
      .infer_shape = infer_select,
      .evaluate = [](const Instruction& inst, std::span<const Literal* const> operands,
                     EvalContext&) -> Result<Literal> {
        return evaluate_select(inst.shape(), *operands[0], *operands[1], *operands[2]);
      },
  };
}

}  // namespace

void register_elementwise_ops(OpRuleTable& table) {
  using ops::kAnyClass, ops::kIntClass, ops::kFloatClass, ops::kInexactClass, ops::kNumericClass;
  constexpr uint32_t kBitwise = ops::kPredClass | kIntClass;
  register_elementwise_unary_ops(table);
  ops::set_rules(table, Op::Add,
                 binary_rule<kAnyClass>([](auto a, auto b) { return ops::hlo_add(a, b); }));
  ops::set_rules(table, Op::And,
                 binary_rule<kBitwise>([](auto a, auto b) { return ops::hlo_and(a, b); }));
  ops::set_rules(table, Op::Atan2,
                 binary_rule<kInexactClass>([](auto a, auto b) { return ops::hlo_atan2(a, b); }));
  ops::set_rules(table, Op::Compare, compare_rule());
  ops::set_rules(table, Op::Complex, complex_rule());
  ops::set_rules(table, Op::Divide,
                 binary_rule<kNumericClass>([](auto a, auto b) { return ops::hlo_divide(a, b); }));
  ops::set_rules(table, Op::Maximum,
                 binary_rule<kOrderedClass>([](auto a, auto b) { return ops::hlo_maximum(a, b); }));
  ops::set_rules(table, Op::Minimum,
                 binary_rule<kOrderedClass>([](auto a, auto b) { return ops::hlo_minimum(a, b); }));
  ops::set_rules(table, Op::Multiply,
                 binary_rule<kAnyClass>([](auto a, auto b) { return ops::hlo_multiply(a, b); }));
  ops::set_rules(table, Op::Or,
                 binary_rule<kBitwise>([](auto a, auto b) { return ops::hlo_or(a, b); }));
  ops::set_rules(table, Op::Power,
                 binary_rule<kNumericClass>([](auto a, auto b) { return ops::hlo_power(a, b); }));
  ops::set_rules(table, Op::Remainder, binary_rule<kIntClass | kFloatClass>([](auto a, auto b) {
                   return ops::hlo_remainder(a, b);
                 }));
  ops::set_rules(table, Op::ShiftLeft,
                 binary_rule<kIntClass>([](auto a, auto b) { return ops::hlo_shift_left(a, b); }));
  ops::set_rules(table, Op::ShiftRightArithmetic, binary_rule<kIntClass>([](auto a, auto b) {
                   return ops::hlo_shift_right_arithmetic(a, b);
                 }));
  ops::set_rules(table, Op::ShiftRightLogical, binary_rule<kIntClass>([](auto a, auto b) {
                   return ops::hlo_shift_right_logical(a, b);
                 }));
  ops::set_rules(table, Op::Subtract, binary_rule<kNumericClass>([](auto a, auto b) {
                   return ops::hlo_subtract(a, b);
                 }));
  ops::set_rules(table, Op::Xor,
                 binary_rule<kBitwise>([](auto a, auto b) { return ops::hlo_xor(a, b); }));
  ops::set_rules(table, Op::Clamp, clamp_rule());
  ops::set_rules(table, Op::Select, select_rule());
}

}  // namespace hlocc::ir::detail
