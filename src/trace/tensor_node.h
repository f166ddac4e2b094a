// TensorNode: what a Tensor is inside. Either concrete (a Literal) or traced (an instruction of
// the trace that was active when it was made). Also the HostArray <-> Literal conversions.
#pragma once

#include <optional>

#include "hlocc/tensor.h"
#include "ir/instruction.h"
#include "ir/literal.h"

namespace hlocc::tracing {
class Trace;
}  // namespace hlocc::tracing

namespace hlocc::detail {

struct TensorNode {
  ir::Shape shape;
  std::optional<ir::Literal> value;        // concrete tensors
  ir::Instruction* instruction = nullptr;  // traced tensors
  const tracing::Trace* trace = nullptr;   // the trace that owns `instruction`
};

}  // namespace hlocc::detail

namespace hlocc::tracing {

ir::Literal to_literal(const HostArray& array);
HostArray to_host_array(const ir::Literal& literal);
Tensor concrete_tensor(ir::Literal value);

}  // namespace hlocc::tracing
