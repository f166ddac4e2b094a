// Layout assignment: computes convolution chains with their activations feature-last (NHWC for
// the front end's NCHW programs), so the conv kernels read and write their preferred layout and the
// transposes sit once at each chain's ends instead of a reorder per layer. Values never change: the
// pass only relabels dimensions and inserts transposes; every computation keeps its signature.
#pragma once

#include <string>

#include "passes/pass.h"

namespace hlocc::passes {

/// Groups the rank >= 3 instructions that can run in any dimension order (elementwise ops,
/// reduce-window, select-and-scatter and the convolutions feeding them) into chains joined by
/// operand edges. A chain whose convolutions read or write it with dims 0 and 1 non-spatial
/// (bf01, and the backward convs' fb01 / io01) more often than fixed-order ops touch it
/// (parameters, reshapes, dots, the root...) is computed permuted by {0, 2, ..., r-1, 1}:
/// convolutions absorb that by their dim_labels, reduces by their dimensions, broadcasts by their
/// dimensions, reduce-windows by their window; every other edge into or out of the chain gets a
/// transpose.
class LayoutAssignment final : public Pass {
 public:
  std::string_view name() const override { return "layout"; }
  Result<bool> run(ir::Module& module) override;
  std::string decision_log() const override { return log_; }

 private:
  std::string log_;
};

}  // namespace hlocc::passes
