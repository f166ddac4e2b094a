// Reduction splitting: a reduce that keeps only a few rows of its operand's innermost dim (a bias
// gradient: f32[N,H,W,C] -> f32[C]) runs on one thread in a loop kernel, whose threads split the
// result's rows. This pass splits it in two: the first reduce keeps one more (outer) reduced dim,
// so its result has rows for the threads; the second reduces that dim. The sums are the same up
// to reassociation (XLA leaves the order of a reduction unspecified); only reductions big enough
// to be worth a thread are split.
#pragma once

#include "passes/pass.h"

namespace hlocc::passes {

class ReductionSplitting final : public Pass {
 public:
  std::string_view name() const override { return "splitreduce"; }
  Result<bool> run(ir::Module& module) override;
};

}  // namespace hlocc::passes
