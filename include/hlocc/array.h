/// Array<T, Dims...>: a Tensor whose element type and shape are part of its C++ type. Operations
/// on Arrays compute their result type at compile time, and a shape mismatch is a static_assert
/// whose diagnostic names the operand types, e.g. `can_broadcast<hlocc::Array<float, 2, 3>,
/// hlocc::Array<float, 4>>`. Every operation runs the Tensor operation of the same name, so
/// eager mode, tracing and jit work unchanged. An Array converts to a Tensor freely; a Tensor
/// converts to an Array with a check of its dtype and dims (at trace time when traced).
///
///   Array<float, 64, 784> x = ...;  Array<float, 784, 128> w1;  Array<float, 128> b1;
///   auto h = relu(matmul(x, w1) + b1);  // Array<float, 64, 128>
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "hlocc/conv.h"
#include "hlocc/host_array.h"
#include "hlocc/indexing.h"
#include "hlocc/linalg.h"
#include "hlocc/ops.h"
#include "hlocc/reductions.h"
#include "hlocc/tensor.h"
#include "hlocc/trace.h"
#include "hlocc/where.h"

namespace hlocc {

template <class T, int64_t... Dims>
class Array;

/// Padding of Array convolutions and pools, as a type: conv2d<1, padding::Same>(x, w).
namespace padding {
/// No padding: only windows that fit inside the input.
struct Valid {
  static constexpr std::pair<int64_t, int64_t> amounts(int64_t, int64_t, int64_t, int) {
    return {0, 0};
  }
  static Padding runtime() { return Padding::valid(); }
};
/// out = ceil(in / stride), the odd element of padding on the high side (Padding::same()).
struct Same {
  static constexpr std::pair<int64_t, int64_t> amounts(int64_t in, int64_t window, int64_t stride,
                                                       int) {
    return same_padding(in, window, stride, 1);
  }
  static Padding runtime() { return Padding::same(); }
};
/// H elements on both sides of the height, W on both sides of the width.
template <int64_t H, int64_t W = H>
struct Explicit {
  static_assert(H >= 0 && W >= 0, "padding::Explicit: padding must not be negative");
  static constexpr std::pair<int64_t, int64_t> amounts(int64_t, int64_t, int64_t, int axis) {
    return axis == 0 ? std::pair<int64_t, int64_t>{H, H} : std::pair<int64_t, int64_t>{W, W};
  }
  static Padding runtime() { return Padding::explicit_pads({{H, H}, {W, W}}); }
};
}  // namespace padding

namespace detail {

// ---- shape arithmetic on std::array dims. Every function is total (it returns some shape even
// for operands that do not fit), so that a failed static_assert is the only error a user sees.

template <size_t N>
using DimArray = std::array<int64_t, N>;

/// Array<T, dims[0], dims[1], ...> for a constexpr std::array of dims.
template <class T, auto NewDims, class = std::make_index_sequence<NewDims.size()>>
struct ArrayWithDimsImpl;
template <class T, auto NewDims, size_t... I>
struct ArrayWithDimsImpl<T, NewDims, std::index_sequence<I...>> {
  using type = Array<T, NewDims[I]...>;
};
template <class T, auto NewDims>
using ArrayWithDims = typename ArrayWithDimsImpl<T, NewDims>::type;

/// The i-th dim counted from the end (0 is the last), 1 past the front: numpy's alignment.
template <size_t N>
constexpr int64_t dim_from_end(const DimArray<N>& dims, size_t i) {
  return i < N ? dims[N - 1 - i] : 1;
}

/// Count dims of `dims` starting at `begin` (missing ones are 0).
template <size_t Count, size_t N>
constexpr DimArray<Count> dims_slice(const DimArray<N>& dims, size_t begin) {
  DimArray<Count> result{};
  for (size_t i = 0; i < Count && begin + i < N; ++i) result[i] = dims[begin + i];
  return result;
}

template <size_t M, size_t N>
constexpr DimArray<M + N> dims_concat(const DimArray<M>& a, const DimArray<N>& b) {
  DimArray<M + N> result{};
  for (size_t i = 0; i < M; ++i) result[i] = a[i];
  for (size_t i = 0; i < N; ++i) result[M + i] = b[i];
  return result;
}

/// `axis` made non-negative for rank N, or -1 when out of range.
template <size_t N>
constexpr int64_t normalized_axis(int64_t axis) {
  const int64_t rank = static_cast<int64_t>(N);
  const int64_t normalized = axis < 0 ? axis + rank : axis;
  return normalized >= 0 && normalized < rank ? normalized : -1;
}

/// numpy broadcasting: trailing dims aligned, each pair equal or one of them 1.
template <size_t N>
constexpr bool broadcastable(const DimArray<N>&) {
  return true;
}
template <size_t N>
constexpr DimArray<N> broadcast_shape(const DimArray<N>& dims) {
  return dims;
}
template <size_t M, size_t N, class... Rest>
constexpr auto broadcast_shape(const DimArray<M>& a, const DimArray<N>& b, const Rest&... rest) {
  DimArray<std::max(M, N)> result{};
  for (size_t i = 0; i < result.size(); ++i) {
    const int64_t x = dim_from_end(a, i);
    result[result.size() - 1 - i] = x == 1 ? dim_from_end(b, i) : x;
  }
  return broadcast_shape(result, rest...);
}
template <size_t M, size_t N, class... Rest>
constexpr bool broadcastable(const DimArray<M>& a, const DimArray<N>& b, const Rest&... rest) {
  for (size_t i = 0; i < std::max(M, N); ++i) {
    const int64_t x = dim_from_end(a, i), y = dim_from_end(b, i);
    if (x != y && x != 1 && y != 1) return false;
  }
  return broadcastable(broadcast_shape(a, b), rest...);
}

/// numpy.matmul: (..., M, K) @ (..., K, N) with broadcast batch dims; a 1-D operand is a
/// vector (its dim is dropped from the result).
template <size_t M, size_t N>
constexpr bool matmul_contracts(const DimArray<M>& a, const DimArray<N>& b) {
  if constexpr (M == 0 || N == 0) {
    return false;
  } else {
    return a[M - 1] == b[N == 1 ? 0 : N - 2];
  }
}
template <size_t M, size_t N>
constexpr bool matmul_batches_broadcast(const DimArray<M>& a, const DimArray<N>& b) {
  if constexpr (M < 2 || N < 2) {
    return true;
  } else {
    return broadcastable(dims_slice<M - 2>(a, 0), dims_slice<N - 2>(b, 0));
  }
}
constexpr size_t matmul_rank(size_t m, size_t n) {
  if (m == 0 || n == 0) return 0;
  if (m == 1 || n == 1) return m + n - 2;
  return std::max(m, n);
}
template <size_t M, size_t N>
constexpr DimArray<matmul_rank(M, N)> matmul_shape(const DimArray<M>& a, const DimArray<N>& b) {
  if constexpr (M == 0 || N == 0 || (M == 1 && N == 1)) {
    return {};
  } else if constexpr (M == 1) {  // (K) @ (..., K, N) -> (..., N)
    return dims_concat(dims_slice<N - 2>(b, 0), DimArray<1>{b[N - 1]});
  } else if constexpr (N == 1) {  // (..., M, K) @ (K) -> (..., M)
    return dims_slice<M - 1>(a, 0);
  } else {
    const auto batch = broadcast_shape(dims_slice<M - 2>(a, 0), dims_slice<N - 2>(b, 0));
    return dims_concat(batch, DimArray<2>{a[M - 2], b[N - 1]});
  }
}

/// numpy.reshape: at most one -1 (inferred), the element count unchanged.
template <size_t N>
constexpr int64_t known_product(const DimArray<N>& dims) {
  int64_t product = 1;
  for (int64_t dim : dims) product *= dim == -1 ? 1 : dim;
  return product;
}
template <size_t N>
constexpr bool reshapable(int64_t size, const DimArray<N>& to) {
  int64_t inferred = 0;
  for (int64_t dim : to) {
    if (dim < -1) return false;
    inferred += dim == -1;
  }
  const int64_t known = known_product(to);
  if (inferred == 0) return known == size;
  return inferred == 1 && known != 0 && size % known == 0;
}
template <size_t N>
constexpr DimArray<N> reshape_shape(int64_t size, DimArray<N> to) {
  const int64_t known = known_product(to);
  for (int64_t& dim : to) {
    if (dim == -1) dim = known > 0 ? size / known : 0;
    if (dim < 0) dim = 0;  // rejected by a static_assert; keeps the result type valid
  }
  return to;
}

/// Axes (negative counts from the end) within rank N, each at most once; a permutation when
/// `all` is set.
template <size_t N, size_t K>
constexpr bool distinct_axes(const DimArray<K>& axes, bool all) {
  std::array<bool, N> seen{};
  for (int64_t axis : axes) {
    const int64_t normalized = normalized_axis<N>(axis);
    if (normalized < 0 || seen[normalized]) return false;
    seen[normalized] = true;
  }
  return !all || K == N;
}
template <size_t N, size_t K>
constexpr DimArray<K> permuted_shape(const DimArray<N>& dims, const DimArray<K>& permutation) {
  DimArray<K> result{};
  for (size_t i = 0; i < K; ++i) {
    const int64_t axis = normalized_axis<N>(permutation[i]);
    result[i] = axis < 0 ? 0 : dims[axis];
  }
  return result;
}
template <size_t N>
constexpr DimArray<N> reversed_axes() {
  DimArray<N> axes{};
  for (size_t i = 0; i < N; ++i) axes[i] = static_cast<int64_t>(N - 1 - i);
  return axes;
}

/// Whether reducing over `axes` keeps `axis` (no axes: all are reduced).
template <size_t N, size_t K>
constexpr bool keeps_axis(const DimArray<K>& axes, size_t axis) {
  if (K == 0) return false;
  for (int64_t reduced : axes) {
    if (normalized_axis<N>(reduced) == static_cast<int64_t>(axis)) return false;
  }
  return true;
}
template <size_t N, size_t K>
constexpr size_t reduced_rank(const DimArray<K>& axes) {
  size_t rank = 0;
  for (size_t axis = 0; axis < N; ++axis) rank += keeps_axis<N>(axes, axis);
  return rank;
}
template <size_t R, size_t N, size_t K>
constexpr DimArray<R> reduced_shape(const DimArray<N>& dims, const DimArray<K>& axes) {
  DimArray<R> result{};
  size_t next = 0;
  for (size_t axis = 0; axis < N && next < R; ++axis) {
    if (keeps_axis<N>(axes, axis)) result[next++] = dims[axis];
  }
  return result;
}

/// numpy.concatenate: one rank, equal dims except along the axis.
template <int64_t Axis, size_t N, size_t... Ns>
constexpr bool concatenable(const DimArray<N>& first, const DimArray<Ns>&... rest) {
  const int64_t axis = normalized_axis<N>(Axis);
  auto fits = [&](const auto& other) {
    if (other.size() != N) return false;
    for (size_t i = 0; i < N; ++i) {
      if (static_cast<int64_t>(i) != axis && other[i] != first[i]) return false;
    }
    return true;
  };
  return axis >= 0 && (fits(rest) && ...);
}
template <int64_t Axis, size_t N, size_t... Ns>
constexpr DimArray<N> concatenated_shape(DimArray<N> first, const DimArray<Ns>&... rest) {
  const int64_t axis = normalized_axis<N>(Axis);
  if (axis >= 0) first[axis] += (dim_from_end(rest, N - 1 - axis) + ... + 0);
  return first;
}

/// 2-D windows over NCHW dims 2 and 3: conv2d with OIHW filters, and pooling.
template <class Pad>
constexpr DimArray<2> window_output(const DimArray<4>& input, DimArray<2> window, int64_t stride) {
  DimArray<2> out{};
  if (stride <= 0) return out;  // rejected by a static_assert; no division by zero here
  for (int axis = 0; axis < 2; ++axis) {
    const int64_t in = input[2 + axis];
    const auto [low, high] = Pad::amounts(in, window[axis], stride, axis);
    out[axis] = conv_output_size(in, window[axis], stride, 1, low, high);
  }
  return out;
}
template <size_t M, size_t N>
constexpr DimArray<4> conv2d_shape(const DimArray<M>& x, const DimArray<N>& w, int64_t stride,
                                   auto pad) {
  if constexpr (M != 4 || N != 4) {
    return {};
  } else {
    const DimArray<2> out = window_output<decltype(pad)>(x, {w[2], w[3]}, stride);
    return {x[0], w[0], out[0], out[1]};
  }
}
template <size_t M>
constexpr DimArray<4> pool2d_shape(const DimArray<M>& x, int64_t window, int64_t stride, auto pad) {
  if constexpr (M != 4) {
    return {};
  } else {
    const DimArray<2> out = window_output<decltype(pad)>(x, {window, window}, stride);
    return {x[0], x[1], out[0], out[1]};
  }
}

// ---- the conditions of the static_asserts. They are templates on the operand types so that
// the compiler prints the shapes when one fails: GCC in its "... evaluates to false" note, clang
// in the "static_assert failed due to requirement ..." line.

template <class A, class B>
inline constexpr bool same_element_type = std::is_same_v<typename A::Element, typename B::Element>;
template <class A, class B>
inline constexpr bool same_array_type = std::is_same_v<A, B>;
template <class A, size_t Count>
inline constexpr bool value_count_matches = A::kSize == static_cast<int64_t>(Count);
template <class... Arrays>
inline constexpr bool can_broadcast = broadcastable(Arrays::kDims...);
template <class A, class B>
inline constexpr bool matmul_inner_dims_match = matmul_contracts(A::kDims, B::kDims);
template <class A, class B>
inline constexpr bool matmul_batch_dims_broadcast = matmul_batches_broadcast(A::kDims, B::kDims);
template <class A, int64_t... To>
inline constexpr bool reshape_keeps_size = reshapable(A::kSize, DimArray<sizeof...(To)>{To...});
template <class A, int64_t... Permutation>
inline constexpr bool valid_permutation =
    distinct_axes<A::kRank>(DimArray<sizeof...(Permutation)>{Permutation...}, true);
template <class A, int64_t... Axes>
inline constexpr bool valid_axes = distinct_axes<A::kRank>(DimArray<sizeof...(Axes)>{Axes...},
                                                           false);
template <int64_t Axis, class... Arrays>
inline constexpr bool can_concatenate = concatenable<Axis>(Arrays::kDims...);
template <class X, class W>
inline constexpr bool conv2d_ranks_are_4 = X::kRank == 4 && W::kRank == 4;
// The checks after the first that fails hold vacuously, so that one mistake is one error.
template <class X, class W>
inline constexpr bool conv2d_channels_match =
    !conv2d_ranks_are_4<X, W> || X::kDims[1] == W::kDims[1];
template <class X, class W, int64_t Stride, class Pad>
inline constexpr bool conv2d_window_fits =
    Stride <= 0 || !conv2d_ranks_are_4<X, W> ||
    (conv2d_shape(X::kDims, W::kDims, Stride, Pad{})[2] > 0 &&
     conv2d_shape(X::kDims, W::kDims, Stride, Pad{})[3] > 0);
template <class X, int64_t Window, int64_t Stride, class Pad>
inline constexpr bool pool2d_window_fits = Window <= 0 || Stride <= 0 ||
                                           (X::kRank == 4 &&
                                            pool2d_shape(X::kDims, Window, Stride, Pad{})[2] > 0 &&
                                            pool2d_shape(X::kDims, Window, Stride, Pad{})[3] > 0);
template <class C>
inline constexpr bool where_condition_is_bool = std::is_same_v<typename C::Element, bool>;

// ---- result types: each checks its operands with static_asserts, then names the result.

template <class Element, class... Arrays>
struct BroadcastOf {
  static_assert(can_broadcast<Arrays...>,
                "Array: shapes cannot be broadcast together (the Array types are in this message)");
  using type = ArrayWithDims<Element, broadcast_shape(Arrays::kDims...)>;
};
/// Arithmetic on two Arrays: one element type, broadcast shapes.
template <class A, class B>
struct ArithmeticOf : BroadcastOf<typename A::Element, A, B> {
  static_assert(same_element_type<A, B>,
                "Array: operands have different element types (use astype<T> on one)");
};
/// Comparisons: like arithmetic, with bool elements.
template <class A, class B>
struct ComparisonOf : BroadcastOf<bool, A, B> {
  static_assert(same_element_type<A, B>,
                "Array: operands have different element types (use astype<T> on one)");
};

/// numpy.where(condition, a, b): a bool condition, one element type for a and b.
template <class C, class A, class B>
struct WhereOf : BroadcastOf<typename A::Element, C, A, B> {
  static_assert(where_condition_is_bool<C>,
                "where: the condition must be an Array of bool (compare first, e.g. greater)");
  static_assert(same_element_type<A, B>,
                "where: a and b have different element types (use astype<T> on one)");
};

template <class A, class B>
struct MatmulOf {
  static_assert(same_element_type<A, B>,
                "matmul: operands have different element types (use astype<T> on one)");
  static_assert(matmul_inner_dims_match<A, B>,
                "matmul: the last dim of a differs from the contracted dim of b (the Array types "
                "are in this message)");
  static_assert(matmul_batch_dims_broadcast<A, B>,
                "matmul: batch dims cannot be broadcast together (the Array types are in this "
                "message)");
  using type = ArrayWithDims<typename A::Element, matmul_shape(A::kDims, B::kDims)>;
};

template <class A, int64_t... To>
struct ReshapeOf {
  static_assert(reshape_keeps_size<A, To...>,
                "reshape: the new dims must hold as many elements as the Array (at most one -1)");
  using type =
      ArrayWithDims<typename A::Element, reshape_shape(A::kSize, DimArray<sizeof...(To)>{To...})>;
};

template <class A, int64_t... Permutation>
struct TransposeOf {
  static_assert(valid_permutation<A, Permutation...>,
                "transpose: the axes must be a permutation of the Array's axes");
  using type =
      ArrayWithDims<typename A::Element,
                    permuted_shape(A::kDims, DimArray<sizeof...(Permutation)>{Permutation...})>;
};

template <class A, int64_t... Axes>
struct ReductionOf {
  static_assert(valid_axes<A, Axes...>,
                "Array reduction: each axis must be within the Array's rank, at most once");
  static constexpr DimArray<sizeof...(Axes)> kAxes{Axes...};
  using type = ArrayWithDims<typename A::Element,
                             reduced_shape<reduced_rank<A::kRank>(kAxes)>(A::kDims, kAxes)>;
};

template <int64_t Axis, class First, class... Rest>
struct ConcatenateOf {
  static_assert((same_element_type<First, Rest> && ...),
                "concatenate: operands have different element types (use astype<T> on one)");
  static_assert(can_concatenate<Axis, First, Rest...>,
                "concatenate: operands need one rank and equal dims except along the axis (the "
                "Array types are in this message)");
  using type = ArrayWithDims<typename First::Element,
                             concatenated_shape<Axis>(First::kDims, Rest::kDims...)>;
};

template <class X, class W, int64_t Stride, class Pad>
struct Conv2dOf {
  static_assert(Stride > 0, "conv2d: the stride must be positive");
  static_assert(same_element_type<X, W>,
                "conv2d: operands have different element types (use astype<T> on one)");
  static_assert(conv2d_ranks_are_4<X, W>,
                "conv2d: the input must be NCHW and the filter OIHW (rank 4 both)");
  static_assert(conv2d_channels_match<X, W>,
                "conv2d: the input's channels (dim 1) differ from the filter's (dim 1) (the Array "
                "types are in this message)");
  static_assert(conv2d_window_fits<X, W, Stride, Pad>,
                "conv2d: the filter is larger than the (padded) input");
  using type = ArrayWithDims<typename X::Element, conv2d_shape(X::kDims, W::kDims, Stride, Pad{})>;
};

template <class X, int64_t Window, int64_t Stride, class Pad>
struct Pool2dOf {
  static_assert(Window > 0 && Stride > 0, "pool2d: the window and the stride must be positive");
  static_assert(pool2d_window_fits<X, Window, Stride, Pad>,
                "pool2d: the input must be NCHW with a (padded) height and width of at least the "
                "window");
  using type = ArrayWithDims<typename X::Element, pool2d_shape(X::kDims, Window, Stride, Pad{})>;
};

template <class A>
inline constexpr bool is_array = false;
template <class T, int64_t... Dims>
inline constexpr bool is_array<Array<T, Dims...>> = true;
template <class A>
concept AnArray = is_array<A>;

/// Throws hlocc::Error ("Array: expected f32[2,3]; got f32[3,2]" + where) unless `tensor` has
/// this dtype and these dims.
void check_array_type(const Tensor& tensor, DType dtype, const std::vector<int64_t>& dims,
                      const Where& where);

}  // namespace detail

template <class T, int64_t... Dims>
class Array {
  static_assert(((Dims >= 0) && ...), "Array: dims must not be negative");

