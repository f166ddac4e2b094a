// A small FileCheck: the pass tests' `// CHECK:` lines matched against a pass's output with LLVM
// FileCheck's rules, so that the same .hlo files also run under FileCheck-19
// (tests/tools/cli_test.sh).
#pragma once

#include <string>
#include <string_view>

namespace hlocc::testing {

/// "" when `output` satisfies the directives written in `checks`, else what failed. Supported:
/// `CHECK:` (matches after the previous match), `CHECK-NEXT:` (on the line after it) and
/// `CHECK-NOT:` (absent between the matches around it); patterns are literal text with
/// `{{regex}}` parts. Other directives (CHECK-DAG, [[VAR]] captures) are reported as errors.
std::string file_check(std::string_view checks, std::string_view output);

}  // namespace hlocc::testing
