#include "ir/ops/window_util.h"

#include <string>

#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::ops {
namespace {

// XLA's window_util::DilatedBound: the extent of `bound` elements with `dilation - 1` holes
// between.
int64_t dilated_bound(int64_t bound, int64_t dilation) {
  return bound == 0 ? 0 : (bound - 1) * dilation + 1;
}

// XLA's window_util::StridedBound: how many windows of `window_size` fit in `bound` at `stride`.
int64_t strided_bound(int64_t bound, int64_t window_size, int64_t stride) {
  if (bound == 0 || window_size > bound) return 0;
  return (bound - window_size) / stride + 1;
}

std::string dim_text(int64_t d, const char* what, int64_t value) {
  return "window dimension " + std::to_string(d) + " has " + what + " " + std::to_string(value);
}

Status check_window_dim(const Instruction& inst, int64_t d, const WindowDim& w) {
  if (w.size <= 0) return op_error(inst, dim_text(d, "non-positive size", w.size));
  if (w.stride <= 0) return op_error(inst, dim_text(d, "non-positive stride", w.stride));
  if (w.lhs_dilation <= 0) {
    return op_error(inst, dim_text(d, "non-positive base dilation (lhs_dilate)", w.lhs_dilation));
  }
  if (w.rhs_dilation <= 0) {
    return op_error(inst, dim_text(d, "non-positive window dilation (rhs_dilate)", w.rhs_dilation));
  }
  if (w.reversal) {
    return op_error(inst,
                    "window reversal is only allowed in convolution; got rhs_reversal=1 in "
                    "window dimension " +
                        std::to_string(d));
  }
  return ok_status();
}

}  // namespace

Result<std::vector<int64_t>> window_output_dims(const Instruction& inst, const Window& window,
                                                const std::vector<int64_t>& base_dims) {
  const int64_t rank = static_cast<int64_t>(base_dims.size());
  if (static_cast<int64_t>(window.dims.size()) != rank) {
    return op_error(inst, "window has " + std::to_string(window.dims.size()) +
                              " dimension(s) but the operand has rank " + std::to_string(rank) +
                              "; got " + operand_shapes(inst));
  }
  std::vector<int64_t> output_dims;
  for (int64_t d = 0; d < rank; ++d) {
    const WindowDim& w = window.dims[static_cast<size_t>(d)];
    HLOCC_TRY_STATUS(check_window_dim(inst, d, w));
    const int64_t padded =
        w.pad_low + dilated_bound(base_dims[static_cast<size_t>(d)], w.lhs_dilation) + w.pad_high;
    if (padded < 0) {
      return op_error(
          inst,
          "negative padding removes more than the whole base in window "
          "dimension " +
              std::to_string(d) + "; got pad=" + std::to_string(w.pad_low) + "_" +
              std::to_string(w.pad_high) + " for a dilated base of " +
              std::to_string(dilated_bound(base_dims[static_cast<size_t>(d)], w.lhs_dilation)));
    }
    output_dims.push_back(strided_bound(padded, dilated_bound(w.size, w.rhs_dilation), w.stride));
  }
  return output_dims;
}

WindowWalker::WindowWalker(const Window& window, const std::vector<int64_t>& base_dims,
                           const std::vector<int64_t>& output_dims)
    : output_dims_(output_dims) {
  const std::vector<int64_t> base_strides = row_major_strides(base_dims);
  const size_t rank = base_dims.size();
  contributions_.resize(rank);
  starts_.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    const WindowDim& w = window.dims[d];
    starts_[d].push_back(0);
    for (int64_t o = 0; o < output_dims[d]; ++o) {
      for (int64_t k = 0; k < w.size; ++k) {
        // Position in the padded, dilated base; real elements sit at multiples of lhs_dilation.
        const int64_t dilated = o * w.stride + k * w.rhs_dilation - w.pad_low;
        if (dilated < 0 || dilated % w.lhs_dilation != 0) continue;
        const int64_t coordinate = dilated / w.lhs_dilation;
        if (coordinate >= base_dims[d]) continue;
        contributions_[d].push_back(coordinate * base_strides[d]);
      }
      starts_[d].push_back(static_cast<int64_t>(contributions_[d].size()));
    }
  }
}

int64_t WindowWalker::output_count() const {
  int64_t count = 1;
  for (int64_t d : output_dims_) count *= d;
  return count;
}

const std::vector<int64_t>& WindowWalker::offsets_for(const std::vector<int64_t>& output_index) {
  offsets_.assign(1, 0);
  for (size_t d = 0; d < output_index.size(); ++d) {
    const int64_t begin = starts_[d][static_cast<size_t>(output_index[d])];
    const int64_t end = starts_[d][static_cast<size_t>(output_index[d]) + 1];
    scratch_.clear();
    // Dim 0 varies slowest, so the list comes out in row-major order of window positions.
    for (int64_t prefix : offsets_) {
      for (int64_t c = begin; c < end; ++c) {
        scratch_.push_back(prefix + contributions_[d][static_cast<size_t>(c)]);
      }
    }
    offsets_.swap(scratch_);
  }
  return offsets_;
}

void WindowWalker::bump(std::vector<int64_t>& index) const {
  for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
    if (++index[static_cast<size_t>(d)] < output_dims_[static_cast<size_t>(d)]) return;
    index[static_cast<size_t>(d)] = 0;
  }
}

}  // namespace hlocc::ir::ops
