/// Tensor: an array value in a user's program. Under hlocc::trace / hlocc::jit it is an abstract
/// value (shape and dtype only) whose operations are recorded as HLO; outside, it is concrete and
/// every operation runs at once (eager mode), so the same code can be debugged with prints.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hlocc/host_array.h"

namespace hlocc {

namespace detail {
struct TensorNode;  // defined in src/trace/tensor_node.h
}  // namespace detail

class Tensor {
 public:
  /// An empty tensor; using it in an operation is an error.
  Tensor() = default;
  /// A concrete tensor holding `value` (eager mode, or a constant captured while tracing).
  Tensor(HostArray value);  // NOLINT: implicit so that host data reads naturally in expressions

  DType dtype() const;
  const std::vector<int64_t>& dims() const;
  int64_t rank() const { return static_cast<int64_t>(dims().size()); }
  int64_t element_count() const;
  /// "f32[2,3]"
  std::string shape_string() const { return hlocc::shape_string(dtype(), dims()); }

  bool defined() const { return node_ != nullptr; }
  /// True while this tensor is an abstract value inside a trace.
  bool is_traced() const;
  /// The value of a concrete tensor; throws hlocc::Error for a traced one.
  HostArray to_host() const;

  explicit Tensor(std::shared_ptr<detail::TensorNode> node) : node_(std::move(node)) {}
  const std::shared_ptr<detail::TensorNode>& node() const { return node_; }

 private:
  std::shared_ptr<detail::TensorNode> node_;
};

}  // namespace hlocc
