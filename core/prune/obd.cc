#include "core/prune/obd.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/prune/validate.h"
#include "core/second_order/smallest_k.h"

namespace modelpress {

absl::StatusOr<double> PruneObd(Tensor& weight, const Eigen::VectorXd& hessian_diagonal,
                                double sparsity) {
  if (absl::Status s = ValidateSparsity(sparsity); !s.ok()) return s;
  if (absl::Status s = ValidateWeight(weight, /*matrix=*/true); !s.ok()) return s;
  const int64_t rows = weight.shape()[0];
  const int64_t cols = weight.shape()[1];
  if (hessian_diagonal.size() != cols) {
    return absl::InvalidArgumentError(absl::StrCat("Hessian diagonal has ", hessian_diagonal.size(),
                                                   " entries; the weight has ", cols,
                                                   " in_features"));
  }
  std::span<float> values = weight.values<float>();
  std::vector<double> saliency(values.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const double w = values[r * cols + c];
      saliency[r * cols + c] = 0.5 * hessian_diagonal[c] * w * w;
    }
  }
  const auto k = static_cast<int64_t>(std::floor(sparsity * static_cast<double>(values.size())));
  std::vector<int64_t> picked;
  SmallestK<double>(saliency, k, picked);
  double predicted = 0.0;
  for (const int64_t i : picked) {
    predicted += saliency[i];
    values[i] = 0.0f;
  }
  return predicted;
}

}  // namespace modelpress
