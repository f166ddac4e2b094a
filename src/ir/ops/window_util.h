// Window geometry shared by reduce-window and select-and-scatter: XLA's output-shape rule for a
// window over a base, and a walker that lists, per output element, the base elements its window
// covers (padding and base-dilation holes are never listed).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ir/attributes.h"
#include "ir/instruction.h"
#include "ir/result.h"

namespace hlocc::ir::ops {

/// The dims of `base_dims` reduced by `window` (XLA's InferWindowOutputShape), or an error
/// "<op>: ..." naming the broken rule (rank mismatch, non-positive size/stride/dilation, reversal,
/// padding that removes more than the whole dilated base).
Result<std::vector<int64_t>> window_output_dims(const Instruction& inst, const Window& window,
                                                const std::vector<int64_t>& base_dims);

/// Precomputed for one (window, base, output) geometry; walking allocates nothing after the first
/// output element.
class WindowWalker {
 public:
  WindowWalker(const Window& window, const std::vector<int64_t>& base_dims,
               const std::vector<int64_t>& output_dims);

  /// Calls fn(output_linear, base_offsets) for every output element in row-major order, where
  /// base_offsets are the row-major linear indices of the base elements inside that window, in
  /// row-major order of window positions.
  template <class Fn>
  void for_each(Fn&& fn) {
    const int64_t count = output_count();
    if (count == 0) return;
    std::vector<int64_t> index(output_dims_.size(), 0);
    for (int64_t linear = 0; linear < count; ++linear) {
      fn(linear, std::span<const int64_t>(offsets_for(index)));
      bump(index);
    }
  }

 private:
  int64_t output_count() const;
  const std::vector<int64_t>& offsets_for(const std::vector<int64_t>& output_index);
  void bump(std::vector<int64_t>& index) const;

  std::vector<int64_t> output_dims_;
  // contributions_[d][starts_[d][o] .. starts_[d][o+1]): base coordinate * base stride of each
  // window position of dim d that lands on a real base element, for output coordinate o.
  std::vector<std::vector<int64_t>> contributions_;
  std::vector<std::vector<int64_t>> starts_;
  std::vector<int64_t> offsets_;
  std::vector<int64_t> scratch_;
};

}  // namespace hlocc::ir::ops
