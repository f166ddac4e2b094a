// Rules of tuples, calls and control flow: tuple, get-tuple-element, call, opt-barrier, fusion,
// custom-call, while and conditional. Called computations run through EvalContext::call, and a
// computation's parameters must match exactly the values it is called with.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "ir/computation.h"
#include "ir/custom_call.h"
#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::detail {
namespace {

using ops::op_error;

std::string str(int64_t value) { return std::to_string(value); }

// The computation named by attribute `name` (to_apply, body, ...).
Result<const Computation*> called(const Instruction& inst, std::string_view name) {
  HLOCC_TRY(Computation* const* computation, ops::require_attr<Computation*>(inst, name));
  if (*computation == nullptr) return op_error(inst, std::string(name) + " names no computation");
  return *computation;
}

// Checks that `callee` (attribute `role`) takes exactly operands [first, first + count) of `inst`.
Status check_parameters(const Instruction& inst, const Computation& callee, std::string_view role,
                        int64_t first, int64_t count) {
  const std::string what = std::string(role) + " computation %" + callee.name();
  if (callee.parameter_count() != count) {
    return op_error(inst, what + " must take " + str(count) + " parameter(s); got " +
                              str(callee.parameter_count()) + " for operands " +
                              ops::operand_shapes(inst));
  }
  for (int64_t i = 0; i < count; ++i) {
    const Shape& parameter = callee.parameter(i)->shape();
    const Shape& operand = inst.operand(first + i)->shape();
    if (!(parameter == operand)) {
      return op_error(inst, "operand " + str(first + i) + " does not match parameter " + str(i) +
                                " of " + what + "; got operand " + operand.to_string(false) +
                                " and parameter " + parameter.to_string(false));
    }
  }
  return ok_status();
}

Result<Literal> call_with(EvalContext& context, const Computation& callee, const Literal* arg) {
  return context.call(callee, std::span<const Literal* const>(&arg, 1));
}

// ---- tuple, get-tuple-element, opt-barrier --------------------------------------------------

Result<Shape> infer_tuple(const Instruction& inst) {
  std::vector<Shape> elements;
  for (const Instruction* operand : inst.operands()) elements.push_back(operand->shape());
  return Shape::tuple(std::move(elements));
}

Result<Literal> evaluate_tuple(const Instruction&, std::span<const Literal* const> operands,
                               EvalContext&) {
  std::vector<Literal> elements;
  elements.reserve(operands.size());
  for (const Literal* operand : operands) elements.push_back(*operand);
  return Literal::tuple(std::move(elements));
}

Result<Shape> infer_get_tuple_element(const Instruction& inst) {
  const Shape& tuple = inst.operand(0)->shape();
  if (!tuple.is_tuple()) {
    return op_error(inst, "operand must be a tuple; got " + tuple.to_string(false));
  }
  HLOCC_TRY(const int64_t* index, ops::require_attr<int64_t>(inst, "index"));
  if (*index < 0 || *index >= tuple.tuple_size()) {
    return op_error(inst, "index " + str(*index) + " is out of range for a tuple of " +
                              str(tuple.tuple_size()) + " element(s); got " +
                              tuple.to_string(false));
  }
  return tuple.tuple_shape(*index);
}

Result<Literal> evaluate_get_tuple_element(const Instruction& inst,
                                           std::span<const Literal* const> operands, EvalContext&) {
  return operands[0]->element(*inst.attrs().get<int64_t>("index"));
}

Result<Shape> infer_identity(const Instruction& inst) { return inst.operand(0)->shape(); }

Result<Literal> evaluate_identity(const Instruction&, std::span<const Literal* const> operands,
                                  EvalContext&) {
  return *operands[0];
}

// ---- call, fusion -----------------------------------------------------------------------------

// call(...), to_apply=%f and fusion(...), calls=%f: run `f` on all operands.
ShapeRule infer_whole_call(std::string_view role) {
  return [role](const Instruction& inst) -> Result<Shape> {
    HLOCC_TRY(const Computation* callee, called(inst, role));
    HLOCC_TRY_STATUS(check_parameters(inst, *callee, role, 0, inst.operand_count()));
    return callee->result_shape();
  };
}

EvalRule evaluate_whole_call(std::string_view role) {
  return [role](const Instruction& inst, std::span<const Literal* const> operands,
                EvalContext& context) -> Result<Literal> {
    return context.call(**inst.attrs().get<Computation*>(role), operands);
  };
}

Result<Shape> infer_fusion(const Instruction& inst) {
  static constexpr std::array<std::string_view, 4> kKinds = {"kLoop", "kInput", "kOutput",
                                                             "kCustom"};
  HLOCC_TRY(const std::string* kind, ops::require_attr<std::string>(inst, "kind"));
  if (std::find(kKinds.begin(), kKinds.end(), *kind) == kKinds.end()) {
    return op_error(inst, "kind must be one of kLoop, kInput, kOutput, kCustom; got " + *kind);
  }
  return infer_whole_call("calls")(inst);
}

// ---- custom-call ------------------------------------------------------------------------------

// hlocc.custom_vjp: called_computations={%fn, %bwd}; the result is fn's.
Result<Shape> infer_custom_vjp(const Instruction& inst) {
  HLOCC_TRY(const auto* called,
            ops::require_attr<std::vector<Computation*>>(inst, "called_computations"));
  if (called->size() != 2 || (*called)[0] == nullptr || (*called)[1] == nullptr) {
    return op_error(inst, "called_computations must name the function and its vjp");
  }
  const Computation& fn = *(*called)[0];
  const Computation& bwd = *(*called)[1];
  HLOCC_TRY_STATUS(check_parameters(inst, fn, "called_computations", 0, inst.operand_count()));
  // bwd takes the operands, then the result's elements and their cotangents (one each for an
  // array result), and returns the operands' cotangents as a tuple.
  const Shape& result = fn.result_shape();
  const int64_t outputs = result.is_tuple() ? result.tuple_size() : 1;
  std::vector<Shape> operand_shapes;
  for (const Instruction* operand : inst.operands()) operand_shapes.push_back(operand->shape());
  if (bwd.parameter_count() != inst.operand_count() + 2 * outputs ||
      !(bwd.result_shape() == Shape::tuple(operand_shapes))) {
    return op_error(inst, "the vjp computation %" + bwd.name() +
                              " must take the operands, the results and their cotangents and "
                              "return the operands' cotangents as a tuple");
  }
  return result;
}

Result<Shape> infer_custom_call(const Instruction& inst) {
  HLOCC_TRY(const std::string* target, ops::require_attr<std::string>(inst, "custom_call_target"));
  if (target->empty()) return op_error(inst, "custom_call_target must not be empty");
  if (*target == kCustomVjpTarget) return infer_custom_vjp(inst);
  return inst.shape();  // the result shape is whatever the call declares
}

Result<Literal> evaluate_custom_call(const Instruction& inst,
                                     std::span<const Literal* const> operands,
                                     EvalContext& context) {
  const std::string& target = *inst.attrs().get<std::string>("custom_call_target");
  if (target == kCustomVjpTarget) {
    return context.call(*inst.attrs().get<std::vector<Computation*>>("called_computations")->at(0),
                        operands);
  }
  const std::optional<CustomCallFn> handler = find_custom_call(target);
  if (!handler) {
    return op_error(inst, "no handler is registered for custom_call_target \"" + target +
                              "\"; register one with hlocc::ir::register_custom_call(\"" + target +
                              "\", fn) from ir/custom_call.h before evaluating");
  }
  HLOCC_TRY(Literal result, (*handler)(operands, inst));
  if (!(result.shape() == inst.shape())) {
    return op_error(inst, "the handler of \"" + target +
                              "\" returned a value of the wrong shape; got " +
                              result.shape().to_string(false) + " for declared " +
                              inst.shape().to_string(false));
  }
  return result;
}

// ---- while ------------------------------------------------------------------------------------

Result<Shape> infer_while(const Instruction& inst) {
  HLOCC_TRY(const Computation* condition, called(inst, "condition"));
  HLOCC_TRY(const Computation* body, called(inst, "body"));
  HLOCC_TRY_STATUS(check_parameters(inst, *condition, "condition", 0, 1));
  HLOCC_TRY_STATUS(check_parameters(inst, *body, "body", 0, 1));
  if (!(condition->result_shape() == Shape::scalar(DType::Pred))) {
    return op_error(inst, "condition computation %" + condition->name() +
                              " must return pred[]; got " +
                              condition->result_shape().to_string(false));
  }
  const Shape& state = inst.operand(0)->shape();
  if (!(body->result_shape() == state)) {
    return op_error(
        inst, "body computation %" + body->name() + " must return the loop state's shape; got " +
                  body->result_shape().to_string(false) + " for state " + state.to_string(false));
  }
  return state;
}

Result<Literal> evaluate_while(const Instruction& inst, std::span<const Literal* const> operands,
                               EvalContext& context) {
  const Computation& condition = **inst.attrs().get<Computation*>("condition");
  const Computation& body = **inst.attrs().get<Computation*>("body");
  const int64_t limit = context.max_while_trips();
  Literal state = *operands[0];
  for (int64_t trips = 0;; ++trips) {
    HLOCC_TRY(const Literal go_on, call_with(context, condition, &state));
    if (!go_on.data<bool>()[0]) return state;
    if (limit >= 0 && trips >= limit) {
      return op_error(inst, "exceeded the limit of " + str(limit) + " iterations");
    }
    HLOCC_TRY(state, call_with(context, body, &state));
  }
}

// ---- conditional ------------------------------------------------------------------------------

// The branches in index order: {true, false} for the predicate form (a pred index selects branch 0
// when true, as in XLA), else branch_computations.
Result<std::vector<const Computation*>> branches(const Instruction& inst) {
  if (inst.attrs().has("true_computation") || inst.attrs().has("false_computation")) {
    HLOCC_TRY(const Computation* on_true, called(inst, "true_computation"));
    HLOCC_TRY(const Computation* on_false, called(inst, "false_computation"));
    return std::vector<const Computation*>{on_true, on_false};
  }
  HLOCC_TRY(const std::vector<Computation*>* list,
            ops::require_attr<std::vector<Computation*>>(inst, "branch_computations"));
  std::vector<const Computation*> result(list->begin(), list->end());
  for (const Computation* branch : result) {
    if (branch == nullptr) return op_error(inst, "branch_computations names no computation");
  }
  return result;
}

Status check_branch_index(const Instruction& inst, int64_t branch_count) {
  const Shape& index = inst.operand(0)->shape();
  const bool is_pred = index == Shape::scalar(DType::Pred);
  if (!is_pred && !(index == Shape::scalar(DType::S32))) {
    return op_error(inst, "operand 0 (the branch index) must be pred[] or s32[]; got " +
                              index.to_string(false));
  }
  if (is_pred && branch_count != 2) {
    return op_error(inst,
                    "a pred[] branch index needs exactly 2 branches; got " + str(branch_count));
  }
  if (branch_count < 1) return op_error(inst, "needs at least one branch computation; got 0");
  if (inst.operand_count() != branch_count + 1) {
    return op_error(inst, "needs one operand per branch after the index: " + str(branch_count + 1) +
                              " operand(s); got " + str(inst.operand_count()));
  }
  return ok_status();
}

Result<Shape> infer_conditional(const Instruction& inst) {
  if (inst.operand_count() < 1) return op_error(inst, "needs a branch index operand; got none");
  HLOCC_TRY(const std::vector<const Computation*> list, branches(inst));
  HLOCC_TRY_STATUS(check_branch_index(inst, static_cast<int64_t>(list.size())));
  const Shape& result = list[0]->result_shape();
  for (size_t j = 0; j < list.size(); ++j) {
    const std::string role = "branch " + str(static_cast<int64_t>(j));
    HLOCC_TRY_STATUS(check_parameters(inst, *list[j], role, static_cast<int64_t>(j) + 1, 1));
    if (!(list[j]->result_shape() == result)) {
      return op_error(inst, "all branches must return the same shape; got " +
                                result.to_string(false) + " from branch 0 (%" + list[0]->name() +
                                ") and " + list[j]->result_shape().to_string(false) + " from " +
                                role + " (%" + list[j]->name() + ")");
    }
  }
  return result;
}

Result<Literal> evaluate_conditional(const Instruction& inst,
                                     std::span<const Literal* const> operands,
                                     EvalContext& context) {
  HLOCC_TRY(const std::vector<const Computation*> list, branches(inst));
  const int64_t count = static_cast<int64_t>(list.size());
  const Literal& index = *operands[0];
  int64_t branch = 0;
  if (index.shape().dtype() == DType::Pred) {
    branch = index.data<bool>()[0] ? 0 : 1;
  } else {
    branch = index.data<int32_t>()[0];
    if (branch < 0 || branch >= count) branch = count - 1;  // XLA: out of range runs the last
  }
  const auto chosen = static_cast<size_t>(branch);
  return call_with(context, *list[chosen], operands[chosen + 1]);
}

}  // namespace

void register_control_ops(OpRuleTable& table) {
  auto set = [&table](Op op, OpRules rules) { table[static_cast<size_t>(op)] = std::move(rules); };
  set(Op::Tuple, {.infer_shape = infer_tuple, .evaluate = evaluate_tuple});
  set(Op::GetTupleElement,
      {.infer_shape = infer_get_tuple_element, .evaluate = evaluate_get_tuple_element});
  set(Op::OptimizationBarrier, {.infer_shape = infer_identity, .evaluate = evaluate_identity});
  set(Op::Call,
      {.infer_shape = infer_whole_call("to_apply"), .evaluate = evaluate_whole_call("to_apply")});
  set(Op::Fusion, {.infer_shape = infer_fusion, .evaluate = evaluate_whole_call("calls")});
  set(Op::CustomCall, {.infer_shape = infer_custom_call, .evaluate = evaluate_custom_call});
  set(Op::While, {.infer_shape = infer_while, .evaluate = evaluate_while});
  set(Op::Conditional, {.infer_shape = infer_conditional, .evaluate = evaluate_conditional});
}

}  // namespace hlocc::ir::detail
