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
  // The trace that owns `instruction`, by its unique id: a pointer could name a later trace
  // that happens to live at the same address once the first has ended.
  uint64_t trace_id = 0;
};

}  // namespace hlocc::detail

namespace hlocc::tracing {

ir::Literal to_literal(const HostArray& array);
HostArray to_host_array(const ir::Literal& literal);
Tensor concrete_tensor(ir::Literal value);

}  // namespace hlocc::tracing
