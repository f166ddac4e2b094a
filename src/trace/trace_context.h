// Trace: a program being recorded. Creating one makes it the current trace of this thread (until
// it is destroyed); operations on tensors then append instructions to its entry computation.
#pragma once

#include <map>
#include <memory>
#include "hlocc/where.h"
#include <string>
#include <vector>

#include "hlocc/trace.h"
#include "ir/builder.h"
#include "ir/module.h"

namespace hlocc::tracing {

class Trace {
 public:
  explicit Trace(const std::string& name);
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  /// The innermost trace being recorded on this thread, or null (eager mode).
  static Trace* current();

  ir::Builder& builder() { return builder_; }
  /// A new entry parameter of type `spec`, as a traced tensor.
  Tensor parameter(const TensorSpec& spec);
  /// The instruction standing for `tensor` here: its own, or a constant for a concrete tensor.
  ir::Instruction* use(const Tensor& tensor, const Where& where);
  /// The computation `(T a, T b) -> T { op(a, b) }` for reductions, added to the module once.
  ir::Computation* scalar_computation(ir::Op op, DType dtype);
  /// Ends the recording: the outputs become the root (a tuple when there are several) and the
  /// module is verified.
  std::unique_ptr<ir::Module> finish(const std::vector<Tensor>& outputs);

 private:
  Trace* enclosing_;
  std::unique_ptr<ir::Module> module_;
  ir::Computation* entry_;
  ir::Builder builder_;
  int64_t parameter_count_ = 0;
  std::map<std::pair<ir::Op, DType>, ir::Computation*> scalar_computations_;
};

/// "\n  at file:line in function (traced)": the user's place, appended to trace-time errors.
std::string user_location(const Where& where);

/// Records (under a trace) or runs at once (eager) `op` on `operands`. `shape` is needed where
/// operands and attributes do not determine the result (see ir::Builder::add). Throws hlocc::Error
/// with the user's location on a broken shape rule.
Tensor emit(ir::Op op, const std::vector<Tensor>& operands, ir::Attributes attrs = {},
            std::optional<ir::Shape> shape = std::nullopt,
            const Where& where = Where::current());

}  // namespace hlocc::tracing
