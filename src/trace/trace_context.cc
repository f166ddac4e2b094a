#include "trace/trace_context.h"

#include <atomic>

#include "backends/reference/evaluator.h"
#include "ir/verifier.h"
#include "trace/tensor_node.h"

namespace hlocc::tracing {
namespace {

thread_local Trace* current_trace = nullptr;
std::atomic<uint64_t> last_trace_id{0};

ir::SourceLocation to_source_location(const Where& where) {
  return ir::SourceLocation{where.file_name(), where.line(), 0};
}

Tensor traced_tensor(ir::Instruction* instruction, const Trace* trace) {
  auto node = std::make_shared<detail::TensorNode>();
  node->shape = instruction->shape();
  node->instruction = instruction;
  node->trace_id = trace->id();
  return Tensor(std::move(node));
}

// Eager mode: the one-op module for this op and these operand types. It is rebuilt per call: on
// the reference evaluator there is nothing to compile, and the key a cache needs (the verified
// instruction's text) costs as much as building it.
std::unique_ptr<ir::Module> eager_module(ir::Op op, const std::vector<Tensor>& operands,
                                         const ir::Attributes& attrs,
                                         const std::optional<ir::Shape>& shape,
                                         const Where& where) {
  Trace trace("eager");
  std::vector<Tensor> parameters;
  for (const Tensor& operand : operands) {
    parameters.push_back(trace.parameter(TensorSpec{operand.dtype(), operand.dims()}));
  }
  return trace.finish({emit(op, parameters, attrs, shape, where)});
}

}  // namespace

std::string user_location(const Where& where) {
  return std::string("\n  at ") + where.file_name() + ":" + std::to_string(where.line()) + " in " +
         where.function_name() + " (traced)";
}

Trace::Trace(const std::string& name)
    : id_(++last_trace_id),
      enclosing_(current_trace),
      parent_(nullptr),
      owned_module_(std::make_unique<ir::Module>(name)),
      module_(owned_module_.get()),
      computation_(module_->add_computation(std::make_unique<ir::Computation>("main"))),
      builder_(computation_) {
  module_->set_entry(computation_);
  current_trace = this;
}

Trace::Trace(Trace& parent, const std::string& name)
    : id_(++last_trace_id),
      enclosing_(current_trace),
      parent_(&parent),
      module_(parent.module_),
      computation_(
          module_->add_computation(std::make_unique<ir::Computation>(module_->fresh_name(name)))),
      builder_(computation_) {
  current_trace = this;
}

Trace::~Trace() { current_trace = enclosing_; }

Trace* Trace::current() { return current_trace; }

bool Trace::is_ancestor(uint64_t trace_id) const {
  for (const Trace* t = parent_; t != nullptr; t = t->parent_) {
    if (t->id_ == trace_id) return true;
  }
  return false;
}

Tensor Trace::parameter(const TensorSpec& spec) {
  HLOCC_CHECK(captures_.empty() && bound_arguments_.empty())
      << "explicit parameters must come before captures";
  const int64_t number = parameter_count_++;
  return traced_tensor(builder_.parameter(number, ir::Shape::array(spec.dtype, spec.dims),
                                          "arg" + std::to_string(number)),
                       this);
}

ir::Instruction* Trace::use(const Tensor& tensor, const Where& where) {
  const detail::TensorNode& node = *tensor.node();
  if (node.value) return use_constant(tensor);
  if (node.trace_id == id_) return node.instruction;
  if (node.instruction == nullptr) {
    throw Error("a TensorSpec placeholder was used in an operation; got " +
                tensor.shape_string() + user_location(where) +
                "\n  hint: TensorSpec only gives hlocc::trace an input's type; operate on the "
                "Tensor the traced function receives");
  }
  if (!is_ancestor(node.trace_id)) {
    throw Error("a tensor of another trace was used here; got " + tensor.shape_string() +
                user_location(where) +
                "\n  hint: pass the tensor to the traced function as an argument");
  }
  return capture(tensor);
}

// A host constant: small ones are HLO constants; large ones are parameters of the top-level
// computation (bound to their value when the module runs), captured by nested ones like any
// outer tensor, so the HLO text stays small.
ir::Instruction* Trace::use_constant(const Tensor& tensor) {
  const detail::TensorNode& node = *tensor.node();
  if (auto it = uses_.find(&node); it != uses_.end()) return it->second;
  ir::Instruction* instruction;
  if (node.value->raw_size() <= kInlineConstantBytes) {
    instruction = builder_.constant(*node.value);
  } else if (parent_ != nullptr) {
    return capture(tensor);
  } else {
    instruction = builder_.parameter(parameter_count_++, node.shape, "constant");
    bound_arguments_.push_back(*node.value);
  }
  uses_.emplace(&node, instruction);
  used_constants_.push_back(tensor);
  return instruction;
}

ir::Instruction* Trace::capture(const Tensor& tensor) {
  auto [it, inserted] = uses_.try_emplace(tensor.node().get(), nullptr);
  if (inserted) {
    it->second = builder_.parameter(parameter_count_++, tensor.node()->shape, "captured");
    captures_.push_back(tensor);
  }
  return it->second;
}

ir::Computation* Trace::scalar_computation(ir::Op op, DType dtype) {
  if (parent_ != nullptr) return parent_->scalar_computation(op, dtype);
  auto [it, inserted] = scalar_computations_.try_emplace({op, dtype}, nullptr);
  if (!inserted) return it->second;
  auto computation = std::make_unique<ir::Computation>(
      module_->fresh_name(std::string(ir::op_name(op)) + "_" + std::string(ir::dtype_name(dtype))));
  ir::Builder builder(computation.get());
  ir::Computation* added = module_->add_computation(std::move(computation));
  ir::Instruction* a = builder.parameter(0, ir::Shape::scalar(dtype), "a");
  ir::Instruction* b = builder.parameter(1, ir::Shape::scalar(dtype), "b");
  Result<ir::Instruction*> combined = builder.add(op, {a, b});
  if (!combined.ok()) throw combined.error();
  it->second = added;
  return added;
}

ir::Instruction* Trace::set_root(const std::vector<Tensor>& outputs, bool as_tuple,
                                 const Where& where) {
  std::vector<ir::Instruction*> roots;
  for (const Tensor& output : outputs) {
    if (!output.defined())
      throw Error("trace: the function returned an empty Tensor" + user_location(where));
    roots.push_back(use(output, where));
  }
  if (roots.size() == 1 && !as_tuple) {
    computation_->set_root(roots[0]);
    return roots[0];
  }
  Result<ir::Instruction*> tuple = builder_.add(ir::Op::Tuple, roots);
  if (!tuple.ok()) throw tuple.error();
  return *tuple;
}

std::unique_ptr<ir::Module> Trace::finish(const std::vector<Tensor>& outputs) {
  HLOCC_CHECK(owned_module_) << "finish on a nested trace";
  set_root(outputs, outputs.size() != 1, Where::current());
  const Status verified = ir::verify(*module_);
  if (!verified.ok()) {
    throw Error("trace: the recorded module does not verify (internal error): " +
                verified.error().message());
  }
  return std::move(owned_module_);
}

ir::Computation* Trace::finish_nested(const std::vector<Tensor>& outputs, bool as_tuple,
                                      const Where& where) {
  HLOCC_CHECK(parent_ != nullptr) << "finish_nested on a top-level trace";
  set_root(outputs, as_tuple, where);
  return computation_;
}

std::vector<Tensor> staged(
    const std::vector<Tensor>& operands,
    const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& body) {
  if (Trace::current() != nullptr) return body(operands);
  std::vector<HostArray> values;
  for (const Tensor& operand : operands) values.push_back(operand.to_host());
  const Module module = detail::trace_flat(body, operands);
  std::vector<Tensor> results;
  // Eager code runs on the evaluator, composite operations included (hlocc/backend.h).
  for (HostArray& value : module.run(values, "reference")) results.emplace_back(std::move(value));
  return results;
}

Tensor emit(ir::Op op, const std::vector<Tensor>& operands, ir::Attributes attrs,
            std::optional<ir::Shape> shape, const Where& where) {
  for (size_t i = 0; i < operands.size(); ++i) {
    if (!operands[i].defined()) {
      throw Error(std::string(ir::op_name(op)) + ": operand " + std::to_string(i) +
                  " is an empty Tensor" + user_location(where));
    }
  }
  Trace* trace = Trace::current();
  if (trace == nullptr) {
    for (const Tensor& operand : operands) {
      if (!operand.node()->value) {
        throw Error(std::string(ir::op_name(op)) + ": operand " + operand.shape_string() +
                    " is an abstract value (of a trace that has ended, or a TensorSpec)" + user_location(where) +
                    "\n  hint: return the tensor from the traced function instead of keeping it");
      }
    }
    const std::unique_ptr<ir::Module> module = eager_module(op, operands, attrs, shape, where);
    std::vector<ir::Literal> args;
    for (const Tensor& operand : operands) args.push_back(*operand.node()->value);
    Result<ir::Literal> result = reference::evaluate(*module, args);
    if (!result.ok()) throw Error(result.error().message() + user_location(where));
    return concrete_tensor(std::move(result).value());
  }
  std::vector<ir::Instruction*> instructions;
  for (const Tensor& operand : operands) instructions.push_back(trace->use(operand, where));
  trace->builder().set_location(to_source_location(where));
  Result<ir::Instruction*> added = trace->builder().add(op, instructions, std::move(attrs), shape);
  if (!added.ok()) {
    std::string shapes;
    for (const Tensor& operand : operands)
      shapes += (shapes.empty() ? "" : ", ") + operand.shape_string();
    throw Error(added.error().message() + " (operands " + shapes + ")" + user_location(where));
  }
  return traced_tensor(*added, trace);
}

Tensor concrete_tensor(ir::Literal value) {
  auto node = std::make_shared<detail::TensorNode>();
  node->shape = value.shape();
  node->value = std::move(value);
  return Tensor(std::move(node));
}

}  // namespace hlocc::tracing
