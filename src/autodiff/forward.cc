#include "autodiff/forward.h"

#include <map>

#include "autodiff/reverse.h"
#include "ir/builder.h"
#include "ir/check.h"

namespace hlocc::autodiff {
namespace {

bool carries_tangent(const ir::Shape& shape) {
  return shape.is_tuple() || (shape.is_array() && ir::is_inexact(shape.dtype()));
}

class ForwardSweep {
 public:
  ForwardSweep(ir::Computation& fn, ir::Computation& jvp) : fn_(fn), jvp_(jvp), b_(&jvp) {}

  Status run() {
    const int64_t n = fn_.parameter_count();
    for (const auto& instruction : fn_.instructions()) {
      HLOCC_TRY_STATUS(visit(*instruction, n));
    }
    const ir::Instruction* root = fn_.root();
    HLOCC_TRY(ir::Instruction * tangent, materialize(tangents_[root], root->shape()));
    HLOCC_TRY(ir::Instruction * result, add(ir::Op::Tuple, {primals_.at(root), tangent}));
    jvp_.set_root(result);
    return {};
  }

 private:
  Result<ir::Instruction*> add(ir::Op op, std::vector<ir::Instruction*> operands,
                               ir::Attributes attrs = {},
                               std::optional<ir::Shape> shape = std::nullopt) {
    return b_.add(op, std::move(operands), std::move(attrs), std::move(shape));
  }
  Result<ir::Instruction*> element(ir::Instruction* tuple, int64_t i) {
    ir::Attributes index;
    index.set("index", i);
    return add(ir::Op::GetTupleElement, {tuple}, index);
  }
  Result<ir::Instruction*> zeros(const ir::Shape& shape) {
    if (shape.is_tuple()) {
      std::vector<ir::Instruction*> elements;
      for (const ir::Shape& s : shape.tuple_shapes()) {
        HLOCC_TRY(ir::Instruction * z, zeros(s));
        elements.push_back(z);
      }
      return add(ir::Op::Tuple, elements);
    }
    ir::Literal zero(ir::Shape::scalar(shape.dtype()));  // zero-initialized
    ir::Instruction* scalar = b_.constant(std::move(zero));
    if (shape.rank() == 0) return scalar;
    ir::Attributes none;
    none.set("dimensions", std::vector<int64_t>{});
    return add(ir::Op::Broadcast, {scalar}, none, shape);
  }
  Result<ir::Instruction*> materialize(ir::Instruction* tangent, const ir::Shape& shape) {
    return tangent != nullptr ? Result<ir::Instruction*>(tangent) : zeros(shape);
  }
  Result<ir::Instruction*> tangent_or_zeros(const ir::Instruction* forward) {
    auto it = tangents_.find(forward);
    return materialize(it == tangents_.end() ? nullptr : it->second, forward->shape());
  }
  bool has_tangent(const ir::Instruction& instruction) const {
    for (const ir::Instruction* operand : instruction.operands()) {
      auto it = tangents_.find(operand);
      if (it != tangents_.end() && it->second != nullptr) return true;
    }
    return false;
  }

  // Calls `callee_jvp` (built by build_jvp) on `primals` and their `tangents`: (result, tangent).
  Result<std::pair<ir::Instruction*, ir::Instruction*>> call_jvp(
      ir::Computation* callee_jvp, const std::vector<ir::Instruction*>& primals,
      const std::vector<ir::Instruction*>& tangents) {
    std::vector<ir::Instruction*> arguments = primals;
    arguments.insert(arguments.end(), tangents.begin(), tangents.end());
    ir::Attributes to_apply;
    to_apply.set("to_apply", callee_jvp);
    HLOCC_TRY(ir::Instruction * call, add(ir::Op::Call, arguments, to_apply));
    HLOCC_TRY(ir::Instruction * result, element(call, 0));
    HLOCC_TRY(ir::Instruction * tangent, element(call, 1));
    return std::pair{result, tangent};
  }

  // A computation `(state, tangent) tuple -> ...` wrapping `inner` (which takes state and
  // tangent as two parameters): `finish` builds its root from the call's result.
  Result<ir::Computation*> pair_wrapper(const std::string& name, const ir::Shape& pair,
                                        ir::Computation* inner, bool state_only) {
    ir::Module& module = *jvp_.parent();
    ir::Computation* wrapper =
        module.add_computation(std::make_unique<ir::Computation>(module.fresh_name(name)));
    ir::Builder b(wrapper);
    ir::Instruction* param = b.parameter(0, pair, "state_and_tangent");
    std::vector<ir::Instruction*> arguments;
    for (int64_t i = 0; i < (state_only ? 1 : 2); ++i) {
      ir::Attributes index;
      index.set("index", i);
      HLOCC_TRY(ir::Instruction * part, b.add(ir::Op::GetTupleElement, {param}, index));
      arguments.push_back(part);
    }
    ir::Attributes to_apply;
    to_apply.set("to_apply", inner);
    HLOCC_TRY(ir::Instruction * call, b.add(ir::Op::Call, arguments, to_apply));
    wrapper->set_root(call);
    return wrapper;
  }

