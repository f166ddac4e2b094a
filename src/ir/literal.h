// Literal: a concrete value of a Shape. Arrays are stored densely in row-major (logical) order,
// whatever the shape's layout; tuples hold one Literal per element.
#pragma once

#include <cstring>
#include <span>
#include <vector>

#include "ir/host_memory.h"
#include "ir/shape.h"

namespace hlocc::ir {

class Literal {
 public:
  Literal() = default;                // the empty tuple
  explicit Literal(const Shape& shape);  // zero-filled (recursively for tuples)
  /// A literal whose array bytes are left unset, for callers that write every one of them.
  static Literal uninitialized(const Shape& shape);

  static Literal tuple(std::vector<Literal> elements);
  template <class T>
  static Literal scalar(T value) {
    Literal literal(Shape::scalar(DTypeOf<T>::value));
    literal.data<T>()[0] = value;
    return literal;
  }
  template <class T>
  static Literal from_vector(std::vector<int64_t> dims, const std::vector<T>& values) {
    Literal literal(Shape::array(DTypeOf<T>::value, std::move(dims)));
    HLOCC_CHECK(static_cast<int64_t>(values.size()) == literal.element_count())
        << "from_vector: " << values.size() << " values for " << literal.shape().to_string();
    std::copy(values.begin(), values.end(), literal.data<T>().begin());
    return literal;
  }

  const Shape& shape() const { return shape_; }
  /// Replaces the shape by one with the same byte size and no tuple (used by reshape/bitcast).
  void reshape_in_place(const Shape& shape);
  int64_t element_count() const { return shape_.element_count(); }

  template <class T>
  std::span<T> data() {
    check_type(DTypeOf<T>::value);
    return {reinterpret_cast<T*>(bytes_.data()), static_cast<size_t>(element_count())};
  }
  template <class T>
  std::span<const T> data() const {
    check_type(DTypeOf<T>::value);
    return {reinterpret_cast<const T*>(bytes_.data()), static_cast<size_t>(element_count())};
  }
  std::byte* raw() { return bytes_.data(); }
  const std::byte* raw() const { return bytes_.data(); }
  int64_t raw_size() const { return static_cast<int64_t>(bytes_.size()); }

  /// Element at a multi-dimensional index (row-major).
  template <class T>
  T get(std::span<const int64_t> index) const { return data<T>()[linear_index(index)]; }
  template <class T>
  void set(std::span<const int64_t> index, T value) { data<T>()[linear_index(index)] = value; }
  int64_t linear_index(std::span<const int64_t> index) const;

  /// Element i converted to double (complex: the real part; pred: 0 or 1). For tests and printing.
  double get_as_double(int64_t linear) const;

  Literal& element(int64_t i) { return elements_[static_cast<size_t>(i)]; }
  const Literal& element(int64_t i) const { return elements_[static_cast<size_t>(i)]; }
  std::vector<Literal>& elements() { return elements_; }
  const std::vector<Literal>& elements() const { return elements_; }

  /// Same shape (ignoring layout) and the same bytes.
  bool operator==(const Literal& other) const;

 private:
  void check_type(DType requested) const;

  Shape shape_;
  std::vector<std::byte, HostAllocator<std::byte>> bytes_;
  std::vector<Literal> elements_;
};

}  // namespace hlocc::ir
