/// Loss functions: each takes a batch of predictions and targets and returns a scalar mean.
#pragma once

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc::nn {

/// The mean over the batch of -log(softmax(logits[n])[labels[n]]), like PyTorch's
/// F.cross_entropy: logits f32/f64[N, C], labels integer[N] in [0, C). Computed with a stable
/// log-softmax (no gradient flows through its max shift). Labels are checked for range when they
/// are concrete; inside a trace a label out of range contributes 0 (its one-hot row is all zeros).
Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& labels,
                             Where where = Where::current());

/// The mean over all elements of (predictions - targets)^2, like PyTorch's F.mse_loss
/// (reduction='mean'). Both f32 or f64 of the same shape.
Tensor mse_loss(const Tensor& predictions, const Tensor& targets, Where where = Where::current());

}  // namespace hlocc::nn
