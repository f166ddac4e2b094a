// Op: the enum generated from op_table.def, and each op's static facts (text name, arity, traits).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hlocc::ir {

enum OpTrait : uint32_t {
  kNone = 0,
  kElementwise = 1u << 0,   // result[i] depends only on operands[...][i]; shapes equal
  kCommutative = 1u << 1,   // op(a, b) == op(b, a)
  kAssociative = 1u << 2,   // op(op(a, b), c) == op(a, op(b, c)) (exactly for ints, nearly for floats)
  kControlFlow = 1u << 3,   // runs called computations as control flow (call, while, conditional)
  kNondeterministic = 1u << 4,  // two runs on equal operands may differ, or act on the world:
                                // passes never merge (cse) nor evaluate (fold) such an op
  kExpensive = 1u << 5,  // many cycles per element (transcendentals, division, roots): fusion
                         // never computes it twice, nor once per read of a re-reading consumer
  kMovement = 1u << 6,   // moves data: an element costs an index computation and a load
};

inline constexpr int kVariadic = -1;

enum class Op : uint16_t {
#define OP(enum_name, text, arity, traits) enum_name,
#include "ir/op_table.def"
#undef OP
};

inline constexpr int kOpCount = 0
#define OP(enum_name, text, arity, traits) +1
#include "ir/op_table.def"
#undef OP
    ;

struct OpInfo {
  Op op;
  std::string_view name;  // XLA's text name: "exponential"
  int arity;              // operand count, or kVariadic
  uint32_t traits;
  bool has(OpTrait trait) const { return (traits & trait) != 0; }
};

const OpInfo& op_info(Op op);
inline std::string_view op_name(Op op) { return op_info(op).name; }
std::optional<Op> op_from_name(std::string_view name);

}  // namespace hlocc::ir
