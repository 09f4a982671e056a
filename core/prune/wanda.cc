#include "core/prune/wanda.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/prune/validate.h"
#include "core/second_order/smallest_k.h"

namespace modelpress {

absl::StatusOr<int64_t> PruneWanda(Tensor& weight, const Eigen::VectorXd& column_norms,
                                   double sparsity) {
  if (absl::Status s = ValidateSparsity(sparsity); !s.ok()) return s;
  if (absl::Status s = ValidateWeight(weight, /*matrix=*/true); !s.ok()) return s;
  const int64_t rows = weight.shape()[0];
  const int64_t cols = weight.shape()[1];
  if (column_norms.size() != cols) {
    return absl::InvalidArgumentError(absl::StrCat("activation column norms have ",
                                                   column_norms.size(), " entries; the weight has ",
                                                   cols, " in_features"));
  }
  const auto k = static_cast<int64_t>(std::floor(sparsity * static_cast<double>(cols)));
  std::span<float> values = weight.values<float>();
  std::vector<double> scores(cols);
  std::vector<int64_t> picked;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = values.data() + r * cols;
    for (int64_t c = 0; c < cols; ++c) scores[c] = std::fabs(row[c]) * column_norms[c];
    SmallestK<double>(scores, k, picked);
    for (const int64_t c : picked) row[c] = 0.0f;
  }
  return k * rows;
}

}  // namespace modelpress
