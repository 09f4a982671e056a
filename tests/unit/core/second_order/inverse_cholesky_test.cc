#include "core/second_order/inverse_cholesky.h"

#include "gtest/gtest.h"
#include "tests/unit/core/second_order/obs_testutil.h"

namespace modelpress {
namespace {

TEST(InverseCholeskyTest, UpperFactorOfDampedInverse) {
  const Eigen::MatrixXd h = testing::DirectHessian(testing::CorrelatedActivations(200, 10, 5));
  const absl::StatusOr<InverseCholesky> f = ComputeInverseCholesky(h, 0.01);
  ASSERT_TRUE(f.ok()) << f.status();
  const double lambda = 0.01 * h.diagonal().mean();
  EXPECT_DOUBLE_EQ(f->lambda, lambda);
  EXPECT_EQ(f->attempts, 1);
  EXPECT_TRUE(f->dead_columns.empty());
  const Eigen::MatrixXd& u = f->upper;
  EXPECT_EQ(u.triangularView<Eigen::StrictlyLower>().toDenseMatrix().norm(), 0.0);
  EXPECT_TRUE((u.diagonal().array() > 0).all());
  const Eigen::MatrixXd damped = h + lambda * Eigen::MatrixXd::Identity(10, 10);
  EXPECT_LT((u.transpose() * u * damped - Eigen::MatrixXd::Identity(10, 10)).norm(), 1e-10);
  // Equals the reference construction chol(inv(H), upper).
  const Eigen::MatrixXd inv = damped.inverse();
  const Eigen::MatrixXd reference = inv.llt().matrixU();
  EXPECT_LT((u - reference).norm(), 1e-10 * reference.norm());
}

TEST(InverseCholeskyTest, DeadColumnsGetUnitDiagonal) {
  Eigen::MatrixXd h = testing::DirectHessian(testing::CorrelatedActivations(100, 6, 6));
  h.row(2).setZero();
  h.col(2).setZero();
  const absl::StatusOr<InverseCholesky> f = ComputeInverseCholesky(h, 0.01);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->dead_columns, std::vector<int64_t>{2});
  Eigen::MatrixXd fixed = h;
  fixed(2, 2) = 1.0;
  EXPECT_DOUBLE_EQ(f->lambda, 0.01 * fixed.diagonal().mean());
  const Eigen::MatrixXd damped = DampedHessian(h, *f);
  EXPECT_LT((f->upper.transpose() * f->upper * damped - Eigen::MatrixXd::Identity(6, 6)).norm(),
            1e-10);
}

TEST(InverseCholeskyTest, RetryRestoresOriginalDiagonal) {
  // Eigenvalues -0.02 and 2.02: 1% of the mean diagonal is not enough, 10% is.
  Eigen::MatrixXd h(2, 2);
  h << 1.0, 1.02, 1.02, 1.0;
  const absl::StatusOr<InverseCholesky> f = ComputeInverseCholesky(h, 0.01);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->attempts, 2);
  EXPECT_DOUBLE_EQ(f->damp_fraction, 0.1);
  EXPECT_DOUBLE_EQ(f->lambda, 0.1);  // not 0.01 + 0.1: no compounding
  const Eigen::MatrixXd damped = h + 0.1 * Eigen::MatrixXd::Identity(2, 2);
  EXPECT_LT((f->upper.transpose() * f->upper * damped - Eigen::MatrixXd::Identity(2, 2)).norm(),
            1e-12);
}

TEST(InverseCholeskyTest, AllDeadIsAnError) {
  const absl::StatusOr<InverseCholesky> f =
      ComputeInverseCholesky(Eigen::MatrixXd::Zero(4, 4), 0.01);
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("all zero"), std::string::npos) << f.status();
}

TEST(InverseCholeskyTest, RejectsBadDampingAndShapes) {
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(3, 3);
  EXPECT_EQ(ComputeInverseCholesky(h, -0.1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeInverseCholesky(h, 1.5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeInverseCholesky(Eigen::MatrixXd::Identity(3, 2), 0.01).status().code(),
            absl::StatusCode::kInvalidArgument);
  Eigen::MatrixXd nan = h;
  nan(1, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(ComputeInverseCholesky(nan, 0.01).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(InverseCholeskyTest, NegativeDefiniteFailsAfterRetries) {
  const absl::StatusOr<InverseCholesky> f =
      ComputeInverseCholesky(-Eigen::MatrixXd::Identity(3, 3), 0.01, 3);
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("not positive definite"), std::string::npos);
}

}  // namespace
}  // namespace modelpress
