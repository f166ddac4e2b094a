// erfinv from elementwise ops, the same polynomials and branch points as XLA's ErfInv32 and
// ErfInv64 (xla/hlo/builder/lib/math.cc), so results match XLA's to rounding.
#include "trace/erfinv.h"

#include <limits>
#include <span>

#include "hlocc/ops.h"
#include "trace/op_helpers.h"

namespace hlocc::tracing {
namespace {

// M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition (2011), as
// transcribed in XLA: coefficients from the highest power down. With w = -log(1 - x^2),
// erfinv(x) = x * p(w - 2.5) for w < 5, else x * p(sqrt(w) - 3) (single precision).
constexpr double kF32Centre[] = {2.81022636e-08f,  3.43273939e-07f, -3.5233877e-06f,
                                 -4.39150654e-06f, 0.00021858087f,  -0.00125372503f,
                                 -0.00417768164f,  0.246640727f,    1.50140941f};
constexpr double kF32Tail[] = {-0.000200214257f, 0.000100950558f, 0.00134934322f,
                               -0.00367342844f,  0.00573950773f,  -0.0076224613f,
                               0.00943887047f,   1.00167406f,     2.83297682f};
// Double precision: p(w - 3.125) for w < 6.25, p(sqrt(w) - 3.25) for w < 16, else p(sqrt(w) - 5).
constexpr double kF64Centre[] = {
    -3.6444120640178196996e-21, -1.685059138182016589e-19,  1.2858480715256400167e-18,
    1.115787767802518096e-17,   -1.333171662854620906e-16,  2.0972767875968561637e-17,
    6.6376381343583238325e-15,  -4.0545662729752068639e-14, -8.1519341976054721522e-14,
    2.6335093153082322977e-12,  -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09,   -4.1126339803469836976e-09, -2.9070369957882005086e-08,
    4.2347877827932403518e-07,  -1.3654692000834678645e-06, -1.3882523362786468719e-05,
    0.0001867342080340571352,   -0.00074070253416626697512, -0.0060336708714301490533,
    0.24015818242558961693,     1.6536545626831027356};
constexpr double kF64Middle[] = {
    2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
    1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
    2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
    6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
    0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
    -0.0037512085075692412107, 0.005370914553590063617,   1.0052589676941592334,
    3.0838856104922207635};
constexpr double kF64Tail[] = {
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
    -3.7894654401267369937e-09, 7.6157012080783393804e-09,  -1.4960026627149240478e-08,
    2.9147953450901080826e-08,  -6.7711997758452339498e-08, 2.2900482228026654717e-07,
    -9.9298272942317002539e-07, 4.5260625972231537039e-06,  -1.9681778105531670567e-05,
    7.5995277030017761139e-05,  -0.00021503011930044477347, -0.00013871931833623122026,
    1.0103004648645343977,      4.8499064014085844221};

Tensor constant(double value, DType dtype) {
  if (dtype == DType::F64) return HostArray::scalar<double>(value);
  return HostArray::scalar<float>(static_cast<float>(value));
}

// c[0] w^(n-1) + ... + c[n-1] by Horner's rule, in w's dtype.
Tensor polynomial(std::span<const double> coefficients, const Tensor& w, const Where& where) {
  Tensor p = constant(coefficients[0], w.dtype());
  for (size_t i = 1; i < coefficients.size(); ++i) {
    p = add(multiply(p, w, where), constant(coefficients[i], w.dtype()), where);
  }
  return p;
}

// erfinv without the edge cases, for f32 or f64 x.
Tensor giles(const Tensor& x, const Where& where) {
  auto c = [&](double value) { return constant(value, x.dtype()); };
  const Tensor w = negative(log1p(negative(multiply(x, x, where), where), where), where);
  const Tensor root = sqrt(w, where);
  if (x.dtype() == DType::F32) {
    return hlocc::where(less(w, c(5), where),
                        polynomial(kF32Centre, subtract(w, c(2.5), where), where),
                        polynomial(kF32Tail, subtract(root, c(3), where), where), where);
  }
  const Tensor tails = hlocc::where(
      less(w, c(16), where), polynomial(kF64Middle, subtract(root, c(3.25), where), where),
      polynomial(kF64Tail, subtract(root, c(5), where), where), where);
  return hlocc::where(less(w, c(6.25), where),
                      polynomial(kF64Centre, subtract(w, c(3.125), where), where), tails, where);
}

}  // namespace

Tensor erfinv(const Tensor& x, const Where& where) {
  const DType dtype = x.dtype();
  if (dtype != DType::F16 && dtype != DType::BF16 && dtype != DType::F32 && dtype != DType::F64) {
    throw_op_error("erfinv", "the operand must be f16, bf16, f32 or f64", {x}, where);
  }
  // f16 and bf16 lack the precision for the polynomials; XLA upcasts them too.
  const DType compute = dtype == DType::F64 ? DType::F64 : DType::F32;
  const Tensor wide = astype(x, compute, where);
  // The polynomial gives NaN or a wrong infinity at +-1; erfinv(+-1) = +-inf.
  const Tensor at_one =
      multiply(wide, constant(std::numeric_limits<double>::infinity(), compute), where);
  const Tensor one = constant(1, compute);
  const Tensor result = hlocc::where(equal(abs(wide, where), one, where), at_one,
                                     multiply(giles(wide, where), wide, where), where);
  return astype(result, dtype, where);
}

}  // namespace hlocc::tracing
