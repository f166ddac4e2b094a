// while_loop, cond and fori_loop. Each function is traced as a nested computation whose extra
// parameters are the outer tensors it captured; a wrapper computation adapts it to what HLO's
// while and conditional require (one tuple parameter) and threads the captures through.
#include "hlocc/control_flow.h"

#include "hlocc/ops.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::emit;
using tracing::Trace;

struct Nested {
  ir::Computation* computation;
  Tensors captures;       // outer tensors, passed after the explicit arguments
  std::vector<ir::Shape> result_shapes;
};

std::vector<TensorSpec> specs_of(const Tensors& tensors) {
  std::vector<TensorSpec> specs;
  for (const Tensor& t : tensors) specs.push_back(TensorSpec{t.dtype(), t.dims()});
  return specs;
}

std::string shapes_of(const std::vector<ir::Shape>& shapes) {
  std::string text;
  for (const ir::Shape& s : shapes) text += (text.empty() ? "" : ", ") + s.to_string(false);
  return "(" + text + ")";
}

Nested trace_nested(const std::string& name, const TensorsFunction& fn, const Tensors& like,
                    bool as_tuple, const Where& where) {
  Trace nested(*Trace::current(), name);
  Tensors parameters;
  for (const TensorSpec& spec : specs_of(like)) parameters.push_back(nested.parameter(spec));
  const Tensors outputs = fn(parameters);
  std::vector<ir::Shape> shapes;
  for (const Tensor& output : outputs) {
    if (!output.defined()) throw Error(name + ": returned an empty Tensor" + tracing::user_location(where));
    shapes.push_back(ir::Shape::array(output.dtype(), output.dims()));
  }
  ir::Computation* computation = nested.finish_nested(outputs, as_tuple, where);
  return Nested{computation, nested.captures(), std::move(shapes)};
}

ir::Instruction* must(Result<ir::Instruction*> result) {
  HLOCC_CHECK(result.ok()) << result.error().message();
  return *result;
}

// A computation taking one tuple of `state` shapes that unpacks it and calls `callee` on the
// elements at `argument_indices`; `finish` builds the root from the call and the unpacked state.
ir::Computation* wrapper(const std::string& name, const std::vector<ir::Shape>& state,
                         ir::Computation* callee, const std::vector<size_t>& argument_indices,
                         const std::function<void(ir::Builder&, ir::Instruction*,
                                                  const std::vector<ir::Instruction*>&)>& finish) {
  ir::Module& module = *Trace::current()->computation()->parent();
  ir::Computation* computation =
      module.add_computation(std::make_unique<ir::Computation>(module.fresh_name(name)));
  ir::Builder builder(computation);
  ir::Instruction* tuple = builder.parameter(0, ir::Shape::tuple(state), "state");
  std::vector<ir::Instruction*> elements;
  for (size_t i = 0; i < state.size(); ++i) {
    ir::Attributes index;
    index.set("index", static_cast<int64_t>(i));
    elements.push_back(must(builder.add(ir::Op::GetTupleElement, {tuple}, index)));
  }
  std::vector<ir::Instruction*> arguments;
  for (size_t i : argument_indices) arguments.push_back(elements[i]);
  ir::Attributes to_apply;
  to_apply.set("to_apply", callee);
  ir::Instruction* call = must(builder.add(ir::Op::Call, arguments, to_apply));
  finish(builder, call, elements);
  return computation;
}

Tensors unpack(const Tensor& tuple, size_t count, const Where& where) {
  Tensors elements;
  for (size_t i = 0; i < count; ++i) {
    ir::Attributes index;
    index.set("index", static_cast<int64_t>(i));
    elements.push_back(emit(ir::Op::GetTupleElement, {tuple}, index, {}, where));
  }
  return elements;
}

std::vector<size_t> range(size_t begin, size_t end) {
  std::vector<size_t> indices;
  for (size_t i = begin; i < end; ++i) indices.push_back(i);
  return indices;
}

