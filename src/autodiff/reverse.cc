#include "autodiff/reverse.h"

#include "autodiff/sweep.h"
#include "ir/check.h"
#include "ir/op_rules.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace hlocc::autodiff {
namespace detail {

bool Cotangent::is_zero() const {
  if (value != nullptr) return false;
  for (const Cotangent& element : elements) {
    if (!element.is_zero()) return false;
  }
  return true;
}

Sweep::Sweep(ir::Computation& fn, ir::Computation& gradient)
    : fn_(fn), gradient_(gradient), builder_(&gradient) {}

void Sweep::copy_forward() {
  for (const auto& instruction : fn_.instructions()) {
    ir::Instruction* copy;
    if (instruction->op() == ir::Op::Parameter) {
      copy = builder_.parameter(instruction->parameter_number(), instruction->shape(),
                                instruction->name());
    } else if (instruction->op() == ir::Op::Constant) {
      copy = builder_.constant(instruction->literal());
    } else {
      std::vector<ir::Instruction*> operands;
      for (const ir::Instruction* operand : instruction->operands())
        operands.push_back(primal(operand));
      Result<ir::Instruction*> added = builder_.add(instruction->op(), std::move(operands),
                                                    instruction->attrs(), instruction->shape());
      HLOCC_CHECK(added.ok()) << "copying a verified instruction failed: "
                              << added.error().message();
      copy = *added;
    }
    if (instruction->location()) copy->set_location(*instruction->location());
    primals_[instruction.get()] = copy;
  }
}

ir::Instruction* Sweep::zeros(const ir::Shape& shape) {
  if (!shape.is_tuple()) return full(0, shape.dtype(), shape.dims());
  std::vector<ir::Instruction*> elements;
  for (const ir::Shape& element : shape.tuple_shapes()) elements.push_back(zeros(element));
  return add(ir::Op::Tuple, elements);
}

ir::Instruction* Sweep::materialize(const Cotangent& ct, const ir::Shape& shape) {
  if (ct.value != nullptr) return ct.value;
  if (!shape.is_tuple()) return zeros(shape);
  std::vector<ir::Instruction*> elements;
  for (int64_t i = 0; i < shape.tuple_size(); ++i) {
    const Cotangent none;
    const Cotangent& element =
        i < static_cast<int64_t>(ct.elements.size()) ? ct.elements[static_cast<size_t>(i)] : none;
    elements.push_back(materialize(element, shape.tuple_shape(i)));
  }
  return add(ir::Op::Tuple, elements);
}

Cotangent Sweep::add_cotangents(Cotangent a, Cotangent b, const ir::Shape& shape) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  if (!shape.is_tuple()) return Cotangent{sum(a.value, b.value), {}};
  // Tuples add element by element; a whole-tuple instruction is split into its elements first.
  auto split = [&](Cotangent& c) {
    if (c.value != nullptr) {
      c.elements.clear();
      for (int64_t i = 0; i < shape.tuple_size(); ++i) {
        ir::Attributes index;
        index.set("index", i);
        c.elements.push_back(Cotangent{add(ir::Op::GetTupleElement, {c.value}, index), {}});
      }
      c.value = nullptr;
    }
    c.elements.resize(static_cast<size_t>(shape.tuple_size()));
  };
  split(a);
  split(b);
  for (int64_t i = 0; i < shape.tuple_size(); ++i) {
    const size_t j = static_cast<size_t>(i);
    a.elements[j] = add_cotangents(a.elements[j], b.elements[j], shape.tuple_shape(i));
  }
  return a;
}

void Sweep::accumulate(const ir::Instruction* forward, Cotangent ct) {
  if (ct.is_zero()) return;
  Cotangent& slot = cotangents_[forward];
  slot = add_cotangents(std::move(slot), std::move(ct), forward->shape());
}

ir::Instruction* Sweep::cotangent_of(const ir::Instruction* forward) {
  auto it = cotangents_.find(forward);
  return materialize(it == cotangents_.end() ? Cotangent{} : it->second, forward->shape());
}

ir::Computation* Sweep::scalar_computation(ir::Op op, ir::DType dtype) {
  ir::Module& target = module();
  const std::string name =
      "vjp_" + std::string(ir::op_name(op)) + "_" + std::string(ir::dtype_name(dtype));
  if (ir::Computation* existing = target.find_computation(name)) return existing;
  ir::Computation* computation = target.add_computation(std::make_unique<ir::Computation>(name));
  ir::Builder builder(computation);
  ir::Instruction* a = builder.parameter(0, ir::Shape::scalar(dtype), "a");
  ir::Instruction* b = builder.parameter(1, ir::Shape::scalar(dtype), "b");
  Result<ir::Instruction*> combined = builder.add(op, {a, b});
  HLOCC_CHECK(combined.ok()) << combined.error().message();
  return computation;
}

