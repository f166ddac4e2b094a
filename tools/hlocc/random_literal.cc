// Seeded random values: one SplitMix64 stream per Literal, consumed in row-major order.
#include "random_literal.h"

#include <complex>
#include <type_traits>

namespace hlocc::tools {
namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [-1, 1), with 53 random bits.
  double symmetric_unit() { return static_cast<double>(next() >> 11) * 0x1.0p-52 - 1.0; }

 private:
  uint64_t state_;
};

template <class T>
struct IsComplex : std::false_type {};
template <class T>
struct IsComplex<std::complex<T>> : std::true_type {};

template <class T>
T random_value(SplitMix64& random) {
  if constexpr (std::is_same_v<T, bool>) {
    return (random.next() >> 63) != 0;
  } else if constexpr (IsComplex<T>::value) {
    using Part = typename T::value_type;
    const auto real = static_cast<Part>(random.symmetric_unit());
    return T(real, static_cast<Part>(random.symmetric_unit()));
  } else if constexpr (std::is_signed_v<T> && std::is_integral_v<T>) {
    return static_cast<T>(static_cast<int64_t>(random.next() % 11) - 5);
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(random.next() % 11);
  } else {
    return T(random.symmetric_unit());  // float, double, Half, BFloat16
  }
}

}  // namespace

uint64_t derive_seed(uint64_t seed, uint64_t index) {
  // Two SplitMix64 outputs chained: streams of neighbouring indices do not overlap.
  SplitMix64 mix(seed);
  return SplitMix64(mix.next() ^ (index * 0xd1b54a32d192ed03ull)).next();
}

ir::Literal random_literal(const ir::Shape& shape, uint64_t seed) {
  if (shape.is_tuple()) {
    std::vector<ir::Literal> elements;
    for (int64_t i = 0; i < shape.tuple_size(); ++i) {
      elements.push_back(
          random_literal(shape.tuple_shape(i), derive_seed(seed, static_cast<uint64_t>(i))));
    }
    return ir::Literal::tuple(std::move(elements));
  }
  ir::Literal literal(shape);
  if (!shape.is_array()) return literal;  // a token holds no data
  SplitMix64 random(seed);
  ir::dispatch_dtype(shape.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (T& value : literal.data<T>()) value = random_value<T>(random);
  });
  return literal;
}

}  // namespace hlocc::tools