 public:
  using Element = T;
  static constexpr DType kDType = dtype_of<T>();
  static constexpr int64_t kRank = sizeof...(Dims);
  static constexpr std::array<int64_t, sizeof...(Dims)> kDims{Dims...};
  static constexpr int64_t kSize = (int64_t{1} * ... * Dims);

  /// Zeros.
  Array() : tensor_(HostArray(kDType, dims())) {}
  /// Throws hlocc::Error, naming both types and the caller's line, unless `tensor` has T's dtype
  /// and these dims. Implicit: Tensor code hands its results to Array code.
  Array(Tensor tensor, Where where = Where::current())  // NOLINT
      : tensor_(std::move(tensor)) {
    detail::check_array_type(tensor_, kDType, dims(), where);
  }
  Array(const HostArray& values, Where where = Where::current())  // NOLINT
      : Array(Tensor(values), where) {}
  /// The elements in row-major order: Array<float, 2, 2> a({1, 2, 3, 4}).
  template <size_t Count>
  Array(const T (&values)[Count])  // NOLINT
      : tensor_(HostArray::from_vector<T>(dims(), std::vector<T>(values, values + Count))) {
    static_assert(detail::value_count_matches<Array, Count>,
                  "Array: the number of values differs from the Array's size");
  }
  /// Only to say, at compile time, that Arrays of another type do not convert.
  template <class U, int64_t... Other>
  Array(const Array<U, Other...>& other)  // NOLINT
      : tensor_(other.tensor()) {
    static_assert(detail::same_array_type<Array, Array<U, Other...>>,
                  "Array: cannot initialize an Array from an Array of another type (both are in "
                  "this message); use reshape, transpose or astype");
  }

