// The run-time half of Array<T, Dims...>: the check when a Tensor becomes an Array.
#include "hlocc/array.h"

#include "trace/op_helpers.h"

namespace hlocc::detail {

void check_array_type(const Tensor& tensor, DType dtype, const std::vector<int64_t>& dims,
                      const Where& where) {
  if (tensor.defined() && tensor.dtype() == dtype && tensor.dims() == dims) return;
  tracing::throw_op_error("Array", "expected " + shape_string(dtype, dims), {tensor}, where,
                          "reshape or astype the tensor first, or declare the Array with its type");
}

}  // namespace hlocc::detail
