// Builder: appends instructions to a computation with their result shapes taken from the op
// table's shape rules, so front ends and transforms never compute shapes by hand. A broken rule
// comes back as an Error and leaves the computation as it was.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/computation.h"
#include "ir/result.h"

namespace hlocc::ir {

class Builder {
 public:
  explicit Builder(Computation* computation) : computation_(computation) {}

  Computation* computation() const { return computation_; }
  /// Attached to every instruction built from now on (a traced program's file:line).
  void set_location(std::optional<SourceLocation> location) { location_ = std::move(location); }

  Instruction* parameter(int64_t number, Shape shape, std::string name = "");
  Instruction* constant(Literal literal);

  /// op(operands) with `attrs`. `shape` is required where operands and attributes do not determine
  /// the result (reshape, broadcast, convert, iota, custom-call, ...); elsewhere it is inferred,
  /// and if given it must equal the inferred shape.
  Result<Instruction*> add(Op op, std::vector<Instruction*> operands, Attributes attrs = {},
                           std::optional<Shape> shape = std::nullopt);

 private:
  Instruction* append(std::unique_ptr<Instruction> instruction);

  Computation* computation_;
  std::optional<SourceLocation> location_;
};

}  // namespace hlocc::ir