  const Tensor& tensor() const { return tensor_; }
  operator Tensor() const { return tensor_; }  // NOLINT: Arrays go wherever Tensors go
  bool is_traced() const { return tensor_.is_traced(); }
  /// The values of a concrete Array; throws hlocc::Error for a traced one.
  HostArray to_host() const { return tensor_.to_host(); }

  static DType dtype() { return kDType; }
  static std::vector<int64_t> dims() { return {Dims...}; }
  /// "f32[2,3]"
  static std::string shape_string() { return hlocc::shape_string(kDType, dims()); }
  /// The type of this Array as a trace input: trace(f, Array<float, 2, 3>::spec()).
  static TensorSpec spec() { return {kDType, dims()}; }

  /// An operator's left operand: remembers the user's line (operators cannot take a defaulted
  /// Where), like hlocc::Operand for Tensors.
  struct Operand {
    Operand(const Array& a, Where w = Where::current()) : array(a), where(w) {}  // NOLINT
    const Array& array;
    Where where;
  };

  // Arithmetic with numpy broadcasting: the result type is the broadcast shape.
  template <class U, int64_t... B>
  friend auto operator+(Operand a, const Array<U, B...>& b) {
    return add(a.array, b, a.where);
  }
  template <class U, int64_t... B>
  friend auto operator-(Operand a, const Array<U, B...>& b) {
    return subtract(a.array, b, a.where);
  }
  template <class U, int64_t... B>
  friend auto operator*(Operand a, const Array<U, B...>& b) {
    return multiply(a.array, b, a.where);
  }
  template <class U, int64_t... B>
  friend auto operator/(Operand a, const Array<U, B...>& b) {
    return divide(a.array, b, a.where);
  }
  friend Array operator-(Operand x) { return {negative(x.array.tensor_, x.where), x.where}; }

