// Gradient checking against float64 central differences: the oracle for every vjp rule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/literal.h"
#include "ir/module.h"

namespace hlocc::testing {

struct GradientCheckOptions {
  std::vector<int64_t> wrt;     // parameters to check; empty: every f64 parameter
  double step = 1e-6;           // central-difference step, relative to max(1, |x|)
  double tolerance = 1e-6;      // |grad - fd| <= tolerance * max(1, |fd|)
};

/// Checks the reverse-mode gradient of `module` at `args` against central differences. The entry
/// may return any f64 array: it is reduced to the scalar sum(result * W) with W fixed random
/// weights (from `seed`), which checks the vjp with a random cotangent. Returns "" when every
/// gradient element matches, else a report of the worst mismatches.
std::string check_gradients(const ir::Module& module, const std::vector<ir::Literal>& args,
                            uint64_t seed, const GradientCheckOptions& options = {});

/// Checks forward mode: the tangent of `module`'s (f64 array) result for random tangents of the
/// f64 parameters (`options.wrt`, default all) against central differences along the tangent.
std::string check_jvp(const ir::Module& module, const std::vector<ir::Literal>& args,
                      uint64_t seed, const GradientCheckOptions& options = {});

/// Random f64 values in [low, high) for `shape` (deterministic in seed).
ir::Literal random_f64(const ir::Shape& shape, uint64_t seed, double low = -1, double high = 1);

}  // namespace hlocc::testing
