// Rejected: initializing an Array from an Array of another shape.
// EXPECT: cannot initialize an Array from an Array of another type
// EXPECT: same_array_type<hlocc::Array<float, 64, 128>, hlocc::Array<float, 64, 10> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 64, 784> x;
  const hlocc::Array<float, 784, 10> w;
  const hlocc::Array<float, 64, 128> h = hlocc::matmul(x, w);
  (void)h;
}
