#include "trace/nested_computation.h"

#include "ir/check.h"
#include "trace/trace_context.h"

namespace hlocc::tracing {

ir::Computation* scalar_function(const std::string& name, const std::vector<DType>& dtypes,
                                 const detail::FlatFunction& fn, const Where& where) {
  HLOCC_CHECK(Trace::current() != nullptr) << "scalar_function outside a trace";
  Trace nested(*Trace::current(), name);
  std::vector<Tensor> parameters;
  for (DType dtype : dtypes) parameters.push_back(nested.parameter(TensorSpec{dtype, {}}));
  const std::vector<Tensor> results = fn(parameters);
  HLOCC_CHECK(nested.captures().empty()) << name << " captured an outer tensor";
  return nested.finish_nested(results, results.size() != 1, where);
}

std::vector<Tensor> tuple_elements(const Tensor& tuple, size_t begin, size_t end,
                                   const Where& where) {
  std::vector<Tensor> elements;
  for (size_t i = begin; i < end; ++i) {
    ir::Attributes index;
    index.set("index", static_cast<int64_t>(i));
    elements.push_back(emit(ir::Op::GetTupleElement, {tuple}, index, {}, where));
  }
  return elements;
}

}  // namespace hlocc::tracing
