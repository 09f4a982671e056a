#include "core/prune/magnitude.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/prune/validate.h"
#include "core/second_order/smallest_k.h"

namespace modelpress {
namespace {

int64_t CountToPrune(double sparsity, int64_t group_size) {
  return static_cast<int64_t>(std::floor(sparsity * static_cast<double>(group_size)));
}

// Zeroes the k smallest |w| of `values`; `scores` and `picked` are reusable scratch.
void PruneSmallest(std::span<float> values, int64_t k, std::vector<float>& scores,
                   std::vector<int64_t>& picked) {
  scores.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) scores[i] = std::fabs(values[i]);
  SmallestK<float>(scores, k, picked);
  for (const int64_t i : picked) values[i] = 0.0f;
}

}  // namespace

absl::StatusOr<int64_t> PruneByMagnitude(Tensor& weight, double sparsity) {
  if (absl::Status s = ValidateSparsity(sparsity); !s.ok()) return s;
  if (absl::Status s = ValidateWeight(weight, /*matrix=*/false); !s.ok()) return s;
  const int64_t k = CountToPrune(sparsity, weight.num_elements());
  std::vector<float> scores;
  std::vector<int64_t> picked;
  PruneSmallest(weight.values<float>(), k, scores, picked);
  return k;
}

absl::StatusOr<int64_t> PruneByMagnitudePerRow(Tensor& weight, double sparsity) {
  if (absl::Status s = ValidateSparsity(sparsity); !s.ok()) return s;
  if (absl::Status s = ValidateWeight(weight, /*matrix=*/true); !s.ok()) return s;
  const int64_t rows = weight.shape()[0];
  const int64_t cols = weight.shape()[1];
  const int64_t k = CountToPrune(sparsity, cols);
  std::vector<float> scores;
  std::vector<int64_t> picked;
  std::span<float> values = weight.values<float>();
  for (int64_t r = 0; r < rows; ++r)
    PruneSmallest(values.subspan(r * cols, cols), k, scores, picked);
  return k * rows;
}

absl::StatusOr<int64_t> PruneByMagnitudeGlobal(std::span<Tensor* const> weights, double sparsity) {
  if (absl::Status s = ValidateSparsity(sparsity); !s.ok()) return s;
  int64_t total = 0;
  for (size_t t = 0; t < weights.size(); ++t) {
    if (weights[t] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("weights[", t, "] is null"));
    }
    if (absl::Status s = ValidateWeight(*weights[t], /*matrix=*/false); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("weights[", t, "]: ", s.message()));
    }
    total += weights[t]->num_elements();
  }
  // One ranking over the concatenation; positions map back to (tensor, offset).
  std::vector<float> scores;
  scores.reserve(static_cast<size_t>(total));
  for (Tensor* const w : weights) {
    for (const float v : w->values<float>()) scores.push_back(std::fabs(v));
  }
  const int64_t k = CountToPrune(sparsity, total);
  std::vector<int64_t> picked;
  SmallestK<float>(scores, k, picked);
  std::vector<int64_t> offsets;
  int64_t offset = 0;
  for (Tensor* const w : weights) {
    offsets.push_back(offset);
    offset += w->num_elements();
  }
  for (const int64_t i : picked) {
    const size_t t = static_cast<size_t>(std::upper_bound(offsets.begin(), offsets.end(), i) -
                                         offsets.begin() - 1);
    weights[t]->values<float>()[i - offsets[t]] = 0.0f;
  }
  return k;
}

}  // namespace modelpress
