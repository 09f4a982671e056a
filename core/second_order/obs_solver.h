// SolveObs: one OBS problem end to end, shared by SparseGPT and GPTQ.
//
// Factorises H (InverseCholesky: dead columns, relative damping with retry), zeroes the
// weights of dead columns, runs the column loop (RunObsLoop) with the caller's target and
// fills an ObsReport (sparsity, reconstruction error, predicted vs measured loss, timings).
// Also the checks and layout conversions both callers need.
#ifndef MODELPRESS_CORE_SECOND_ORDER_OBS_SOLVER_H_
#define MODELPRESS_CORE_SECOND_ORDER_OBS_SOLVER_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/second_order/eigen.h"
#include "core/second_order/obs_loop.h"
#include "core/second_order/obs_report.h"
#include "core/tensor/tensor.h"

namespace modelpress {

struct ObsSolveOptions {
  double damp_fraction = 0.01;  // of mean(diag H); in [0, 1]
  int64_t block_size = 128;     // >= 1
  bool compute_layer_loss = true;
};

// INVALID_ARGUMENT unless `weight` is a finite float32 [d_row, d_col] tensor and `hessian`
// is d_col x d_col, and the options are in range.
absl::Status ValidateObsInputs(const Tensor& weight, const Eigen::MatrixXd& hessian,
                               const ObsSolveOptions& options);

// Row-major float32 [d_row, d_col] tensor <-> column-major Scalar matrix.
template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> ToColumnMajor(const Tensor& weight);
template <typename Scalar>
Tensor FromColumnMajor(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                       std::string name);

// Runs the problem in place on `w` (the original weight on entry, the result on exit).
// Inputs must have passed ValidateObsInputs.
template <typename Scalar>
absl::StatusOr<ObsReport> SolveObs(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                                   const Eigen::MatrixXd& hessian, const ObsSolveOptions& options,
                                   ObsTarget<Scalar>& target);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_OBS_SOLVER_H_
