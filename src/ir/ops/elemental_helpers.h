// Index arithmetic shared by the elemental rules (src/ir/ops/*_elemental.cc): bounds checks,
// clamping, row-major (de)linearization, loop nests and window geometry, emitted through an
// ElementalBuilder. Static facts (a stride of 1, a window without padding) emit no code.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "ir/attributes.h"
#include "ir/elemental.h"

namespace hlocc::ir::ops {

/// The conjunction of `conditions` (pred); constant true when there are none.
EValue all_true(ElementalBuilder& b, std::span<const EValue> conditions);
/// low <= value < high, for an S64 value.
EValue in_range(ElementalBuilder& b, EValue value, int64_t low, int64_t high);
/// min(max(value, low), high), for an S64 value.
EValue clamp_index(ElementalBuilder& b, EValue value, int64_t low, int64_t high);
/// value * factor + offset in S64, emitting nothing for a factor of 1 or an offset of 0.
EValue affine(ElementalBuilder& b, EValue value, int64_t factor, int64_t offset);
/// An integer scalar read from an operand, as S64 (XLA's convert: u64 wraps, narrow types extend).
EValue as_index(ElementalBuilder& b, EValue value);

/// The row-major linear position of `index` in an array of `dims`.
EValue linearize(ElementalBuilder& b, const EIndex& index, const std::vector<int64_t>& dims);
/// The index of row-major linear position `linear` in an array of `dims`.
EIndex delinearize(ElementalBuilder& b, EValue linear, const std::vector<int64_t>& dims);

/// ElementalBuilder::loop, except that empty `bounds` run the body once in place (a reduction
/// over no dimensions) and a zero bound runs nothing, so builders see only real loop nests.
std::vector<EValue> loop_nest(ElementalBuilder& b, const std::vector<int64_t>& bounds,
                              std::vector<EValue> carried, const ElementalBuilder::LoopBody& body);

/// Where window position `tap` of output coordinate `output` lands in one base dimension of
/// `base_size` elements (XLA's window: stride, low padding, base and window dilation).
/// `valid` is false on padding and on the holes of base dilation, where `coordinate` is garbage.
struct BasePosition {
  EValue coordinate;
  EValue valid;
};
BasePosition window_base_position(ElementalBuilder& b, const WindowDim& window, EValue output,
                                  EValue tap, int64_t base_size);
/// Whether every window position of every output coordinate lands on a real base element (no
/// padding reached, no dilation holes), so no validity test is needed.
bool window_always_valid(const WindowDim& window, int64_t output_size, int64_t base_size);

/// The computation attribute `name` of a verified instruction.
const Computation& called_computation(const Instruction& inst, std::string_view name);

/// The value(s) of a rule that yields one element.
inline Result<std::vector<EValue>> single(EValue value) { return std::vector<EValue>{value}; }

}  // namespace hlocc::ir::ops
