// Sibling fusion: merges kLoop fusions that stream the same large operand over the same index
// space into one multi-output fusion (XLA's sibling multi-output fusion), so that the operand is
// read once. The optimizer update of a training step is the case it is for: the new momentum and
// the new weights are two loops over the gradient and the old momentum (the weights' loop
// recomputing the momentum), and merged they make one pass over the weights instead of two.
#pragma once

#include <string>

#include "passes/pass.h"

namespace hlocc::passes {

/// Runs after `fusion`. Two kLoop fusions merge when their results (arrays, or the tuples of
/// earlier merges) have the same dims, every root computes one element per index (elementwise:
/// no reduction, whose loop runs over its input), they read a common operand of their result's
/// element count, neither depends on the other, and one place in the computation can hold the
/// merged fusion (after every operand of both and before every reader of both). The merged
/// fused computation returns tuple(results of the first..., results of the second...) and the
/// readers read get-tuple-element of it; what both compute alike is computed once in it.
///
/// A row reduction (ir::is_row_reduction: a bias gradient) merges the same way with the
/// elementwise fusion that computes exactly its input (a relu's backward pass, read by the next
/// convolution), which its loop visits once per element anyway: the merged fusion returns
/// tuple(reduce, its input).
class SiblingFusion final : public Pass {
 public:
  std::string_view name() const override { return "siblings"; }
  Result<bool> run(ir::Module& module) override;
  std::string decision_log() const override { return log_; }

 private:
  std::string log_;
};

}  // namespace hlocc::passes
