// Must compile: the result types Arrays compute at compile time, checked with static_assert (and
// a guard against a broken include path making every compile-fail case fail for that reason).
#include <type_traits>

#include "hlocc/array.h"

namespace {

using hlocc::Array;
template <class A, class B>
constexpr bool kSame = std::is_same_v<A, B>;

void compiles() {
  // The MLP forward pass: matmul, then a bias broadcast over the batch, then relu.
  const Array<float, 64, 784> x;
  const Array<float, 784, 128> w1;
  const Array<float, 128> b1;
  const auto h = relu(matmul(x, w1) + b1);
  static_assert(kSame<decltype(h), const Array<float, 64, 128>>);

  static_assert(kSame<decltype(x * 2.0 + 1 - 3.0 / x), Array<float, 64, 784>>);
  static_assert(kSame<decltype(-h), Array<float, 64, 128>>);
  static_assert(kSame<decltype(greater(h, Array<float>{})), Array<bool, 64, 128>>);
  static_assert(kSame<decltype(hlocc::transpose(h)), Array<float, 128, 64>>);
  static_assert(kSame<decltype(hlocc::reshape<-1, 8>(h)), Array<float, 1024, 8>>);
  static_assert(kSame<decltype(hlocc::sum<0>(h)), Array<float, 128>>);
  static_assert(kSame<decltype(hlocc::argmax<-1>(h)), Array<int32_t, 64>>);
  static_assert(kSame<decltype(hlocc::concatenate<-1>(h, Array<float, 64, 2>{})),
                      Array<float, 64, 130>>);
  static_assert(kSame<decltype(matmul(Array<float, 5, 1, 2, 3>{}, Array<float, 4, 3, 7>{})),
                      Array<float, 5, 4, 2, 7>>);
  static_assert(kSame<decltype(matmul(Array<float, 3>{}, Array<float, 3>{})), Array<float>>);

  const Array<float, 2, 3, 32, 32> images;
  const Array<float, 4, 3, 3, 3> filter;
  static_assert(kSame<decltype(hlocc::conv2d<2, hlocc::padding::Same>(images, filter)),
                      Array<float, 2, 4, 16, 16>>);
  static_assert(kSame<decltype(hlocc::max_pool2d<2>(hlocc::conv2d(images, filter))),
                      Array<float, 2, 4, 15, 15>>);

  // Arrays and Tensors mix; the result is a Tensor.
  const hlocc::Tensor t = x;
  static_assert(kSame<decltype(t + x), hlocc::Tensor>);
  static_assert(kSame<decltype(x + t), hlocc::Tensor>);
  const Array<float, 64, 784> back = t;
  (void)back;
  (void)h;
}

}  // namespace
