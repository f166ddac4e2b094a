// Rejected: a reduction over an axis the Array does not have.
// EXPECT: each axis must be within the Array's rank
// EXPECT: valid_axes<hlocc::Array<float, 2, 3>, 2L?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 2, 3> a;
  (void)hlocc::sum<2>(a);
}
