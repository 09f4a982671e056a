#include "core/second_order/hessian_accumulator.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "tests/unit/core/second_order/obs_testutil.h"

namespace modelpress {
namespace {

using ::modelpress::testing::CorrelatedActivations;
using ::modelpress::testing::DirectHessian;

TEST(HessianAccumulatorTest, EqualsTwoXtXOverN) {
  const Tensor x = CorrelatedActivations(300, 12, 1);
  HessianAccumulator acc(12);
  ASSERT_TRUE(acc.AddBatch(x).ok());
  const Eigen::MatrixXd h = *acc.Hessian();
  const Eigen::MatrixXd expected = DirectHessian(x);
  EXPECT_LT((h - expected).norm(), 1e-12 * expected.norm());
  EXPECT_EQ((h - h.transpose()).norm(), 0.0);
}

TEST(HessianAccumulatorTest, StreamingBatchesMatchOneShot) {
  const Tensor x = CorrelatedActivations(700, 9, 2);  // 700 > one 256-row chunk
  HessianAccumulator one(9);
  ASSERT_TRUE(one.AddBatch(x).ok());
  HessianAccumulator streamed(9);
  const std::span<const float> all = x.values<float>();
  ASSERT_TRUE(streamed.AddBatch(all.subspan(0, 9 * 5), 5).ok());
  ASSERT_TRUE(streamed.AddBatch(all.subspan(9 * 5, 9 * 400), 400).ok());
  ASSERT_TRUE(streamed.AddBatch(all.subspan(9 * 405), 295).ok());
  EXPECT_EQ(streamed.num_rows(), 700);
  EXPECT_LT((*one.Hessian() - *streamed.Hessian()).norm(), 1e-12 * one.Hessian()->norm());
}

TEST(HessianAccumulatorTest, DiagonalOnlyKeepsDiagonalAndNorms) {
  const Tensor x = CorrelatedActivations(50, 7, 3);
  HessianAccumulator full(7);
  HessianAccumulator diag(7, /*diagonal_only=*/true);
  ASSERT_TRUE(full.AddBatch(x).ok());
  ASSERT_TRUE(diag.AddBatch(x).ok());
  EXPECT_LT((full.Hessian()->diagonal() - *diag.HessianDiagonal()).norm(), 1e-12);
  EXPECT_EQ(diag.Hessian().status().code(), absl::StatusCode::kFailedPrecondition);
  const Eigen::VectorXd norms = diag.ColumnNorms();
  const Eigen::MatrixXd xm = testing::ToMatrix(x);
  for (int j = 0; j < 7; ++j) EXPECT_NEAR(norms[j], xm.col(j).norm(), 1e-9);
}

TEST(HessianAccumulatorTest, RejectsWrongInnerDimension) {
  HessianAccumulator acc(8);
  const Tensor x = CorrelatedActivations(10, 7, 4);
  const absl::Status status = acc.AddBatch(x);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("in_features"), std::string::npos) << status;
  EXPECT_EQ(acc.num_rows(), 0);
}

TEST(HessianAccumulatorTest, RejectsNonFiniteAndAddsNothing) {
  HessianAccumulator acc(3);
  const float rows[] = {1, 2, 3, 4, std::numeric_limits<float>::quiet_NaN(), 6};
  EXPECT_EQ(acc.AddBatch(rows, 2).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc.AddBatch(std::span<const float>(rows, 5), 2).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(acc.num_rows(), 0);
  EXPECT_EQ(acc.Hessian().status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace modelpress
