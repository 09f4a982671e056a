// PruneObd: Optimal Brain Damage with the layer Hessian's diagonal (LeCun et al. 1989).
//
// Saliency of w_ij is 0.5 * H_jj * w_ij^2 with H_jj = diag(2 X^T X / N) from calibration
// activations (HessianAccumulator::HessianDiagonal). The floor(sparsity * numel) weights
// with the smallest saliency over the whole layer are zeroed (ties: lower index first);
// the others are not updated. Returns the predicted loss increase, the sum of the pruned
// saliencies (it ignores the Hessian's off-diagonal terms, which the measured loss keeps).
// Dead inputs (H_jj == 0) have zero saliency and so are pruned first.
#ifndef MODELPRESS_CORE_PRUNE_OBD_H_
#define MODELPRESS_CORE_PRUNE_OBD_H_

#include "absl/status/statusor.h"
#include "core/second_order/eigen.h"
#include "core/tensor/tensor.h"

namespace modelpress {

absl::StatusOr<double> PruneObd(Tensor& weight, const Eigen::VectorXd& hessian_diagonal,
                                double sparsity);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_PRUNE_OBD_H_
