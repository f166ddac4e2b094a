#include "ir/op.h"

#include <array>

namespace hlocc::ir {
namespace {

constexpr std::array<OpInfo, kOpCount> kOps = {{
#define OP(enum_name, text, arity, traits) {Op::enum_name, text, arity, traits},
#include "ir/op_table.def"
#undef OP
}};

}  // namespace

const OpInfo& op_info(Op op) { return kOps[static_cast<size_t>(op)]; }

std::optional<Op> op_from_name(std::string_view name) {
  for (const OpInfo& info : kOps) {
    if (info.name == name) return info.op;
  }
  return std::nullopt;
}

}  // namespace hlocc::ir