namespace {

// Only inexact values carry cotangents; integer and pred values (indices, masks) have none.
bool carries_cotangent(const ir::Shape& shape) {
  if (shape.is_tuple()) return true;
  return shape.is_array() && ir::is_inexact(shape.dtype());
}

Error not_differentiable_error(const ir::Instruction& instruction, const std::string& why) {
  std::string where;
  if (instruction.location()) where = "\n  at " + instruction.location()->to_string();
  return Error("grad: cannot differentiate " + std::string(ir::op_name(instruction.op())) + " %" +
               instruction.name() + ": " + why + where);
}

}  // namespace

Status Sweep::visit(const ir::Instruction& instruction, Cotangent ct) {
  switch (instruction.op()) {
    case ir::Op::Parameter:
      return {};
    case ir::Op::Tuple:
      for (int64_t i = 0; i < instruction.operand_count(); ++i) {
        Cotangent element;
        if (ct.value != nullptr) {
          ir::Attributes index;
          index.set("index", i);
          element.value = add(ir::Op::GetTupleElement, {ct.value}, index);
        } else if (i < static_cast<int64_t>(ct.elements.size())) {
          element = ct.elements[static_cast<size_t>(i)];
        }
        if (carries_cotangent(instruction.operand(i)->shape()))
          accumulate(instruction.operand(i), std::move(element));
      }
      return {};
    case ir::Op::GetTupleElement: {
      const ir::Instruction* tuple = instruction.operand(0);
      Cotangent whole;
      whole.elements.resize(static_cast<size_t>(tuple->shape().tuple_size()));
      whole.elements[static_cast<size_t>(*instruction.attrs().get<int64_t>("index"))] =
          std::move(ct);
      accumulate(tuple, std::move(whole));
      return {};
    }
    default:
      break;
  }
  current_ = &instruction;
  current_cotangent_ = materialize(ct, instruction.shape());
  Result<std::vector<ir::Instruction*>> operand_cotangents = std::vector<ir::Instruction*>{};
  switch (instruction.op()) {
    case ir::Op::Call:
    case ir::Op::Fusion:  // a fused computation differentiates like a called one
      operand_cotangents = call_vjp(*this, instruction, current_cotangent_);
      break;
    case ir::Op::While:
      operand_cotangents = while_vjp(*this, instruction, current_cotangent_);
      break;
    case ir::Op::Conditional:
      operand_cotangents = conditional_vjp(*this, instruction, current_cotangent_);
      break;
    default: {
      const ir::VjpRule& rule = ir::op_rules(instruction.op()).vjp;
      if (!rule) return not_differentiable_error(instruction, "the op has no vjp rule");
      operand_cotangents = rule(*this);
    }
  }
  if (!operand_cotangents.ok()) {
    return not_differentiable_error(instruction, operand_cotangents.error().message());
  }
  HLOCC_CHECK(static_cast<int64_t>(operand_cotangents->size()) == instruction.operand_count())
      << "the vjp of " << ir::op_name(instruction.op()) << " returned "
      << operand_cotangents->size() << " cotangents for " << instruction.operand_count()
      << " operands";
  for (int64_t i = 0; i < instruction.operand_count(); ++i) {
    ir::Instruction* operand_ct = (*operand_cotangents)[static_cast<size_t>(i)];
    if (operand_ct == nullptr || !carries_cotangent(instruction.operand(i)->shape())) continue;
    HLOCC_CHECK(operand_ct->shape() == instruction.operand(i)->shape())
        << "the vjp of " << ir::op_name(instruction.op()) << " gave operand " << i << " a "
        << operand_ct->shape().to_string(false) << " cotangent for "
        << instruction.operand(i)->shape().to_string(false);
    accumulate(instruction.operand(i), Cotangent{operand_ct, {}});
  }
  return {};
}

Status Sweep::sweep(ir::Instruction* seed) {
  cotangents_[fn_.root()] = Cotangent{seed, {}};
  const auto& instructions = fn_.instructions();
  for (auto it = instructions.rbegin(); it != instructions.rend(); ++it) {
    auto found = cotangents_.find(it->get());
    if (found == cotangents_.end() || found->second.is_zero()) continue;
    HLOCC_TRY_STATUS(visit(**it, found->second));
  }
  return {};
}

