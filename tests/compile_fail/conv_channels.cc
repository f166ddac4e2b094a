// Rejected: conv2d of a 3-channel NCHW input with a filter for 2 input channels.
// EXPECT: conv2d: the input's channels \(dim 1\) differ from the filter's
// EXPECT: conv2d_channels_match<hlocc::Array<float, 1, 3, 8, 8>, hlocc::Array<float, 4, 2, 3, 3> ?>
#include "hlocc/array.h"

void rejected() {
  const hlocc::Array<float, 1, 3, 8, 8> x;
  const hlocc::Array<float, 4, 2, 3, 3> w;
  (void)hlocc::conv2d<1, hlocc::padding::Same>(x, w);
}
