// Fusion: rewrites each group of instructions that will run as one generated loop (kind=kLoop) or
// as one oneDNN convolution/dot with post-ops (kind=kOutput) into one XLA-style fusion instruction,
// in the entry and in every computation that control flow runs (while bodies and conditions,
// branches, called computations). Reducers, comparators, map functions and fused computations are
// never rewritten. The fused module computes bit for bit what the input did.
//
// kLoop: elementwise ops and cheap data movement fuse into their consumers; a producer read by
// several consumers is computed again in each only when it is cheap (no transcendental, division,
// reduction or gather), else it stays its own loop. A reduction is the root of its inputs' loop,
// and an elementwise consumer may take a reduction on top when it reads each element once.
// kOutput: a f32/bf16 convolution or dot with the epilogue that oneDNN runs as post-ops: bias add
// (add of a broadcast), relu (maximum(x, 0) or the front end's select(compare(x, 0), 0, x)) and
// residual add; the fused computation's parameters 0 and 1 are the contraction's operands.
#pragma once

#include <string>

#include "passes/pass.h"

namespace hlocc::passes {

class Fusion final : public Pass {
 public:
  std::string_view name() const override { return "fusion"; }
  Result<bool> run(ir::Module& module) override;
  /// What the latest run that changed the module decided: each fusion with its members, each
  /// producer kept out of a consumer's fusion with the reason, each epilogue's end; one per line.
  std::string decision_log() const override { return log_; }

 private:
  std::string log_;
};

}  // namespace hlocc::passes
