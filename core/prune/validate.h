// Argument checks shared by the pruners. Each returns INVALID_ARGUMENT naming the field
// and its limit ("sparsity is 1.2; must be in [0, 1)").
#ifndef MODELPRESS_CORE_PRUNE_VALIDATE_H_
#define MODELPRESS_CORE_PRUNE_VALIDATE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "core/tensor/tensor.h"

namespace modelpress {

// sparsity in [0, 1).
absl::Status ValidateSparsity(double sparsity);
// 1 <= n < m, and in_features a multiple of m.
absl::Status ValidateNM(int n, int m, int64_t in_features);
// float32 with finite values; rank 2 ([out_features, in_features]) when `matrix`.
absl::Status ValidateWeight(const Tensor& weight, bool matrix);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_PRUNE_VALIDATE_H_
