#include "tests/unit/core/second_order/obs_testutil.h"

#include <random>

namespace modelpress::testing {

Tensor RandomTensor(int64_t rows, int64_t cols, uint32_t seed, std::string name) {
  Tensor t = Tensor::Create(std::move(name), DType::kFloat32, {rows, cols});
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : t.values<float>()) v = normal(rng);
  return t;
}

Tensor CorrelatedActivations(int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd mix(cols, cols);
  for (int64_t i = 0; i < cols; ++i) {
    for (int64_t j = 0; j < cols; ++j) mix(i, j) = (i == j ? 1.0 : 0.0) + 0.4 * normal(rng);
  }
  Tensor t = Tensor::Create("x", DType::kFloat32, {rows, cols});
  Eigen::Map<RowMajorMatrixXf> x(t.values<float>().data(), rows, cols);
  Eigen::MatrixXd z(rows, cols);
  for (int64_t i = 0; i < z.size(); ++i) z.data()[i] = normal(rng);
  Eigen::MatrixXd scaled = z * mix;
  for (int64_t j = 0; j < cols; ++j) scaled.col(j) *= 1.0 + 3.0 * (j % 5 == 0);
  x = scaled.cast<float>();
  return t;
}

Eigen::MatrixXd DirectHessian(const Tensor& activations) {
  const Eigen::MatrixXd x = ToMatrix(activations);
  return 2.0 / static_cast<double>(x.rows()) * x.transpose() * x;
}

Eigen::MatrixXd ToMatrix(const Tensor& t) {
  Eigen::Map<const RowMajorMatrixXf> m(t.values<float>().data(), t.shape()[0], t.shape()[1]);
  return m.cast<double>();
}

Tensor FromMatrix(const Eigen::MatrixXd& m, std::string name) {
  Tensor t = Tensor::Create(std::move(name), DType::kFloat32, {m.rows(), m.cols()});
  Eigen::Map<RowMajorMatrixXf> out(t.values<float>().data(), m.rows(), m.cols());
  out = m.cast<float>();
  return t;
}

}  // namespace modelpress::testing