  // With a scalar, converted to T.
  friend Array operator+(Operand a, double b) { return with_scalar(add, a, b, false); }
  friend Array operator-(Operand a, double b) { return with_scalar(subtract, a, b, false); }
  friend Array operator*(Operand a, double b) { return with_scalar(multiply, a, b, false); }
  friend Array operator/(Operand a, double b) { return with_scalar(divide, a, b, false); }
  friend Array operator+(double a, Operand b) { return with_scalar(add, b, a, true); }
  friend Array operator-(double a, Operand b) { return with_scalar(subtract, b, a, true); }
  friend Array operator*(double a, Operand b) { return with_scalar(multiply, b, a, true); }
  friend Array operator/(double a, Operand b) { return with_scalar(divide, b, a, true); }

  // With a Tensor: a Tensor (Array + Tensor already works through Tensor's operators).
  friend Tensor operator+(const Tensor& a, Operand b) { return add(a, b.array.tensor_, b.where); }
  friend Tensor operator-(const Tensor& a, Operand b) {
    return subtract(a, b.array.tensor_, b.where);
  }
  friend Tensor operator*(const Tensor& a, Operand b) {
    return multiply(a, b.array.tensor_, b.where);
  }
  friend Tensor operator/(const Tensor& a, Operand b) {
    return divide(a, b.array.tensor_, b.where);
  }

