// Reading the gradient corpus (tests/autodiff/gradients/**/*.hlo): its files, each file's
// directives (listed in gradient_test.cc) and the inputs of a trial. Shared by the tests that run
// the corpus (autodiff, passes).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ir/computation.h"
#include "ir/literal.h"
#include "ir/result.h"

namespace hlocc::testing {

struct GradientCase {
  std::vector<std::string> args;
  double low = -1, high = 1;
  std::vector<int64_t> wrt;
  int trials = 3;
  std::optional<std::string> expect_error;
  bool forward = true;
};

/// Reads the `// DIRECTIVE: value` lines of a gradient file.
GradientCase parse_gradient_directives(const std::string& text);

/// Every .hlo file under tests/autodiff/gradients, sorted.
std::vector<std::filesystem::path> gradient_files();

/// The arguments of trial `trial`: parameter i is the file's i-th ARG literal where one is given
/// (and not `random`), else random f64 values in [low, high) seeded by trial and i.
Result<std::vector<ir::Literal>> gradient_inputs(const GradientCase& c,
                                                 const ir::Computation& entry, int trial);

}  // namespace hlocc::testing
