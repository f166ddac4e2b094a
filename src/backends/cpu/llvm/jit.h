// The LLVM ORC JIT of the CPU backend: compiles computations into native loop nests (one element
// of the result per iteration, generated from the ops' elemental rules) and scalar functions.
// No LLVM type appears here: LLVM headers stay inside src/backends/cpu/llvm/*.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/computation.h"
#include "ir/result.h"

namespace hlocc::cpu {

/// A compiled loop nest computing every element of a computation's result.
/// fn(inputs, outputs, row_begin, row_end) computes rows [row_begin, row_end) where the result's
/// dims except the innermost form the rows (rows = 1 for a scalar or rank-1 result); any split of
/// [0, rows) among threads is valid. inputs[i] is parameter i's dense row-major buffer; outputs[j]
/// the root's (or root tuple element j's) dense row-major buffer.
/// When every instruction is elementwise on operands of the result's dims (scalars aside), the
/// whole array is one flat sequence cut into rows of `row_elements` (the last row may be
/// shorter), so that rank-1 and short-rowed arrays also split among threads.
/// Outputs must not overlap inputs, except that an output may be exactly an input of a flat
/// (elementwise) kernel: each element is read before it is written, at its own position only.
struct LoopKernel {
  using Fn = void (*)(const void* const* inputs, void* const* outputs, int64_t row_begin,
                      int64_t row_end);
  Fn fn = nullptr;
  int64_t rows = 1;
  int64_t row_elements = 1;  // elements per row (the innermost dim, or the flat chunk)
};
/// A compiled scalar computation (reducer, comparator, scatter combiner): args[i] points at
/// parameter i's scalar, results[j] at root (tuple element j)'s scalar.
using ScalarFn = void (*)(const void* const* args, void* const* results);

struct KernelRequest {
  enum class Kind { Loop, Scalar };
  const ir::Computation* computation = nullptr;
  Kind kind = Kind::Loop;
  std::string name;  // symbol name, unique within one compile() call
};
struct CompiledKernel {
  LoopKernel loop;
  ScalarFn scalar = nullptr;
};

struct JitOptions {
  /// Keep the optimised LLVM IR of each compile() call for ir_dumps(); by default only when the
  /// HLOCC_DUMP environment variable is set (printing IR costs compile time).
  std::optional<bool> keep_ir;
  /// Elements per row of flat kernels: big enough to amortise the per-row work, small enough
  /// that big arrays split into many rows for the threads.
  int64_t flat_row_elements = 16384;
};

class Jit {
 public:
  /// For the host CPU (AVX-512 here), optimised at O3; vector math from glibc's libmvec.
  static Result<std::unique_ptr<Jit>> create(JitOptions options = {});
  ~Jit();
  Jit(const Jit&) = delete;
  Jit& operator=(const Jit&) = delete;

  /// Compiles all requests as ONE LLVM module (one optimisation and code generation run). The
  /// code stays valid while the Jit lives. Loop computations: parameters are arrays (inputs);
  /// the root is an array or a tuple of arrays of equal dims; every instruction has an elemental
  /// rule. Scalar computations: parameters and root (or root tuple elements) are scalars.
  Result<std::vector<CompiledKernel>> compile(std::span<const KernelRequest> requests);
  /// LLVM IR (optimised) of each compile() call and its compile time, for HLOCC_DUMP.
  const std::vector<std::string>& ir_dumps() const;
  /// Wall-clock seconds of the last compile() call (emission, optimisation and code generation).
  double last_compile_seconds() const;

  struct Impl;

 private:
  explicit Jit(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hlocc::cpu
