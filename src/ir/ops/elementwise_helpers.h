// Helpers shared by the elementwise and conversion rule files: which element types an op
// accepts (type classes, with their error messages) and typed loops that map a scalar function
// over dense literals. Used only by src/ir/ops/elementwise*.cc and convert.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "ir/ops/rule_helpers.h"
#include "ir/ops/scalar_math.h"

namespace hlocc::ir::ops {

/// Element type classes, combined as bit masks to say what an op accepts.
enum TypeClass : uint32_t {
  kPredClass = 1u << 0,
  kSignedClass = 1u << 1,
  kUnsignedClass = 1u << 2,
  kFloatClass = 1u << 3,
  kComplexClass = 1u << 4,
};
inline constexpr uint32_t kIntClass = kSignedClass | kUnsignedClass;
inline constexpr uint32_t kInexactClass = kFloatClass | kComplexClass;
inline constexpr uint32_t kNumericClass = kIntClass | kInexactClass;
inline constexpr uint32_t kAnyClass = kPredClass | kNumericClass;

uint32_t type_class(DType dtype);

template <class T>
constexpr uint32_t type_class_of() {
  if constexpr (std::is_same_v<T, bool>)
    return kPredClass;
  else if constexpr (is_complex_v<T>)
    return kComplexClass;
  else if constexpr (is_real_float_v<T>)
    return kFloatClass;
  else if constexpr (std::is_signed_v<T>)
    return kSignedClass;
  else
    return kUnsignedClass;
}

/// "pred or integer", "floating-point or complex", ...: the accepted classes in words.
std::string describe_type_classes(uint32_t classes);

/// OK if `shape` is an array whose element type is in `classes`, else
/// "<op>: <role> must be <classes>; got <shape>".
Status check_element_type(const Instruction& inst, const Shape& shape, uint32_t classes,
                          std::string_view role = "operand");

/// OK if every operand has exactly the shape of operand 0 (HLO has no implicit broadcasting).
Status check_same_operand_shapes(const Instruction& inst);

inline void set_rules(OpRuleTable& table, Op op, OpRules rules) {
  table[static_cast<size_t>(op)] = std::move(rules);
}

/// What an elementwise op's result element type is, given its operand's.
enum class ResultType { Same, Pred, Component };

/// Applies fn (storage type in, storage type out) to every element of `operand`. Types outside
/// kAccepted are rejected by the shape rule, so they never reach here.
template <uint32_t kAccepted, class Fn>
Literal map_unary(const Shape& result_shape, const Literal& operand, Fn&& fn) {
  Literal result(result_shape);
  dispatch_dtype(operand.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr ((type_class_of<T>() & kAccepted) != 0) {
      using Out = decltype(fn(std::declval<T>()));
      const std::span<const T> in = operand.data<T>();
      const std::span<Out> out = result.data<Out>();
      for (size_t i = 0; i < in.size(); ++i) out[i] = fn(in[i]);
    } else {
      HLOCC_CHECK(false) << "map_unary: element type " << dtype_name(operand.shape().dtype())
                         << " passed the shape rule but the op does not accept it";
    }
  });
  return result;
}

/// Applies fn elementwise to two same-shaped operands (see map_unary).
template <uint32_t kAccepted, class Fn>
Literal map_binary(const Shape& result_shape, const Literal& lhs, const Literal& rhs, Fn&& fn) {
  Literal result(result_shape);
  dispatch_dtype(lhs.shape().dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr ((type_class_of<T>() & kAccepted) != 0) {
      using Out = decltype(fn(std::declval<T>(), std::declval<T>()));
      const std::span<const T> a = lhs.data<T>();
      const std::span<const T> b = rhs.data<T>();
      const std::span<Out> out = result.data<Out>();
      for (size_t i = 0; i < a.size(); ++i) out[i] = fn(a[i], b[i]);
    } else {
      HLOCC_CHECK(false) << "map_binary: element type " << dtype_name(lhs.shape().dtype())
                         << " passed the shape rule but the op does not accept it";
    }
  });
  return result;
}

}  // namespace hlocc::ir::ops

namespace hlocc::ir::detail {
// The unary half of the elementwise family (elementwise_unary.cc); called by
// register_elementwise_ops so that op_rules.cc keeps one entry per family.
void register_elementwise_unary_ops(OpRuleTable& table);
}  // namespace hlocc::ir::detail
