// The inverse error function built from elementwise HLO ops (XLA has no erf-inv op); random::normal
// uses it. Internal for now: a public hlocc::erfinv would sit with the other unary ops in ops.h.
#pragma once

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc::tracing {

/// erfinv(x) for x in [-1, 1] of a float dtype, as XLA's ErfInv: Giles' polynomials in f32 (f16
/// and bf16 computed in f32) or in f64; erfinv(+-1) = +-inf, NaN outside [-1, 1].
Tensor erfinv(const Tensor& x, const Where& where);

}  // namespace hlocc::tracing
