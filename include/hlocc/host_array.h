/// HostArray: an owning, dense, row-major array in host memory, of any element type. It is how
/// concrete data enters and leaves hlocc (from std::vector, to and from .npy files).
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hlocc/dtype.h"
#include "hlocc/error.h"

namespace hlocc {

/// The DType stored as C++ type T (bool, fixed-width integers, float, double, std::complex).
template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<bool>() {
  return DType::Pred;
}
template <>
constexpr DType dtype_of<int8_t>() {
  return DType::S8;
}
template <>
constexpr DType dtype_of<int16_t>() {
  return DType::S16;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::S32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::S64;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::U8;
}
template <>
constexpr DType dtype_of<uint16_t>() {
  return DType::U16;
}
template <>
constexpr DType dtype_of<uint32_t>() {
  return DType::U32;
}
template <>
constexpr DType dtype_of<uint64_t>() {
  return DType::U64;
}
template <>
constexpr DType dtype_of<float>() {
  return DType::F32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::F64;
}
template <>
constexpr DType dtype_of<std::complex<float>>() {
  return DType::C64;
}
template <>
constexpr DType dtype_of<std::complex<double>>() {
  return DType::C128;
}

/// "f32", "s64", ...
std::string to_string(DType dtype);
/// "f32[2,3]"
std::string shape_string(DType dtype, const std::vector<int64_t>& dims);

class HostArray {
 public:
  HostArray() = default;
  /// Zero-filled.
  HostArray(DType dtype, std::vector<int64_t> dims);

  template <class T>
  static HostArray from_vector(std::vector<int64_t> dims, const std::vector<T>& values) {
    HostArray array(dtype_of<T>(), std::move(dims));
    if (static_cast<int64_t>(values.size()) != array.element_count()) {
      throw Error("HostArray::from_vector: " + std::to_string(values.size()) +
                  " values for shape " + hlocc::shape_string(array.dtype(), array.dims()));
    }
    std::copy(values.begin(), values.end(), array.data<T>().begin());
    return array;
  }
  template <class T>
  static HostArray scalar(T value) {
    return from_vector<T>({}, {value});
  }

  /// Reads a NumPy .npy file; throws hlocc::Error naming the file and the problem.
  static HostArray load_npy(const std::string& path);
  void save_npy(const std::string& path) const;

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t rank() const { return static_cast<int64_t>(dims_.size()); }
  int64_t element_count() const;
  std::string shape_string() const { return hlocc::shape_string(dtype_, dims_); }

  /// The elements as T; throws if T is not the element type.
  template <class T>
  std::span<T> data() & {
    check_type(dtype_of<T>());
    return {reinterpret_cast<T*>(bytes_.data()), static_cast<size_t>(element_count())};
  }
  template <class T>
  std::span<const T> data() const& {
    check_type(dtype_of<T>());
    return {reinterpret_cast<const T*>(bytes_.data()), static_cast<size_t>(element_count())};
  }
  /// A span into a temporary would dangle (`t.to_host().data<float>()`): keep the array first.
  template <class T>
  std::span<const T> data() && = delete;
  /// Element i converted to double (complex: the real part), whatever the element type.
  double as_double(int64_t i) const;
  std::span<const std::byte> bytes() const { return bytes_; }
  std::span<std::byte> bytes() { return bytes_; }

  bool operator==(const HostArray&) const = default;

 private:
  void check_type(DType requested) const;

  DType dtype_ = DType::F32;
  std::vector<int64_t> dims_;
  std::vector<std::byte> bytes_;
};

}  // namespace hlocc
