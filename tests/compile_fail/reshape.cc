// Rejected: reshape to a different element count (6 elements into 4).
// EXPECT: reshape: the new dims must hold as many elements as the Array
// EXPECT: reshape_keeps_size<hlocc::Array<float, 2, 3>, 4L?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 2, 3> a;
  (void)hlocc::reshape<4>(a);
}
