// Simplifier rule for dot: a transposed operand is read in place, the transpose folded into the
// dot's dimension numbers (as XLA's transpose folding does), so the backend's matmul reads the
// original array with other strides instead of waiting for a transposed copy.
#include <algorithm>
#include <string>

#include "passes/simplify_rules.h"

namespace hlocc::passes::simplify {
namespace {

using ir::Instruction;

// {d0, d1, ...} => {permutation[d0], permutation[d1], ...}
std::vector<int64_t> renamed(const std::vector<int64_t>& dims,
                             const std::vector<int64_t>& permutation) {
  std::vector<int64_t> result;
  for (const int64_t d : dims) result.push_back(permutation[static_cast<size_t>(d)]);
  return result;
}

// Whether the dims that are neither batch nor contracting keep their order when renamed: they
// give the result's dims in increasing order, so reordering them would transpose the result.
bool keeps_free_dim_order(const std::vector<int64_t>& permutation,
                          const std::vector<int64_t>& batch,
                          const std::vector<int64_t>& contracting) {
  int64_t previous = -1;
  for (int64_t d = 0; d < static_cast<int64_t>(permutation.size()); ++d) {
    if (std::ranges::find(batch, d) != batch.end()) continue;
    if (std::ranges::find(contracting, d) != contracting.end()) continue;
    if (permutation[static_cast<size_t>(d)] < previous) return false;
    previous = permutation[static_cast<size_t>(d)];
  }
  return true;
}

// Sets a dimension list, leaving an absent one absent when it stays empty (as printed before).
void set_dims(Instruction& dot, const std::string& name, const std::vector<int64_t>& dims) {
  if (dims.empty() && !dot.attrs().has(name)) return;
  dot.attrs().set(name, dims);
}

// dot(transpose(a, p), b) => dot(a, b), each lhs batch and contracting dim d renamed p[d] (the
// transposed operand's dim d is a's dim p[d]); the same for a transposed rhs. Each result element
// sums the same products in the same order, so the values are bit for bit the same.
bool fold_transpose(Instruction& dot, int64_t side) {
  const Instruction* transpose = dot.operand(side);
  if (transpose->op() != ir::Op::Transpose) return false;
  const std::vector<int64_t> permutation = transpose->attrs().int_list_or_empty("dimensions");
  const std::string prefix = side == 0 ? "lhs" : "rhs";
  const std::vector<int64_t> batch = dot.attrs().int_list_or_empty(prefix + "_batch_dims");
  const std::vector<int64_t> contracting =
      dot.attrs().int_list_or_empty(prefix + "_contracting_dims");
  if (!keeps_free_dim_order(permutation, batch, contracting)) return false;
  set_dims(dot, prefix + "_batch_dims", renamed(batch, permutation));
  set_dims(dot, prefix + "_contracting_dims", renamed(contracting, permutation));
  dot.replace_operand(side, transpose->operand(0));
  return true;
}

Instruction* simplify_dot(Instruction& dot) {
  const bool lhs = fold_transpose(dot, 0);
  const bool rhs = fold_transpose(dot, 1);
  return lhs || rhs ? &dot : nullptr;
}

}  // namespace

void register_dot_rules(RuleTable& table) {
  table[static_cast<size_t>(ir::Op::Dot)] = simplify_dot;
}

}  // namespace hlocc::passes::simplify
