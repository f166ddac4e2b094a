/// Reductions, arg-reductions, softmax and cumulative operations, with numpy/JAX names and
/// semantics, lowered to HLO reduce and reduce-window. `axes` may count from the end (negative);
/// an empty list means every axis. With `keepdims` the reduced axes stay as size-1 dimensions.
#pragma once

#include <cstdint>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc {

Tensor sum(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false,
           Where where = Where::current());
Tensor prod(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false,
            Where where = Where::current());
/// max and min propagate NaN (XLA's maximum/minimum, like numpy.max).
Tensor max(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false,
           Where where = Where::current());
Tensor min(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false,
           Where where = Where::current());
/// Floating-point dtypes only (integers are an error: convert with astype first).
Tensor mean(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false,
            Where where = Where::current());
/// log(sum(exp(x))), shifted by the maximum so that it neither overflows nor underflows; a slice
/// whose elements are all -inf gives -inf (not NaN). Floating-point dtypes only.
Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false,
                 Where where = Where::current());
/// numpy.var: the mean squared deviation, divided by (count - ddof) instead of count.
Tensor var(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false,
           int64_t ddof = 0, Where where = Where::current());

/// The s32 index of the largest (smallest) element along `axis`: the first one among equals, and
/// the first NaN if there is one (NaN counts as the extreme, like numpy and JAX).
Tensor argmax(const Tensor& x, int64_t axis, bool keepdims = false, Where where = Where::current());
Tensor argmin(const Tensor& x, int64_t axis, bool keepdims = false, Where where = Where::current());

/// exp(x) / sum(exp(x)) along `axis`, computed on x minus its maximum (so large inputs do not
/// overflow). Floating-point dtypes only.
Tensor softmax(const Tensor& x, int64_t axis = -1, Where where = Where::current());
/// x - logsumexp(x) along `axis`, computed stably. Floating-point dtypes only.
Tensor log_softmax(const Tensor& x, int64_t axis = -1, Where where = Where::current());

/// Inclusive running sum (product, maximum, minimum) along `axis`; with `reverse`, running from
/// the end. The result has x's shape and dtype.
Tensor cumsum(const Tensor& x, int64_t axis, bool reverse = false, Where where = Where::current());
Tensor cumprod(const Tensor& x, int64_t axis, bool reverse = false, Where where = Where::current());
Tensor cummax(const Tensor& x, int64_t axis, bool reverse = false, Where where = Where::current());
Tensor cummin(const Tensor& x, int64_t axis, bool reverse = false, Where where = Where::current());

}  // namespace hlocc
