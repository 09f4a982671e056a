// InverseCholesky: the damped, dead-column-safe upper Cholesky factor of H^-1 that drives
// the OBS column loop (SparseGPT, GPTQ).
//
// Steps, following the reference code:
//   1. dead columns (H_jj == 0: an input never active in calibration) get H_jj = 1; the
//      caller zeroes the matching weights (they count towards sparsity);
//   2. lambda = damp_fraction * mean(diag H) is added to the diagonal;
//   3. U upper triangular with (H + lambda I)^-1 = U^T U, computed without forming H^-1:
//      with J the reversal permutation, J H J = M M^T (lower Cholesky) and U = J M^-1 J.
// If the Cholesky fails (H not positive definite, e.g. rounding in a rank-deficient H) the
// damping is retried from the ORIGINAL diagonal with damp_fraction x10 (never compounded),
// at most `max_attempts` times.
//
// Errors: INVALID_ARGUMENT when H is not square, is not finite, every column is dead
// (all-zero activations carry no information; no weights are changed), or the factorisation
// still fails after the last attempt; damp_fraction must be in [0, 1].
#ifndef MODELPRESS_CORE_SECOND_ORDER_INVERSE_CHOLESKY_H_
#define MODELPRESS_CORE_SECOND_ORDER_INVERSE_CHOLESKY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/second_order/eigen.h"

namespace modelpress {

struct InverseCholesky {
  Eigen::MatrixXd upper;              // U; zero below the diagonal
  std::vector<int64_t> dead_columns;  // ascending
  double lambda = 0.0;                // absolute damping added to every H_jj
  double damp_fraction = 0.0;         // lambda / mean(diag H) actually used
  int attempts = 0;                   // Cholesky attempts made (1 = no retry)
};

absl::StatusOr<InverseCholesky> ComputeInverseCholesky(const Eigen::MatrixXd& hessian,
                                                       double damp_fraction, int max_attempts = 6);

// The matrix the OBS loop actually minimises against: H with dead diagonals set to 1 and
// lambda added. For reports and tests.
Eigen::MatrixXd DampedHessian(const Eigen::MatrixXd& hessian, const InverseCholesky& factor);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_INVERSE_CHOLESKY_H_
