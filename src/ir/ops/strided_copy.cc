#include "ir/ops/strided_copy.h"

namespace hlocc::ir::ops {
namespace {

struct Bytes16 {
  uint64_t low;
  uint64_t high;
};

// The odometer walks all but the innermost dimension, updating both offsets incrementally so the
// inner loop is a plain strided copy with no index arithmetic per element.
template <class Word>
void copy_words(const Word* src, const StridedView& src_view, Word* dst,
                const StridedView& dst_view, const std::vector<int64_t>& dims) {
  for (int64_t d : dims) {
    if (d == 0) return;
  }
  if (dims.empty()) {
    dst[dst_view.offset] = src[src_view.offset];
    return;
  }
  const int64_t rank = static_cast<int64_t>(dims.size());
  const int64_t inner = dims.back();
  const int64_t src_inner = src_view.strides.back();
  const int64_t dst_inner = dst_view.strides.back();
  std::vector<int64_t> index(dims.size(), 0);
  int64_t src_offset = src_view.offset;
  int64_t dst_offset = dst_view.offset;
  while (true) {
    for (int64_t i = 0; i < inner; ++i)
      dst[dst_offset + i * dst_inner] = src[src_offset + i * src_inner];
    int64_t axis = rank - 2;
    for (; axis >= 0; --axis) {
      const size_t a = static_cast<size_t>(axis);
      src_offset += src_view.strides[a];
      dst_offset += dst_view.strides[a];
      if (++index[a] < dims[a]) break;
      src_offset -= src_view.strides[a] * dims[a];
      dst_offset -= dst_view.strides[a] * dims[a];
      index[a] = 0;
    }
    if (axis < 0) return;
  }
}

template <class Word>
void copy_as(const std::byte* src, const StridedView& src_view, std::byte* dst,
             const StridedView& dst_view, const std::vector<int64_t>& dims) {
  copy_words(reinterpret_cast<const Word*>(src), src_view, reinterpret_cast<Word*>(dst), dst_view,
             dims);
}

}  // namespace

StridedView dense_view(const std::vector<int64_t>& dims) {
  return StridedView{.offset = 0, .strides = row_major_strides(dims)};
}

void strided_copy(const std::byte* src, const StridedView& src_view, std::byte* dst,
                  const StridedView& dst_view, const std::vector<int64_t>& dims,
                  int64_t element_size) {
  HLOCC_CHECK(src_view.strides.size() == dims.size() && dst_view.strides.size() == dims.size())
      << "strided_copy: views of rank " << src_view.strides.size() << " and "
      << dst_view.strides.size() << " for " << dims.size() << " dims";
  switch (element_size) {
    case 1:
      return copy_as<uint8_t>(src, src_view, dst, dst_view, dims);
    case 2:
      return copy_as<uint16_t>(src, src_view, dst, dst_view, dims);
    case 4:
      return copy_as<uint32_t>(src, src_view, dst, dst_view, dims);
    case 8:
      return copy_as<uint64_t>(src, src_view, dst, dst_view, dims);
    case 16:
      return copy_as<Bytes16>(src, src_view, dst, dst_view, dims);
  }
  HLOCC_CHECK(false) << "strided_copy: unsupported element size " << element_size;
}

void copy_into(const Literal& src, Literal& dst, const std::vector<int64_t>& start) {
  StridedView dst_view = dense_view(dst.shape().dims());
  for (size_t d = 0; d < start.size(); ++d) dst_view.offset += start[d] * dst_view.strides[d];
  strided_copy(src.raw(), dense_view(src.shape().dims()), dst.raw(), dst_view, src.shape().dims(),
               dtype_byte_size(src.shape().dtype()));
}

void fill(Literal& dst, const Literal& value) {
  const int64_t size = dtype_byte_size(dst.shape().dtype());
  HLOCC_CHECK(value.shape().dtype() == dst.shape().dtype() && value.raw_size() == size)
      << "fill: value " << value.shape().to_string() << " for " << dst.shape().to_string();
  // A stride-0 source repeats the one value.
  strided_copy(value.raw(), StridedView{.offset = 0, .strides = {0}}, dst.raw(),
               StridedView{.offset = 0, .strides = {1}}, {dst.element_count()}, size);
}

}  // namespace hlocc::ir::ops
