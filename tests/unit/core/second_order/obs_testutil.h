// Shared helpers for the second-order tests: seeded random weights and correlated
// activations, and tensor <-> Eigen conversions.
#ifndef MODELPRESS_TESTS_UNIT_CORE_SECOND_ORDER_OBS_TESTUTIL_H_
#define MODELPRESS_TESTS_UNIT_CORE_SECOND_ORDER_OBS_TESTUTIL_H_

#include <cstdint>
#include <string>

#include "core/second_order/eigen.h"
#include "core/tensor/tensor.h"

namespace modelpress::testing {

using RowMajorMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Standard normal entries, [rows, cols] float32.
Tensor RandomTensor(int64_t rows, int64_t cols, uint32_t seed, std::string name = "w");
// Activations [rows, cols] with correlated columns and uneven column scales, so that H is
// far from diagonal.
Tensor CorrelatedActivations(int64_t rows, int64_t cols, uint32_t seed);
// 2 X^T X / N computed directly, in double.
Eigen::MatrixXd DirectHessian(const Tensor& activations);
// Row-major tensor as a double matrix.
Eigen::MatrixXd ToMatrix(const Tensor& t);
Tensor FromMatrix(const Eigen::MatrixXd& m, std::string name = "w");

}  // namespace modelpress::testing

#endif  // MODELPRESS_TESTS_UNIT_CORE_SECOND_ORDER_OBS_TESTUTIL_H_
