// SparseGpt: one-shot pruning of a linear layer with OBS updates (Frantar & Alistarh 2023).
//
// The columns of W [out_features, in_features] are visited left to right (RunObsLoop);
// pruned weights go to 0 and the error is compensated on the columns still to the right.
//   unstructured: at the start of every block of block_size columns, the
//                 floor(sparsity * out_features * block) weights with the smallest
//                 w^2 / U_jj^2 in that block -- scored on the already-updated weights --
//                 are pruned (exact count per block; ties go to the lower index).
//   N:M:          (m > 0) at every column j with j % m == 0, each row prunes the n weights
//                 of columns j..j+m-1 with the smallest w^2 / U_jj^2 (updated weights);
//                 exactly n zeros in every group of m. in_features must be a multiple of m.
// Dead input columns (never active in calibration) are zeroed and count towards sparsity.
//
// Errors (INVALID_ARGUMENT): sparsity outside [0, 1); n or m out of range (need
// 1 <= n < m); weight not finite float32 rank 2; Hessian size != in_features; all-zero
// activations (every column dead: no information, nothing is changed).
#ifndef MODELPRESS_CORE_SECOND_ORDER_SPARSE_GPT_H_
#define MODELPRESS_CORE_SECOND_ORDER_SPARSE_GPT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/second_order/eigen.h"
#include "core/second_order/hessian_accumulator.h"
#include "core/second_order/obs_report.h"
#include "core/second_order/obs_solver.h"
#include "core/tensor/tensor.h"

namespace modelpress {

// damp_fraction, block_size and compute_layer_loss come from ObsSolveOptions.
struct SparseGptOptions : ObsSolveOptions {
  double sparsity = 0.5;  // unstructured; ignored when m > 0
  int n = 0;              // N:M: n zeros in every m consecutive inputs
  int m = 0;
  ObsPrecision precision = ObsPrecision::kFloat32;
};

struct SparseGptResult {
  Tensor weight;  // float32, same shape and name as the input
  ObsReport report;
};

absl::StatusOr<SparseGptResult> SparseGpt(const Tensor& weight, const Eigen::MatrixXd& hessian,
                                          const SparseGptOptions& options);
absl::StatusOr<SparseGptResult> SparseGpt(const Tensor& weight, const HessianAccumulator& hessian,
                                          const SparseGptOptions& options);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_SPARSE_GPT_H_
