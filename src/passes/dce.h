// Dead code elimination: removes instructions whose values nothing uses and computations that
// nothing calls. Never removes parameters, roots or side-effecting custom-calls, so no
// computation's signature (a while body's tuple shape included) changes.
#pragma once

#include "passes/pass.h"

namespace hlocc::passes {

class DeadCodeElimination final : public Pass {
 public:
  std::string_view name() const override { return "dce"; }
  Result<bool> run(ir::Module& module) override;
};

/// Removes the computations that the entry does not call, directly or not; returns whether it
/// removed any. Shared by the passes that leave callees behind (inlining, DCE).
bool remove_unreachable_computations(ir::Module& module);

}  // namespace hlocc::passes
