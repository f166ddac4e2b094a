// Copies between strided views of dense row-major buffers: the one loop behind the data-movement
// ops (broadcast, transpose, reverse, slice, pad, concatenate, dynamic slices, bitcast).
// Byte-level, so it works for every dtype without per-type instantiation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ir/literal.h"

namespace hlocc::ir::ops {

/// Where element `index` of an iteration space lives in a buffer: offset + sum(index[d] *
/// strides[d]), in elements. Strides may be 0 (broadcast) or negative (reverse).
struct StridedView {
  int64_t offset = 0;
  std::vector<int64_t> strides;
};

/// The plain row-major view of an array with `dims`.
StridedView dense_view(const std::vector<int64_t>& dims);

/// dst[dst_view(i)] = src[src_view(i)] for every index i of `dims` (nothing if any dim is 0).
/// Elements are `element_size` bytes (1, 2, 4, 8 or 16).
void strided_copy(const std::byte* src, const StridedView& src_view, std::byte* dst,
                  const StridedView& dst_view, const std::vector<int64_t>& dims,
                  int64_t element_size);

/// Copies `src` (dense, shape `dims`) into `dst` at the element offsets `start` (one per dim).
void copy_into(const Literal& src, Literal& dst, const std::vector<int64_t>& start);

/// Sets every element of the array `dst` to the scalar `value` (same dtype).
void fill(Literal& dst, const Literal& value);

}  // namespace hlocc::ir::ops
