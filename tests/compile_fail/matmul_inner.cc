// Rejected: matmul whose contracted dims differ (128 and 256).
// EXPECT: matmul: the last dim of a differs from the contracted dim of b
// EXPECT: matmul_inner_dims_match<hlocc::Array<float, 64, 128>, hlocc::Array<float, 256, 10> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 64, 128> a;
  const hlocc::Array<float, 256, 10> b;
  (void)hlocc::matmul(a, b);
}
