// Convolution and dot on oneDNN: make_dnn_kernel maps one HLO instruction (or an output fusion of
// one with an elementwise epilogue) onto oneDNN primitives, created once; run() only executes them.
// oneDNN's headers stay inside src/backends/cpu/onednn/*.cc: this header does not include them.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "ir/instruction.h"
#include "ir/result.h"

namespace hlocc::cpu {

/// Autotune: time direct against Winograd once per convolution shape, and cache the choice.
enum class ConvAlgorithm { Autotune, Direct, Winograd };
/// BF16: f32 inputs are converted to bf16 and multiplied with f32 accumulation.
enum class MatmulPrecision { F32, BF16 };

struct DnnOptions {
  ConvAlgorithm conv_algorithm = ConvAlgorithm::Autotune;
  MatmulPrecision precision = MatmulPrecision::F32;
};

/// A oneDNN primitive bound to one HLO instruction. Buffers are dense row-major in the HLO
/// logical order of the instruction's operands and result. run() is not reentrant: a kernel owns
/// its scratch memory, so concurrent calls need one kernel each. Weights reordered into oneDNN's
/// layout are kept with a copy of the bytes they came from and reused while those bytes are
/// unchanged. Set the OpenMP thread count before making kernels: autotuning measures with it.
class DnnKernel {
 public:
  virtual ~DnnKernel() = default;
  virtual void run(std::span<const void* const> inputs, void* output) = 0;
  /// e.g. "convolution jit_wino_4x3:avx512_core (winograd, autotuned: 35.1 ms vs direct 88.0 ms)"
  virtual std::string describe() const = 0;
};

/// Marks where memory that kernels read may change: a program calls it as each step starts and
/// as each run ends. A kernel reads what the kernel run just before it left in the scratch they
/// share (an input already in oneDNN's layout) only when no mark but its own start came between.
void mark_step_boundary();

/// A kernel for a convolution or dot instruction, or an error saying why oneDNN cannot run it
/// (then the caller uses the elemental loops instead). Also accepts a `fusion` with kind=kOutput
/// whose fused computation is a convolution or dot followed by elementwise ops on its result:
/// bias add of a broadcast parameter, relu (maximum(x, 0) or select(x > 0, x, 0)) and the add of a
/// same-shape parameter (residual), mapped to oneDNN post-ops. batch_group_count > 1 and lhs
/// dilation together with a window stride are errors.
Result<std::unique_ptr<DnnKernel>> make_dnn_kernel(const ir::Instruction& instruction,
                                                   const DnnOptions& options);

}  // namespace hlocc::cpu
