// The CPU backend: compiles a module (passes, then a Program of generated loops, oneDNN
// primitives and control-flow steps) and caches executables by module text, which includes every
// parameter's shape.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/onednn/dnn_kernel.h"
#include "runtime/executable.h"

namespace hlocc::cpu {

struct CpuOptions {
  /// Threads for loops and oneDNN; 0: HLOCC_NUM_THREADS, or else every core.
  int threads = 0;
  DnnOptions dnn;  // conv algorithm, matmul precision (HLOCC_MATMUL_PRECISION=f32|bf16)
  /// The passes run before code generation, in order (`hlocc opt --passes` names).
  std::vector<std::string> passes = {"inline", "simplify", "fold",        "cse",
                                     "dce",    "layout",   "splitreduce", "fusion",
                                     "siblings"};
};

/// The options with the environment's settings applied (HLOCC_NUM_THREADS,
/// HLOCC_MATMUL_PRECISION=f32|bf16, HLOCC_CONV_ALGORITHM=autotune|direct|winograd,
/// HLOCC_PASSES=inline,cse,... replacing the pass pipeline).
Result<CpuOptions> cpu_options_from_environment(CpuOptions options = {});

std::unique_ptr<runtime::Backend> make_cpu_backend(CpuOptions options = {});

}  // namespace hlocc::cpu
