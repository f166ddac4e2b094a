#include "ir/elemental.h"

#include <algorithm>

#include "ir/computation.h"
#include "ir/op_rules.h"

namespace hlocc::ir {

ElementalRule lowered_by_backend() {
  return [](ElementalBuilder& builder, const EIndex&) -> Result<std::vector<EValue>> {
    HLOCC_CHECK(false) << builder.instruction().name()
                       << ": this op is lowered whole by the backend, never element by element";
    return std::vector<EValue>{};
  };
}

bool is_row_reduction(const Instruction& inst) {
  if (inst.op() != Op::Reduce || inst.operand_count() != 2 || !inst.shape().is_array()) {
    return false;
  }
  const int64_t rank = inst.operand(0)->shape().rank();
  const auto* reduced = inst.attrs().get<std::vector<int64_t>>("dimensions");
  return rank > 0 && reduced != nullptr && !reduced->empty() &&
         std::find(reduced->begin(), reduced->end(), rank - 1) == reduced->end();
}

const Instruction* row_reduction_root(const Computation& computation) {
  const Instruction* root = computation.root();
  if (root->op() == Op::Tuple) {
    if (root->operand_count() != 2 || root->operand(0)->operand_count() == 0 ||
        root->operand(1) != root->operand(0)->operand(0)) {
      return nullptr;
    }
    root = root->operand(0);
  }
  return is_row_reduction(*root) ? root : nullptr;
}

namespace detail {

// Ops without an elemental form: leaves, tuples and control flow run as whole steps of an
// executable; sort, scatter, rng-bit-generator and custom-call have whole-op lowerings.
void register_backend_lowered_ops(OpRuleTable& table) {
  for (Op op : {Op::Parameter, Op::Constant, Op::RngBitGenerator, Op::Scatter, Op::Sort, Op::Call,
                Op::Conditional, Op::CustomCall, Op::Fusion, Op::GetTupleElement,
                Op::OptimizationBarrier, Op::Tuple, Op::While}) {
    table[static_cast<size_t>(op)].elemental = lowered_by_backend();
  }
}

}  // namespace detail
}  // namespace hlocc::ir
