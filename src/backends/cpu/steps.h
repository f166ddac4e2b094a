// The kinds of Step a CPU program runs: generated loops (parallel over rows), oneDNN primitives,
// copies, control flow over nested programs, and the native whole-op steps (sort, scatter,
// rng-bit-generator) that call JIT-compiled scalar functions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/program.h"
#include "ir/instruction.h"

namespace hlocc::cpu {

/// Leaf slots as `describe()` prints them: "%3, %7".
std::string leaf_list(const std::vector<int64_t>& leaves);

/// memcpy of non-overlapping buffers, split among the threads when it is big: one core does not
/// reach the memory bandwidth alone.
void parallel_copy(void* to, const void* from, size_t bytes);

/// Runs a LoopKernel, splitting its rows among the threads when the work is big enough.
class LoopStep : public Step {
 public:
  LoopStep(std::string name, std::vector<int64_t> inputs, std::vector<int64_t> outputs,
           int64_t elements, int threads);
  void set_kernel(const LoopKernel& kernel) { kernel_ = kernel; }
  void run(Slots& slots) override;
  std::string describe() const override;

 private:
  std::string name_;
  std::vector<int64_t> input_leaves_, output_leaves_;
  std::vector<const void*> inputs_;
  std::vector<void*> outputs_;
  int64_t elements_;
  int threads_;
  LoopKernel kernel_;
};

class DnnStep : public Step {
 public:
  DnnStep(std::string name, std::unique_ptr<DnnKernel> kernel, std::vector<int64_t> inputs,
          int64_t output);
  void run(Slots& slots) override;
  std::string describe() const override;

 private:
  std::string name_;
  std::unique_ptr<DnnKernel> kernel_;
  std::vector<int64_t> input_leaves_;
  std::vector<const void*> inputs_;
  int64_t output_leaf_;
};

/// Copies leaves (same sizes) from one set of slots to another.
class CopyStep : public Step {
 public:
  CopyStep(std::vector<int64_t> from, std::vector<int64_t> to, std::vector<int64_t> bytes);
  void run(Slots& slots) override;
  std::string describe() const override;

 private:
  std::vector<int64_t> from_, to_, bytes_;
};

/// A while loop: the state lives in the while's own leaves; each trip runs the condition, then the
/// body, and copies the body's results (in the body's own arena) over the state.
class WhileStep : public Step {
 public:
  WhileStep(std::string name, std::unique_ptr<Program> condition, std::unique_ptr<Program> body,
            std::vector<int64_t> init, std::vector<int64_t> state, std::vector<int64_t> bytes);
  void run(Slots& slots) override;
  std::string describe() const override;

 private:
  std::string name_;
  std::unique_ptr<Program> condition_, body_;
  std::vector<int64_t> init_, state_, bytes_;
  std::vector<void*> state_buffers_;
};

/// conditional (pred or s32 branch index; an index out of range runs the last branch) and call:
/// runs one nested program on operand leaves and copies its results into the instruction's leaves.
class BranchStep : public Step {
 public:
  BranchStep(std::string name, int64_t index_leaf, DType index_dtype,
             std::vector<std::unique_ptr<Program>> branches,
             std::vector<std::vector<int64_t>> branch_operands, std::vector<int64_t> outputs,
             std::vector<int64_t> bytes);
  void run(Slots& slots) override;
  std::string describe() const override;

 private:
  std::string name_;
  int64_t index_leaf_;  // -1 for call: always branch 0
  DType index_dtype_;
  std::vector<std::unique_ptr<Program>> branches_;
  std::vector<std::vector<int64_t>> branch_operands_;
  std::vector<int64_t> outputs_, bytes_;
  std::vector<void*> arguments_;
};

/// The whole-op steps: native loops with JIT-compiled scalar computations where the op has one.
std::unique_ptr<Step> make_sort_step(const ir::Instruction& sort, std::vector<int64_t> inputs,
                                     std::vector<int64_t> outputs, CompileContext& context);
std::unique_ptr<Step> make_scatter_step(const ir::Instruction& scatter, std::vector<int64_t> inputs,
                                        std::vector<int64_t> outputs, CompileContext& context);
std::unique_ptr<Step> make_rng_step(const ir::Instruction& rng, std::vector<int64_t> inputs,
                                    std::vector<int64_t> outputs);

}  // namespace hlocc::cpu