 private:
  using TensorOp = Tensor (*)(const Tensor&, const Tensor&, Where);
  /// op(x, scalar), or op(scalar, x) when `scalar_first`; the scalar converted to T.
  static Array with_scalar(TensorOp op, const Operand& x, double scalar, bool scalar_first) {
    const Tensor s = full_like_scalar(scalar, kDType, x.where);
    return {scalar_first ? op(s, x.array.tensor_, x.where) : op(x.array.tensor_, s, x.where),
            x.where};
  }

  Tensor tensor_;
};

// ---- elementwise operations: the Tensor operation of the same name on the Array's tensor.

// name(a, b) for Arrays broadcasting to the result type Of<A, B>::type.
#define HLOCC_ARRAY_BINARY(name, Of)                                                      \
  template <class T, int64_t... A, class U, int64_t... B>                                 \
  typename detail::Of<Array<T, A...>, Array<U, B...>>::type name(                         \
      const Array<T, A...>& a, const Array<U, B...>& b, Where where = Where::current()) { \
    return {name(a.tensor(), b.tensor(), where), where};                                  \
  }
HLOCC_ARRAY_BINARY(add, ArithmeticOf)
HLOCC_ARRAY_BINARY(subtract, ArithmeticOf)
HLOCC_ARRAY_BINARY(multiply, ArithmeticOf)
HLOCC_ARRAY_BINARY(divide, ArithmeticOf)
HLOCC_ARRAY_BINARY(maximum, ArithmeticOf)
HLOCC_ARRAY_BINARY(minimum, ArithmeticOf)
HLOCC_ARRAY_BINARY(power, ArithmeticOf)
HLOCC_ARRAY_BINARY(remainder, ArithmeticOf)
HLOCC_ARRAY_BINARY(atan2, ArithmeticOf)
HLOCC_ARRAY_BINARY(equal, ComparisonOf)
HLOCC_ARRAY_BINARY(not_equal, ComparisonOf)
HLOCC_ARRAY_BINARY(less, ComparisonOf)
HLOCC_ARRAY_BINARY(less_equal, ComparisonOf)
HLOCC_ARRAY_BINARY(greater, ComparisonOf)
HLOCC_ARRAY_BINARY(greater_equal, ComparisonOf)
#undef HLOCC_ARRAY_BINARY

// name(x) with x's type.
#define HLOCC_ARRAY_UNARY(name)                                                  \
  template <class T, int64_t... D>                                               \
  Array<T, D...> name(const Array<T, D...>& x, Where where = Where::current()) { \
    return {name(x.tensor(), where), where};                                     \
  }
HLOCC_ARRAY_UNARY(negative)
HLOCC_ARRAY_UNARY(abs)
HLOCC_ARRAY_UNARY(sign)
HLOCC_ARRAY_UNARY(floor)
HLOCC_ARRAY_UNARY(ceil)
HLOCC_ARRAY_UNARY(round)
HLOCC_ARRAY_UNARY(expm1)
HLOCC_ARRAY_UNARY(log1p)
HLOCC_ARRAY_UNARY(rsqrt)
HLOCC_ARRAY_UNARY(cbrt)
HLOCC_ARRAY_UNARY(sin)
HLOCC_ARRAY_UNARY(cos)
HLOCC_ARRAY_UNARY(tan)
HLOCC_ARRAY_UNARY(sigmoid)
HLOCC_ARRAY_UNARY(exp)
HLOCC_ARRAY_UNARY(log)
HLOCC_ARRAY_UNARY(tanh)
HLOCC_ARRAY_UNARY(sqrt)
HLOCC_ARRAY_UNARY(relu)
HLOCC_ARRAY_UNARY(logical_not)
#undef HLOCC_ARRAY_UNARY

template <class T, int64_t... D>
Array<bool, D...> isfinite(const Array<T, D...>& x, Where where = Where::current()) {
  return {isfinite(x.tensor(), where), where};
}

/// The elements converted to U (XLA's convert).
template <class U, class T, int64_t... D>
Array<U, D...> astype(const Array<T, D...>& x, Where where = Where::current()) {
  return {astype(x.tensor(), dtype_of<U>(), where), where};
}

/// numpy.where: a where condition is true, else b; the three shapes broadcast together.
template <class C, int64_t... CDims, class T, int64_t... A, class U, int64_t... B>
typename detail::WhereOf<Array<C, CDims...>, Array<T, A...>, Array<U, B...>>::type where(
    const Array<C, CDims...>& condition, const Array<T, A...>& a, const Array<U, B...>& b,
    Where at = Where::current()) {
  return {hlocc::where(condition.tensor(), a.tensor(), b.tensor(), at), at};
}

// ---- shapes

/// numpy.matmul: (..., M, K) @ (..., K, N) -> (..., M, N) with broadcast batch dims; a 1-D
/// operand is a vector whose dim is dropped from the result.
template <class T, int64_t... A, class U, int64_t... B>
typename detail::MatmulOf<Array<T, A...>, Array<U, B...>>::type matmul(
    const Array<T, A...>& a, const Array<U, B...>& b, Where where = Where::current()) {
  return {matmul(a.tensor(), b.tensor(), where), where};
}

/// reshape<64, -1>(x): the same elements in new dims; one -1 is inferred.
template <int64_t... To, class T, int64_t... D>
typename detail::ReshapeOf<Array<T, D...>, To...>::type reshape(const Array<T, D...>& x,
                                                                Where where = Where::current()) {
  using Result = typename detail::ReshapeOf<Array<T, D...>, To...>::type;
  return {reshape(x.tensor(), Result::dims(), where), where};
}

/// transpose<1, 0, 2>(x): result dim i is x's dim Permutation[i]; no axes reverses them all.
template <int64_t... Permutation, class T, int64_t... D>
auto transpose(const Array<T, D...>& x, Where where = Where::current()) {
  if constexpr (sizeof...(Permutation) == 0 && sizeof...(D) > 0) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return transpose<static_cast<int64_t>(sizeof...(D) - 1 - I)...>(x, where);
    }
    (std::make_index_sequence<sizeof...(D)>{});
  } else {
    using Result = typename detail::TransposeOf<Array<T, D...>, Permutation...>::type;
    constexpr int64_t kRank = sizeof...(D);
    return Result(
        transpose(x.tensor(), {(Permutation < 0 ? Permutation + kRank : Permutation)...}, where),
        where);
  }
}

