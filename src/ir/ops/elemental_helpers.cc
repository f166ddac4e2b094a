#include "ir/ops/elemental_helpers.h"

#include "ir/check.h"
#include "ir/computation.h"

namespace hlocc::ir::ops {

EValue all_true(ElementalBuilder& b, std::span<const EValue> conditions) {
  if (conditions.empty()) return b.int_constant(DType::Pred, 1);
  EValue result = conditions[0];
  for (size_t i = 1; i < conditions.size(); ++i) result = b.logical_and(result, conditions[i]);
  return result;
}

EValue in_range(ElementalBuilder& b, EValue value, int64_t low, int64_t high) {
  const EValue above = b.index_compare(CompareDirection::Ge, value, b.index_constant(low));
  const EValue below = b.index_compare(CompareDirection::Lt, value, b.index_constant(high));
  return b.logical_and(above, below);
}

EValue clamp_index(ElementalBuilder& b, EValue value, int64_t low, int64_t high) {
  return b.minimum(b.maximum(value, b.index_constant(low)), b.index_constant(high));
}

EValue affine(ElementalBuilder& b, EValue value, int64_t factor, int64_t offset) {
  if (factor != 1) value = b.index_mul(value, factor);
  if (offset != 0) value = b.index_add(value, offset);
  return value;
}

EValue as_index(ElementalBuilder& b, EValue value) {
  return value.dtype == DType::S64 ? value : b.convert(value, DType::S64);
}

EValue linearize(ElementalBuilder& b, const EIndex& index, const std::vector<int64_t>& dims) {
  HLOCC_CHECK(index.size() == dims.size()) << "linearize: index of rank " << index.size();
  if (index.empty()) return b.index_constant(0);
  EValue linear = index[0];
  for (size_t d = 1; d < dims.size(); ++d) {
    linear = b.add(affine(b, linear, dims[d], 0), index[d]);
  }
  return linear;
}

EIndex delinearize(ElementalBuilder& b, EValue linear, const std::vector<int64_t>& dims) {
  EIndex index(dims.size());
  // Peel the minor dimensions off first; the most major one takes what is left (no remainder,
  // since linear < product of dims).
  for (size_t d = dims.size(); d-- > 0;) {
    if (d == 0) {
      index[d] = linear;
    } else if (dims[d] == 1) {
      index[d] = b.index_constant(0);
    } else {
      index[d] = b.remainder(linear, b.index_constant(dims[d]));
      linear = b.divide(linear, b.index_constant(dims[d]));
    }
  }
  return index;
}

std::vector<EValue> loop_nest(ElementalBuilder& b, const std::vector<int64_t>& bounds,
                              std::vector<EValue> carried, const ElementalBuilder::LoopBody& body) {
  for (int64_t bound : bounds) {
    if (bound == 0) return carried;
  }
  if (bounds.empty()) return body(EIndex{}, carried);
  return b.loop(bounds, std::move(carried), body);
}

BasePosition window_base_position(ElementalBuilder& b, const WindowDim& window, EValue output,
                                  EValue tap, int64_t base_size) {
  // Position in the padded, dilated base; real elements sit at multiples of lhs_dilation.
  const EValue dilated = b.add(affine(b, output, window.stride, -window.pad_low),
                               affine(b, tap, window.rhs_dilation, 0));
  if (window.lhs_dilation == 1) {
    return {dilated, in_range(b, dilated, 0, base_size)};
  }
  const EValue dilation = b.index_constant(window.lhs_dilation);
  const EValue on_element =
      b.index_compare(CompareDirection::Eq, b.remainder(dilated, dilation), b.index_constant(0));
  // dilated / d < base_size  <=>  dilated <= (base_size - 1) * d, for dilated >= 0.
  const EValue inside = in_range(b, dilated, 0, (base_size - 1) * window.lhs_dilation + 1);
  return {b.divide(dilated, dilation), b.logical_and(inside, on_element)};
}

bool window_always_valid(const WindowDim& window, int64_t output_size, int64_t base_size) {
  if (output_size == 0) return true;
  const int64_t last =
      (output_size - 1) * window.stride + (window.size - 1) * window.rhs_dilation - window.pad_low;
  return window.lhs_dilation == 1 && window.pad_low <= 0 && last < base_size;
}

const Computation& called_computation(const Instruction& inst, std::string_view name) {
  const Computation* const* computation = inst.attrs().get<Computation*>(name);
  HLOCC_CHECK(computation && *computation) << inst.name() << " lacks " << name << " (unverified?)";
  return **computation;
}

}  // namespace hlocc::ir::ops
