#include "core/prune/validate.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace modelpress {

absl::Status ValidateSparsity(double sparsity) {
  if (!(sparsity >= 0.0 && sparsity < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sparsity is ", sparsity, "; must be in [0, 1)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateNM(int n, int m, int64_t in_features) {
  if (m < 2 || n < 1 || n >= m) {
    return absl::InvalidArgumentError(
        absl::StrCat("N:M is ", n, ":", m, "; need 1 <= n < m (n zeros in every m weights)"));
  }
  if (in_features % m != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("in_features is ", in_features, "; must be a multiple of m = ", m));
  }
  return absl::OkStatus();
}

absl::Status ValidateWeight(const Tensor& weight, bool matrix) {
  if (weight.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight dtype is ", DTypeName(weight.dtype()), "; must be float32"));
  }
  if (matrix && weight.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("weight shape is ",
                                                   ShapeToString(weight.shape()),
                                                   "; must be [out_features, in_features]"));
  }
  const std::span<const float> values = weight.values<float>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("weight value ", i, " is ", values[i], "; weights must be finite"));
    }
  }
  return absl::OkStatus();
}

}  // namespace modelpress
