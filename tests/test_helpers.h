// Shared test helpers: comparing Literals with per-dtype tolerances, and parsing + verifying modules.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ir/literal.h"
#include "ir/module.h"

namespace hlocc::testing {

struct Tolerance {
  double rtol;
  double atol;
};

/// The default tolerance for comparing values of an inexact dtype (exact for integers and pred).
Tolerance default_tolerance(ir::DType dtype);

/// The tolerance a compiled backend is held to against the reference evaluator (issue 5: f32
/// 1e-5 relative; integers and pred exactly).
Tolerance backend_tolerance(ir::DType dtype);

/// Empty if `actual` matches `expected` (same shape; integers and pred exactly; floats within
/// |a - e| <= atol + rtol * |e|, NaN matches NaN, infinities exactly); otherwise what differs.
std::string compare_literals(const ir::Literal& expected, const ir::Literal& actual,
                             std::optional<Tolerance> tolerance = std::nullopt);

/// Parses and verifies `text`; fails the current test (and returns null) on error.
std::unique_ptr<ir::Module> parse_and_verify(std::string_view text);

/// Deterministic values in [-1, 1) from a linear congruential generator (no ties in practice).
ir::Literal random_f32(std::vector<int64_t> dims, uint64_t seed);

/// Parses a literal; fails the current test on error.
ir::Literal literal(std::string_view text);

}  // namespace hlocc::testing
