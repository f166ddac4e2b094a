// Elemental rules of reduce, reduce-window, select-and-scatter and map. Each result element folds
// its inputs in the evaluator's order (row-major over the reduced dims or window positions,
// padding and dilation holes skipped), so floating-point results match it bit for bit.
#include <algorithm>
#include <optional>

#include "ir/computation.h"
#include "ir/op_rules.h"
#include "ir/ops/elemental_helpers.h"

namespace hlocc::ir::detail {
namespace {

using ops::CompareDirection;

std::vector<EValue> concat(std::vector<EValue> a, const std::vector<EValue>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The scalar init values of reduce and reduce-window: operands n..2n-1.
std::vector<EValue> init_values(ElementalBuilder& b) {
  const int64_t n = b.instruction().operand_count() / 2;
  std::vector<EValue> inits;
  for (int64_t i = n; i < 2 * n; ++i) inits.push_back(b.operand(i, {}));
  return inits;
}

// Element `index` of each of the first n operands.
std::vector<EValue> input_elements(ElementalBuilder& b, int64_t n, const EIndex& index) {
  std::vector<EValue> elements;
  for (int64_t i = 0; i < n; ++i) elements.push_back(b.operand(i, index));
  return elements;
}

// reduce: acc = reducer(acc, input[kept dims from the result index, reduced dims from the loop]),
// the reduced dims walked in row-major order (the evaluator's walk of the input).
Result<std::vector<EValue>> reduce_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const int64_t n = inst.operand_count() / 2;
  const Computation& reducer = ops::called_computation(inst, "to_apply");
  std::vector<int64_t> reduced = *inst.attrs().get<std::vector<int64_t>>("dimensions");
  std::sort(reduced.begin(), reduced.end());
  const Shape& input = inst.operand(0)->shape();
  std::vector<int64_t> bounds;
  for (int64_t d : reduced) bounds.push_back(input.dim(d));
  return ops::loop_nest(
      b, bounds, init_values(b), [&](const EIndex& position, const std::vector<EValue>& acc) {
        EIndex input_index;
        size_t next_kept = 0, next_reduced = 0;
        for (int64_t d = 0; d < input.rank(); ++d) {
          const bool is_reduced = next_reduced < reduced.size() && reduced[next_reduced] == d;
          input_index.push_back(is_reduced ? position[next_reduced++] : index[next_kept++]);
        }
        return b.call(reducer, concat(acc, input_elements(b, n, input_index)));
      });
}

// The base index a window position lands on, and whether it is a real element (not padding and
// not a dilation hole); `valid` is null when every position is real.
struct WindowRead {
  EIndex base_index;
  std::optional<EValue> valid;
};

WindowRead window_read(ElementalBuilder& b, const Window& window, const EIndex& output,
                       const EIndex& tap, const Shape& base, const Shape& out) {
  WindowRead read;
  std::vector<EValue> conditions;
  for (size_t d = 0; d < tap.size(); ++d) {
    const auto dim = static_cast<int64_t>(d);
    const ops::BasePosition p =
        ops::window_base_position(b, window.dims[d], output[d], tap[d], base.dim(dim));
    read.base_index.push_back(p.coordinate);
    if (!ops::window_always_valid(window.dims[d], out.dim(dim), base.dim(dim))) {
      conditions.push_back(p.valid);
    }
  }
  if (!conditions.empty()) read.valid = ops::all_true(b, conditions);
  return read;
}

// Runs `step` only where `valid` holds (or always, when it is null); elsewhere keeps `carried`.
std::vector<EValue> when_valid(ElementalBuilder& b, const std::optional<EValue>& valid,
                               const std::vector<EValue>& carried,
                               const ElementalBuilder::Branch& step) {
  if (!valid) return step();
  return b.if_else(*valid, step, [&] { return carried; });
}

std::vector<int64_t> window_sizes(const Window& window) {
  std::vector<int64_t> sizes;
  for (const WindowDim& w : window.dims) sizes.push_back(w.size);
  return sizes;
}

// reduce-window: acc = reducer(acc, x) over the window's real elements in row-major order.
Result<std::vector<EValue>> reduce_window_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const int64_t n = inst.operand_count() / 2;
  const Computation& reducer = ops::called_computation(inst, "to_apply");
  const Window& window = *inst.attrs().get<Window>("window");
  const Shape& base = inst.operand(0)->shape();
  const Shape& out = inst.shape().is_tuple() ? inst.shape().tuple_shape(0) : inst.shape();
  return ops::loop_nest(b, window_sizes(window), init_values(b),
                        [&](const EIndex& tap, const std::vector<EValue>& acc) {
                          const WindowRead read = window_read(b, window, index, tap, base, out);
                          return when_valid(b, read.valid, acc, [&] {
                            return b.call(reducer,
                                          concat(acc, input_elements(b, n, read.base_index)));
                          });
                        });
}

// select-and-scatter, one window: the evaluator's selection. The first real element is selected;
// each later one replaces it where select(selected, candidate) is false. Carried: whether any
// element was seen, the selected value, then its base index.
std::vector<EValue> selected_in_window(ElementalBuilder& b, const EIndex& window_index) {
  const Instruction& inst = b.instruction();
  const Computation& select = ops::called_computation(inst, "select");
  const Window& window = *inst.attrs().get<Window>("window");
  const Shape& base = inst.operand(0)->shape();
  const Shape& source = inst.operand(1)->shape();
  std::vector<EValue> start = {b.int_constant(DType::Pred, 0), b.operand(2, {})};
  for (int64_t d = 0; d < base.rank(); ++d) start.push_back(b.index_constant(0));
  return ops::loop_nest(
      b, window_sizes(window), start, [&](const EIndex& tap, const std::vector<EValue>& carried) {
        const WindowRead read = window_read(b, window, window_index, tap, base, source);
        return when_valid(b, read.valid, carried, [&] {
          const EValue candidate = b.operand(0, read.base_index);
          const EValue keep = b.call(select, std::vector<EValue>{carried[1], candidate})[0];
          const EValue take = b.logical_or(b.logical_not(carried[0]), b.logical_not(keep));
          std::vector<EValue> next = {b.int_constant(DType::Pred, 1),
                                      b.select(take, candidate, carried[1])};
          for (size_t d = 0; d < read.base_index.size(); ++d) {
            next.push_back(b.select(take, read.base_index[d], carried[2 + d]));
          }
          return next;
        });
      });
}

// The window coordinate (in source) whose window position `reversed_tap` (counted from the end)
// covers base coordinate `position`, and whether there is one.
ops::BasePosition covering_window(ElementalBuilder& b, const WindowDim& w, EValue position,
                                  EValue reversed_tap, int64_t windows) {
  // position * lhs_dilation = window * stride + tap * rhs_dilation - pad_low
  const EValue tap = b.subtract(b.index_constant(w.size - 1), reversed_tap);
  const EValue numerator = b.subtract(ops::affine(b, position, w.lhs_dilation, w.pad_low),
                                      ops::affine(b, tap, w.rhs_dilation, 0));
  if (w.stride == 1) return {numerator, ops::in_range(b, numerator, 0, windows)};
  const EValue stride = b.index_constant(w.stride);
  const EValue exact =
      b.index_compare(CompareDirection::Eq, b.remainder(numerator, stride), b.index_constant(0));
  const EValue inside = ops::in_range(b, numerator, 0, (windows - 1) * w.stride + 1);
  return {b.divide(numerator, stride), b.logical_and(inside, exact)};
}

// Whether `window` selects base element `index`.
EValue window_selects(ElementalBuilder& b, const EIndex& window, const EIndex& index) {
  const std::vector<EValue> selected = selected_in_window(b, window);
  std::vector<EValue> here;
  for (size_t d = 0; d < index.size(); ++d) {
    here.push_back(b.index_compare(CompareDirection::Eq, selected[2 + d], index[d]));
  }
  return ops::all_true(b, here);
}

// acc = scatter(acc, source[window]) if `window` selects base element `index`; else acc.
std::vector<EValue> scatter_if_selected(ElementalBuilder& b, const EIndex& window,
                                        const EIndex& index, const std::vector<EValue>& acc) {
  const Computation& scatter = ops::called_computation(b.instruction(), "scatter");
  return b.if_else(
      window_selects(b, window, index),
      [&] {
        return b.call(scatter, std::vector<EValue>{acc[0], b.operand(1, window)});
      },
      [&] { return acc; });
}

// Whether the windows tile the base: each base element lies in exactly one window, the one at
// index / stride (stride = size, no padding, dilation or reversal, whole windows in every dim),
// as in a max pool's backward pass.
bool windows_tile(const Window& window, const Shape& base) {
  for (size_t d = 0; d < window.dims.size(); ++d) {
    const WindowDim& w = window.dims[d];
    if (w.stride != w.size || w.pad_low != 0 || w.pad_high != 0 || w.lhs_dilation != 1 ||
        w.rhs_dilation != 1 || w.reversal || base.dim(static_cast<int64_t>(d)) % w.size != 0) {
      return false;
    }
  }
  return true;
}

// select-and-scatter, elementally: init, then scatter(acc, source[w]) for each window w that
// contains this element and selects it, in row-major order of w (the evaluator's window order).
// Walking window positions from the last to the first visits the covering windows in that order.
// Tiling windows have one covering window, found by division, and no branches: the loop
// vectorizes.
Result<std::vector<EValue>> select_and_scatter_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  const Window& window = *inst.attrs().get<Window>("window");
  const Shape& source = inst.operand(1)->shape();
  if (windows_tile(window, inst.operand(0)->shape())) {
    EIndex window_index;
    for (size_t d = 0; d < index.size(); ++d) {
      const int64_t stride = window.dims[d].stride;
      window_index.push_back(stride == 1 ? index[d]
                                         : b.divide(index[d], b.index_constant(stride)));
    }
    const EValue init = b.operand(2, {});
    const EValue scattered = b.call(ops::called_computation(inst, "scatter"),
                                    std::vector<EValue>{init, b.operand(1, window_index)})[0];
    return std::vector<EValue>{b.select(window_selects(b, window_index, index), scattered, init)};
  }
  return ops::loop_nest(
      b, window_sizes(window), {b.operand(2, {})},
      [&](const EIndex& reversed_tap, const std::vector<EValue>& acc) {
        EIndex window_index;
        std::vector<EValue> covers;
        for (size_t d = 0; d < index.size(); ++d) {
          const ops::BasePosition w = covering_window(b, window.dims[d], index[d], reversed_tap[d],
                                                      source.dim(static_cast<int64_t>(d)));
          window_index.push_back(w.coordinate);
          covers.push_back(w.valid);
        }
        return b.if_else(
            ops::all_true(b, covers),
            [&] { return scatter_if_selected(b, window_index, index, acc); }, [&] { return acc; });
      });
}

Result<std::vector<EValue>> map_element(ElementalBuilder& b, const EIndex& index) {
  const Instruction& inst = b.instruction();
  return b.call(ops::called_computation(inst, "to_apply"),
                input_elements(b, inst.operand_count(), index));
}

}  // namespace

void register_reduce_elementals(OpRuleTable& table) {
  table[static_cast<size_t>(Op::Reduce)].elemental = reduce_element;
  table[static_cast<size_t>(Op::ReduceWindow)].elemental = reduce_window_element;
  table[static_cast<size_t>(Op::SelectAndScatter)].elemental = select_and_scatter_element;
  table[static_cast<size_t>(Op::Map)].elemental = map_element;
}

}  // namespace hlocc::ir::detail
