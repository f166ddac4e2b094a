// Rejected: a pooling window larger than the input.
// EXPECT: pool2d: the input must be NCHW with a \(padded\) height and width of at least the window
// EXPECT: pool2d_window_fits<hlocc::Array<float, 1, 1, 2, 2>, 3L?, 3L?, hlocc::padding::Valid>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 1, 1, 2, 2> x;
  (void)hlocc::max_pool2d<3>(x);
}
