// Rejected: concatenation along axis 0 of [2,3] and [2,4] (dim 1 differs).
// EXPECT: concatenate: operands need one rank and equal dims except along the axis
// EXPECT: can_concatenate<0L?, hlocc::Array<float, 2, 3>, hlocc::Array<float, 2, 4> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 2, 3> a;
  const hlocc::Array<float, 2, 4> b;
  (void)hlocc::concatenate<0>(a, b);
}
