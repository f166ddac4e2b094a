// Small computations that HLO ops call per element or per pair (sort comparators, combiners of
// variadic reduce), traced from ordinary Tensor code into the current trace's module, and the
// unpacking of the tuples such ops return.
#pragma once

#include <string>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/trace.h"
#include "hlocc/where.h"
#include "ir/computation.h"

namespace hlocc::tracing {

/// A new computation of the current trace's module, traced from `fn` on one scalar parameter per
/// entry of `dtypes`; its root is fn's result, or the tuple of its results when there are several.
/// Must be called while tracing (inside staged()).
ir::Computation* scalar_function(const std::string& name, const std::vector<DType>& dtypes,
                                 const detail::FlatFunction& fn, const Where& where);

/// Elements [begin, end) of a tuple-shaped tensor (get-tuple-element of each).
std::vector<Tensor> tuple_elements(const Tensor& tuple, size_t begin, size_t end,
                                   const Where& where);

}  // namespace hlocc::tracing
