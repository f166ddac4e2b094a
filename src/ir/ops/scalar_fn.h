// Recognizes "simple binary" computations (root = op(p0, p1) of two scalar parameters) so that
// reduce-like ops (reduce, reduce-window, scatter, ...) can run a typed loop instead of calling
// the computation once per element. The op's meaning comes from scalar_math.h, never from here.
#pragma once

#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "ir/check.h"
#include "ir/computation.h"
#include "ir/op_rules.h"
#include "ir/ops/scalar_math.h"

namespace hlocc::ir::ops {

/// The op of a computation `(T p0, T p1) -> T { ROOT op(p0, p1) }` for op in add, multiply,
/// maximum, minimum, and, or, xor (also op(p1, p0), except for maximum/minimum, whose ties are not
/// symmetric); std::nullopt for anything else. Callers compute op(accumulator, element).
std::optional<Op> simple_binary_op(const Computation& computation);

/// Calls fn(binary) where binary is a callable T(T, T) computing `op` with scalar_math.h semantics,
/// so that a loop written inside fn inlines the op. `op` must come from simple_binary_op on a
/// verified computation over T (so and/or/xor never meet a floating T).
template <class T, class Fn>
decltype(auto) with_simple_binary(Op op, Fn&& fn) {
  switch (op) {
    case Op::Add:
      return fn([](T a, T b) { return hlo_add(a, b); });
    case Op::Multiply:
      return fn([](T a, T b) { return hlo_multiply(a, b); });
    case Op::Maximum:
      return fn([](T a, T b) { return hlo_maximum(a, b); });
    case Op::Minimum:
      return fn([](T a, T b) { return hlo_minimum(a, b); });
    default:
      break;
  }
  // Bitwise ops exist only for pred and integers; the verifier rejects them on other types.
  if constexpr (std::is_integral_v<T>) {
    switch (op) {
      case Op::And:
        return fn([](T a, T b) { return hlo_and(a, b); });
      case Op::Or:
        return fn([](T a, T b) { return hlo_or(a, b); });
      case Op::Xor:
        return fn([](T a, T b) { return hlo_xor(a, b); });
      default:
        break;
    }
  }
  HLOCC_CHECK(false) << "with_simple_binary: " << op_name(op) << " is not defined on this type";
  __builtin_unreachable();
}

/// `op`(a, b) for an op returned by simple_binary_op (one call; loops should use
/// with_simple_binary).
template <class T>
T apply_simple_binary(Op op, T a, T b) {
  return with_simple_binary<T>(op, [&](auto binary) { return binary(a, b); });
}

/// Copies one element between arrays of the same element type.
void copy_element(Literal& to, int64_t to_index, const Literal& from, int64_t from_index);

/// The general path of reduce-like ops: calls a combiner computation (2N scalar parameters, N
/// scalars or an N-tuple out) on elements copied out of and back into arrays. Its argument
/// Literals are allocated once and refilled on every step.
class CombinerCall {
 public:
  CombinerCall(EvalContext& context, const Computation& combiner);

  /// accumulators[i][at] = combiner(accumulators[0..N)[at], elements[0..N)[element_index]).
  Status step(std::span<Literal> accumulators, int64_t at, std::span<const Literal* const> elements,
              int64_t element_index);

 private:
  EvalContext& context_;
  const Computation& combiner_;
  std::vector<Literal> arguments_;
  std::vector<const Literal*> argument_pointers_;
};

}  // namespace hlocc::ir::ops
