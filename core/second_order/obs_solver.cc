#include "core/second_order/obs_solver.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/second_order/inverse_cholesky.h"
#include "core/second_order/layer_loss.h"

namespace modelpress {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

absl::Status ValidateObsInputs(const Tensor& weight, const Eigen::MatrixXd& hessian,
                               const ObsSolveOptions& options) {
  if (weight.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight dtype is ", DTypeName(weight.dtype()), "; must be float32"));
  }
  if (weight.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("weight shape is ",
                                                   ShapeToString(weight.shape()),
                                                   "; must be [out_features, in_features]"));
  }
  if (hessian.rows() != weight.shape()[1] || hessian.cols() != weight.shape()[1]) {
    return absl::InvalidArgumentError(
        absl::StrCat("Hessian is ", hessian.rows(), "x", hessian.cols(), " but the weight has ",
                     weight.shape()[1], " in_features (activations' inner dimension must match)"));
  }
  const std::span<const float> values = weight.values<float>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat("weight[", i / weight.shape()[1], ", ",
                                                     i % weight.shape()[1], "] is ", values[i],
                                                     "; weights must be finite"));
    }
  }
  if (!(options.damp_fraction >= 0.0 && options.damp_fraction <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("damp_fraction is ", options.damp_fraction, "; must be in [0, 1]"));
  }
  if (options.block_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("block_size is ", options.block_size, "; must be >= 1"));
  }
  return absl::OkStatus();
}

template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> ToColumnMajor(const Tensor& weight) {
  using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const RowMajorF> map(weight.values<float>().data(), weight.shape()[0],
                                  weight.shape()[1]);
  return map.cast<Scalar>();
}

template <typename Scalar>
Tensor FromColumnMajor(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                       std::string name) {
  using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Tensor out = Tensor::Create(std::move(name), DType::kFloat32, {w.rows(), w.cols()});
  Eigen::Map<RowMajorF> map(out.values<float>().data(), w.rows(), w.cols());
  map = w.template cast<float>();
  return out;
}

template <typename Scalar>
absl::StatusOr<ObsReport> SolveObs(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                                   const Eigen::MatrixXd& hessian, const ObsSolveOptions& options,
                                   ObsTarget<Scalar>& target) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  ObsReport report;
  if (w.cols() % std::max<int64_t>(1, target.alignment()) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("in_features is ", w.cols(), "; must be a multiple of ", target.alignment()));
  }

  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<InverseCholesky> factor = ComputeInverseCholesky(hessian, options.damp_fraction);
  if (!factor.ok()) return factor.status();
  const Matrix u = factor->upper.template cast<Scalar>();
  factor->upper.resize(0, 0);
  report.factorization_seconds = SecondsSince(start);
  report.dead_columns = static_cast<int64_t>(factor->dead_columns.size());
  report.damp_lambda = factor->lambda;
  report.damp_fraction = factor->damp_fraction;
  report.factorization_attempts = factor->attempts;

  // Reference handling of inputs never active in calibration: their weights are zeroed.
  // The calibration rows never exercise them, so W X is unchanged; `original` is taken
  // afterwards so that the damped-loss identity measures the column loop alone.
  for (const int64_t j : factor->dead_columns) w.col(j).setZero();
  Matrix original;
  if (options.compute_layer_loss) original = w;

  start = std::chrono::steady_clock::now();
  const ObsLoopStats stats = RunObsLoop<Scalar>(w, u, options.block_size, target);
  report.update_seconds = SecondsSince(start);
  report.gemm_seconds = stats.gemm_seconds;
  report.gemm_gflops_per_second =
      stats.gemm_seconds > 0.0 ? stats.gemm_flops / stats.gemm_seconds * 1e-9 : 0.0;
  report.block_size = stats.block_size;
  report.predicted_loss_increase = stats.predicted_loss;

  if (!w.allFinite()) {
    return absl::InternalError("OBS update produced a non-finite weight");
  }
  report.achieved_sparsity =
      static_cast<double>((w.array() == Scalar(0)).count()) / static_cast<double>(w.size());

  if (options.compute_layer_loss) {
    start = std::chrono::steady_clock::now();
    const LayerLoss loss =
        ComputeLayerLoss<Scalar>(original, w, hessian, factor->dead_columns, factor->lambda);
    report.relative_reconstruction_error = loss.relative_error;
    report.measured_loss_increase = loss.loss_increase;
    report.measured_damped_loss_increase = loss.damped_loss_increase;
    report.layer_loss_seconds = SecondsSince(start);
  }
  return report;
}

template Eigen::MatrixXf ToColumnMajor<float>(const Tensor&);
template Eigen::MatrixXd ToColumnMajor<double>(const Tensor&);
template Tensor FromColumnMajor<float>(const Eigen::MatrixXf&, std::string);
template Tensor FromColumnMajor<double>(const Eigen::MatrixXd&, std::string);
template absl::StatusOr<ObsReport> SolveObs<float>(Eigen::MatrixXf&, const Eigen::MatrixXd&,
                                                   const ObsSolveOptions&, ObsTarget<float>&);
template absl::StatusOr<ObsReport> SolveObs<double>(Eigen::MatrixXd&, const Eigen::MatrixXd&,
                                                    const ObsSolveOptions&, ObsTarget<double>&);

}  // namespace modelpress
