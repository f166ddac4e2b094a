// Random control flow: counted while loops, conditionals and calls whose bodies are themselves
// small random programs, written as computations of their own before the computation that calls
// them.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/random_program_writer.h"

namespace hlocc::testing::detail {
namespace {

using ir::DType;

// A value built late in `writer` (usually the newest), turned into `target`'s shape: how a body
// or branch hands back what it computed.
Value result_like(ComputationWriter& writer, const Value& target) {
  const auto recent = writer.pick([](const Value&) { return true; });
  return writer.coerce(*recent, target.dtype, target.dims);
}

std::vector<Value> pick_values(ComputationWriter& writer, int64_t count) {
  std::vector<Value> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(*writer.pick([](const Value&) { return true; }));
  return values;
}

// cond: state[0] < trips, with trips a constant in 0..4, so that every loop ends.
std::string write_condition(ModuleWriter& module, const std::vector<Value>& state, int64_t depth) {
  ComputationWriter condition(module, module.fresh_name("cond_"), depth);
  const Value counter = condition.tuple_parameter(state, 1).front();
  const Value trips = condition.constant(DType::S32, double(module.rng().between(0, 4)));
  const Value less = condition.emit(
      DType::Pred, {}, "compare(" + counter.name + ", " + trips.name + "), direction=LT");
  module.add_computation(condition.finish(less.name));
  return condition.name();
}

// body: counter + 1, and each state value replaced by something computed from the state.
std::string write_body(ModuleWriter& module, const std::vector<Value>& state, int64_t depth) {
  ComputationWriter body(module, module.fresh_name("body_"), depth);
  const std::vector<Value> in = body.tuple_parameter(state);
  write_random_ops(body, module.rng().between(1, 6));
  std::vector<Value> out = {in[0]};
  for (size_t i = 1; i < state.size(); ++i) out.push_back(result_like(body, state[i]));
  const Value one = body.constant(DType::S32, 1);
  out[0] = body.emit(DType::S32, {}, "add(" + in[0].name + ", " + one.name + ")");
  module.add_computation(body.finish(body.tuple(out)));
  return body.name();
}

// A computation of its own over `operands` (one tuple parameter) with 0-5 random ops; its root
// is a recent value, turned into `result_shape`'s shape when given. Returns its name and root.
std::pair<std::string, Value> write_subprogram(ModuleWriter& module, std::string_view prefix,
                                               const std::vector<Value>& operands, int64_t depth,
                                               const Value* result_shape) {
  ComputationWriter callee(module, module.fresh_name(prefix), depth);
  callee.tuple_parameter(operands);
  write_random_ops(callee, module.rng().between(0, 5));
  Value root = *callee.pick([](const Value&) { return true; });
  if (result_shape != nullptr) root = callee.coerce(root, result_shape->dtype, result_shape->dims);
  module.add_computation(callee.finish(root.name));
  return {callee.name(), root};
}

}  // namespace

std::optional<Value> write_while(ComputationWriter& writer) {
  ModuleWriter& module = writer.module();
  if (writer.depth() >= module.max_nesting() || writer.values().empty()) return std::nullopt;
  std::vector<Value> state = {writer.constant(DType::S32, 0)};
  for (const Value& value : pick_values(writer, writer.rng().between(1, 3))) state.push_back(value);
  const std::string condition = write_condition(module, state, writer.depth() + 1);
  const std::string body = write_body(module, state, writer.depth() + 1);
  const std::string shape = tuple_shape_text(state);
  const std::string init = writer.tuple(state);
  const std::string loop =
      writer.emit_other(shape, "while(" + init + "), condition=" + condition + ", body=" + body);
  std::optional<Value> last;
  for (size_t i = 1; i < state.size(); ++i) {
    last = writer.emit(state[i].dtype, state[i].dims,
                       "get-tuple-element(" + loop + "), index=" + std::to_string(i));
  }
  return last;
}

// The selector is a pred (true/false computations) or an s32 index over 2-3 branches, where an
// index out of range runs the last branch, as XLA defines.
std::optional<Value> write_conditional(ComputationWriter& writer) {
  ModuleWriter& module = writer.module();
  if (writer.depth() >= module.max_nesting() || writer.values().empty()) return std::nullopt;
  const std::vector<Value> operands = pick_values(writer, writer.rng().between(1, 2));
  const Value result_shape = writer.rng().chance(0.5)
                                 ? operands.front()
                                 : Value{"", random_dtype(writer.rng()), random_dims(writer.rng())};
  const bool by_pred = writer.rng().chance(0.5);
  const Value selector = writer.operand_of(by_pred ? DType::Pred : DType::S32, {});
  const std::string tuple = writer.tuple(operands);
  std::vector<std::string> branches;
  for (int64_t count = by_pred ? 2 : writer.rng().between(2, 3); count > 0; --count) {
    branches.push_back(
        write_subprogram(module, "branch_", operands, writer.depth() + 1, &result_shape).first);
  }
  std::string text = "conditional(" + selector.name;
  for (size_t i = 0; i < branches.size(); ++i) text += ", " + tuple;
  if (by_pred) {
    text += "), true_computation=" + branches[0] + ", false_computation=" + branches[1];
  } else {
    text += "), branch_computations={" + branches[0];
    for (size_t i = 1; i < branches.size(); ++i) text += ", " + branches[i];
    text += "}";
  }
  return writer.emit(result_shape.dtype, result_shape.dims, text);
}

// A call of a random subprogram: what the inlining pass undoes.
std::optional<Value> write_call(ComputationWriter& writer) {
  ModuleWriter& module = writer.module();
  if (writer.depth() >= module.max_nesting() || writer.values().empty()) return std::nullopt;
  const std::vector<Value> operands = pick_values(writer, writer.rng().between(1, 2));
  const auto [callee, root] =
      write_subprogram(module, "callee_", operands, writer.depth() + 1, nullptr);
  return writer.emit(root.dtype, root.dims,
                     "call(" + writer.tuple(operands) + "), to_apply=" + callee);
}

}  // namespace hlocc::testing::detail
