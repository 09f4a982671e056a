#include "core/prune/n_m.h"

#include <cmath>
#include <vector>

#include "core/prune/validate.h"
#include "core/second_order/smallest_k.h"

namespace modelpress {

absl::StatusOr<int64_t> PruneNM(Tensor& weight, int n, int m) {
  if (absl::Status s = ValidateWeight(weight, /*matrix=*/true); !s.ok()) return s;
  if (absl::Status s = ValidateNM(n, m, weight.shape()[1]); !s.ok()) return s;
  std::span<float> values = weight.values<float>();
  std::vector<float> scores(m);
  std::vector<int64_t> picked;
  // Groups never straddle rows because in_features is a multiple of m.
  for (size_t g = 0; g < values.size(); g += m) {
    for (int i = 0; i < m; ++i) scores[i] = std::fabs(values[g + i]);
    SmallestK<float>(scores, n, picked);
    for (const int64_t i : picked) values[g + i] = 0.0f;
  }
  return static_cast<int64_t>(values.size() / m) * n;
}

}  // namespace modelpress
