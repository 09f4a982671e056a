// PruneNM: N:M semi-structured magnitude pruning along the input axis.
//
// In every row of a [out_features, in_features] matrix, each run of m consecutive input
// weights keeps its m - n largest |w| and loses the n smallest (ties: lower index first),
// so every group has exactly n zeros (2:4 and 4:8 are what sparse kernels accelerate).
// in_features must be a multiple of m and 1 <= n < m. In place; returns the zero count.
#ifndef MODELPRESS_CORE_PRUNE_N_M_H_
#define MODELPRESS_CORE_PRUNE_N_M_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/tensor/tensor.h"

namespace modelpress {

absl::StatusOr<int64_t> PruneNM(Tensor& weight, int n, int m);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_PRUNE_N_M_H_
