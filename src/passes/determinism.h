// Whether an instruction gives the same value each time it runs on the same operands: false for
// ops with the kNondeterministic trait and for ops whose called computations hold one. Passes that
// merge (cse) or evaluate (fold) instructions ask this; answers per computation are cached.
#pragma once

#include <unordered_map>

#include "ir/computation.h"

namespace hlocc::passes {

class DeterminismCache {
 public:
  /// True when running `instruction` twice on the same operands gives the same value.
  bool deterministic(const ir::Instruction& instruction);
  /// True when every instruction of `computation` (and of what it calls) is deterministic.
  bool deterministic(const ir::Computation* computation);

 private:
  std::unordered_map<const ir::Computation*, bool> computations_;
};

}  // namespace hlocc::passes
