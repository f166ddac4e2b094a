// The backends that the differential tests (random programs, the corpus) check against the
// reference evaluator: backends_under_test() is the one list to extend when a backend lands.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/reference/evaluator.h"
#include "runtime/executable.h"

namespace hlocc::testing {

/// Bounds every while loop, so that a module whose loop never ends on random inputs fails on
/// the reference (and is skipped) instead of hanging the test.
inline constexpr reference::EvalOptions kDifferentialEvalOptions{.max_while_trips = 100000};

/// The oracle: the reference evaluator with kDifferentialEvalOptions.
std::unique_ptr<runtime::Backend> reference_backend();

/// Runs the named passes (passes::run_passes) on a copy of the module, then the evaluator:
/// a backend that differs from the reference exactly where the passes change meaning.
class PassesThenReference final : public runtime::Backend {
 public:
  explicit PassesThenReference(std::vector<std::string> passes) : passes_(std::move(passes)) {}
  /// "inline,cse,dce+reference".
  std::string name() const override;
  Result<std::unique_ptr<runtime::Executable>> compile(const ir::Module& module) override;

 private:
  std::vector<std::string> passes_;
};

/// Every backend under test, each compared with reference_backend().
std::vector<std::unique_ptr<runtime::Backend>> backends_under_test();

}  // namespace hlocc::testing