Result<std::vector<ir::Instruction*>> call_vjp(Sweep& sweep, const ir::Instruction& call,
                                               ir::Instruction* ct) {
  ir::Computation* callee = call.called_computations().at(0);
  HLOCC_TRY(ir::Computation * callee_vjp, build_vjp(*callee, callee->name() + "_vjp"));
  // The vjp computation is called plainly, whatever the op (call or fusion) was.
  std::vector<ir::Instruction*> arguments;
  for (const ir::Instruction* operand : call.operands()) arguments.push_back(sweep.primal(operand));
  arguments.push_back(ct);
  ir::Attributes to_apply;
  to_apply.set("to_apply", callee_vjp);
  ir::Instruction* result = sweep.add(ir::Op::Call, arguments, to_apply);
  std::vector<ir::Instruction*> cotangents;
  for (int64_t i = 0; i < call.operand_count(); ++i) {
    ir::Attributes index;
    index.set("index", i + 1);
    cotangents.push_back(sweep.add(ir::Op::GetTupleElement, {result}, index));
  }
  return cotangents;
}

}  // namespace detail

Result<ir::Computation*> build_vjp(ir::Computation& fn, const std::string& name) {
  ir::Module& module = *fn.parent();
  ir::Computation* gradient =
      module.add_computation(std::make_unique<ir::Computation>(module.fresh_name(name)));
  detail::Sweep sweep(fn, *gradient);
  sweep.copy_forward();
  ir::Instruction* seed =
      sweep.builder().parameter(fn.parameter_count(), fn.root()->shape(), "cotangent");
  HLOCC_TRY_STATUS(sweep.sweep(seed));
  std::vector<ir::Instruction*> outputs = {sweep.primal(fn.root())};
  for (const ir::Instruction* parameter : fn.parameters())
    outputs.push_back(sweep.cotangent_of(parameter));
  gradient->set_root(sweep.add(ir::Op::Tuple, outputs));
  module.order_callees_first();
  return gradient;
}

Result<std::unique_ptr<ir::Module>> value_and_grad(const ir::Module& module,
                                                   std::vector<int64_t> wrt) {
  // Work on a copy: the text round trip is exact and keeps the caller's module untouched.
  HLOCC_TRY(std::unique_ptr<ir::Module> copy, ir::parse_module(ir::print_module(module)));
  ir::Computation& fn = *copy->entry();
  const ir::Shape& result = fn.root()->shape();
  if (!result.is_scalar() || (result.dtype() != ir::DType::F32 && result.dtype() != ir::DType::F64)) {
    return Error("grad: the function must return an f32 or f64 scalar; got " +
                 result.to_string(false) +
                 "\n  hint: reduce the result to a scalar loss (e.g. a sum), or use vjp");
  }
  if (wrt.empty()) {
    for (int64_t i = 0; i < fn.parameter_count(); ++i) wrt.push_back(i);
  }
  for (int64_t i : wrt) {
    if (i < 0 || i >= fn.parameter_count()) {
      return Error("grad: no parameter " + std::to_string(i) + "; the function has " +
                   std::to_string(fn.parameter_count()));
    }
  }
  HLOCC_TRY(ir::Computation * gradient, build_vjp(fn, fn.name() + "_vjp"));
  ir::Computation* entry =
      copy->add_computation(std::make_unique<ir::Computation>(copy->fresh_name("value_and_grad")));
  ir::Builder builder(entry);
  std::vector<ir::Instruction*> arguments;
  for (const ir::Instruction* parameter : fn.parameters()) {
    arguments.push_back(
        builder.parameter(parameter->parameter_number(), parameter->shape(), parameter->name()));
  }
  ir::Literal one(ir::Shape::scalar(result.dtype()));
  if (result.dtype() == ir::DType::F32) {
    one.data<float>()[0] = 1;
  } else {
    one.data<double>()[0] = 1;
  }
  arguments.push_back(builder.constant(std::move(one)));
  ir::Attributes to_apply;
  to_apply.set("to_apply", gradient);
  HLOCC_TRY(ir::Instruction * call, builder.add(ir::Op::Call, arguments, to_apply));
  std::vector<ir::Instruction*> outputs;
  auto element = [&](int64_t i) -> Result<ir::Instruction*> {
    ir::Attributes index;
    index.set("index", i);
    return builder.add(ir::Op::GetTupleElement, {call}, index);
  };
  HLOCC_TRY(ir::Instruction * value, element(0));
  outputs.push_back(value);
  for (int64_t i : wrt) {
    HLOCC_TRY(ir::Instruction * gradient_i, element(i + 1));
    outputs.push_back(gradient_i);
  }
  HLOCC_TRY(ir::Instruction * root, builder.add(ir::Op::Tuple, outputs));
  entry->set_root(root);
  copy->set_entry(entry);
  HLOCC_TRY_STATUS(ir::verify(*copy));
  return copy;
}

}  // namespace hlocc::autodiff
