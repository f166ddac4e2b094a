// Recognizes the computations that scalar_fn.h calls simple binary ops.
#include "ir/ops/scalar_fn.h"

#include <cstring>

namespace hlocc::ir::ops {
namespace {

bool is_simple_binary(Op op) {
  return op == Op::Add || op == Op::Multiply || op == Op::Maximum || op == Op::Minimum ||
         op == Op::And || op == Op::Or || op == Op::Xor;
}

}  // namespace

std::optional<Op> simple_binary_op(const Computation& computation) {
  if (computation.parameter_count() != 2) return std::nullopt;
  const Instruction* p0 = computation.parameter(0);
  const Instruction* p1 = computation.parameter(1);
  const Instruction* root = computation.root();
  if (p0 == nullptr || p1 == nullptr || root == nullptr) return std::nullopt;
  if (!is_simple_binary(root->op()) || root->operand_count() != 2) return std::nullopt;
  // All three must be the same scalar type, so the typed loop's T is the computation's type.
  if (!p0->shape().is_scalar() || !(p0->shape() == p1->shape()) ||
      !(root->shape() == p0->shape())) {
    return std::nullopt;
  }
  const Instruction* lhs = root->operand(0);
  const Instruction* rhs = root->operand(1);
  if (lhs == p0 && rhs == p1) return root->op();
  // op(p1, p0) equals op(p0, p1) for add, multiply and the bitwise ops; not for maximum/minimum,
  // whose ties return the first operand (max(-0, +0) = -0), so those stay on the generic path.
  const bool exactly_commutative = root->op() != Op::Maximum && root->op() != Op::Minimum;
  if (exactly_commutative && lhs == p1 && rhs == p0) return root->op();
  return std::nullopt;
}

void copy_element(Literal& to, int64_t to_index, const Literal& from, int64_t from_index) {
  const int64_t size = dtype_byte_size(from.shape().dtype());
  std::memcpy(to.raw() + to_index * size, from.raw() + from_index * size,
              static_cast<size_t>(size));
}

CombinerCall::CombinerCall(EvalContext& context, const Computation& combiner)
    : context_(context), combiner_(combiner) {
  for (int64_t i = 0; i < combiner.parameter_count(); ++i) {
    arguments_.emplace_back(combiner.parameter(i)->shape());
  }
  for (const Literal& argument : arguments_) argument_pointers_.push_back(&argument);
}

Status CombinerCall::step(std::span<Literal> accumulators, int64_t at,
                          std::span<const Literal* const> elements, int64_t element_index) {
  const size_t n = accumulators.size();
  for (size_t i = 0; i < n; ++i) {
    copy_element(arguments_[i], 0, accumulators[i], at);
    copy_element(arguments_[n + i], 0, *elements[i], element_index);
  }
  HLOCC_TRY(const Literal value, context_.call(combiner_, argument_pointers_));
  for (size_t i = 0; i < n; ++i) {
    const Literal& output = value.shape().is_tuple() ? value.element(static_cast<int64_t>(i)) : value;
    copy_element(accumulators[i], at, output, 0);
  }
  return ok_status();
}

}  // namespace hlocc::ir::ops