/// concatenate<Axis>(a, b, ...): numpy.concatenate of Arrays with one element type and rank,
/// and equal dims except along Axis (negative counts from the end).
template <int64_t Axis = 0, class T, int64_t... D, detail::AnArray... Rest>
typename detail::ConcatenateOf<Axis, Array<T, D...>, Rest...>::type concatenate(
    const Array<T, D...>& first, const Rest&... rest) {
  // A variadic function has no defaulted Where after its pack: the operation is recorded here.
  const Where where = Where::current();
  return {concatenate(std::vector<Tensor>{first.tensor(), rest.tensor()...}, Axis, where), where};
}

// ---- reductions: sum<Axes...>(x) over the named axes (none: all of them), which the result
// type drops (reshape to keep them).

#define HLOCC_ARRAY_REDUCTION(name)                                                \
  template <int64_t... Axes, class T, int64_t... D>                                \
  typename detail::ReductionOf<Array<T, D...>, Axes...>::type name(                \
      const Array<T, D...>& x, Where where = Where::current()) {                   \
    return {name(x.tensor(), std::vector<int64_t>{Axes...}, false, where), where}; \
  }
HLOCC_ARRAY_REDUCTION(sum)
HLOCC_ARRAY_REDUCTION(prod)
HLOCC_ARRAY_REDUCTION(max)
HLOCC_ARRAY_REDUCTION(min)
HLOCC_ARRAY_REDUCTION(mean)
HLOCC_ARRAY_REDUCTION(logsumexp)
#undef HLOCC_ARRAY_REDUCTION

