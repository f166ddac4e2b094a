// Pass: one module-to-module rewrite, and run_passes, which runs a list of them by name (the
// `--passes=` spelling). Every pass takes a verified module and leaves a verified module.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::passes {

class Pass {
 public:
  virtual ~Pass() = default;
  /// The short name that `make_pass` and `--passes=` use ("dce").
  virtual std::string_view name() const = 0;
  /// Rewrites `module` in place; returns whether anything changed.
  virtual Result<bool> run(ir::Module& module) = 0;
  /// What the pass decided and why, as text for HLOCC_DUMP (`fusion` lists its groups); empty for
  /// passes that have nothing to say beyond the module they leave.
  virtual std::string decision_log() const { return {}; }
};

/// The pass called `name` ("inline", "cse", "dce"), or null when there is none.
std::unique_ptr<Pass> make_pass(std::string_view name);

/// Runs the named passes in order (e.g. {"inline", "cse", "dce"}), each until it changes nothing
/// (at most a few rounds), then verifies the module. An unknown name is an error before any pass
/// runs. HLOCC_VERIFY=1 verifies after every round too; HLOCC_DUMP=<dir> writes the module after
/// every pass to <dir>/<module>.<N>.<pass>.hlo (the input as N = 0; <module>-2 and so on when
/// files of that module's name are there already), and beside it <module>.<N>.<pass>_decisions.txt
/// for a pass with a decision_log (fusion).
Status run_passes(ir::Module& module, const std::vector<std::string>& names);

}  // namespace hlocc::passes
