// Helpers shared by the op rule files: error messages in the house format, attribute lookup,
// and row-major index iteration. Used only by src/ir/ops/*.cc.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ir/instruction.h"
#include "ir/op_rules.h"
#include "ir/result.h"

namespace hlocc::ir::ops {

/// "<op>: <message>" for `inst`, e.g. "dot: contracting dimensions differ; got lhs f32[2,3] ...".
Error op_error(const Instruction& inst, std::string_view message);

/// The operands' shapes as "f32[2,3], s32[]" (for "; got ..." parts of messages).
std::string operand_shapes(const Instruction& inst);

/// Stream-friendly "{1,2,3}".
std::string braced(const std::vector<int64_t>& values);

/// The attribute `name` of type T, or an error "<op>: missing attribute '<name>'".
template <class T>
Result<const T*> require_attr(const Instruction& inst, std::string_view name) {
  if (const T* value = inst.attrs().get<T>(name)) return value;
  if (inst.attrs().has(name)) {
    return op_error(inst, "attribute '" + std::string(name) + "' has the wrong kind of value");
  }
  return op_error(inst, "missing attribute '" + std::string(name) + "'");
}

/// Operand i's shape, or an error if it is not an array.
Result<const Shape*> array_operand(const Instruction& inst, int64_t i);

/// Whether `value` is one of `values` (a dimension in a list of dimension numbers).
inline bool contains(const std::vector<int64_t>& values, int64_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

/// The dimensions in [0, rank) that are in neither `a` nor `b`, ascending.
inline std::vector<int64_t> complement_dims(int64_t rank, const std::vector<int64_t>& a,
                                            const std::vector<int64_t>& b = {}) {
  std::vector<int64_t> rest;
  for (int64_t d = 0; d < rank; ++d) {
    if (!contains(a, d) && !contains(b, d)) rest.push_back(d);
  }
  return rest;
}

/// Calls fn(std::span<const int64_t> index) for every index of `dims` in row-major order.
/// Does nothing when any dimension is 0; calls once (empty index) for rank 0.
template <class Fn>
void for_each_index(const std::vector<int64_t>& dims, Fn&& fn) {
  for (int64_t d : dims) {
    if (d == 0) return;
  }
  std::vector<int64_t> index(dims.size(), 0);
  while (true) {
    fn(std::span<const int64_t>(index));
    int64_t axis = static_cast<int64_t>(dims.size()) - 1;
    for (; axis >= 0; --axis) {
      if (++index[static_cast<size_t>(axis)] < dims[static_cast<size_t>(axis)]) break;
      index[static_cast<size_t>(axis)] = 0;
    }
    if (axis < 0) return;
  }
}

}  // namespace hlocc::ir::ops