  Status visit_while(const ir::Instruction& loop) {
    ir::Computation* body = loop.attrs().get<ir::Computation*>("body")[0];
    ir::Computation* condition = loop.attrs().get<ir::Computation*>("condition")[0];
    HLOCC_TRY(ir::Computation * body_jvp, build_jvp(*body, body->name() + "_jvp"));
    const ir::Shape pair = ir::Shape::tuple({loop.shape(), loop.shape()});
    HLOCC_TRY(ir::Computation * new_body, pair_wrapper("while_jvp_body", pair, body_jvp, false));
    HLOCC_TRY(ir::Computation * new_condition,
              pair_wrapper("while_jvp_condition", pair, condition, true));
    HLOCC_TRY(ir::Instruction * tangent, tangent_or_zeros(loop.operand(0)));
    HLOCC_TRY(ir::Instruction * init, add(ir::Op::Tuple, {primals_.at(loop.operand(0)), tangent}));
    ir::Attributes attrs = loop.attrs();
    attrs.set("body", new_body);
    attrs.set("condition", new_condition);
    HLOCC_TRY(ir::Instruction * augmented, add(ir::Op::While, {init}, attrs));
    HLOCC_TRY(primals_[&loop], element(augmented, 0));
    HLOCC_TRY(tangents_[&loop], element(augmented, 1));
    return {};
  }

  Status visit_conditional(const ir::Instruction& conditional) {
    const std::vector<ir::Computation*> branches = conditional.called_computations();
    std::vector<ir::Computation*> new_branches;
    std::vector<ir::Instruction*> operands = {primals_.at(conditional.operand(0))};
    for (size_t b = 0; b < branches.size(); ++b) {
      const ir::Instruction* operand = conditional.operand(static_cast<int64_t>(b) + 1);
      HLOCC_TRY(ir::Computation * branch_jvp,
                build_jvp(*branches[b], branches[b]->name() + "_jvp"));
      const ir::Shape pair = ir::Shape::tuple({operand->shape(), operand->shape()});
      HLOCC_TRY(ir::Computation * wrapper,
                pair_wrapper("branch_jvp", pair, branch_jvp, false));
      new_branches.push_back(wrapper);
      HLOCC_TRY(ir::Instruction * tangent, tangent_or_zeros(operand));
      HLOCC_TRY(ir::Instruction * packed, add(ir::Op::Tuple, {primals_.at(operand), tangent}));
      operands.push_back(packed);
    }
    ir::Attributes attrs = conditional.attrs();
    if (attrs.has("branch_computations")) {
      attrs.set("branch_computations", new_branches);
    } else {
      attrs.set("true_computation", new_branches[0]);
      attrs.set("false_computation", new_branches[1]);
    }
    HLOCC_TRY(ir::Instruction * augmented, add(ir::Op::Conditional, operands, attrs));
    HLOCC_TRY(primals_[&conditional], element(augmented, 0));
    HLOCC_TRY(tangents_[&conditional], element(augmented, 1));
    return {};
  }

  // Any other op: its Jacobian-vector product is the transpose of its vjp. With V(x, u) the
  // vjp of y = op(x) (u the cotangent of y), the vjp of V with respect to u, seeded with the
  // operand tangents t, is J t.
  Status visit_by_transposition(const ir::Instruction& instruction) {
    ir::Module& module = *jvp_.parent();
    ir::Computation* single = module.add_computation(
        std::make_unique<ir::Computation>(module.fresh_name(ir::op_name(instruction.op()))));
    {
      ir::Builder b(single);
      std::vector<ir::Instruction*> parameters;
      for (int64_t i = 0; i < instruction.operand_count(); ++i)
        parameters.push_back(b.parameter(i, instruction.operand(i)->shape(), "x"));
      HLOCC_TRY(ir::Instruction * copy, b.add(instruction.op(), parameters, instruction.attrs(),
                                              instruction.shape()));
      single->set_root(copy);
    }
    HLOCC_TRY(ir::Computation * vjp, build_vjp(*single, single->name() + "_vjp"));
    HLOCC_TRY(ir::Computation * transposed, build_vjp(*vjp, vjp->name() + "_t"));
    // transposed(x..., u, seed) -> (vjp's result, x cotangents..., u's cotangent); the seed is
    // the cotangent of vjp's result (y, x cotangents...): zero for y, the tangents for the rest.
    std::vector<ir::Instruction*> arguments;
    for (const ir::Instruction* operand : instruction.operands())
      arguments.push_back(primals_.at(operand));
    HLOCC_TRY(ir::Instruction * u, zeros(instruction.shape()));
    arguments.push_back(u);
    HLOCC_TRY(ir::Instruction * zero_y, zeros(instruction.shape()));
    std::vector<ir::Instruction*> seed = {zero_y};
    for (const ir::Instruction* operand : instruction.operands()) {
      HLOCC_TRY(ir::Instruction * t, tangent_or_zeros(operand));
      seed.push_back(t);
    }
    HLOCC_TRY(ir::Instruction * seed_tuple, add(ir::Op::Tuple, seed));
    arguments.push_back(seed_tuple);
    ir::Attributes to_apply;
    to_apply.set("to_apply", transposed);
    HLOCC_TRY(ir::Instruction * call, add(ir::Op::Call, arguments, to_apply));
    HLOCC_TRY(tangents_[&instruction], element(call, instruction.operand_count() + 1));
    return {};
  }

