/// Linear algebra: numpy.matmul, XLA's general dot, and numpy.einsum, all lowered to HLO dot
/// (plus transpose, broadcast and reduce where the layout asks for them). Operands share a dtype.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

/// numpy.matmul: a 1-D operand is a vector (its dimension is contracted and does not appear in
/// the result); dimensions before the last two are batch dimensions and broadcast like numpy's.
Tensor matmul(const Tensor& a, const Tensor& b, Where where = Where::current());

/// XLA's dot dimension numbers: pairs of contracting dimensions are summed over, pairs of batch
/// dimensions are matched element by element. Dimensions are non-negative.
struct DotDimensions {
  std::vector<int64_t> lhs_contracting, rhs_contracting, lhs_batch, rhs_batch;
};

/// HLO dot: the result's dimensions are the batch dimensions, then a's free dimensions, then b's
/// (each in operand order).
Tensor dot_general(const Tensor& a, const Tensor& b, const DotDimensions& dims,
                   Where where = Where::current());

/// numpy.einsum for one or two operands, e.g. "ij,jk->ik", "bij,bjk->bik", "ij->ji", "i,i->".
/// Without "->" the output is numpy's implicit one (indices used once, alphabetically). "..."
/// stands for leading dimensions that broadcast. Indices absent from the output are summed. An
/// index repeated within one operand (a diagonal or trace) is an error.
Tensor einsum(const std::string& spec, const std::vector<Tensor>& operands,
              Where where = Where::current());

}  // namespace hlocc
