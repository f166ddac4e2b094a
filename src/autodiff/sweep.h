// The reverse sweep's internals, shared by the transform (reverse.cc) and the structural rules of
// control flow (control_flow.cc): cotangents kept sparse per tuple element, and the VjpBuilder
// that op rules see.
#pragma once

#include <map>
#include <vector>

#include "ir/computation.h"
#include "ir/vjp.h"

namespace hlocc::autodiff::detail {

/// The cotangent of one forward value: zero (nothing set), one instruction (array- or
/// tuple-shaped), or, for a tuple built up piece by piece, one cotangent per element.
struct Cotangent {
  ir::Instruction* value = nullptr;
  std::vector<Cotangent> elements;
  bool is_zero() const;
};

/// Builds the gradient computation: a copy of the forward instructions, then the cotangents.
class Sweep : public ir::VjpBuilder {
 public:
  Sweep(ir::Computation& fn, ir::Computation& gradient);

  /// Copies fn's instructions into the gradient computation (parameters keep their numbers).
  void copy_forward();
  /// Runs the reverse sweep from `seed`, the cotangent of fn's root. Fails on an instruction
  /// that cannot be differentiated.
  Status sweep(ir::Instruction* seed);
  /// The accumulated cotangent of a forward instruction, materialized with `forward`'s shape
  /// (zeros where none).
  ir::Instruction* cotangent_of(const ir::Instruction* forward);

  /// The copy of a forward instruction in the gradient computation.
  ir::Instruction* primal(const ir::Instruction* forward) const { return primals_.at(forward); }
  /// Zeros (a tuple of zeros for tuple shapes) of `shape`.
  ir::Instruction* zeros(const ir::Shape& shape);
  /// `ct` as one instruction of `shape` (zeros where parts are missing).
  ir::Instruction* materialize(const Cotangent& ct, const ir::Shape& shape);

  // VjpBuilder
  const ir::Instruction& forward() const override { return *current_; }
  ir::Instruction* operand(int64_t i) override { return primal(current_->operand(i)); }
  ir::Instruction* result() override { return primal(current_); }
  ir::Instruction* cotangent() override { return current_cotangent_; }
  ir::Builder& builder() override { return builder_; }
  ir::Module& module() override { return *gradient_.parent(); }
  ir::Computation* scalar_computation(ir::Op op, ir::DType dtype) override;

 private:
  void accumulate(const ir::Instruction* forward, Cotangent ct);
  Cotangent add_cotangents(Cotangent a, Cotangent b, const ir::Shape& shape);
  Status visit(const ir::Instruction& instruction, Cotangent ct);

  ir::Computation& fn_;
  ir::Computation& gradient_;
  ir::Builder builder_;
  std::map<const ir::Instruction*, ir::Instruction*> primals_;
  std::map<const ir::Instruction*, Cotangent> cotangents_;
  const ir::Instruction* current_ = nullptr;
  ir::Instruction* current_cotangent_ = nullptr;
};

/// Cotangents of the operands of the structural ops, materialized (null for zero). `ct` is the
/// materialized cotangent of the instruction's result.
Result<std::vector<ir::Instruction*>> call_vjp(Sweep& sweep, const ir::Instruction& call,
                                               ir::Instruction* ct);
Result<std::vector<ir::Instruction*>> while_vjp(Sweep& sweep, const ir::Instruction& loop,
                                                ir::Instruction* ct);
Result<std::vector<ir::Instruction*>> conditional_vjp(Sweep& sweep,
                                                      const ir::Instruction& conditional,
                                                      ir::Instruction* ct);

}  // namespace hlocc::autodiff::detail
