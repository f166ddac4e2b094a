// Reverse-mode rules: each op's vjp rule maps the cotangent of its result to cotangents of its
// operands, by emitting HLO into the gradient computation the autodiff transform is building
// (src/autodiff/). Rules live in the op table (OpRules::vjp) next to the op's other rules, in
// src/ir/ops/<family>_vjp.cc; this header is the interface they are written against.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "ir/builder.h"
#include "ir/instruction.h"
#include "ir/result.h"

namespace hlocc::ir {

class Module;

/// What a vjp rule sees and can build. The transform implements it.
class VjpBuilder {
 public:
  virtual ~VjpBuilder() = default;

  /// The forward instruction being differentiated (its attributes and shapes).
  virtual const Instruction& forward() const = 0;
  /// The forward instruction's operand i and its result, as instructions of the gradient
  /// computation (so a rule may use primal values).
  virtual Instruction* operand(int64_t i) = 0;
  virtual Instruction* result() = 0;
  /// The cotangent of the result: same shape as the result (array-shaped results only).
  virtual Instruction* cotangent() = 0;
  /// Builds into the gradient computation (for computations a rule adds to the module, e.g. a
  /// reducer, use module()).
  virtual Builder& builder() = 0;
  virtual Module& module() = 0;

  // Conveniences for rules. add() treats a broken shape rule as an internal error: the forward
  // program verified, so the rule's own HLO must too.
  Instruction* add(Op op, std::vector<Instruction*> operands, Attributes attrs = {},
                   std::optional<Shape> shape = std::nullopt);
  /// A constant `value` of `dtype` broadcast to `dims` (a scalar constant when dims is empty).
  Instruction* full(double value, DType dtype, const std::vector<int64_t>& dims);
  Instruction* zeros_like(const Instruction* like);
  Instruction* neg(Instruction* x) { return add(Op::Negate, {x}); }
  Instruction* mul(Instruction* a, Instruction* b) { return add(Op::Multiply, {a, b}); }
  Instruction* div(Instruction* a, Instruction* b) { return add(Op::Divide, {a, b}); }
  Instruction* sum(Instruction* a, Instruction* b) { return add(Op::Add, {a, b}); }
  Instruction* sub(Instruction* a, Instruction* b) { return add(Op::Subtract, {a, b}); }
  Instruction* select(Instruction* pred, Instruction* a, Instruction* b) {
    return add(Op::Select, {pred, a, b});
  }
  Instruction* compare(Instruction* a, Instruction* b, const char* direction);
  /// x converted to `dtype` (same dims).
  Instruction* convert(Instruction* x, DType dtype);
  /// Sum of x over `dims` (a reduce with an add computation of x's dtype).
  Instruction* reduce_sum(Instruction* x, const std::vector<int64_t>& dims);
  /// x (of the forward operand's dims after a broadcast) summed back to `shape`'s dims, where
  /// `broadcast_dimensions` maps shape's dims into x's (as in HLO broadcast).
  Instruction* unbroadcast(Instruction* x, const Shape& shape,
                           const std::vector<int64_t>& broadcast_dimensions);
  /// The computation (T a, T b) -> T { op(a, b) } for reducers, shared per module.
  virtual Computation* scalar_computation(Op op, DType dtype) = 0;
};

/// A vjp rule: the cotangent of each operand, in order; null where it is zero or the operand is
/// not differentiable (integer, pred, indices).
using VjpRule = std::function<Result<std::vector<Instruction*>>(VjpBuilder&)>;

/// The rule of ops that are not differentiable (comparisons, integer ops, iota, rng, ...): every
/// operand's cotangent is zero.
VjpRule not_differentiable();
/// The rule of ops the transform handles itself (parameter, tuple, get-tuple-element, call,
/// while, conditional, custom-call's structure): never called.
VjpRule handled_by_transform();

}  // namespace hlocc::ir
