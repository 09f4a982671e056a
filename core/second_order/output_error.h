// MeasureOutputError: how much a changed weight W' changes its layer's outputs on
// calibration activations X, computed from X directly (no Hessian needed).
//
//   relative_error = ||W X^T - W' X^T||^2 / ||W X^T||^2   (0 when ||W X^T|| is 0)
//   loss_increase  = ||(W' - W) X^T||^2 / rows(X)        (= 1/2 sum_rows delta H delta^T
//                                                           with H = 2 X^T X / rows)
// `original` and `updated` are float32 [out_features, in_features]; `activations` float32
// [rows, in_features] with finite values. INVALID_ARGUMENT naming "activations" otherwise.
#ifndef MODELPRESS_CORE_SECOND_ORDER_OUTPUT_ERROR_H_
#define MODELPRESS_CORE_SECOND_ORDER_OUTPUT_ERROR_H_

#include "absl/status/statusor.h"
#include "core/tensor/tensor.h"

namespace modelpress {

struct OutputError {
  double relative_error = 0.0;
  double loss_increase = 0.0;
};

absl::StatusOr<OutputError> MeasureOutputError(const Tensor& original, const Tensor& updated,
                                               const Tensor& activations);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_OUTPUT_ERROR_H_
