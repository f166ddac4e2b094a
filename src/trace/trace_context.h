// Trace: a program being recorded. Creating one makes it the current trace of this thread (until
// it is destroyed); operations on tensors then append instructions to its entry computation.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include "hlocc/where.h"

#include "hlocc/trace.h"
#include "ir/builder.h"
#include "ir/module.h"
#include "trace/tensor_node.h"

namespace hlocc::tracing {

class Trace {
 public:
  /// A top-level trace, recording into a new module.
  explicit Trace(const std::string& name);
  /// A nested trace (a loop body, a branch): a new computation in `parent`'s module. Tensors of
  /// `parent` and its ancestors used here become extra parameters, after the explicit ones, and
  /// are listed by captures() so the caller can pass them in.
  Trace(Trace& parent, const std::string& name);
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  /// The innermost trace being recorded on this thread, or null (eager mode).
  static Trace* current();
  uint64_t id() const { return id_; }

  ir::Builder& builder() { return builder_; }
  ir::Computation* computation() const { return computation_; }
  /// A new parameter of type `spec`, as a traced tensor. Explicit parameters come before captures.
  Tensor parameter(const TensorSpec& spec);
  /// The instruction standing for `tensor` here: its own, a constant for a concrete tensor, or (in
  /// a nested trace) the parameter capturing a tensor of an enclosing trace.
  ir::Instruction* use(const Tensor& tensor, const Where& where);
  /// The outer tensors captured so far, in parameter order.
  const std::vector<Tensor>& captures() const { return captures_; }
  /// A top-level trace's large host constants, passed as the parameters after the explicit ones.
  const std::vector<ir::Literal>& bound_arguments() const { return bound_arguments_; }
  /// The computation `(T a, T b) -> T { op(a, b) }` for reductions, added to the module once.
  ir::Computation* scalar_computation(ir::Op op, DType dtype);
  /// Ends a top-level recording: the outputs become the root (a tuple when there are several) and
  /// the module is verified.
  std::unique_ptr<ir::Module> finish(const std::vector<Tensor>& outputs);
  /// Ends a nested recording: the root is the tuple of the outputs, or the single output when
  /// `as_tuple` is false.
  ir::Computation* finish_nested(const std::vector<Tensor>& outputs, bool as_tuple,
                                 const Where& where);

 private:
  bool is_ancestor(uint64_t trace_id) const;
  ir::Instruction* use_constant(const Tensor& tensor);
  ir::Instruction* capture(const Tensor& tensor);
  ir::Instruction* set_root(const std::vector<Tensor>& outputs, bool as_tuple, const Where& where);

  uint64_t id_;        // unique among all traces of the process
  Trace* enclosing_;  // the current trace before this one; current again when this one ends
  Trace* parent_;     // for a nested trace, the trace whose module holds its computation
  std::unique_ptr<ir::Module> owned_module_;
  ir::Module* module_;
  ir::Computation* computation_;
  ir::Builder builder_;
  int64_t parameter_count_ = 0;
  std::vector<Tensor> captures_;
  std::vector<ir::Literal> bound_arguments_;
  // Outer tensors and host constants already used here, each made into one instruction. The
  // constants are kept alive so that their nodes' addresses cannot be reused by new tensors.
  std::map<const detail::TensorNode*, ir::Instruction*> uses_;
  std::vector<Tensor> used_constants_;
  std::map<std::pair<ir::Op, DType>, ir::Computation*> scalar_computations_;
};

/// Runs `body` on the operands inside the current trace; in eager mode, traces it alone as one
/// module and runs it at once. For operations that need more than one emit() (reductions with
/// their computations, control flow).
std::vector<Tensor> staged(
    const std::vector<Tensor>& operands,
    const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& body);

/// "\n  at file:line in function (traced)": the user's place, appended to trace-time errors.
std::string user_location(const Where& where);

/// Records (under a trace) or runs at once (eager) `op` on `operands`. `shape` is needed where
/// operands and attributes do not determine the result (see ir::Builder::add). Throws hlocc::Error
/// with the user's location on a broken shape rule.
Tensor emit(ir::Op op, const std::vector<Tensor>& operands, ir::Attributes attrs = {},
            std::optional<ir::Shape> shape = std::nullopt, const Where& where = Where::current());

}  // namespace hlocc::tracing
