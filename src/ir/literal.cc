#include "ir/literal.h"

namespace hlocc::ir {

Literal::Literal(const Shape& shape) : shape_(shape) {
  if (shape.is_tuple()) {
    elements_.reserve(shape.tuple_shapes().size());
    for (const Shape& s : shape.tuple_shapes()) elements_.emplace_back(s);
    return;
  }
  if (shape.is_array()) bytes_.assign(static_cast<size_t>(shape.byte_size()), std::byte{0});
}

Literal Literal::uninitialized(const Shape& shape) {
  Literal literal;
  literal.shape_ = shape;
  if (shape.is_tuple()) {
    for (const Shape& s : shape.tuple_shapes()) literal.elements_.push_back(uninitialized(s));
  } else if (shape.is_array()) {
    literal.bytes_.resize(static_cast<size_t>(shape.byte_size()));
  }
  return literal;
}

Literal Literal::tuple(std::vector<Literal> elements) {
  std::vector<Shape> shapes;
  shapes.reserve(elements.size());
  for (const Literal& e : elements) shapes.push_back(e.shape());
  Literal literal;
  literal.shape_ = Shape::tuple(std::move(shapes));
  literal.elements_ = std::move(elements);
  return literal;
}

void Literal::reshape_in_place(const Shape& shape) {
  HLOCC_CHECK(shape.is_array() && shape_.is_array() && shape.byte_size() == shape_.byte_size())
      << "reshape_in_place from " << shape_.to_string() << " to " << shape.to_string();
  shape_ = shape;
}

int64_t Literal::linear_index(std::span<const int64_t> index) const {
  HLOCC_CHECK(static_cast<int64_t>(index.size()) == shape_.rank())
      << "index of rank " << index.size() << " into " << shape_.to_string();
  int64_t linear = 0;
  for (size_t i = 0; i < index.size(); ++i) {
    HLOCC_CHECK(index[i] >= 0 && index[i] < shape_.dims()[i])
        << "index " << index[i] << " out of range in dimension " << i << " of " << shape_.to_string();
    linear = linear * shape_.dims()[i] + index[i];
  }
  return linear;
}

double Literal::get_as_double(int64_t linear) const {
  return dispatch_dtype(shape_.dtype(), [&](auto tag) -> double {
    using T = typename decltype(tag)::type;
    const T value = data<T>()[static_cast<size_t>(linear)];
    if constexpr (std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>>) {
      return static_cast<double>(value.real());
    } else {
      return static_cast<double>(value);
    }
  });
}

bool Literal::operator==(const Literal& other) const {
  return shape_ == other.shape_ && bytes_ == other.bytes_ && elements_ == other.elements_;
}

void Literal::check_type(DType requested) const {
  HLOCC_CHECK(shape_.is_array() && shape_.dtype() == requested)
      << "literal of shape " << shape_.to_string() << " accessed as " << dtype_name(requested);
}

}  // namespace hlocc::ir