/// argmax<Axis>(x): the s32 index of the largest element along Axis, which the result drops.
template <int64_t Axis, class T, int64_t... D>
typename detail::ReductionOf<Array<int32_t, D...>, Axis>::type argmax(
    const Array<T, D...>& x, Where where = Where::current()) {
  return {argmax(x.tensor(), Axis, false, where), where};
}
template <int64_t Axis, class T, int64_t... D>
typename detail::ReductionOf<Array<int32_t, D...>, Axis>::type argmin(
    const Array<T, D...>& x, Where where = Where::current()) {
  return {argmin(x.tensor(), Axis, false, where), where};
}

/// softmax<Axis>(x) and log_softmax<Axis>(x) keep x's type.
template <int64_t Axis = -1, class T, int64_t... D>
Array<T, D...> softmax(const Array<T, D...>& x, Where where = Where::current()) {
  static_assert(detail::valid_axes<Array<T, D...>, Axis>, "softmax: the axis is out of range");
  return {softmax(x.tensor(), Axis, where), where};
}
template <int64_t Axis = -1, class T, int64_t... D>
Array<T, D...> log_softmax(const Array<T, D...>& x, Where where = Where::current()) {
  static_assert(detail::valid_axes<Array<T, D...>, Axis>, "log_softmax: the axis is out of range");
  return {log_softmax(x.tensor(), Axis, where), where};
}

