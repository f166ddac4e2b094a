// Elemental lowering: each op's elemental rule says how to compute ONE element of its result from
// elements of its operands, written against the ElementalBuilder interface below. Rules live in the
// op table (OpRules::elemental) beside the op's other rules, in src/ir/ops/<family>_elemental.cc;
// backends implement the builder (src/backends/cpu/llvm/ emits LLVM IR from it), so fused loops of
// any op mix are generated from one description of each op.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "ir/instruction.h"
#include "ir/ops/compare_kind.h"
#include "ir/result.h"

namespace hlocc::ir {

/// A scalar in generated code: a handle owned by the builder, and its element type. Index
/// arithmetic uses DType::S64 values; conditions are DType::Pred.
struct EValue {
  void* handle = nullptr;
  DType dtype = DType::Pred;
};
/// A multi-dimensional index: one S64 value per dimension (empty for scalars).
using EIndex = std::vector<EValue>;

/// What an elemental rule sees and can emit. Every scalar method has XLA's semantics for every
/// element type the op's shape rule accepts (integer division by zero, NaN propagation of
/// maximum, complex math, f16/bf16 computed in f32 and rounded, ...): the reference evaluator's
/// scalar_math.h is the specification. Operands of binary methods have the same dtype.
class ElementalBuilder {
 public:
  virtual ~ElementalBuilder() = default;

  /// The instruction whose element is being generated (its attributes and shapes).
  virtual const Instruction& instruction() const = 0;
  /// Element `index` of operand i. `tuple_index` selects an element of a tuple-shaped operand.
  virtual EValue operand(int64_t i, const EIndex& index, int64_t tuple_index = -1) = 0;

  // ---- Constants ----
  virtual EValue constant(DType dtype, double value) = 0;  // exact for |integers| <= 2^53
  virtual EValue int_constant(DType dtype, int64_t value) = 0;
  EValue index_constant(int64_t value) { return int_constant(DType::S64, value); }
  /// Element `index` of a constant literal (a constant instruction's value, a table, ...).
  virtual EValue literal_element(const Literal& literal, const EIndex& index) = 0;

  // ---- Structure: loops, branches, calls ----
  /// Emits a loop nest over [0, bounds[d]) in row-major order. `body` is called once, at code
  /// generation time, with the loop index and the loop-carried values, and returns their next
  /// values (same count and dtypes). Returns the carried values after the last iteration.
  using LoopBody = std::function<std::vector<EValue>(const EIndex& index,
                                                     const std::vector<EValue>& carried)>;
  virtual std::vector<EValue> loop(const std::vector<int64_t>& bounds, std::vector<EValue> carried,
                                   const LoopBody& body) = 0;
  /// Runs exactly one of the branches (both are emitted; only one executes), so a branch may read
  /// memory that would be out of bounds in the other. Both return values of the same dtypes.
  using Branch = std::function<std::vector<EValue>()>;
  virtual std::vector<EValue> if_else(EValue condition, const Branch& then_branch,
                                      const Branch& else_branch) = 0;
  /// Inlines a computation on scalars (a reducer, comparator or map function): returns its root's
  /// value, or the elements of its root tuple.
  virtual std::vector<EValue> call(const Computation& computation, std::span<const EValue> args) = 0;

