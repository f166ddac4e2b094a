// Tensor's accessors over its TensorNode.
#include "hlocc/tensor.h"

#include "trace/tensor_node.h"

namespace hlocc {
namespace {

const detail::TensorNode& node_of(const Tensor& tensor) {
  if (!tensor.defined()) throw Error("Tensor: this tensor is empty (default-constructed)");
  return *tensor.node();
}

}  // namespace

Tensor::Tensor(HostArray value)
    : node_(tracing::concrete_tensor(tracing::to_literal(value)).node()) {}

DType Tensor::dtype() const { return node_of(*this).shape.dtype(); }

const std::vector<int64_t>& Tensor::dims() const { return node_of(*this).shape.dims(); }

int64_t Tensor::element_count() const { return node_of(*this).shape.element_count(); }

bool Tensor::is_traced() const { return node_of(*this).instruction != nullptr; }

HostArray Tensor::to_host() const {
  const detail::TensorNode& node = node_of(*this);
  if (!node.value) {
    throw Error("Tensor::to_host: " + shape_string() +
                " is an abstract value inside a trace; it has no data until the program runs");
  }
  return tracing::to_host_array(*node.value);
}

}  // namespace hlocc