  Status copy(const ir::Instruction& instruction) {
    std::vector<ir::Instruction*> operands;
    for (const ir::Instruction* operand : instruction.operands())
      operands.push_back(primals_.at(operand));
    HLOCC_TRY(primals_[&instruction],
              add(instruction.op(), operands, instruction.attrs(), instruction.shape()));
    return {};
  }

  Status visit(const ir::Instruction& instruction, int64_t parameter_count) {
    switch (instruction.op()) {
      case ir::Op::Parameter: {
        const int64_t number = instruction.parameter_number();
        primals_[&instruction] = b_.parameter(number, instruction.shape(), instruction.name());
        ir::Instruction* tangent =
            b_.parameter(parameter_count + number, instruction.shape(), "tangent");
        if (carries_tangent(instruction.shape())) tangents_[&instruction] = tangent;
        return {};
      }
      case ir::Op::Constant:
        primals_[&instruction] = b_.constant(instruction.literal());
        return {};
      default:
        break;
    }
    if (!has_tangent(instruction) || !carries_tangent(instruction.shape())) return copy(instruction);
    switch (instruction.op()) {
      case ir::Op::Tuple: {
        HLOCC_TRY_STATUS(copy(instruction));
        std::vector<ir::Instruction*> elements;
        for (const ir::Instruction* operand : instruction.operands()) {
          HLOCC_TRY(ir::Instruction * t, tangent_or_zeros(operand));
          elements.push_back(t);
        }
        HLOCC_TRY(tangents_[&instruction], add(ir::Op::Tuple, elements));
        return {};
      }
      case ir::Op::GetTupleElement: {
        HLOCC_TRY_STATUS(copy(instruction));
        ir::Attributes index;
        index.set("index", *instruction.attrs().get<int64_t>("index"));
        HLOCC_TRY(tangents_[&instruction],
                  add(ir::Op::GetTupleElement, {tangents_.at(instruction.operand(0))}, index));
        return {};
      }
      case ir::Op::Call:
      case ir::Op::Fusion: {
        ir::Computation* callee = instruction.called_computations().at(0);
        HLOCC_TRY(ir::Computation * callee_jvp, build_jvp(*callee, callee->name() + "_jvp"));
        std::vector<ir::Instruction*> primals, tangents;
        for (const ir::Instruction* operand : instruction.operands()) {
          primals.push_back(primals_.at(operand));
          HLOCC_TRY(ir::Instruction * t, tangent_or_zeros(operand));
          tangents.push_back(t);
        }
        HLOCC_TRY(auto result, call_jvp(callee_jvp, primals, tangents));
        primals_[&instruction] = result.first;
        tangents_[&instruction] = result.second;
        return {};
      }
      case ir::Op::While:
        return visit_while(instruction);
      case ir::Op::Conditional:
        return visit_conditional(instruction);
      default:
        HLOCC_TRY_STATUS(copy(instruction));
        return visit_by_transposition(instruction);
    }
  }

  ir::Computation& fn_;
  ir::Computation& jvp_;
  ir::Builder b_;
  std::map<const ir::Instruction*, ir::Instruction*> primals_;
  std::map<const ir::Instruction*, ir::Instruction*> tangents_;
};

}  // namespace

Result<ir::Computation*> build_jvp(ir::Computation& fn, const std::string& name) {
  ir::Module& module = *fn.parent();
  ir::Computation* jvp =
      module.add_computation(std::make_unique<ir::Computation>(module.fresh_name(name)));
  ForwardSweep sweep(fn, *jvp);
  HLOCC_TRY_STATUS(sweep.run());
  module.order_callees_first();
  return jvp;
}

}  // namespace hlocc::autodiff
