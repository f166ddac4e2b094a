// Common subexpression elimination: within each computation, an instruction that computes exactly
// what an earlier one does (same op, operands, attributes, shape and literal) is replaced by it.
// Parameters and kNondeterministic ops (custom-call, rng-bit-generator; and ops that call
// computations holding them) are never merged: two of them may give different values.
#pragma once

#include "passes/pass.h"

namespace hlocc::passes {

// Merges the duplicates of one computation (as the pass does for each); whether any merged.
bool merge_common_subexpressions(ir::Computation& computation);

class CommonSubexpressionElimination final : public Pass {
 public:
  std::string_view name() const override { return "cse"; }
  Result<bool> run(ir::Module& module) override;
};

}  // namespace hlocc::passes
