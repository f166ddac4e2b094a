// Loss functions, built from public ops only (their gradients come from those ops' vjp rules).
#include "hlocc/nn/losses.h"

#include "hlocc/autodiff.h"
#include "hlocc/indexing.h"
#include "hlocc/ops.h"
#include "nn/nn_error.h"

namespace hlocc::nn {

Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& labels, Where where) {
  const std::string got =
      "; got logits " + logits.shape_string() + " and labels " + labels.shape_string();
  const auto fail = [&](const std::string& what, const std::string& hint) {
    detail::throw_nn_error("softmax_cross_entropy: " + what + got, where, hint);
  };
  const DType label_type = labels.dtype();
  if (logits.rank() != 2 || (logits.dtype() != DType::F32 && logits.dtype() != DType::F64))
    fail("logits must be f32 or f64 [batch, classes]", "");
  if (labels.rank() != 1 || labels.dims()[0] != logits.dims()[0])
    fail("labels must be [batch], one class index per row of logits", "");
  // DType lists the integer types together, S8 through U64.
  if (label_type < DType::S8 || label_type > DType::U64) {
    fail("labels must have an integer type", "convert them with astype(labels, DType::S32)");
  }
  const int64_t classes = logits.dims()[1];
  if (!labels.is_traced()) {
    const HostArray values = labels.to_host();
    for (int64_t i = 0; i < values.element_count(); ++i) {
      const double label = values.as_double(i);
      if (label < 0 || label >= static_cast<double>(classes)) {
        fail("label " + std::to_string(static_cast<int64_t>(label)) + " at row " +
                 std::to_string(i) + " is outside [0, " + std::to_string(classes) + ")",
             "");
      }
    }
  }
  // loss_n = logsumexp(logits[n]) - logits[n, label_n], both shifted by the row's maximum. The
  // shift cancels in the difference, so no gradient flows through it (stop_gradient, as JAX's
  // logsumexp does; log_softmax would differentiate the max too). A one-hot product, not a
  // gather, picks the label's logit: its gradient stays elementwise.
  const Tensor shifted = logits - stop_gradient(max(logits, {1}, /*keepdims=*/true, where), where);
  const Tensor log_sum = log(sum(exp(shifted, where), {1}, false, where), where);
  const Tensor picked =
      sum(one_hot(labels, classes, logits.dtype(), -1, where) * shifted, {1}, false, where);
  return mean(log_sum - picked, {}, false, where);
}

Tensor mse_loss(const Tensor& predictions, const Tensor& targets, Where where) {
  const bool floating = predictions.dtype() == DType::F32 || predictions.dtype() == DType::F64;
  if (!floating || predictions.dtype() != targets.dtype() || predictions.dims() != targets.dims()) {
    detail::throw_nn_error(
        "mse_loss: predictions and targets must be f32 or f64 of one shape; got " +
            predictions.shape_string() + " and " + targets.shape_string(),
        where);
  }
  const Tensor difference = subtract(predictions, targets, where);
  return mean(multiply(difference, difference, where), {}, false, where);
}

}  // namespace hlocc::nn
