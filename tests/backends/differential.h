// Differential testing: one module and its inputs through the reference backend and a backend
// under test, with the results compared by one per-dtype tolerance table.
//
// The tolerances are the issue's: f32 1e-5 relative per element, dot and convolution results
// 1e-4 relative to the output's norm, integers and pred exactly. They come from the one
// per-dtype table, backend_tolerance (test_helpers.h). Rather than track which op produced
// each output, every inexact array passes both checks:
//  - per element: |actual - expected| <= rtol * |expected| + floor * max|expected|. The floor
//    (scaled by the array's largest magnitude) lets an element that cancels to nearly zero in a
//    sum or dot (computed in another order) differ by the rounding of the large terms;
//  - per array: ||actual - expected||_2 <= norm_rtol * ||expected||_2, so the floor cannot hide
//    an array that is wrong everywhere by a little.
// NaN matches NaN, infinities match exactly; complex numbers compare component by component.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ir/literal.h"
#include "ir/module.h"
#include "runtime/executable.h"

namespace hlocc::testing {

struct DifferentialTolerance {
  double rtol = 0;
  double floor = 0;  // times max|expected| of the array
  double norm_rtol = 0;
};

/// For arrays of `dtype`: backend_tolerance's rtol, its atol as the floor, and 10 * rtol for
/// the norm (f32: 1e-5, 1e-5, 1e-4); all zero for integers and pred (exact).
DifferentialTolerance differential_tolerance(ir::DType dtype);

/// "" when `actual` matches `expected` (same shape, per differential_tolerance); otherwise which
/// tuple element differs, how many elements, the first one (index, expected, actual), and the
/// tolerance that was applied. With `narrowest` (a float type), no float array is held to more
/// than that type's precision: an f64 result converted from an f32 value is as good as f32.
std::string compare_results(const ir::Literal& expected, const ir::Literal& actual,
                            std::optional<ir::DType> narrowest = std::nullopt);

/// The least precise float type of any value in `module` (f16/bf16 < f32 < f64), if any. Values
/// are not traced through the dataflow: the narrowest float anywhere sets the precision for all
/// float results, so f64 results are held to f64's tolerance only in modules without f32.
std::optional<ir::DType> narrowest_float(const ir::Module& module);

struct Difference {
  /// The reference could not run the module on these inputs (a while loop past its trip bound,
  /// say): there was nothing to compare, and the backend under test was not run.
  bool reference_failed = false;
  /// Empty when the results match; otherwise `context`, both backends' names, what differs or
  /// the error, and the module text.
  std::string report;
  bool ok() const { return report.empty(); }
};

/// Compiles and runs `module` on `args` with `reference` first, then with `candidate`, and
/// compares the results. `context` names the case in the report ("seed 17", a file name).
Difference compare_backends(const ir::Module& module, std::span<const ir::Literal> args,
                            runtime::Backend& reference, runtime::Backend& candidate,
                            std::string_view context = "");

}  // namespace hlocc::testing
