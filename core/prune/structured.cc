#include "core/prune/structured.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/prune/validate.h"
#include "core/second_order/smallest_k.h"

namespace modelpress {

absl::StatusOr<int64_t> PruneStructuredRows(Tensor& weight, double sparsity, RowNorm norm) {
  if (absl::Status s = ValidateSparsity(sparsity); !s.ok()) return s;
  if (absl::Status s = ValidateWeight(weight, /*matrix=*/true); !s.ok()) return s;
  const int64_t rows = weight.shape()[0];
  const int64_t cols = weight.shape()[1];
  std::span<float> values = weight.values<float>();
  std::vector<double> norms(rows, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const double v = values[r * cols + c];
      norms[r] += norm == RowNorm::kL1 ? std::fabs(v) : v * v;
    }
  }
  const auto k = static_cast<int64_t>(std::floor(sparsity * static_cast<double>(rows)));
  std::vector<int64_t> picked;
  SmallestK<double>(norms, k, picked);
  for (const int64_t r : picked) {
    std::fill(values.begin() + r * cols, values.begin() + (r + 1) * cols, 0.0f);
  }
  return k;
}

}  // namespace modelpress
