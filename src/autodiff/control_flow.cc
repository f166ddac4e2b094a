// Reverse mode through while and conditional.
//
// Conditional: the backward op is a conditional with the same selector; branch b takes
// (operand b, cotangent of the result), runs branch b's vjp and returns the cotangents of every
// branch operand (zeros for the branches not taken).
//
// While: reverse mode needs the loop state at the start of every trip. An augmented copy of the
// loop, whose state is (state, trip counter, one stack per saved array of the state), records
// them with dynamic-update-slice; a backward loop then runs the body's vjp from the last trip to
// the first. Stacks need a bound N on the trips: XLA's known_trip_count, else the counted-loop
// pattern that fori_loop and scan emit, else a max_trip_count bound (the gradient is then that of
// the loop stopped after N trips). State elements that the body passes through unchanged
// (captured tensors, scan's xs) or only writes rows into (scan's ys) are not stacked: memory is
// N times the size of the rest of the state.
//
// The sweep has already copied the original loop into the gradient computation as the primal,
// and instructions cannot be inserted before its users, so the forward loop runs twice there
// (the copy gives the value, the augmented loop the stacks). A pass that merges the two (the
// copy's state is the augmented loop's element 0) would halve that.
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "autodiff/reverse.h"
#include "autodiff/sweep.h"
#include "ir/check.h"
#include "ir/module.h"

namespace hlocc::autodiff::detail {
namespace {

using ir::Computation;
using ir::DType;
using ir::Instruction;
using ir::Op;
using ir::Shape;

/// Tuple indices from the outside in: the position of an array inside a (nested) tuple.
using Path = std::vector<int64_t>;

// Emits into one computation. What it builds is well-typed by construction, so a failure is an
// internal error.
class Emitter {
 public:
  explicit Emitter(Computation* computation) : builder_(computation) {}

  Instruction* add(Op op, std::vector<Instruction*> operands, ir::Attributes attrs = {},
                   std::optional<Shape> shape = std::nullopt) {
    Result<Instruction*> added = builder_.add(op, std::move(operands), std::move(attrs), shape);
    HLOCC_CHECK(added.ok()) << "reverse mode of control flow built broken HLO: "
                            << added.error().message();
    return *added;
  }
  Instruction* parameter(const Shape& shape, const std::string& name) {
    return builder_.parameter(0, shape, name);
  }
  Instruction* element(Instruction* tuple, int64_t index) {
    ir::Attributes attrs;
    attrs.set("index", index);
    return add(Op::GetTupleElement, {tuple}, std::move(attrs));
  }
  Instruction* element(Instruction* tuple, const Path& path) {
    for (int64_t index : path) tuple = element(tuple, index);
    return tuple;
  }
  Instruction* tuple(std::vector<Instruction*> elements) { return add(Op::Tuple, elements); }
  Instruction* s32(int64_t value) {
    return builder_.constant(ir::Literal::scalar<int32_t>(static_cast<int32_t>(value)));
  }
  Instruction* call(Computation* callee, std::vector<Instruction*> arguments) {
    ir::Attributes attrs;
    attrs.set("to_apply", callee);
    return add(Op::Call, std::move(arguments), std::move(attrs));
  }
  Instruction* compare(Instruction* a, Instruction* b, const char* direction) {
    ir::Attributes attrs;
    attrs.set("direction", std::string(direction));
    return add(Op::Compare, {a, b}, std::move(attrs));
  }
  Instruction* reshape(Instruction* x, const std::vector<int64_t>& dims) {
    return add(Op::Reshape, {x}, {}, Shape::array(x->shape().dtype(), dims));
  }
  /// Zeros of any shape (a tuple of zeros for tuples).
  Instruction* zeros(const Shape& shape) {
    if (shape.is_tuple()) {
      std::vector<Instruction*> elements;
      for (const Shape& element : shape.tuple_shapes()) elements.push_back(zeros(element));
      return tuple(std::move(elements));
    }
    Instruction* zero = builder_.constant(ir::Literal(Shape::scalar(shape.dtype())));
    if (shape.rank() == 0) return zero;
    ir::Attributes attrs;
    attrs.set("dimensions", std::vector<int64_t>{});
    return add(Op::Broadcast, {zero}, std::move(attrs), shape);
  }
  /// A value of `shape` whose array at path p is leaf(p).
  template <class Leaf>
  Instruction* rebuild(const Shape& shape, const Leaf& leaf, Path& prefix) {
    if (!shape.is_tuple()) return leaf(prefix);
    std::vector<Instruction*> elements;
    for (int64_t i = 0; i < shape.tuple_size(); ++i) {
      prefix.push_back(i);
      elements.push_back(rebuild(shape.tuple_shape(i), leaf, prefix));
      prefix.pop_back();
    }
    return tuple(std::move(elements));
  }

