// Program: one computation compiled for the CPU, as a sequence of steps over array buffers. Every
// array value (each leaf of a tuple-shaped value) has a buffer slot: a parameter passed in, a
// constant's bytes, or a range of the program's arena; tuples, get-tuple-element, bitcast and
// reshape are views that share their operand's slots and run no code.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/cpu/llvm/jit.h"
#include "backends/cpu/onednn/dnn_kernel.h"
#include "ir/host_memory.h"
#include "ir/module.h"
#include "ir/result.h"

namespace hlocc::cpu {

class Program;

/// HLOCC_PROFILE=1: programs time each step; the CPU backend prints the totals when an
/// executable is destroyed.
bool profiling();

/// The buffer of every array value of a running program, by leaf id.
using Slots = std::vector<void*>;

/// One unit of work: a generated loop, a oneDNN primitive, a copy, a loop over a nested program.
class Step {
 public:
  virtual ~Step() = default;
  virtual void run(Slots& slots) = 0;
  /// One line for dumps: what it runs and on which leaves.
  virtual std::string describe() const = 0;
};

/// What compiling one module's programs shares: the JIT's pending kernel requests (compiled
/// together, once, at the end), the oneDNN options, and a scratch module that holds the
/// one-instruction computations built for unfused instructions.
struct CompileContext {
  DnnOptions dnn;
  int threads = 1;
  ir::Module scratch{"scratch"};
  std::vector<KernelRequest> requests;
  /// Where each request's compiled code goes once compile() has run.
  std::vector<std::vector<std::function<void(const CompiledKernel&)>>> on_compiled;
  /// Each request's index by its computation's structure (ir::print_structure) and kind.
  std::unordered_map<std::string, size_t> request_by_structure;

  /// Queues a kernel; `done` receives it after compile_kernels(). Computations that differ only
  /// in instruction names (a network's repeated layers and their gradients) share one kernel.
  void request(const ir::Computation& computation, KernelRequest::Kind kind,
               std::function<void(const CompiledKernel&)> done);
  Status compile_kernels(Jit& jit);
};

class Program {
 public:
  /// Compiles `computation` into steps. Kernels are only requested: they are usable after
  /// context.compile_kernels(). With `own_results`, every root leaf gets its own arena buffer (a
  /// loop body's results must not alias its parameters: the caller copies them over the state).
  static Result<std::unique_ptr<Program>> compile(const ir::Computation& computation,
                                                  CompileContext& context, bool own_results);

  /// Runs with the parameters' leaf buffers (in parameter order, tuple leaves flattened); returns
  /// the root's leaf buffers, valid until the next run. Not reentrant: one arena per program.
  std::span<void* const> run(std::span<void* const> parameter_leaves);

  const std::vector<ir::Shape>& parameter_leaf_shapes() const { return parameter_leaf_shapes_; }
  const std::vector<ir::Shape>& root_leaf_shapes() const { return root_leaf_shapes_; }
  int64_t arena_bytes() const { return arena_bytes_; }
  /// The steps, one per line; with HLOCC_PROFILE=1 each step's total run time so far.
  std::string describe() const;

 private:
  friend class ProgramBuilder;
  Program() = default;

  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<int64_t> parameter_leaves_;  // leaf id of each parameter leaf, in order
  std::vector<int64_t> root_leaves_;
  std::vector<ir::Shape> parameter_leaf_shapes_;
  std::vector<ir::Shape> root_leaf_shapes_;
  std::vector<std::byte, ir::HostAllocator<std::byte>> arena_;
  int64_t arena_bytes_ = 0;
  Slots slots_;                 // filled at compile time, parameter slots at each run
  std::vector<void*> results_;  // root leaf buffers of the last run
  std::string name_;
  std::vector<double> step_seconds_;  // HLOCC_PROFILE=1: time spent in each step
  int64_t runs_ = 0;
};

}  // namespace hlocc::cpu
