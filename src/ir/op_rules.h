// OpRules: everything each op knows how to do, found through the op table (STYLE.md section 2).
// Each family file in src/ir/ops/ registers the rules of its ops; op_rules(op) looks them up.
#pragma once

#include <array>
#include <functional>
#include <span>

#include "ir/elemental.h"
#include "ir/instruction.h"
#include "ir/literal.h"
#include "ir/result.h"
#include "ir/vjp.h"

namespace hlocc::ir {

/// What an evaluate rule may ask of the evaluator that runs it.
class EvalContext {
 public:
  virtual ~EvalContext() = default;
  /// Runs `computation` on `args` (for reduce, map, sort, while, conditional, call, fusion, ...).
  virtual Result<Literal> call(const Computation& computation, std::span<const Literal* const> args) = 0;
  /// Upper bound on iterations of any one while loop; -1 for none. A loop that would run longer
  /// fails with an error instead of hanging (used by fuzzing and by users who ask for it).
  virtual int64_t max_while_trips() const { return -1; }
};

/// The result shape of an instruction, computed from its operands' shapes and its attributes, or an
/// error naming the rule broken. For ops whose result shape is not determined by operands and
/// attributes (parameter, constant, reshape, broadcast, convert, iota, ...), the rule checks the
/// declared shape (inst.shape()) against the operands and returns it.
using ShapeRule = std::function<Result<Shape>(const Instruction& inst)>;

/// The value of a verified instruction given its operands' values.
using EvalRule = std::function<Result<Literal>(const Instruction& inst,
                                               std::span<const Literal* const> operands,
                                               EvalContext& context)>;

struct OpRules {
  ShapeRule infer_shape;
  EvalRule evaluate;
  VjpRule vjp = {};  // ir/vjp.h; not_differentiable() or handled_by_transform() where that is so
  ElementalRule elemental = {};  // ir/elemental.h; lowered_by_backend() for whole-op lowerings
};

using OpRuleTable = std::array<OpRules, kOpCount>;

/// The rules of `op` (empty std::functions where an op has not registered one).
const OpRules& op_rules(Op op);

namespace detail {
// One registration function per family file in src/ir/ops/.
void register_leaf_ops(OpRuleTable& table);
void register_elementwise_ops(OpRuleTable& table);
void register_convert_ops(OpRuleTable& table);
void register_shape_ops(OpRuleTable& table);
void register_slice_ops(OpRuleTable& table);
void register_gather_scatter_ops(OpRuleTable& table);
void register_reduce_ops(OpRuleTable& table);
void register_dot_conv_ops(OpRuleTable& table);
void register_map_sort_ops(OpRuleTable& table);
void register_control_ops(OpRuleTable& table);
// The vjp rules, one file per family (src/ir/ops/<family>_vjp.cc), run after the rules above.
void register_elementwise_vjps(OpRuleTable& table);
void register_shape_vjps(OpRuleTable& table);
void register_reduce_vjps(OpRuleTable& table);
void register_dot_conv_vjps(OpRuleTable& table);
void register_control_vjps(OpRuleTable& table);
// The elemental rules (src/ir/ops/<family>_elemental.cc), and the ops backends lower whole.
void register_elementwise_elementals(OpRuleTable& table);
void register_shape_elementals(OpRuleTable& table);
void register_reduce_elementals(OpRuleTable& table);
void register_dot_conv_elementals(OpRuleTable& table);
void register_backend_lowered_ops(OpRuleTable& table);
}  // namespace detail

}  // namespace hlocc::ir
