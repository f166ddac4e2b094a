#include "passes/reduction_splitting.h"

#include <algorithm>

namespace hlocc::passes {
namespace {

using ir::Instruction;

// Below this many operand elements a reduce is cheap enough for one thread.
constexpr int64_t kMinElements = int64_t{1} << 16;
// At least this many result rows keep the threads busy.
constexpr int64_t kMinRows = 8;

// The reduced dim to keep in the first reduce, or -1 when `reduce` should stay whole.
int64_t split_dim(const Instruction& reduce) {
  if (reduce.op() != ir::Op::Reduce || reduce.operand_count() != 2 ||
      !reduce.shape().is_array()) {
    return -1;
  }
  const ir::Shape& operand = reduce.operand(0)->shape();
  const auto* dims = reduce.attrs().get<std::vector<int64_t>>("dimensions");
  if (dims == nullptr || dims->size() < 2 || operand.rank() < 2 ||
      operand.element_count() < kMinElements) {
    return -1;
  }
  std::vector<int64_t> reduced = *dims;
  std::sort(reduced.begin(), reduced.end());
  // The loop kernels split rows (all dims but the innermost): a reduce over the innermost dim
  // has one row per result element already.
  if (reduced.back() == operand.rank() - 1) return -1;
  const ir::Shape& result = reduce.shape();
  const int64_t rows = result.rank() == 0 ? 1 : result.element_count() / result.dims().back();
  if (rows >= kMinRows) return -1;
  // The outermost dim that gives enough rows (the first reduce then walks the most contiguous
  // memory per row), else the largest.
  int64_t largest = -1;
  for (int64_t d : reduced) {
    if (rows * operand.dim(d) >= kMinRows) return d;
    if (largest < 0 || operand.dim(d) > operand.dim(largest)) largest = d;
  }
  return operand.dim(largest) >= 2 ? largest : -1;
}

std::unique_ptr<Instruction> reduce_of(const Instruction& original, Instruction* operand,
                                       std::vector<int64_t> dims, std::string name) {
  std::vector<int64_t> kept;
  const ir::Shape& shape = operand->shape();
  for (int64_t d = 0; d < shape.rank(); ++d) {
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) kept.push_back(shape.dim(d));
  }
  auto reduce = std::make_unique<Instruction>(
      ir::Op::Reduce, ir::Shape::array(original.shape().dtype(), kept), std::move(name));
  reduce->attrs() = original.attrs();
  reduce->attrs().set("dimensions", std::move(dims));
  reduce->append_operand(operand);
  reduce->append_operand(original.operand(1));
  if (original.location()) reduce->set_location(*original.location());
  return reduce;
}

bool split(ir::Module& module, Instruction* reduce, int64_t kept_dim) {
  std::vector<int64_t> first_dims;
  for (int64_t d : *reduce->attrs().get<std::vector<int64_t>>("dimensions")) {
    if (d != kept_dim) first_dims.push_back(d);
  }
  // In the first reduce's result, kept_dim sits after the operand dims before it that survive.
  int64_t position = 0;
  for (int64_t d = 0; d < kept_dim; ++d) {
    if (std::find(first_dims.begin(), first_dims.end(), d) == first_dims.end()) ++position;
  }
  std::vector<std::unique_ptr<Instruction>> inserted;
  inserted.push_back(reduce_of(*reduce, reduce->operand(0), first_dims,
                               module.fresh_name(reduce->name() + ".rows")));
  Instruction* rows = inserted.back().get();
  inserted.push_back(reduce_of(*reduce, rows, {position}, module.fresh_name(reduce->name())));
  Instruction* total = inserted.back().get();
  ir::Computation& computation = *reduce->parent();
  computation.insert_before(reduce, std::move(inserted));
  reduce->replace_all_uses_with(total);
  if (computation.root() == reduce) computation.set_root(total);
  computation.remove(reduce);
  return true;
}

}  // namespace

Result<bool> ReductionSplitting::run(ir::Module& module) {
  bool changed = false;
  for (const auto& computation : module.computations()) {
    std::vector<std::pair<Instruction*, int64_t>> splits;
    for (const auto& instruction : computation->instructions()) {
      const int64_t dim = split_dim(*instruction);
      if (dim >= 0) splits.emplace_back(instruction.get(), dim);
    }
    for (const auto& [reduce, dim] : splits) changed |= split(module, reduce, dim);
  }
  return changed;
}

}  // namespace hlocc::passes
