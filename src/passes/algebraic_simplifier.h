// Algebraic simplification: rewrites that give bit for bit the same values with fewer or cheaper
// instructions (x * 1 => x, transpose(transpose(x)) => one transpose, gte(tuple) => operand...).
// The rules live in simplify_*.cc, one file per op family, each with its math beside it. An
// instruction is either replaced by one that already exists or edited in place; the pass never
// adds instructions, and leaves what it bypasses for dce.
#pragma once

#include "passes/pass.h"

namespace hlocc::passes {

class AlgebraicSimplifier final : public Pass {
 public:
  std::string_view name() const override { return "simplify"; }
  Result<bool> run(ir::Module& module) override;
};

}  // namespace hlocc::passes
