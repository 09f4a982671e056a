// PruneWanda: pruning by weights and activations (Sun et al. 2023).
//
// Score S_ij = |w_ij| * ||X_j||_2 with X_j input feature j over all calibration rows
// (HessianAccumulator::ColumnNorms). Each output row is its own comparison group: it
// loses its floor(sparsity * in_features) lowest-scoring weights (ties: lower index first).
// No update. This is OBD's saliency ranked per row instead of per layer.
#ifndef MODELPRESS_CORE_PRUNE_WANDA_H_
#define MODELPRESS_CORE_PRUNE_WANDA_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/second_order/eigen.h"
#include "core/tensor/tensor.h"

namespace modelpress {

// In place; returns the number of weights zeroed.
absl::StatusOr<int64_t> PruneWanda(Tensor& weight, const Eigen::VectorXd& column_norms,
                                   double sparsity);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_PRUNE_WANDA_H_
