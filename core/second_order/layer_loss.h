// LayerLoss: how much a changed weight costs on the calibration activations, from H alone.
//
// With H = 2 X^T X / N and delta = W' - W (rows = output channels):
//   loss_increase          = 1/2 sum_rows delta H delta^T     (= ||delta X||^2 / N)
//   relative_error         = tr(delta H delta^T) / tr(W H W^T) (= ||WX - W'X||^2 / ||WX||^2),
//                            0 when tr(W H W^T) is 0
//   damped_loss_increase   = loss_increase with H's dead diagonals set to 1 and lambda added
// One GEMM of [W; delta] (2 d_row x d_col) by H, in Scalar precision.
#ifndef MODELPRESS_CORE_SECOND_ORDER_LAYER_LOSS_H_
#define MODELPRESS_CORE_SECOND_ORDER_LAYER_LOSS_H_

#include <cstdint>
#include <span>

#include "core/second_order/eigen.h"

namespace modelpress {

struct LayerLoss {
  double relative_error = 0.0;
  double loss_increase = 0.0;
  double damped_loss_increase = 0.0;
};

// `original` and `updated` are d_row x d_col (column-major); `dead_columns` and `lambda`
// describe the damping (see InverseCholesky); pass {} and 0 for the plain H.
template <typename Scalar>
LayerLoss ComputeLayerLoss(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& original,
                           const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& updated,
                           const Eigen::MatrixXd& hessian, std::span<const int64_t> dead_columns,
                           double lambda);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_LAYER_LOSS_H_
