#include "core/second_order/output_error.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/second_order/eigen.h"

namespace modelpress {
namespace {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

absl::Status ValidateOutputErrorInputs(const Tensor& original, const Tensor& updated,
                                       const Tensor& activations) {
  if (original.dtype() != DType::kFloat32 || original.rank() != 2 ||
      updated.shape() != original.shape() || updated.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight shape is ", ShapeToString(original.shape()),
                     "; activations need a float32 [out_features, in_features] weight"));
  }
  if (activations.dtype() != DType::kFloat32 || activations.rank() != 2 ||
      activations.shape()[1] != original.shape()[1]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "activations shape is ", ShapeToString(activations.shape()), "; must be [rows, ",
        original.shape()[1], "] to match the weight's in_features"));
  }
  const std::span<const float> x = activations.values<float>();
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("activations contain a non-finite value at index ", i));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OutputError> MeasureOutputError(const Tensor& original, const Tensor& updated,
                                               const Tensor& activations) {
  if (absl::Status status = ValidateOutputErrorInputs(original, updated, activations);
      !status.ok()) {
    return status;
  }
  const int64_t rows = original.shape()[0];
  const int64_t cols = original.shape()[1];
  const int64_t n = activations.shape()[0];
  Eigen::Map<const RowMajorF> w(original.values<float>().data(), rows, cols);
  Eigen::Map<const RowMajorF> w_new(updated.values<float>().data(), rows, cols);
  Eigen::Map<const RowMajorF> x(activations.values<float>().data(), n, cols);
  const RowMajorF delta = w_new - w;
  const double reference = (w * x.transpose()).cast<double>().squaredNorm();
  const double change = (delta * x.transpose()).cast<double>().squaredNorm();
  OutputError error;
  error.relative_error = reference > 0.0 ? change / reference : 0.0;
  error.loss_increase = change / static_cast<double>(n);
  return error;
}

}  // namespace modelpress
