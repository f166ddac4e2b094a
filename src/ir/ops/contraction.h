// Shared by dot.cc and convolution.cc: the result element type rule (XLA's preferred_element_type),
// element conversion into the result type, the accumulator type each result type sums in, dense
// transposes between layouts, and a small parallel loop. Used only by src/ir/ops/.
#pragma once

#include <complex>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "ir/ops/rule_helpers.h"

namespace hlocc::ir::ops {

void register_dot_rules(OpRuleTable& table);
void register_convolution_rules(OpRuleTable& table);

/// Bits per element as XLA counts them (pred: 1).
int64_t bit_width(DType dtype);

/// The element type of a dot or convolution result: the declared one, if the operands may be
/// converted to it (XLA's MaybeUpcast of the higher-precision operand type), else an error.
Result<DType> contraction_result_dtype(const Instruction& inst);

/// The type a result type accumulates in, as XLA's HloEvaluator does: f16/bf16 sum in float, signed
/// integers in an unsigned type of at least int's width (two's complement wrap-around), others in
/// themselves.
template <class T>
struct AccumulatorOf {
  using type = T;
};
template <>
struct AccumulatorOf<Half> {
  using type = float;
};
template <>
struct AccumulatorOf<BFloat16> {
  using type = float;
};
template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) struct AccumulatorOf<T> {
  using type = std::make_unsigned_t<decltype(T() + T())>;
};
template <class T>
using Accumulator = typename AccumulatorOf<T>::type;

/// acc += a * b; for pred, acc |= a & b (XLA's bool accumulation saturates at true).
template <class A>
inline void multiply_add(A& acc, A a, A b) {
  if constexpr (std::is_same_v<A, bool>) {
    acc = acc || (a && b);
  } else {
    acc += a * b;
  }
}

/// Zero-initialised dense storage of accumulators (std::vector<bool> has no data()).
template <class A>
class Buffer {
 public:
  explicit Buffer(int64_t size)
      : data_(std::make_unique<A[]>(static_cast<size_t>(size))), size_(static_cast<size_t>(size)) {}
  A* data() { return data_.get(); }
  const A* data() const { return data_.get(); }
  std::span<A> span() { return {data_.get(), size_}; }
  std::span<const A> span() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<A[]> data_;
  size_t size_;
};

/// `literal` with its elements converted to `dtype` (XLA's convert: float to integer saturates and
/// maps NaN to 0; real to complex has a zero imaginary part). Returns a copy if the type matches.
Literal convert_literal(const Literal& literal, DType dtype);

/// `literal` itself if it already has `dtype`; else its conversion, kept in `storage`.
const Literal& converted(const Literal& literal, DType dtype, Literal& storage);

/// Writes `source` (row-major with `source_dims`) transposed so that result dimension i is source
/// dimension perm[i], converting each element with static_cast<To>.
template <class From, class To>
void transpose_into(std::span<const From> source, const std::vector<int64_t>& source_dims,
                    const std::vector<int64_t>& perm, std::span<To> result) {
  const std::vector<int64_t> source_strides = row_major_strides(source_dims);
  std::vector<int64_t> dims, strides;  // result dims and the source stride of each
  for (int64_t axis : perm) {
    dims.push_back(source_dims[static_cast<size_t>(axis)]);
    strides.push_back(source_strides[static_cast<size_t>(axis)]);
  }
  if (result.empty()) return;
  if (dims.empty()) {
    result[0] = static_cast<To>(source[0]);
    return;
  }
  // Odometer over all but the last result dim; the last one is a strided inner loop.
  const int64_t inner = dims.back(), inner_stride = strides.back();
  std::vector<int64_t> index(dims.size() - 1, 0);
  int64_t source_offset = 0;
  for (int64_t out = 0; out < static_cast<int64_t>(result.size()); out += inner) {
    for (int64_t j = 0; j < inner; ++j) {
      result[static_cast<size_t>(out + j)] =
          static_cast<To>(source[static_cast<size_t>(source_offset + j * inner_stride)]);
    }
    for (int64_t axis = static_cast<int64_t>(index.size()) - 1; axis >= 0; --axis) {
      const size_t a = static_cast<size_t>(axis);
      source_offset += strides[a];
      if (++index[a] < dims[a]) break;
      source_offset -= strides[a] * dims[a];
      index[a] = 0;
    }
  }
}

/// Runs fn(begin, end) over [0, count) split across threads when `work` (multiply-adds) is large
/// enough to pay for them; otherwise runs fn(0, count) on the calling thread.
void parallel_for(int64_t count, int64_t work, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace hlocc::ir::ops
