// The reference evaluator: runs any verified module on Literals with XLA's semantics, one
// instruction at a time through each op's evaluate rule. Clear over fast; the oracle for all backends.
#pragma once

#include <span>
#include <unordered_map>
#include <vector>

#include "ir/literal.h"
#include "ir/module.h"
#include "ir/op_rules.h"
#include "ir/result.h"

namespace hlocc::reference {

struct EvalOptions {
  /// Fail instead of running any one while loop more than this many times; -1 for no bound.
  int64_t max_while_trips = -1;
};

class Evaluator : public ir::EvalContext {
 public:
  explicit Evaluator(EvalOptions options = {}) : options_(options) {}

  /// Runs the module's entry computation. The arguments must match its parameters' shapes.
  Result<ir::Literal> run(const ir::Module& module, std::span<const ir::Literal> args);

  Result<ir::Literal> call(const ir::Computation& computation,
                           std::span<const ir::Literal* const> args) override;
  int64_t max_while_trips() const override { return options_.max_while_trips; }

 private:
  // Per computation, computed once: each operand's position and how many times each value is used,
  // so that per-element calls (reduce, sort, map comparators) do no hashing.
  struct Plan {
    std::vector<std::vector<size_t>> operand_positions;
    std::vector<int64_t> use_counts;
    size_t root = 0;
  };
  const Plan& plan_for(const ir::Computation& computation);

  EvalOptions options_;
  std::unordered_map<const ir::Computation*, Plan> plans_;
};

/// Verifies nothing: `module` must already have passed ir::verify.
inline Result<ir::Literal> evaluate(const ir::Module& module, std::span<const ir::Literal> args,
                                    EvalOptions options = {}) {
  return Evaluator(options).run(module, args);
}

}  // namespace hlocc::reference
