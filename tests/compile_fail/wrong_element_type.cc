// Rejected: initializing an Array from an Array of another element type.
// EXPECT: cannot initialize an Array from an Array of another type
// EXPECT: same_array_type<hlocc::Array<float, 3>, hlocc::Array<int, 3> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<int32_t, 3> counts;
  const hlocc::Array<float, 3> x = counts;
  (void)x;
}
