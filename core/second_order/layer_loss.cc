#include "core/second_order/layer_loss.h"

namespace modelpress {

template <typename Scalar>
LayerLoss ComputeLayerLoss(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& original,
                           const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& updated,
                           const Eigen::MatrixXd& hessian, std::span<const int64_t> dead_columns,
                           double lambda) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const int64_t rows = original.rows();
  // Both quadratic forms from one GEMM: [W; delta] * H.
  Matrix stacked(2 * rows, original.cols());
  stacked.topRows(rows) = original;
  stacked.bottomRows(rows) = updated - original;
  Matrix product(2 * rows, original.cols());
  product.noalias() = stacked * hessian.cast<Scalar>();
  const double reference =
      static_cast<double>(product.topRows(rows).cwiseProduct(stacked.topRows(rows)).sum());
  const double change =
      static_cast<double>(product.bottomRows(rows).cwiseProduct(stacked.bottomRows(rows)).sum());

  LayerLoss loss;
  loss.loss_increase = 0.5 * change;
  loss.relative_error = reference > 0.0 ? change / reference : 0.0;
  // Damping terms: dead columns have H_jj raised from 0 to 1, every column gets lambda.
  double dead_energy = 0.0;
  for (const int64_t j : dead_columns) {
    dead_energy += static_cast<double>(stacked.bottomRows(rows).col(j).squaredNorm());
  }
  const double delta_energy = static_cast<double>(stacked.bottomRows(rows).squaredNorm());
  loss.damped_loss_increase = 0.5 * (change + dead_energy + lambda * delta_energy);
  return loss;
}

template LayerLoss ComputeLayerLoss<float>(const Eigen::MatrixXf&, const Eigen::MatrixXf&,
                                           const Eigen::MatrixXd&, std::span<const int64_t>,
                                           double);
template LayerLoss ComputeLayerLoss<double>(const Eigen::MatrixXd&, const Eigen::MatrixXd&,
                                            const Eigen::MatrixXd&, std::span<const int64_t>,
                                            double);

}  // namespace modelpress