Tensors traced_while(const std::function<Tensor(const Tensors&)>& cond_fn,
                     const TensorsFunction& body_fn, const Tensors& init, const Where& where) {
  const size_t n = init.size();
  const Nested body = trace_nested("body", body_fn, init, true, where);
  std::vector<ir::Shape> state_shapes;
  for (const Tensor& t : init) state_shapes.push_back(ir::Shape::array(t.dtype(), t.dims()));
  if (body.result_shapes != state_shapes) {
    throw Error("while_loop: the body must return the loop state's types " + shapes_of(state_shapes) +
                "; got " + shapes_of(body.result_shapes) + tracing::user_location(where));
  }
  const Nested condition = trace_nested(
      "condition", [&](const Tensors& state) { return Tensors{cond_fn(state)}; }, init, false, where);
  if (condition.result_shapes != std::vector<ir::Shape>{ir::Shape::scalar(DType::Pred)}) {
    throw Error("while_loop: the condition must return a pred scalar; got " +
                shapes_of(condition.result_shapes) + tracing::user_location(where));
  }
  // Loop state: the user's state, then the body's captures, then the condition's.
  Tensors full = init;
  full.insert(full.end(), body.captures.begin(), body.captures.end());
  full.insert(full.end(), condition.captures.begin(), condition.captures.end());
  std::vector<ir::Shape> full_shapes;
  for (const Tensor& t : full) full_shapes.push_back(ir::Shape::array(t.dtype(), t.dims()));
  const size_t body_end = n + body.captures.size();

  std::vector<size_t> body_args = range(0, body_end);
  ir::Computation* body_wrapper = wrapper(
      "while_body", full_shapes, body.computation, body_args,
      [&](ir::Builder& b, ir::Instruction* call, const std::vector<ir::Instruction*>& state) {
        std::vector<ir::Instruction*> next;
        for (size_t i = 0; i < n; ++i) {
          ir::Attributes index;
          index.set("index", static_cast<int64_t>(i));
          next.push_back(must(b.add(ir::Op::GetTupleElement, {call}, index)));
        }
        next.insert(next.end(), state.begin() + static_cast<int64_t>(n), state.end());
        must(b.add(ir::Op::Tuple, next));
      });
  std::vector<size_t> condition_args = range(0, n);
  for (size_t i = body_end; i < full.size(); ++i) condition_args.push_back(i);
  ir::Computation* condition_wrapper =
      wrapper("while_condition", full_shapes, condition.computation, condition_args,
              [](ir::Builder&, ir::Instruction*, const std::vector<ir::Instruction*>&) {});

  ir::Attributes attrs;
  attrs.set("condition", condition_wrapper);
  attrs.set("body", body_wrapper);
  const Tensor loop = emit(ir::Op::While, {emit(ir::Op::Tuple, full, {}, {}, where)}, attrs, {}, where);
  return unpack(loop, n, where);
}

Tensors traced_cond(const Tensor& pred, const TensorsFunction& true_fn,
                    const TensorsFunction& false_fn, const Tensors& operands, const Where& where) {
  if (pred.dtype() != DType::Pred || pred.rank() != 0) {
    throw Error("cond: the predicate must be a pred scalar; got " + pred.shape_string() +
                tracing::user_location(where));
  }
  const Nested branches[2] = {trace_nested("true_branch", true_fn, operands, true, where),
                              trace_nested("false_branch", false_fn, operands, true, where)};
  if (branches[0].result_shapes != branches[1].result_shapes) {
    throw Error("cond: the branches return different types; got " +
                shapes_of(branches[0].result_shapes) + " and " +
                shapes_of(branches[1].result_shapes) + tracing::user_location(where));
  }
  // Each branch gets one tuple operand: the operands, then that branch's captures.
  Tensors branch_operands;
  ir::Computation* wrappers[2];
  for (int b = 0; b < 2; ++b) {
    Tensors packed = operands;
    packed.insert(packed.end(), branches[b].captures.begin(), branches[b].captures.end());
    std::vector<ir::Shape> shapes;
    for (const Tensor& t : packed) shapes.push_back(ir::Shape::array(t.dtype(), t.dims()));
    wrappers[b] = wrapper(b == 0 ? "cond_true" : "cond_false", shapes, branches[b].computation,
                          range(0, packed.size()),
                          [](ir::Builder&, ir::Instruction*, const std::vector<ir::Instruction*>&) {});
    branch_operands.push_back(emit(ir::Op::Tuple, packed, {}, {}, where));
  }
  ir::Attributes attrs;
  attrs.set("true_computation", wrappers[0]);
  attrs.set("false_computation", wrappers[1]);
  const Tensor result =
      emit(ir::Op::Conditional, {pred, branch_operands[0], branch_operands[1]}, attrs, {}, where);
  return unpack(result, branches[0].result_shapes.size(), where);
}

}  // namespace

Tensors while_loop(const std::function<Tensor(const Tensors&)>& cond, const TensorsFunction& body,
                   const Tensors& init, Where where) {
  return tracing::staged(init, [&](const Tensors& state) {
    return traced_while(cond, body, state, where);
  });
}

Tensors cond(const Tensor& pred, const TensorsFunction& true_fn, const TensorsFunction& false_fn,
             const Tensors& operands, Where where) {
  Tensors all = {pred};
  all.insert(all.end(), operands.begin(), operands.end());
  return tracing::staged(all, [&](const Tensors& args) {
    return traced_cond(args[0], true_fn, false_fn, Tensors(args.begin() + 1, args.end()), where);
  });
}

Tensors fori_loop(int32_t lower, int32_t upper,
                  const std::function<Tensors(const Tensor&, const Tensors&)>& body,
                  const Tensors& init, Where where) {
  Tensors state = {Tensor(HostArray::scalar<int32_t>(lower))};
  state.insert(state.end(), init.begin(), init.end());
  const Tensor upper_bound = HostArray::scalar<int32_t>(upper);
  const Tensors final_state = while_loop(
      [&](const Tensors& s) { return less(s[0], upper_bound, where); },
      [&](const Tensors& s) {
        Tensors next = {add(s[0], Tensor(HostArray::scalar<int32_t>(1)), where)};
        const Tensors updated = body(s[0], Tensors(s.begin() + 1, s.end()));
        next.insert(next.end(), updated.begin(), updated.end());
        return next;
      },
      state, where);
  return Tensors(final_state.begin() + 1, final_state.end());
}

}  // namespace hlocc