  // ---- Elementwise math, one method per HLO op (or family) ----
  virtual EValue abs(EValue x) = 0;
  virtual EValue cbrt(EValue x) = 0;
  virtual EValue ceil(EValue x) = 0;
  virtual EValue count_leading_zeros(EValue x) = 0;
  virtual EValue cos(EValue x) = 0;
  virtual EValue exp(EValue x) = 0;
  virtual EValue expm1(EValue x) = 0;
  virtual EValue floor(EValue x) = 0;
  virtual EValue imag(EValue x) = 0;
  virtual EValue is_finite(EValue x) = 0;
  virtual EValue log(EValue x) = 0;
  virtual EValue log1p(EValue x) = 0;
  virtual EValue logistic(EValue x) = 0;
  virtual EValue negate(EValue x) = 0;
  virtual EValue logical_not(EValue x) = 0;  // bitwise for integers
  virtual EValue popcount(EValue x) = 0;
  virtual EValue real(EValue x) = 0;
  virtual EValue round_nearest_afz(EValue x) = 0;
  virtual EValue round_nearest_even(EValue x) = 0;
  virtual EValue rsqrt(EValue x) = 0;
  virtual EValue sign(EValue x) = 0;
  virtual EValue sin(EValue x) = 0;
  virtual EValue sqrt(EValue x) = 0;
  virtual EValue tan(EValue x) = 0;
  virtual EValue tanh(EValue x) = 0;

  virtual EValue add(EValue a, EValue b) = 0;
  virtual EValue logical_and(EValue a, EValue b) = 0;  // bitwise for integers
  virtual EValue atan2(EValue a, EValue b) = 0;
  virtual EValue compare(ops::CompareDirection direction, ops::CompareType type, EValue a,
                         EValue b) = 0;
  virtual EValue complex(EValue real, EValue imag) = 0;
  virtual EValue divide(EValue a, EValue b) = 0;
  virtual EValue maximum(EValue a, EValue b) = 0;
  virtual EValue minimum(EValue a, EValue b) = 0;
  virtual EValue multiply(EValue a, EValue b) = 0;
  virtual EValue logical_or(EValue a, EValue b) = 0;
  virtual EValue power(EValue a, EValue b) = 0;
  virtual EValue remainder(EValue a, EValue b) = 0;
  virtual EValue shift_left(EValue a, EValue b) = 0;
  virtual EValue shift_right_arithmetic(EValue a, EValue b) = 0;
  virtual EValue shift_right_logical(EValue a, EValue b) = 0;
  virtual EValue subtract(EValue a, EValue b) = 0;
  virtual EValue logical_xor(EValue a, EValue b) = 0;

  virtual EValue select(EValue condition, EValue on_true, EValue on_false) = 0;
  virtual EValue convert(EValue x, DType to) = 0;
  virtual EValue bitcast_convert(EValue x, DType to) = 0;  // same bit width
  virtual EValue reduce_precision(EValue x, int64_t exponent_bits, int64_t mantissa_bits) = 0;

  // Conveniences for index arithmetic (S64 operands).
  EValue index_add(EValue a, int64_t b) { return add(a, index_constant(b)); }
  EValue index_mul(EValue a, int64_t b) { return multiply(a, index_constant(b)); }
  EValue index_compare(ops::CompareDirection direction, EValue a, EValue b) {
    return compare(direction, ops::CompareType::Signed, a, b);
  }
};

/// An elemental rule: the result element at `index` of builder.instruction(), one value per
/// result array (several for variadic reduce / reduce-window, whose results are tuples).
using ElementalRule =
    std::function<Result<std::vector<EValue>>(ElementalBuilder& builder, const EIndex& index)>;

/// The rule of ops a backend lowers as a whole rather than element by element (parameter,
/// constant, tuple, get-tuple-element, while, conditional, call, custom-call, sort, scatter,
/// rng-bit-generator, ...): never called by an elemental emitter.
ElementalRule lowered_by_backend();

/// A row reduction: a reduce of one array that keeps its operand's innermost dim (a bias gradient:
/// [N, H, W, C] -> [N, C]). Loop kernels accumulate such a reduce a row at a time, reading its
/// input once in memory order; a kLoop fusion may return that input beside it
/// (tuple(reduce, reduce's input), see passes/sibling_fusion.h).
bool is_row_reduction(const Instruction& inst);

/// The row reduction a loop kernel's computation returns: its root, or the reduce of a root
/// tuple(reduce, reduce's input); null for any other root.
const Instruction* row_reduction_root(const Computation& computation);

}  // namespace hlocc::ir
