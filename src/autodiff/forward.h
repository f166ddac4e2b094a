// Forward-mode automatic differentiation (jvp) as an HLO-to-HLO transform. Tangents flow with the
// primal values in one pass, so loops of any trip count differentiate without storing their
// states. Control flow carries tangents as extra loop state / branch operands; every other op's
// tangent is derived from its vjp rule by transposing it (the vjp is linear in the cotangent, and
// the vjp of that linear map is the Jacobian-vector product), so the op table's vjp rules serve
// both modes.
#pragma once

#include <string>

#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::autodiff {

/// Adds to `fn`'s module the computation
///   (fn's parameters..., a tangent for each parameter...) -> (fn's result, its tangent)
/// Tangents of non-floating parameters are ignored (treated as zero).
Result<ir::Computation*> build_jvp(ir::Computation& fn, const std::string& name);

}  // namespace hlocc::autodiff
