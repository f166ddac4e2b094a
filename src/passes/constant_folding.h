// Constant folding: an instruction whose operands are all constants is replaced by a constant
// holding its value, computed with the op's evaluate rule (the reference evaluator's). Results
// over kMaxFoldedElements stay computed, broadcasts of scalars stay broadcasts, and neither
// kNondeterministic ops (rng, custom-call) nor loops are ever run at compile time.
#pragma once

#include <cstdint>

#include "passes/pass.h"

namespace hlocc::passes {

class ConstantFolding final : public Pass {
 public:
  /// The largest constant the pass creates, in elements: bigger ones cost memory and module text,
  /// and computing them at run time is usually as cheap as loading them.
  static constexpr int64_t kMaxFoldedElements = 1024;
  /// The largest operand the pass reads, in elements: keeps compile time small.
  static constexpr int64_t kMaxOperandElements = int64_t{1} << 16;

  std::string_view name() const override { return "fold"; }
  Result<bool> run(ir::Module& module) override;
};

}  // namespace hlocc::passes
