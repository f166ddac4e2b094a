// Call inlining: replaces every `call` by a copy of its callee's instructions, so later passes see
// one flat computation. While bodies, conditional branches and reducers stay computations (their
// own calls are inlined); computations left uncalled are removed.
#pragma once

#include "passes/pass.h"

namespace hlocc::passes {

class CallInlining final : public Pass {
 public:
  std::string_view name() const override { return "inline"; }
  Result<bool> run(ir::Module& module) override;
};

}  // namespace hlocc::passes
