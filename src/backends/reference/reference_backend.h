// The reference evaluator behind runtime::Backend, so that differential tests and tools drive
// the oracle and the compiled backends the same way. Compiling copies the module; running
// evaluates the copy.
#pragma once

#include <memory>
#include <string>

#include "backends/reference/evaluator.h"
#include "runtime/executable.h"

namespace hlocc::reference {

class ReferenceBackend final : public runtime::Backend {
 public:
  explicit ReferenceBackend(EvalOptions options = {}) : options_(options) {}
  std::string name() const override { return "reference"; }
  Result<std::unique_ptr<runtime::Executable>> compile(const ir::Module& module) override;

 private:
  EvalOptions options_;
};

/// An Executable that evaluates `module` (verified; owned from now on) on each run.
std::unique_ptr<runtime::Executable> make_reference_executable(std::unique_ptr<ir::Module> module,
                                                               EvalOptions options = {});

}  // namespace hlocc::reference
