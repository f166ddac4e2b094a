// Rejected: transpose axes that are not a permutation.
// EXPECT: transpose: the axes must be a permutation
// EXPECT: valid_permutation<hlocc::Array<float, 2, 3>, 1L?, 1L?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 2, 3> a;
  (void)hlocc::transpose<1, 1>(a);
}
