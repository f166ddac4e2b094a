// Rejected: 5 values for an Array of 6 elements.
// EXPECT: the number of values differs from the Array's size
// EXPECT: value_count_matches<hlocc::Array<float, 2, 3>, 5(UL)?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 2, 3> a({1, 2, 3, 4, 5});
  (void)a;
}
