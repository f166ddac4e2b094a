// Shape: an array type (element type + dimensions + optional layout) or a tuple of shapes.
// Dimensions are static and non-negative. Equality ignores layouts; use equal_with_layout for that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace hlocc::ir {

/// A layout as written in HLO text: `{1,0}` or `{1,0:T(8,128)}`. The evaluator ignores it; it is kept
/// so that modules written by other compilers round-trip.
struct Layout {
  std::vector<int64_t> minor_to_major;
  std::string tail;  // everything after ':' (tiling, memory space), verbatim; empty if none
  bool operator==(const Layout&) const = default;
};

class Shape {
 public:
  Shape() = default;  // the empty tuple
  static Shape array(DType dtype, std::vector<int64_t> dims);
  static Shape scalar(DType dtype) { return array(dtype, {}); }
  static Shape tuple(std::vector<Shape> elements);
  static Shape token();

  bool is_tuple() const { return is_tuple_; }
  bool is_array() const { return !is_tuple_ && dtype_ != DType::Token; }
  bool is_token() const { return !is_tuple_ && dtype_ == DType::Token; }
  bool is_scalar() const { return is_array() && dims_.empty(); }

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t dim(int64_t i) const { return dims_[static_cast<size_t>(i)]; }
  int64_t rank() const { return static_cast<int64_t>(dims_.size()); }
  int64_t element_count() const;  // product of dims (1 for scalars)
  int64_t byte_size() const;      // element_count * element size; sum over tuple elements

  const std::vector<Shape>& tuple_shapes() const { return tuple_shapes_; }
  const Shape& tuple_shape(int64_t i) const { return tuple_shapes_[static_cast<size_t>(i)]; }
  int64_t tuple_size() const { return static_cast<int64_t>(tuple_shapes_.size()); }

  const std::optional<Layout>& layout() const { return layout_; }
  void set_layout(std::optional<Layout> layout) { layout_ = std::move(layout); }
  Shape without_layout() const;
  /// Dimension numbers from most major to most minor (row-major, 0..rank-1, without a layout).
  std::vector<int64_t> major_to_minor() const;

  /// Same type and dims, another element type: f32[2,3] -> s32[2,3].
  Shape with_dtype(DType dtype) const;

  /// HLO text: "f32[2,3]", "f32[2,3]{1,0}", "(f32[], s32[4])", "pred[]", "token[]".
  std::string to_string(bool with_layout = true) const;

  bool operator==(const Shape& other) const;  // ignores layouts
  bool equal_with_layout(const Shape& other) const;

 private:
  DType dtype_ = DType::Pred;
  bool is_tuple_ = true;
  std::vector<int64_t> dims_;
  std::vector<Shape> tuple_shapes_;
  std::optional<Layout> layout_;
};

/// Row-major strides (in elements) of dims: {2,3,4} -> {12,4,1}.
std::vector<int64_t> row_major_strides(const std::vector<int64_t>& dims);

/// Prints an integer list as "{1,2,3}"-style text without braces: "1,2,3".
std::string join_ints(const std::vector<int64_t>& values, const char* separator = ",");

}  // namespace hlocc::ir
