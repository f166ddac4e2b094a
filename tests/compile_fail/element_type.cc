// Rejected: arithmetic between Arrays of different element types.
// EXPECT: operands have different element types
// EXPECT: same_element_type<hlocc::Array<float, 3>, hlocc::Array<double, 3> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 3> a;
  const hlocc::Array<double, 3> b;
  (void)(a * b);
}
