// ElementalInterpreter: a test double of ir::ElementalBuilder that evaluates at once on host
// values, so elemental rules can be checked against the reference evaluator without LLVM. It has
// no math of its own: every scalar method runs the op's evaluate rule on one-element literals.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backends/reference/evaluator.h"
#include "ir/elemental.h"
#include "ir/module.h"

namespace hlocc::testing {

class ElementalInterpreter : public ir::ElementalBuilder {
 public:
  /// `operands` are the values of `inst`'s operands (arrays or tuples), owned by the caller.
  ElementalInterpreter(const ir::Instruction& inst, std::vector<const ir::Literal*> operands);

  /// Every element of `inst`'s result through its elemental rule: an array, or a tuple of arrays.
  Result<ir::Literal> evaluate_all();
  /// The host value behind a handle (a scalar literal).
  const ir::Literal& value(ir::EValue value) const;
  /// How many scalar ops ran (a cost measure for tests that cap their work).
  int64_t ops_run() const { return ops_run_; }

  const ir::Instruction& instruction() const override { return inst_; }
  ir::EValue operand(int64_t i, const ir::EIndex& index, int64_t tuple_index = -1) override;

  ir::EValue constant(ir::DType dtype, double value) override;
  ir::EValue int_constant(ir::DType dtype, int64_t value) override;
  ir::EValue literal_element(const ir::Literal& literal, const ir::EIndex& index) override;

  std::vector<ir::EValue> loop(const std::vector<int64_t>& bounds, std::vector<ir::EValue> carried,
                               const LoopBody& body) override;
  std::vector<ir::EValue> if_else(ir::EValue condition, const Branch& then_branch,
                                  const Branch& else_branch) override;
  std::vector<ir::EValue> call(const ir::Computation& computation,
                               std::span<const ir::EValue> args) override;

  ir::EValue abs(ir::EValue x) override { return unary(ir::Op::Abs, x); }
  ir::EValue cbrt(ir::EValue x) override { return unary(ir::Op::Cbrt, x); }
  ir::EValue ceil(ir::EValue x) override { return unary(ir::Op::Ceil, x); }
  ir::EValue count_leading_zeros(ir::EValue x) override { return unary(ir::Op::Clz, x); }
  ir::EValue cos(ir::EValue x) override { return unary(ir::Op::Cosine, x); }
  ir::EValue exp(ir::EValue x) override { return unary(ir::Op::Exp, x); }
  ir::EValue expm1(ir::EValue x) override { return unary(ir::Op::Expm1, x); }
  ir::EValue floor(ir::EValue x) override { return unary(ir::Op::Floor, x); }
  ir::EValue imag(ir::EValue x) override { return unary(ir::Op::Imag, x); }
  ir::EValue is_finite(ir::EValue x) override { return unary(ir::Op::IsFinite, x); }
  ir::EValue log(ir::EValue x) override { return unary(ir::Op::Log, x); }
  ir::EValue log1p(ir::EValue x) override { return unary(ir::Op::Log1p, x); }
  ir::EValue logistic(ir::EValue x) override { return unary(ir::Op::Logistic, x); }
  ir::EValue negate(ir::EValue x) override { return unary(ir::Op::Negate, x); }
  ir::EValue logical_not(ir::EValue x) override { return unary(ir::Op::Not, x); }
  ir::EValue popcount(ir::EValue x) override { return unary(ir::Op::Popcnt, x); }
  ir::EValue real(ir::EValue x) override { return unary(ir::Op::Real, x); }
  ir::EValue round_nearest_afz(ir::EValue x) override { return unary(ir::Op::RoundNearestAfz, x); }
  ir::EValue round_nearest_even(ir::EValue x) override {
    return unary(ir::Op::RoundNearestEven, x);
  }
  ir::EValue rsqrt(ir::EValue x) override { return unary(ir::Op::Rsqrt, x); }
  ir::EValue sign(ir::EValue x) override { return unary(ir::Op::Sign, x); }
  ir::EValue sin(ir::EValue x) override { return unary(ir::Op::Sine, x); }
  ir::EValue sqrt(ir::EValue x) override { return unary(ir::Op::Sqrt, x); }
  ir::EValue tan(ir::EValue x) override { return unary(ir::Op::Tan, x); }
  ir::EValue tanh(ir::EValue x) override { return unary(ir::Op::Tanh, x); }

