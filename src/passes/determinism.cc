#include "passes/determinism.h"

#include <algorithm>

namespace hlocc::passes {

bool DeterminismCache::deterministic(const ir::Instruction& instruction) {
  if (instruction.info().has(ir::kNondeterministic)) return false;
  return std::ranges::all_of(instruction.called_computations(),
                             [&](const ir::Computation* callee) { return deterministic(callee); });
}

bool DeterminismCache::deterministic(const ir::Computation* computation) {
  const auto known = computations_.find(computation);
  if (known != computations_.end()) return known->second;
  const bool result = std::ranges::all_of(computation->instructions(),
                                          [&](const std::unique_ptr<ir::Instruction>& instruction) {
                                            return deterministic(*instruction);
                                          });
  computations_[computation] = result;
  return result;
}

}  // namespace hlocc::passes
