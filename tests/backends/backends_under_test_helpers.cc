#include "backends/backends_under_test.h"

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "ir/clone.h"
#include "passes/pass.h"

namespace hlocc::testing {

std::unique_ptr<runtime::Backend> reference_backend() {
  return std::make_unique<reference::ReferenceBackend>(kDifferentialEvalOptions);
}

std::string PassesThenReference::name() const {
  std::string names;
  for (const std::string& pass : passes_) names += (names.empty() ? "" : ",") + pass;
  return names + "+reference";
}

Result<std::unique_ptr<runtime::Executable>> PassesThenReference::compile(
    const ir::Module& module) {
  std::unique_ptr<ir::Module> copy = ir::clone_module(module);
  HLOCC_TRY_STATUS(passes::run_passes(*copy, passes_));
  return reference::make_reference_executable(std::move(copy), kDifferentialEvalOptions);
}

std::vector<std::unique_ptr<runtime::Backend>> backends_under_test() {
  std::vector<std::unique_ptr<runtime::Backend>> backends;
  backends.push_back(std::make_unique<PassesThenReference>(
      std::vector<std::string>{"inline", "simplify", "fold", "cse", "dce", "fusion"}));
  backends.push_back(cpu::make_cpu_backend());
  return backends;
}

}  // namespace hlocc::testing
