// Rejected: elementwise operands whose shapes do not broadcast ([2,3] and [4]).
// EXPECT: static_assert|static assertion
// EXPECT: shapes cannot be broadcast together
// EXPECT: can_broadcast<hlocc::Array<float, 2, 3>, hlocc::Array<float, 4> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 2, 3> a;
  const hlocc::Array<float, 4> b;
  (void)(a + b);
}
