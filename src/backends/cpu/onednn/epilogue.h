// Reads a convolution or dot, alone or as the head of an output fusion, into the form the oneDNN
// mappings take: the contraction, which kernel inputs feed it, and its epilogue as post-op steps.
// Nothing here knows oneDNN; only patterns that map exactly onto oneDNN post-ops are accepted.
#pragma once

#include <vector>

#include "ir/instruction.h"
#include "ir/result.h"

namespace hlocc::cpu::detail {

struct EpilogueOp {
  enum class Kind { BiasAdd, Relu, Residual };
  Kind kind;
  /// BiasAdd, Residual: the kernel input (fusion operand) that is added.
  int64_t input = -1;
  /// BiasAdd: for each dim of that input, the result dim it broadcasts into.
  std::vector<int64_t> broadcast_dims;
};

struct ContractionSite {
  const ir::Instruction* contraction = nullptr;  // a convolution or dot
  int64_t lhs_input = 0, rhs_input = 1;          // kernel inputs holding its operands
  std::vector<EpilogueOp> epilogue;              // applied in order to its result
};

/// The site of a convolution or dot instruction, or of a kOutput fusion rooted in one; otherwise an
/// error that says which instruction of the fusion has no oneDNN post-op.
Result<ContractionSite> find_contraction(const ir::Instruction& instruction);

}  // namespace hlocc::cpu::detail
