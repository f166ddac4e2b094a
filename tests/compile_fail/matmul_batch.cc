// Rejected: batched matmul whose batch dims do not broadcast (2 and 5).
// EXPECT: matmul: batch dims cannot be broadcast together
// EXPECT: matmul_batch_dims_broadcast<hlocc::Array<float, 2, 3, 4>, hlocc::Array<float, 5, 4, 6> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 2, 3, 4> a;
  const hlocc::Array<float, 5, 4, 6> b;
  (void)hlocc::matmul(a, b);
}