  ir::EValue add(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Add, a, b); }
  ir::EValue logical_and(ir::EValue a, ir::EValue b) override { return binary(ir::Op::And, a, b); }
  ir::EValue atan2(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Atan2, a, b); }
  ir::EValue compare(ir::ops::CompareDirection direction, ir::ops::CompareType type, ir::EValue a,
                     ir::EValue b) override;
  ir::EValue complex(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Complex, a, b); }
  ir::EValue divide(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Divide, a, b); }
  ir::EValue maximum(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Maximum, a, b); }
  ir::EValue minimum(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Minimum, a, b); }
  ir::EValue multiply(ir::EValue a, ir::EValue b) override {
    return binary(ir::Op::Multiply, a, b);
  }
  ir::EValue logical_or(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Or, a, b); }
  ir::EValue power(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Power, a, b); }
  ir::EValue remainder(ir::EValue a, ir::EValue b) override {
    return binary(ir::Op::Remainder, a, b);
  }
  ir::EValue shift_left(ir::EValue a, ir::EValue b) override {
    return binary(ir::Op::ShiftLeft, a, b);
  }
  ir::EValue shift_right_arithmetic(ir::EValue a, ir::EValue b) override {
    return binary(ir::Op::ShiftRightArithmetic, a, b);
  }
  ir::EValue shift_right_logical(ir::EValue a, ir::EValue b) override {
    return binary(ir::Op::ShiftRightLogical, a, b);
  }
  ir::EValue subtract(ir::EValue a, ir::EValue b) override {
    return binary(ir::Op::Subtract, a, b);
  }
  ir::EValue logical_xor(ir::EValue a, ir::EValue b) override { return binary(ir::Op::Xor, a, b); }

  ir::EValue select(ir::EValue condition, ir::EValue on_true, ir::EValue on_false) override;
  ir::EValue convert(ir::EValue x, ir::DType to) override;
  ir::EValue bitcast_convert(ir::EValue x, ir::DType to) override;
  ir::EValue reduce_precision(ir::EValue x, int64_t exponent_bits, int64_t mantissa_bits) override;

 private:
  ir::EValue unary(ir::Op op, ir::EValue x) { return apply(op, {x}, {}, std::nullopt); }
  ir::EValue binary(ir::Op op, ir::EValue a, ir::EValue b) {
    return apply(op, {a, b}, {}, std::nullopt);
  }
  // Runs op's evaluate rule on scalar operands; `result` is needed where the shape rule cannot
  // infer it (convert, bitcast-convert).
  ir::EValue apply(ir::Op op, std::vector<ir::EValue> args, ir::Attributes attrs,
                   std::optional<ir::DType> result);
  // A one-op scalar instruction for (op, operand types, attributes), built once and reused.
  const ir::Instruction& scalar_instruction(ir::Op op, const std::vector<ir::DType>& types,
                                            const ir::Attributes& attrs,
                                            std::optional<ir::DType> result);
  ir::EValue own(ir::Literal literal);
  // Element `index` of `array`, checked to lie inside it (a rule must guard every read).
  ir::EValue element(const ir::Literal& array, const ir::EIndex& index, const std::string& what);

  const ir::Instruction& inst_;
  std::vector<const ir::Literal*> operands_;
  reference::Evaluator evaluator_;
  std::deque<ir::Literal> values_;  // a deque keeps handles stable as it grows
  ir::Module scratch_{"elemental_interpreter"};
  std::map<std::string, const ir::Instruction*> instructions_;
  int64_t ops_run_ = 0;
};

/// Runs `inst` through its elemental rule on `operands` (see ElementalInterpreter::evaluate_all).
Result<ir::Literal> evaluate_elementally(const ir::Instruction& inst,
                                         std::vector<const ir::Literal*> operands);

}  // namespace hlocc::testing