// ---- convolution and pooling, NCHW, with the stride and the padding in the type.

/// conv2d<Stride, Pad>(x, w): x is Array<T, N, C, H, W>, w is Array<T, O, C, KH, KW> (OIHW);
/// the result is Array<T, N, O, OH, OW>. Pad is padding::Valid, padding::Same or
/// padding::Explicit<P>.
template <int64_t Stride = 1, class Pad = padding::Valid, class T, int64_t... X, class U,
          int64_t... W>
typename detail::Conv2dOf<Array<T, X...>, Array<U, W...>, Stride, Pad>::type conv2d(
    const Array<T, X...>& x, const Array<U, W...>& w, Where where = Where::current()) {
  Conv2dOptions options;
  options.stride = {Stride, Stride};
  options.padding = Pad::runtime();
  return {conv2d(x.tensor(), w.tensor(), options, where), where};
}

namespace detail {
template <int64_t Window, int64_t Stride, class Pad>
Pool2dOptions pool2d_options() {
  Pool2dOptions options;
  options.window = {Window, Window};
  options.stride = {Stride, Stride};
  options.padding = Pad::runtime();
  return options;
}
}  // namespace detail

/// max_pool2d<Window, Stride, Pad>(x) over square windows of NCHW x (Stride defaults to Window).
template <int64_t Window, int64_t Stride = Window, class Pad = padding::Valid, class T,
          int64_t... X>
typename detail::Pool2dOf<Array<T, X...>, Window, Stride, Pad>::type max_pool2d(
    const Array<T, X...>& x, Where where = Where::current()) {
  return {max_pool2d(x.tensor(), detail::pool2d_options<Window, Stride, Pad>(), where), where};
}
/// avg_pool2d<Window, Stride, Pad>(x): padded positions count in the divisor (PyTorch's default).
template <int64_t Window, int64_t Stride = Window, class Pad = padding::Valid, class T,
          int64_t... X>
typename detail::Pool2dOf<Array<T, X...>, Window, Stride, Pad>::type avg_pool2d(
    const Array<T, X...>& x, Where where = Where::current()) {
  return {avg_pool2d(x.tensor(), detail::pool2d_options<Window, Stride, Pad>(), where), where};
}

/// An Array is a pytree leaf: it flattens to its Tensor and rebuilds with the type check.
template <class T, int64_t... Dims>
struct Pytree<Array<T, Dims...>> {
  using Traced = Array<T, Dims...>;
  static void flatten(const Traced& a, detail::TreeWriter& out) { out.leaf(a.tensor()); }
  static Traced rebuild(const Traced&, detail::TreeReader& in) { return Traced(in.next()); }
};

}  // namespace hlocc
