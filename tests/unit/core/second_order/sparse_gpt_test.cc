#include "core/second_order/sparse_gpt.h"

#include <cmath>
#include <limits>

#include "core/second_order/inverse_cholesky.h"
#include "core/second_order/layer_loss.h"
#include "core/second_order/obs_loop.h"
#include "gtest/gtest.h"
#include "tests/unit/core/second_order/obs_testutil.h"

namespace modelpress {
namespace {

using ::modelpress::testing::CorrelatedActivations;
using ::modelpress::testing::DirectHessian;
using ::modelpress::testing::RandomTensor;
using ::modelpress::testing::ToMatrix;

// Prunes a single weight (row `row`, column 0) and keeps every other weight where it is.
class PruneOneTarget final : public ObsTarget<double> {
 public:
  explicit PruneOneTarget(int64_t row) : row_(row) {}
  void ColumnTarget(int64_t col, int64_t row_begin, const ConstView& ahead,
                    const Eigen::Ref<const Vector>&, Eigen::Ref<Vector> target) override {
    target = ahead.col(0);
    if (col == 0 && row_ >= row_begin && row_ < row_begin + ahead.rows()) {
      target[row_ - row_begin] = 0.0;
    }
  }

 private:
  int64_t row_;
};

TEST(ObsLoopTest, OneWeightRemovedEqualsLeastSquaresOptimum) {
  const Tensor x_t = CorrelatedActivations(40, 6, 11);
  const Eigen::MatrixXd x = ToMatrix(x_t);
  const Eigen::MatrixXd h = DirectHessian(x_t);
  const Eigen::MatrixXd w0 = ToMatrix(RandomTensor(3, 6, 12));

  for (const int64_t block : {1, 2, 128}) {
    const absl::StatusOr<InverseCholesky> f = ComputeInverseCholesky(h, /*damp_fraction=*/0.0);
    ASSERT_TRUE(f.ok()) << f.status();
    Eigen::MatrixXd w = w0;
    PruneOneTarget target(/*row=*/1);
    const ObsLoopStats stats = RunObsLoop<double>(w, f->upper, block, target);

    // Brute force: the best row 1 with w_0 = 0, by least squares on the remaining inputs.
    const Eigen::VectorXd y = x * w0.row(1).transpose();
    const Eigen::MatrixXd x_free = x.rightCols(5);
    const Eigen::VectorXd best = x_free.colPivHouseholderQr().solve(y);
    EXPECT_EQ(w(1, 0), 0.0);
    for (int j = 0; j < 5; ++j) EXPECT_NEAR(w(1, j + 1), best[j], 1e-6) << "block " << block;
    // The other rows are untouched.
    EXPECT_EQ((w.row(0) - w0.row(0)).norm(), 0.0);
    EXPECT_EQ((w.row(2) - w0.row(2)).norm(), 0.0);

    // OBS saliency w_q^2 / (2 [H^-1]_qq) and the measured 1/2 delta^T H delta agree with it.
    const double hinv_qq = h.inverse()(0, 0);
    const double saliency = w0(1, 0) * w0(1, 0) / (2.0 * hinv_qq);
    const Eigen::VectorXd delta = (w.row(1) - w0.row(1)).transpose();
    EXPECT_NEAR(stats.predicted_loss, saliency, 1e-10 * saliency);
    EXPECT_NEAR(0.5 * delta.dot(h * delta), saliency, 1e-10 * saliency);
    const double brute_loss = (y - x_free * best).squaredNorm() / static_cast<double>(x.rows());
    EXPECT_NEAR(stats.predicted_loss, brute_loss, 1e-9 * brute_loss);
  }
}

TEST(ObsLoopTest, OneWeightRemovedWithDampingEqualsClosedForm) {
  const Eigen::MatrixXd h = DirectHessian(CorrelatedActivations(30, 5, 13));
  const Eigen::MatrixXd w0 = ToMatrix(RandomTensor(1, 5, 14));
  const absl::StatusOr<InverseCholesky> f = ComputeInverseCholesky(h, 0.01);
  ASSERT_TRUE(f.ok());
  Eigen::MatrixXd w = w0;
  PruneOneTarget target(0);
  RunObsLoop<double>(w, f->upper, 128, target);
  // Hassibi & Stork: delta = -(w_q / [H^-1]_qq) H^-1 e_q with the damped H.
  const Eigen::MatrixXd hinv = DampedHessian(h, *f).inverse();
  const Eigen::VectorXd expected = w0.row(0).transpose() - w0(0, 0) / hinv(0, 0) * hinv.col(0);
  EXPECT_LT((w.row(0).transpose() - expected).norm(), 1e-12);
}

SparseGptOptions DoubleOptions(double sparsity, int64_t block) {
  SparseGptOptions o;
  o.sparsity = sparsity;
  o.block_size = block;
  o.precision = ObsPrecision::kFloat64;
  return o;
}

TEST(SparseGptTest, PredictedLossEqualsDampedQuadraticForm) {
  const Tensor x = CorrelatedActivations(256, 48, 21);
  const Eigen::MatrixXd h = DirectHessian(x);
  const Tensor w = RandomTensor(16, 48, 22);
  for (const int64_t block : {1, 4, 16, 128}) {
    absl::StatusOr<SparseGptResult> r = SparseGpt(w, h, DoubleOptions(0.5, block));
    ASSERT_TRUE(r.ok()) << r.status();
    const ObsReport& rep = r->report;
    EXPECT_GT(rep.predicted_loss_increase, 0.0);
    EXPECT_NEAR(rep.predicted_loss_increase, rep.measured_damped_loss_increase,
                1e-11 * rep.predicted_loss_increase)
        << "block " << block;
    // Against the undamped H the true loss is lower by 1/2 lambda ||delta||^2.
    EXPECT_LT(rep.measured_loss_increase, rep.measured_damped_loss_increase);
    // Independent check from the float32 output (float rounding only).
    const Eigen::MatrixXd delta = ToMatrix(r->weight) - ToMatrix(w);
    const double direct = 0.5 * (delta * (h + rep.damp_lambda * Eigen::MatrixXd::Identity(48, 48)) *
                                 delta.transpose())
                                    .trace();
    EXPECT_NEAR(direct, rep.predicted_loss_increase, 1e-5 * direct);
  }
  SparseGptOptions nm = DoubleOptions(0.0, 128);
  nm.n = 2;
  nm.m = 4;
  absl::StatusOr<SparseGptResult> r = SparseGpt(w, h, nm);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->report.predicted_loss_increase, r->report.measured_damped_loss_increase,
              1e-11 * r->report.predicted_loss_increase);
}

TEST(SparseGptTest, IsotropicHessianIsPerBlockMagnitude) {
  const Eigen::MatrixXd h = 3.0 * Eigen::MatrixXd::Identity(64, 64);
  const Tensor w = RandomTensor(8, 64, 23);
  const int64_t block = 16;
  absl::StatusOr<SparseGptResult> r = SparseGpt(w, h, DoubleOptions(0.5, block));
  ASSERT_TRUE(r.ok()) << r.status();
  // Per block: the 64 smallest |w| of the 8 x 16 block are zeroed, the rest unchanged.
  const Eigen::MatrixXd w0 = ToMatrix(w);
  Eigen::MatrixXd expected = w0;
  for (int64_t c0 = 0; c0 < 64; c0 += block) {
    std::vector<double> mags;
    for (int64_t c = c0; c < c0 + block; ++c) {
      for (int64_t row = 0; row < 8; ++row) mags.push_back(std::fabs(w0(row, c)));
    }
    std::nth_element(mags.begin(), mags.begin() + 63, mags.end());
    const double threshold = mags[63];
    for (int64_t c = c0; c < c0 + block; ++c) {
      for (int64_t row = 0; row < 8; ++row) {
        if (std::fabs(w0(row, c)) <= threshold) expected(row, c) = 0.0;
      }
    }
  }
  EXPECT_EQ((ToMatrix(r->weight) - expected).norm(), 0.0);
  EXPECT_DOUBLE_EQ(r->report.achieved_sparsity, 0.5);
}

TEST(SparseGptTest, ExactSparsityPerBlock) {
  const Tensor x = CorrelatedActivations(200, 64, 24);
  const Tensor w = RandomTensor(10, 64, 25);
  SparseGptOptions o;
  o.sparsity = 0.3;
  o.block_size = 32;
  absl::StatusOr<SparseGptResult> r = SparseGpt(w, DirectHessian(x), o);
  ASSERT_TRUE(r.ok()) << r.status();
  const Eigen::MatrixXd out = ToMatrix(r->weight);
  for (int64_t c0 = 0; c0 < 64; c0 += 32) {
    EXPECT_EQ((out.middleCols(c0, 32).array() == 0.0).count(), 96);  // floor(0.3 * 320)
  }
  EXPECT_TRUE(out.allFinite());
}

TEST(SparseGptTest, NMasksHaveExactlyNZerosPerGroup) {
  const Tensor x = CorrelatedActivations(200, 64, 26);
  const Tensor w = RandomTensor(12, 64, 27);
  for (const auto& [n, m] : {std::pair{2, 4}, std::pair{4, 8}, std::pair{1, 4}}) {
    for (const int64_t block : {128, 8, 20}) {
      SparseGptOptions o;
      o.n = n;
      o.m = m;
      o.block_size = block;
      absl::StatusOr<SparseGptResult> r = SparseGpt(w, DirectHessian(x), o);
      ASSERT_TRUE(r.ok()) << r.status();
      const Eigen::MatrixXd out = ToMatrix(r->weight);
      for (int64_t row = 0; row < 12; ++row) {
        for (int64_t g = 0; g < 64; g += m) {
          EXPECT_EQ((out.row(row).segment(g, m).array() == 0.0).count(), n)
              << n << ":" << m << " row " << row << " group " << g;
        }
      }
      EXPECT_DOUBLE_EQ(r->report.achieved_sparsity, static_cast<double>(n) / m);
    }
  }
}

TEST(SparseGptTest, FloatMatchesDouble) {
  const Tensor x = CorrelatedActivations(300, 40, 28);
  const Tensor w = RandomTensor(20, 40, 29);
  SparseGptOptions f;
  SparseGptOptions d = f;
  d.precision = ObsPrecision::kFloat64;
  absl::StatusOr<SparseGptResult> rf = SparseGpt(w, DirectHessian(x), f);
  absl::StatusOr<SparseGptResult> rd = SparseGpt(w, DirectHessian(x), d);
  ASSERT_TRUE(rf.ok() && rd.ok());
  EXPECT_NEAR(rf->report.relative_reconstruction_error, rd->report.relative_reconstruction_error,
              1e-4 * rd->report.relative_reconstruction_error);
}

TEST(SparseGptTest, BeatsMagnitudeOnCorrelatedInputs) {
  const Tensor x = CorrelatedActivations(400, 64, 30);
  const Tensor w = RandomTensor(32, 64, 31);
  absl::StatusOr<SparseGptResult> r = SparseGpt(w, DirectHessian(x), SparseGptOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->report.relative_reconstruction_error, 0.0);
  EXPECT_LT(r->report.relative_reconstruction_error, 1.0);
}

TEST(SparseGptTest, RejectsBadSparsity) {
  const Tensor w = RandomTensor(4, 8, 32);
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(8, 8);
  for (const double s : {-0.1, 1.0, 1.2, std::numeric_limits<double>::quiet_NaN()}) {
    SparseGptOptions o;
    o.sparsity = s;
    const absl::Status status = SparseGpt(w, h, o).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(status.message().find("sparsity"), std::string::npos) << status;
  }
}

TEST(SparseGptTest, RejectsBadNM) {
  const Tensor w = RandomTensor(4, 8, 33);
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(8, 8);
  for (const auto& [n, m] :
       {std::pair{4, 4}, std::pair{5, 4}, std::pair{0, 4}, std::pair{2, 3}, std::pair{1, 1}}) {
    SparseGptOptions o;
    o.n = n;
    o.m = m;
    EXPECT_EQ(SparseGpt(w, h, o).status().code(), absl::StatusCode::kInvalidArgument)
        << n << ":" << m;
  }
}

TEST(SparseGptTest, RejectsInnerDimensionMismatch) {
  const Tensor w = RandomTensor(4, 8, 34);
  const absl::Status status =
      SparseGpt(w, Eigen::MatrixXd::Identity(7, 7), SparseGptOptions{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("in_features"), std::string::npos) << status;
  HessianAccumulator acc(7);
  ASSERT_TRUE(acc.AddBatch(CorrelatedActivations(10, 7, 35)).ok());
  EXPECT_EQ(SparseGpt(w, acc, SparseGptOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SparseGptTest, AllZeroActivationsAreAnErrorNotNaN) {
  Tensor x = Tensor::Create("x", DType::kFloat32, {16, 8});
  for (float& v : x.values<float>()) v = 0.0f;
  HessianAccumulator acc(8);
  ASSERT_TRUE(acc.AddBatch(x).ok());
  const absl::StatusOr<SparseGptResult> r =
      SparseGpt(RandomTensor(4, 8, 36), acc, SparseGptOptions{});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("all zero"), std::string::npos) << r.status();
}

TEST(SparseGptTest, DeadColumnsAreZeroedAndFinite) {
  Tensor x = CorrelatedActivations(100, 16, 37);
  std::span<float> xs = x.values<float>();
  for (int64_t row = 0; row < 100; ++row) xs[row * 16 + 3] = xs[row * 16 + 9] = 0.0f;
  HessianAccumulator acc(16);
  ASSERT_TRUE(acc.AddBatch(x).ok());
  SparseGptOptions o;
  o.sparsity = 0.25;
  absl::StatusOr<SparseGptResult> r = SparseGpt(RandomTensor(6, 16, 38), acc, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->report.dead_columns, 2);
  const Eigen::MatrixXd out = ToMatrix(r->weight);
  EXPECT_TRUE(out.allFinite());
  EXPECT_EQ(out.col(3).norm(), 0.0);
  EXPECT_EQ(out.col(9).norm(), 0.0);
  EXPECT_GE(r->report.achieved_sparsity, 0.25);
}

TEST(SparseGptTest, RejectsNonFiniteWeightsAndBadOptions) {
  Tensor w = RandomTensor(4, 8, 39);
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(8, 8);
  SparseGptOptions bad_block;
  bad_block.block_size = 0;
  EXPECT_EQ(SparseGpt(w, h, bad_block).status().code(), absl::StatusCode::kInvalidArgument);
  SparseGptOptions bad_damp;
  bad_damp.damp_fraction = 2.0;
  EXPECT_EQ(SparseGpt(w, h, bad_damp).status().code(), absl::StatusCode::kInvalidArgument);
  w.values<float>()[5] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(SparseGpt(w, h, SparseGptOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LayerLossTest, MatchesDirectFormulas) {
  const Tensor x = CorrelatedActivations(50, 10, 40);
  const Eigen::MatrixXd xm = ToMatrix(x);
  const Eigen::MatrixXd h = DirectHessian(x);
  const Eigen::MatrixXd w = ToMatrix(RandomTensor(5, 10, 41));
  const Eigen::MatrixXd w2 = w + 0.1 * ToMatrix(RandomTensor(5, 10, 42));
  const std::vector<int64_t> dead = {4};
  const LayerLoss loss = ComputeLayerLoss<double>(w, w2, h, dead, 0.5);
  const Eigen::MatrixXd d = w2 - w;
  const double out_err = (xm * d.transpose()).squaredNorm();
  EXPECT_NEAR(loss.relative_error, out_err / (xm * w.transpose()).squaredNorm(), 1e-12);
  EXPECT_NEAR(loss.loss_increase, out_err / 50.0, 1e-12 * out_err);
  EXPECT_NEAR(loss.damped_loss_increase,
              out_err / 50.0 + 0.5 * d.col(4).squaredNorm() + 0.25 * d.squaredNorm(), 1e-12);
}

}  // namespace
}  // namespace modelpress
