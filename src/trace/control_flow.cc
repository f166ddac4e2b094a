// while_loop, switch_ (and cond through it) and scan. Each function is traced as a nested
// computation whose extra parameters are the outer tensors it captured; a wrapper computation
// adapts it to what HLO's while and conditional require (one tuple parameter) and threads the
// captures through.
#include "hlocc/control_flow.h"

#include "hlocc/ops.h"
#include "trace/nested_computation.h"
#include "trace/trace_context.h"

namespace hlocc {
namespace {

using tracing::emit;
using tracing::tuple_elements;
using tracing::Trace;

struct Nested {
  ir::Computation* computation;
  Tensors captures;  // outer tensors, passed after the explicit arguments
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

Nested trace_nested(const std::string& name, const detail::FlatFn& fn,
                    const std::vector<TensorSpec>& parameter_specs, bool as_tuple,
                    const Where& where) {
  Trace nested(*Trace::current(), name);
  Tensors parameters;
  for (const TensorSpec& spec : parameter_specs) parameters.push_back(nested.parameter(spec));
  const Tensors outputs = fn(parameters);
  std::vector<ir::Shape> shapes;
  for (const Tensor& output : outputs) {
    if (!output.defined())
      throw Error(name + ": returned an empty Tensor" + tracing::user_location(where));
    shapes.push_back(ir::Shape::array(output.dtype(), output.dims()));
  }
  ir::Computation* computation = nested.finish_nested(outputs, as_tuple, where);
  return Nested{computation, nested.captures(), std::move(shapes)};
}

ir::Instruction* must(Result<ir::Instruction*> result) {
  HLOCC_CHECK(result.ok()) << result.error().message();
  return *result;
}

// A new computation in the current module whose one parameter is a tuple of `state`; returns it
// and the tuple's elements (get-tuple-element of each).
std::pair<ir::Computation*, std::vector<ir::Instruction*>> tuple_computation(
    const std::string& name, const std::vector<ir::Shape>& state) {
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
  return {computation, elements};
}

// A computation taking one tuple of `state` shapes that unpacks it and calls `callee` on the
// elements at `argument_indices`; `finish` builds the root from the call and the unpacked state.
ir::Computation* wrapper(const std::string& name, const std::vector<ir::Shape>& state,
                         ir::Computation* callee, const std::vector<size_t>& argument_indices,
                         const std::function<void(ir::Builder&, ir::Instruction*,
                                                  const std::vector<ir::Instruction*>&)>& finish) {
  auto [computation, elements] = tuple_computation(name, state);
  ir::Builder builder(computation);
  std::vector<ir::Instruction*> arguments;
  for (size_t i : argument_indices) arguments.push_back(elements[i]);
  ir::Attributes to_apply;
  to_apply.set("to_apply", callee);
  ir::Instruction* call = must(builder.add(ir::Op::Call, arguments, to_apply));
  finish(builder, call, elements);
  return computation;
}

std::vector<size_t> range(size_t begin, size_t end) {
  std::vector<size_t> indices;
  for (size_t i = begin; i < end; ++i) indices.push_back(i);
  return indices;
}

Tensors traced_while(const std::function<Tensor(const Tensors&)>& cond_fn,
                     const detail::FlatFn& body_fn, const Tensors& init, int64_t max_trips,
                     const Where& where) {
  const size_t n = init.size();
  const Nested body = trace_nested("body", body_fn, specs_of(init), true, where);
  std::vector<ir::Shape> state_shapes;
  for (const Tensor& t : init) state_shapes.push_back(ir::Shape::array(t.dtype(), t.dims()));
  if (body.result_shapes != state_shapes) {
    throw Error("while_loop: the body must return the loop state's types " +
                shapes_of(state_shapes) + "; got " + shapes_of(body.result_shapes) +
                tracing::user_location(where));
  }
  const Nested condition = trace_nested(
      "condition", [&](const Tensors& state) { return Tensors{cond_fn(state)}; }, specs_of(init),
      false, where);
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
  // A bound on the trips, in XLA's backend_config syntax: reverse mode stacks that many states.
  if (max_trips >= 0) {
    attrs.set("backend_config",
              ir::RawAttr{"{\"max_trip_count\":{\"n\":\"" + std::to_string(max_trips) + "\"}}"});
  }
  const Tensor loop =
      emit(ir::Op::While, {emit(ir::Op::Tuple, full, {}, {}, where)}, attrs, {}, where);
  return tuple_elements(loop, 0, n, where);
}

// One HLO conditional: a pred scalar with two branches (false, true) uses XLA's pred form;
// otherwise an s32 index, clamped like jax.lax.switch (XLA runs the last branch when it is out
// of range, but also for negative indices).
Tensors traced_switch(const Tensor& index, const std::vector<detail::FlatFn>& branch_fns,
                      const Tensors& operands, const Where& where) {
  const bool pred_form = index.dtype() == DType::Pred;
  if (index.rank() != 0 || (!pred_form && !ir::is_integer(index.dtype()))) {
    throw Error("switch_: the index must be an integer scalar; got " + index.shape_string() +
                tracing::user_location(where));
  }
  if (branch_fns.empty() || (pred_form && branch_fns.size() != 2)) {
    throw Error("switch_: needs at least one branch (two for a pred index); got " +
                std::to_string(branch_fns.size()) + tracing::user_location(where));
  }
  std::vector<Nested> branches;
  for (size_t b = 0; b < branch_fns.size(); ++b) {
    branches.push_back(
        trace_nested("branch_" + std::to_string(b), branch_fns[b], specs_of(operands), true, where));
    if (branches[b].result_shapes != branches[0].result_shapes) {
      throw Error("switch_: the branches return different types; got " +
                  shapes_of(branches[0].result_shapes) + " and " +
                  shapes_of(branches[b].result_shapes) + tracing::user_location(where));
    }
  }
  // Each branch gets one tuple operand: the operands, then that branch's captures.
  Tensors conditional_operands;
  std::vector<ir::Computation*> wrappers;
  for (size_t b = 0; b < branches.size(); ++b) {
    Tensors packed = operands;
    packed.insert(packed.end(), branches[b].captures.begin(), branches[b].captures.end());
    std::vector<ir::Shape> shapes;
    for (const Tensor& t : packed) shapes.push_back(ir::Shape::array(t.dtype(), t.dims()));
    wrappers.push_back(
        wrapper("branch_" + std::to_string(b) + "_wrapper", shapes, branches[b].computation,
                range(0, packed.size()),
                [](ir::Builder&, ir::Instruction*, const std::vector<ir::Instruction*>&) {}));
    conditional_operands.push_back(emit(ir::Op::Tuple, packed, {}, {}, where));
  }
  ir::Attributes attrs;
  Tensor selector = index;
  if (pred_form) {
    attrs.set("true_computation", wrappers[1]);
    attrs.set("false_computation", wrappers[0]);
    std::swap(conditional_operands[0], conditional_operands[1]);
  } else {
    attrs.set("branch_computations", wrappers);
    const Tensor last = HostArray::scalar<int32_t>(static_cast<int32_t>(branches.size() - 1));
    selector = emit(ir::Op::Clamp,
                    {HostArray::scalar<int32_t>(0), astype(index, DType::S32, where), last}, {},
                    {}, where);
  }
  conditional_operands.insert(conditional_operands.begin(), selector);
  const Tensor result = emit(ir::Op::Conditional, conditional_operands, attrs, {}, where);
  return tuple_elements(result, 0, branches[0].result_shapes.size(), where);
}

ir::Instruction* index_constant(ir::Builder& builder, int32_t value) {
  return builder.constant(ir::Literal::scalar<int32_t>(value));
}

// The scan loop's body: state (i, carry..., xs..., ys..., captures...). It slices x_i out of each
// xs, calls the user's function, writes each y into row i of its ys, and counts i up.
ir::Computation* scan_body(const std::vector<ir::Shape>& state, const Nested& fn,
                           size_t carry_count, size_t xs_count) {
  auto [computation, elements] = tuple_computation("scan_body", state);
  ir::Builder b(computation);
  ir::Instruction* i = elements[0];
  ir::Instruction* zero = index_constant(b, 0);
  auto row_indices = [&](int64_t rank) {
    std::vector<ir::Instruction*> indices = {i};
    indices.resize(static_cast<size_t>(rank), zero);
    return indices;
  };
  std::vector<ir::Instruction*> arguments(elements.begin() + 1, elements.begin() + 1 + carry_count);
  for (size_t j = 0; j < xs_count; ++j) {
    ir::Instruction* xs = elements[1 + carry_count + j];
    std::vector<int64_t> sizes = xs->shape().dims();
    sizes[0] = 1;
    std::vector<ir::Instruction*> operands = {xs};
    for (ir::Instruction* index : row_indices(xs->shape().rank())) operands.push_back(index);
    ir::Attributes slice_sizes;
    slice_sizes.set("dynamic_slice_sizes", sizes);
    ir::Instruction* row = must(b.add(ir::Op::DynamicSlice, operands, slice_sizes));
    sizes.erase(sizes.begin());
    arguments.push_back(
        must(b.add(ir::Op::Reshape, {row}, {}, ir::Shape::array(xs->shape().dtype(), sizes))));
  }
  const size_t ys_begin = 1 + carry_count + xs_count;
  const size_t ys_count = fn.result_shapes.size() - carry_count;
  arguments.insert(arguments.end(), elements.begin() + static_cast<int64_t>(ys_begin + ys_count),
                   elements.end());
  ir::Attributes to_apply;
  to_apply.set("to_apply", fn.computation);
  ir::Instruction* call = must(b.add(ir::Op::Call, arguments, to_apply));
  std::vector<ir::Instruction*> next = {must(b.add(ir::Op::Add, {i, index_constant(b, 1)}))};
  for (size_t j = 0; j < fn.result_shapes.size(); ++j) {
    ir::Attributes index;
    index.set("index", static_cast<int64_t>(j));
    ir::Instruction* result = must(b.add(ir::Op::GetTupleElement, {call}, index));
    if (j < carry_count) {
      next.push_back(result);
      continue;
    }
    if (j == carry_count)
      next.insert(next.end(), elements.begin() + 1 + carry_count, elements.begin() + ys_begin);
    ir::Instruction* ys = elements[ys_begin + j - carry_count];
    std::vector<int64_t> row_dims = result->shape().dims();
    row_dims.insert(row_dims.begin(), 1);
    std::vector<ir::Instruction*> operands = {
        ys, must(b.add(ir::Op::Reshape, {result}, {},
                       ir::Shape::array(result->shape().dtype(), row_dims)))};
    for (ir::Instruction* index_value : row_indices(ys->shape().rank()))
      operands.push_back(index_value);
    next.push_back(must(b.add(ir::Op::DynamicUpdateSlice, operands)));
  }
  if (ys_count == 0)
    next.insert(next.end(), elements.begin() + 1 + carry_count, elements.begin() + ys_begin);
  next.insert(next.end(), elements.begin() + static_cast<int64_t>(ys_begin + ys_count),
              elements.end());
  must(b.add(ir::Op::Tuple, next));
  return computation;
}

// The scan loop's condition: state[0] (the step) < length.
ir::Computation* scan_condition(const std::vector<ir::Shape>& state, int64_t length) {
  auto [computation, elements] = tuple_computation("scan_condition", state);
  ir::Builder b(computation);
  ir::Attributes less_than;
  less_than.set("direction", std::string("LT"));
  must(b.add(ir::Op::Compare, {elements[0], index_constant(b, static_cast<int32_t>(length))},
             less_than));
  return computation;
}

// Returns the final carry, then the stacked ys.
Tensors traced_scan(const detail::FlatFn& fn, const Tensors& init, const Tensors& xs,
                    const Where& where) {
  if (xs.empty())
    throw Error("scan: needs at least one array to scan over" + tracing::user_location(where));
  std::vector<TensorSpec> specs = specs_of(init);
  const int64_t length = xs[0].rank() > 0 ? xs[0].dims()[0] : -1;
  for (const Tensor& x : xs) {
    if (x.rank() == 0 || x.dims()[0] != length) {
      throw Error("scan: every xs array needs the same leading dimension; got " + x.shape_string() +
                  " and " + xs[0].shape_string() + tracing::user_location(where));
    }
    specs.push_back(
        TensorSpec{x.dtype(), std::vector<int64_t>(x.dims().begin() + 1, x.dims().end())});
  }
  const size_t c = init.size();
  const Nested body = trace_nested("scan_function", fn, specs, true, where);
  for (size_t j = 0; j < c; ++j) {
    if (!(body.result_shapes[j] == ir::Shape::array(init[j].dtype(), init[j].dims()))) {
      throw Error("scan: the function must return the carry's types; carry " + std::to_string(j) +
                  " is " + init[j].shape_string() + ", got " +
                  body.result_shapes[j].to_string(false) + tracing::user_location(where));
    }
  }
  Tensors state = {Tensor(HostArray::scalar<int32_t>(0))};
  state.insert(state.end(), init.begin(), init.end());
  state.insert(state.end(), xs.begin(), xs.end());
  for (size_t j = c; j < body.result_shapes.size(); ++j) {
    std::vector<int64_t> dims = body.result_shapes[j].dims();
    dims.insert(dims.begin(), length);
    state.push_back(
        broadcast_to(full_like_scalar(0, body.result_shapes[j].dtype(), where), dims, where));
  }
  state.insert(state.end(), body.captures.begin(), body.captures.end());
  std::vector<ir::Shape> state_shapes;
  for (const Tensor& t : state) state_shapes.push_back(ir::Shape::array(t.dtype(), t.dims()));

  ir::Computation* condition = scan_condition(state_shapes, length);
  ir::Attributes attrs;
  attrs.set("condition", condition);
  attrs.set("body", scan_body(state_shapes, body, c, xs.size()));
  const Tensor loop =
      emit(ir::Op::While, {emit(ir::Op::Tuple, state, {}, {}, where)}, attrs, {}, where);
  const Tensors all = tuple_elements(loop, 0, state.size(), where);
  const size_t ys_begin = 1 + c + xs.size();
  Tensors result(all.begin() + 1, all.begin() + 1 + static_cast<int64_t>(c));
  result.insert(result.end(), all.begin() + static_cast<int64_t>(ys_begin),
                all.begin() + static_cast<int64_t>(ys_begin + body.result_shapes.size() - c));
  return result;
}

}  // namespace

namespace detail {

Tensors while_loop_flat(const std::function<Tensor(const Tensors&)>& cond, const FlatFn& body,
                        const Tensors& init, int64_t max_trips, const Where& where) {
  return tracing::staged(init, [&](const Tensors& state) {
    return traced_while(cond, body, state, max_trips, where);
  });
}

Tensors switch_flat(const Tensor& index, const std::vector<FlatFn>& branches,
                    const Tensors& operands, const Where& where) {
  Tensors all = {index};
  all.insert(all.end(), operands.begin(), operands.end());
  return tracing::staged(all, [&](const Tensors& args) {
    return traced_switch(args[0], branches, Tensors(args.begin() + 1, args.end()), where);
  });
}

Tensors scan_flat(const FlatFn& fn, size_t carry_count, const Tensors& init, const Tensors& xs,
                  const Where& where) {
  Tensors operands = init;
  operands.insert(operands.end(), xs.begin(), xs.end());
  return tracing::staged(operands, [&](const Tensors& args) {
    const auto split = args.begin() + static_cast<int64_t>(carry_count);
    return traced_scan(fn, Tensors(args.begin(), split), Tensors(split, args.end()), where);
  });
}

void throw_structure_mismatch(const char* what, const std::string& expected,
                              const std::string& got, const Where& where) {
  throw Error(std::string(what) + " returned a tree of a different structure; expected " +
              expected + ", got " + got + tracing::user_location(where) +
              "\n  hint: return the same containers (sizes, keys, fields) as the initial value");
}

void check_predicate(const Tensor& pred, const Where& where) {
  if (pred.dtype() == DType::Pred && pred.rank() == 0) return;
  throw Error("cond: the predicate must be a pred scalar; got " + pred.shape_string() +
              tracing::user_location(where) + "\n  hint: compare first, e.g. greater(x, 0)");
}

}  // namespace detail
}  // namespace hlocc
