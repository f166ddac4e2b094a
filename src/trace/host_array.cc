// HostArray and its conversion to and from the IR's Literal (the same dense row-major bytes).
#include <cstring>

#include "hlocc/host_array.h"
#include "ir/shape.h"
#include "runtime/npy.h"
#include "trace/tensor_node.h"

namespace hlocc {

std::string to_string(DType dtype) { return std::string(ir::dtype_name(dtype)); }

std::string shape_string(DType dtype, const std::vector<int64_t>& dims) {
  return ir::Shape::array(dtype, dims).to_string(false);
}

HostArray::HostArray(DType dtype, std::vector<int64_t> dims)
    : dtype_(dtype), dims_(std::move(dims)) {
  for (int64_t d : dims_) {
    if (d < 0) throw Error("HostArray: negative dimension in " + shape_string());
  }
  bytes_.assign(static_cast<size_t>(element_count() * ir::dtype_byte_size(dtype)), std::byte{0});
}

int64_t HostArray::element_count() const { return ir::Shape::array(dtype_, dims_).element_count(); }

double HostArray::as_double(int64_t i) const { return tracing::to_literal(*this).get_as_double(i); }

void HostArray::check_type(DType requested) const {
  if (requested != dtype_) {
    throw Error("HostArray: elements of " + shape_string() + " read as " + to_string(requested));
  }
}

HostArray HostArray::load_npy(const std::string& path) {
  Result<ir::Literal> literal = runtime::read_npy(path);
  if (!literal.ok()) throw literal.error();
  return tracing::to_host_array(*literal);
}

void HostArray::save_npy(const std::string& path) const {
  const Status status = runtime::write_npy(path, tracing::to_literal(*this));
  if (!status.ok()) throw status.error();
}

}  // namespace hlocc

namespace hlocc::tracing {

ir::Literal to_literal(const HostArray& array) {
  ir::Literal literal(ir::Shape::array(array.dtype(), array.dims()));
  if (!array.bytes().empty())  // memcpy's pointers must not be null, even for 0 bytes
    std::memcpy(literal.raw(), array.bytes().data(), array.bytes().size());
  return literal;
}

HostArray to_host_array(const ir::Literal& literal) {
  if (!literal.shape().is_array()) {
    throw Error("expected an array value; got " + literal.shape().to_string(false));
  }
  HostArray array(literal.shape().dtype(), literal.shape().dims());
  if (literal.raw_size() > 0)
    std::memcpy(array.bytes().data(), literal.raw(), static_cast<size_t>(literal.raw_size()));
  return array;
}

}  // namespace hlocc::tracing