 private:
  ir::Builder builder_;
};

Computation* new_computation(ir::Module& module, const std::string& name) {
  return module.add_computation(std::make_unique<Computation>(module.fresh_name(name)));
}

const Shape& shape_at(const Shape& shape, const Path& path) {
  const Shape* at = &shape;
  for (int64_t index : path) at = &at->tuple_shape(index);
  return *at;
}

// The paths of the arrays in `shape`, in order.
Status collect_leaves(const Shape& shape, Path& prefix, std::vector<Path>& leaves) {
  if (shape.is_array()) {
    leaves.push_back(prefix);
    return ok_status();
  }
  if (!shape.is_tuple()) {
    return Error("a loop state element of type " + shape.to_string(false) +
                 " cannot be saved for the backward loop");
  }
  for (int64_t i = 0; i < shape.tuple_size(); ++i) {
    prefix.push_back(i);
    HLOCC_TRY_STATUS(collect_leaves(shape.tuple_shape(i), prefix, leaves));
    prefix.pop_back();
  }
  return ok_status();
}

// ---- the trip count -------------------------------------------------------------------------

// A value seen through the plumbing of tuples and calls: instruction `inst` reached inside the
// calls `calls` (innermost last), of which the tuple element `pending` is meant (indices to
// apply, the next one last).
struct Trace {
  const Instruction* inst;
  std::vector<const Instruction*> calls;
  Path pending;
};

// Follows get-tuple-element, tuple, call and the parameters of called computations back to the
// instruction that computes the value (or to the top computation's parameter).
Trace follow(Trace t) {
  for (;;) {
    const Instruction& inst = *t.inst;
    if (inst.op() == Op::GetTupleElement) {
      t.pending.push_back(*inst.attrs().get<int64_t>("index"));
      t.inst = inst.operand(0);
    } else if (inst.op() == Op::Tuple && !t.pending.empty()) {
      t.inst = inst.operand(t.pending.back());
      t.pending.pop_back();
    } else if (inst.op() == Op::Call) {
      t.calls.push_back(&inst);
      t.inst = inst.called_computations().at(0)->root();
    } else if (inst.op() == Op::Parameter && !t.calls.empty()) {
      t.inst = t.calls.back()->operand(inst.parameter_number());
      t.calls.pop_back();
    } else {
      return t;
    }
  }
}

Trace follow_operand(const Trace& t, int64_t i) {
  return follow({t.inst->operand(i), t.calls, {}});
}

// Element k when `t` is element k of the top computation's (tuple) parameter.
std::optional<int64_t> state_element(const Trace& t) {
  if (t.inst->op() != Op::Parameter || !t.calls.empty() || t.pending.size() != 1) return {};
  return t.pending[0];
}

std::optional<int64_t> integer_constant(const Trace& t) {
  if (t.inst->op() != Op::Constant || !t.pending.empty() || !t.inst->shape().is_scalar() ||
      !ir::is_integer(t.inst->shape().dtype())) {
    return {};
  }
  return static_cast<int64_t>(t.inst->literal().get_as_double(0));
}

int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// The trip count of a counted loop: element k of the state starts at constant c0, the body adds
// a constant step to it and the condition compares it with a constant limit (as fori_loop and
// scan emit, through their call wrappers).
std::optional<int64_t> counted_trip_count(const Instruction& loop) {
  const Computation& condition = **loop.attrs().get<Computation*>("condition");
  const Computation& body = **loop.attrs().get<Computation*>("body");
  const Trace test = follow({condition.root(), {}, {}});
  if (test.inst->op() != Op::Compare) return {};
  std::string direction = *test.inst->attrs().get<std::string>("direction");
  Trace counter = follow_operand(test, 0), limit = follow_operand(test, 1);
  if (!state_element(counter)) {
    std::swap(counter, limit);
    static const std::map<std::string, std::string> kSwapped = {
        {"LT", "GT"}, {"GT", "LT"}, {"LE", "GE"}, {"GE", "LE"}};
    auto swapped = kSwapped.find(direction);
    if (swapped == kSwapped.end()) return {};
    direction = swapped->second;
  }
  const std::optional<int64_t> k = state_element(counter);
  const std::optional<int64_t> bound = integer_constant(limit);
  if (!k || !bound) return {};
  // The body's new element k: counter + step or counter - step.
  const Trace next = follow({body.root(), {}, {*k}});
  if (next.inst->op() != Op::Add && next.inst->op() != Op::Subtract) return {};
  Trace a = follow_operand(next, 0), b = follow_operand(next, 1);
  if (next.inst->op() == Op::Add && state_element(b) == k) std::swap(a, b);
  std::optional<int64_t> step = integer_constant(b);
  if (state_element(a) != k || !step) return {};
  if (next.inst->op() == Op::Subtract) step = -*step;
  const std::optional<int64_t> start = integer_constant(follow({loop.operand(0), {}, {*k}}));
  if (!start) return {};
  if (direction == "LT" && *step > 0) return ceil_div(*bound - *start, *step);
  if (direction == "LE" && *step > 0) return ceil_div(*bound - *start + 1, *step);
  if (direction == "GT" && *step < 0) return ceil_div(*start - *bound, -*step);
  if (direction == "GE" && *step < 0) return ceil_div(*start - *bound + 1, -*step);
  return {};
}

// N from backend_config={"<key>":{"n":"N"}} (XLA's format, also as an escaped string).
std::optional<int64_t> backend_config_count(const Instruction& loop, const std::string& key) {
  const ir::RawAttr* config = loop.attrs().get<ir::RawAttr>("backend_config");
  if (config == nullptr) return {};
  const std::string& text = config->text;
  size_t at = text.find("\"" + key);
  if (at == std::string::npos) at = text.find("\\\"" + key);
  if (at == std::string::npos) return {};
  at = text.find_first_not_of("\\\"", text.find(key, at) + key.size());
  // Expect :{"n":"N"} with optional escapes and spaces.
  at = text.find_first_not_of(":{ \\\"n", at);
  if (at == std::string::npos || !std::isdigit(static_cast<unsigned char>(text[at]))) return {};
  const std::string digits = text.substr(at, text.find_first_not_of("0123456789", at) - at);
  if (digits.size() > 12) return {};  // far beyond any loop that could be stacked
  return std::stoll(digits);
}

Result<int64_t> max_trips(const Instruction& loop) {
  if (auto n = backend_config_count(loop, "known_trip_count")) return *n;
  if (auto n = counted_trip_count(loop)) return *n;
  if (auto n = backend_config_count(loop, "max_trip_count")) return *n;
  return Error(
      "this while loop has a data-dependent trip count; reverse mode needs a bound: "
      "while_loop(cond, body, init, {.max_trips = N}), or use fori_loop/scan\n  hint: in HLO, "
      "give the while backend_config={\"max_trip_count\":{\"n\":\"N\"}}");
}

// Whether the body returns the array at `path` of its parameter unchanged.
bool passes_through(const Computation& body, const Path& path) {
  const Path pending(path.rbegin(), path.rend());
  const Trace t = follow({body.root(), {}, pending});
  return t.inst->op() == Op::Parameter && t.calls.empty() && t.pending == pending;
}

// Whether the body only writes into top-level element `path` (dynamic-update-slice whose result
// goes straight to the body's result, as scan's ys): the vjp of dynamic-update-slice does not
// read the buffer, so any value of its shape will do in the backward loop.
bool only_written(const Computation& body, const Path& path) {
  if (path.size() != 1 || body.root()->op() != Op::Tuple) return false;
  for (const Instruction* user : body.parameter(0)->users()) {
    if (user->op() != Op::GetTupleElement) return false;
    if (*user->attrs().get<int64_t>("index") != path[0]) continue;
    if (user == body.root()) return false;
    for (const Instruction* update : user->users()) {
      if (update->op() != Op::DynamicUpdateSlice) return false;
      for (int64_t i = 1; i < update->operand_count(); ++i) {
        if (update->operand(i) == user) return false;
      }
      for (const Instruction* result : update->users()) {
        if (result != body.root()) return false;
      }
    }
  }
  return body.root() != body.parameter(0);
}

}  // namespace

Result<std::vector<Instruction*>> while_vjp(Sweep& sweep, const Instruction& loop,
                                            Instruction* ct) {
  HLOCC_TRY(const int64_t trips, max_trips(loop));
  if (trips == 0) return std::vector<Instruction*>{ct};
  if (trips > std::numeric_limits<int32_t>::max()) {
    return Error("the trip count bound " + std::to_string(trips) +
                 " does not fit the s32 trip counter of the saved states");
  }
  Computation* condition = *loop.attrs().get<Computation*>("condition");
  Computation* body = *loop.attrs().get<Computation*>("body");
  const Shape& state_shape = loop.shape();
  std::vector<Path> leaves;
  Path prefix;
  HLOCC_TRY_STATUS(collect_leaves(state_shape, prefix, leaves));
  // The arrays whose values the body's vjp needs are stacked, at their index in `saved`; the ones
  // the body passes through unchanged (captured tensors, scan's xs) or only writes into (scan's
  // ys) are read from the final state.
  std::vector<Path> saved;
  std::vector<Shape> augmented_shapes = {state_shape, Shape::scalar(DType::S32)};
  for (const Path& path : leaves) {
    if (passes_through(*body, path) || only_written(*body, path)) continue;
    saved.push_back(path);
    const Shape& leaf = shape_at(state_shape, path);
    std::vector<int64_t> dims = {trips};
    dims.insert(dims.end(), leaf.dims().begin(), leaf.dims().end());
    augmented_shapes.push_back(Shape::array(leaf.dtype(), dims));
  }
  const Shape augmented_shape = Shape::tuple(augmented_shapes);
  ir::Module& module = sweep.module();

  // Forward: (state, t, stacks...) -> (body(state), t + 1, stacks with row t = state), while
  // cond(state) and t < trips.
  Computation* forward_condition = new_computation(module, condition->name() + "_augmented");
  {
    Emitter e(forward_condition);
    Instruction* p = e.parameter(augmented_shape, "state");
    Instruction* go_on = e.call(condition, {e.element(p, 0)});
    Instruction* in_bound = e.compare(e.element(p, 1), e.s32(trips), "LT");
    e.add(Op::And, {go_on, in_bound});
  }
  Computation* forward_body = new_computation(module, body->name() + "_augmented");
  {
    Emitter e(forward_body);
    Instruction* p = e.parameter(augmented_shape, "state");
    Instruction* state = e.element(p, 0);
    Instruction* t = e.element(p, 1);
    std::vector<Instruction*> outputs = {e.call(body, {state}), e.add(Op::Add, {t, e.s32(1)})};
    for (size_t j = 0; j < saved.size(); ++j) {
      Instruction* leaf = e.element(state, saved[j]);
      std::vector<int64_t> row = {1};
      row.insert(row.end(), leaf->shape().dims().begin(), leaf->shape().dims().end());
      std::vector<Instruction*> operands = {e.element(p, static_cast<int64_t>(j) + 2),
                                            e.reshape(leaf, row), t};
      for (int64_t d = 0; d < leaf->shape().rank(); ++d) operands.push_back(e.s32(0));
      outputs.push_back(e.add(Op::DynamicUpdateSlice, operands));
    }
    e.tuple(outputs);
  }

  // Backward: (t, ct, augmented) -> (t - 1, vjp of the body at the state of trip t - 1, ...),
  // while t > 0.
  HLOCC_TRY(Computation * body_vjp, build_vjp(*body, body->name() + "_vjp"));
  const Shape backward_shape =
      Shape::tuple({Shape::scalar(DType::S32), state_shape, augmented_shape});
  Computation* backward_condition = new_computation(module, condition->name() + "_backward");
  {
    Emitter e(backward_condition);
    Instruction* p = e.parameter(backward_shape, "state");
    e.compare(e.element(p, 0), e.s32(0), "GT");
  }
  Computation* backward_body = new_computation(module, body->name() + "_backward");
  {
    Emitter e(backward_body);
    Instruction* p = e.parameter(backward_shape, "state");
    Instruction* t = e.add(Op::Subtract, {e.element(p, 0), e.s32(1)});
    Instruction* augmented = e.element(p, 2);
    Instruction* final_state = e.element(augmented, 0);
    size_t next_saved = 0;
    auto leaf = [&](const Path& path) -> Instruction* {
      if (next_saved == saved.size() || saved[next_saved] != path)
        return e.element(final_state, path);
      const Shape& shape = shape_at(state_shape, path);
      std::vector<int64_t> row = {1};
      row.insert(row.end(), shape.dims().begin(), shape.dims().end());
      std::vector<Instruction*> operands = {
          e.element(augmented, static_cast<int64_t>(next_saved++) + 2), t};
      for (int64_t d = 0; d < shape.rank(); ++d) operands.push_back(e.s32(0));
      ir::Attributes sizes;
      sizes.set("dynamic_slice_sizes", row);
      return e.reshape(e.add(Op::DynamicSlice, operands, std::move(sizes)), shape.dims());
    };
    Path path;
    Instruction* state = e.rebuild(state_shape, leaf, path);
    Instruction* vjp = e.call(body_vjp, {state, e.element(p, 1)});
    e.tuple({t, e.element(vjp, 1), augmented});
  }

  Emitter e(sweep.builder().computation());
  std::vector<Instruction*> init = {sweep.primal(loop.operand(0)), e.s32(0)};
  for (size_t j = 2; j < augmented_shapes.size(); ++j) init.push_back(e.zeros(augmented_shapes[j]));
  ir::Attributes forward_attrs;
  forward_attrs.set("condition", forward_condition);
  forward_attrs.set("body", forward_body);
  Instruction* augmented = e.add(Op::While, {e.tuple(init)}, std::move(forward_attrs));
  ir::Attributes backward_attrs;
  backward_attrs.set("condition", backward_condition);
  backward_attrs.set("body", backward_body);
  Instruction* backward = e.add(
      Op::While, {e.tuple({e.element(augmented, 1), ct, augmented})}, std::move(backward_attrs));
  return std::vector<Instruction*>{e.element(backward, 1)};
}

Result<std::vector<Instruction*>> conditional_vjp(Sweep& sweep, const Instruction& conditional,
                                                  Instruction* ct) {
  const ir::Attributes& attrs = conditional.attrs();
  const bool pred_form = attrs.has("true_computation");
  std::vector<Computation*> branches;
  if (pred_form) {
    branches = {*attrs.get<Computation*>("true_computation"),
                *attrs.get<Computation*>("false_computation")};
  } else {
    branches = *attrs.get<std::vector<Computation*>>("branch_computations");
  }
  // Branch b: (operand b, ct) -> (zeros, ..., vjp of branch b, ..., zeros).
  std::vector<Computation*> backward_branches;
  for (size_t b = 0; b < branches.size(); ++b) {
    HLOCC_TRY(Computation * branch_vjp, build_vjp(*branches[b], branches[b]->name() + "_vjp"));
    Computation* backward = new_computation(sweep.module(), branches[b]->name() + "_backward");
    Emitter e(backward);
    const Shape& operand_shape = conditional.operand(static_cast<int64_t>(b) + 1)->shape();
    Instruction* p = e.parameter(Shape::tuple({operand_shape, ct->shape()}), "operand_and_ct");
    Instruction* vjp = e.call(branch_vjp, {e.element(p, 0), e.element(p, 1)});
    std::vector<Instruction*> cotangents;
    for (size_t j = 0; j < branches.size(); ++j) {
      const Shape& other = conditional.operand(static_cast<int64_t>(j) + 1)->shape();
      cotangents.push_back(j == b ? e.element(vjp, 1) : e.zeros(other));
    }
    e.tuple(cotangents);
    backward_branches.push_back(backward);
  }
  Emitter e(sweep.builder().computation());
  std::vector<Instruction*> operands = {sweep.primal(conditional.operand(0))};
  for (size_t b = 0; b < branches.size(); ++b) {
    operands.push_back(
        e.tuple({sweep.primal(conditional.operand(static_cast<int64_t>(b) + 1)), ct}));
  }
  ir::Attributes backward_attrs;
  if (pred_form) {
    backward_attrs.set("true_computation", backward_branches[0]);
    backward_attrs.set("false_computation", backward_branches[1]);
  } else {
    backward_attrs.set("branch_computations", backward_branches);
  }
  Instruction* backward = e.add(Op::Conditional, operands, std::move(backward_attrs));
  std::vector<Instruction*> cotangents = {nullptr};
  for (size_t b = 0; b < branches.size(); ++b)
    cotangents.push_back(e.element(backward, static_cast<int64_t>(b)));
  return cotangents;
}

}  // namespace hlocc::autodiff::detail
