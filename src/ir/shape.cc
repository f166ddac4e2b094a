#include "ir/shape.h"

#include <sstream>

namespace hlocc::ir {

Shape Shape::array(DType dtype, std::vector<int64_t> dims) {
  Shape shape;
  shape.is_tuple_ = false;
  shape.dtype_ = dtype;
  shape.dims_ = std::move(dims);
  return shape;
}

Shape Shape::tuple(std::vector<Shape> elements) {
  Shape shape;
  shape.tuple_shapes_ = std::move(elements);
  return shape;
}

Shape Shape::token() {
  Shape shape;
  shape.is_tuple_ = false;
  shape.dtype_ = DType::Token;
  return shape;
}

int64_t Shape::element_count() const {
  int64_t count = 1;
  for (int64_t d : dims_) count *= d;
  return count;
}

int64_t Shape::byte_size() const {
  if (is_tuple_) {
    int64_t total = 0;
    for (const Shape& s : tuple_shapes_) total += s.byte_size();
    return total;
  }
  return element_count() * dtype_byte_size(dtype_);
}

std::vector<int64_t> Shape::major_to_minor() const {
  std::vector<int64_t> order;
  if (layout_ && layout_->minor_to_major.size() == dims_.size()) {
    order.assign(layout_->minor_to_major.rbegin(), layout_->minor_to_major.rend());
  } else {
    for (int64_t d = 0; d < rank(); ++d) order.push_back(d);
  }
  return order;
}

Shape Shape::without_layout() const {
  Shape copy = *this;
  copy.layout_.reset();
  for (Shape& s : copy.tuple_shapes_) s = s.without_layout();
  return copy;
}

Shape Shape::with_dtype(DType dtype) const {
  Shape copy = *this;
  copy.dtype_ = dtype;
  return copy;
}

std::string Shape::to_string(bool with_layout) const {
  std::ostringstream out;
  if (is_tuple_) {
    out << "(";
    for (size_t i = 0; i < tuple_shapes_.size(); ++i) {
      if (i > 0) out << ", ";
      out << tuple_shapes_[i].to_string(with_layout);
    }
    out << ")";
    return out.str();
  }
  out << dtype_name(dtype_) << "[" << join_ints(dims_) << "]";
  if (with_layout && layout_) {
    out << "{" << join_ints(layout_->minor_to_major);
    if (!layout_->tail.empty()) out << ":" << layout_->tail;
    out << "}";
  }
  return out.str();
}

bool Shape::operator==(const Shape& other) const {
  return is_tuple_ == other.is_tuple_ && dtype_ == other.dtype_ && dims_ == other.dims_ &&
         tuple_shapes_ == other.tuple_shapes_;
}

bool Shape::equal_with_layout(const Shape& other) const {
  if (!(*this == other) || layout_ != other.layout_) return false;
  for (size_t i = 0; i < tuple_shapes_.size(); ++i) {
    if (!tuple_shapes_[i].equal_with_layout(other.tuple_shapes_[i])) return false;
  }
  return true;
}

std::vector<int64_t> row_major_strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return strides;
}

std::string join_ints(const std::vector<int64_t>& values, const char* separator) {
  std::ostringstream out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out << separator;
    out << values[i];
  }
  return out.str();
}

}  // namespace hlocc::ir
