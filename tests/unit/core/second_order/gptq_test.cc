#include "core/second_order/gptq.h"

#include <cmath>

#include "core/quant/scale.h"
#include "gtest/gtest.h"
#include "tests/unit/core/second_order/obs_testutil.h"

namespace modelpress {
namespace {

using ::modelpress::testing::CorrelatedActivations;
using ::modelpress::testing::DirectHessian;
using ::modelpress::testing::RandomTensor;
using ::modelpress::testing::ToMatrix;

QuantScheme PerChannel(int bits, bool symmetric) {
  QuantScheme s;
  s.bits = bits;
  s.symmetric = symmetric;
  s.is_signed = symmetric;
  s.granularity = Granularity::kPerChannel;
  s.axis = 0;
  return s;
}

QuantScheme PerGroup(int bits, int64_t group) {
  QuantScheme s = PerChannel(bits, /*symmetric=*/true);
  s.granularity = Granularity::kPerGroup;
  s.axis = 1;
  s.group_size = group;
  return s;
}

GptqOptions Options(const QuantScheme& scheme, int64_t block, bool act_order = false) {
  GptqOptions o;
  o.scheme = scheme;
  o.block_size = block;
  o.act_order = act_order;
  o.precision = ObsPrecision::kFloat64;
  return o;
}

// Round to nearest on each row's (or group's) min-max grid: the RTN baseline.
Eigen::MatrixXd Rtn(const Eigen::MatrixXd& w, const QuantScheme& scheme) {
  const int64_t group = scheme.granularity == Granularity::kPerGroup ? scheme.group_size : w.cols();
  Eigen::MatrixXd out(w.rows(), w.cols());
  for (int64_t r = 0; r < w.rows(); ++r) {
    for (int64_t g = 0; g < w.cols(); g += group) {
      const auto values = w.row(r).segment(g, group);
      const ScaleZeroPoint p = ComputeScaleZeroPoint(static_cast<float>(values.minCoeff()),
                                                     static_cast<float>(values.maxCoeff()), scheme);
      for (int64_t c = g; c < g + group; ++c) {
        const int32_t q = QuantizeValue(static_cast<float>(w(r, c)), p.scale, p.zero_point,
                                        QMin(scheme), QMax(scheme));
        out(r, c) = DequantizeValue(q, p.scale, p.zero_point);
      }
    }
  }
  return out;
}

TEST(GptqTest, PredictedLossEqualsDampedQuadraticForm) {
  const Tensor x = CorrelatedActivations(256, 48, 51);
  const Eigen::MatrixXd h = DirectHessian(x);
  const Tensor w = RandomTensor(16, 48, 52);
  for (const GptqOptions& o :
       {Options(PerChannel(4, false), 128), Options(PerChannel(3, true), 4),
        Options(PerGroup(4, 8), 16), Options(PerChannel(4, true), 16, /*act_order=*/true)}) {
    absl::StatusOr<GptqResult> r = Gptq(w, h, o);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_GT(r->report.predicted_loss_increase, 0.0);
    EXPECT_NEAR(r->report.predicted_loss_increase, r->report.measured_damped_loss_increase,
                1e-11 * r->report.predicted_loss_increase);
  }
}

TEST(GptqTest, IsotropicHessianIsRoundToNearest) {
  const Eigen::MatrixXd h = 2.5 * Eigen::MatrixXd::Identity(32, 32);
  const Tensor w = RandomTensor(8, 32, 53);
  for (const QuantScheme& scheme : {PerChannel(4, true), PerChannel(3, false), PerGroup(4, 8)}) {
    absl::StatusOr<GptqResult> r = Gptq(w, h, Options(scheme, 8));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ((ToMatrix(r->weight) - Rtn(ToMatrix(w), scheme)).norm(), 0.0);
  }
}

TEST(GptqTest, InvariantToBlockSize) {
  const Tensor x = CorrelatedActivations(300, 64, 54);
  const Eigen::MatrixXd h = DirectHessian(x);
  const Tensor w = RandomTensor(12, 64, 55);
  const auto codes_of = [&](const GptqOptions& o) {
    absl::StatusOr<GptqResult> r = Gptq(w, h, o);
    EXPECT_TRUE(r.ok()) << r.status();
    const std::span<const int8_t> c = r->codes.values<int8_t>();
    return std::vector<int8_t>(c.begin(), c.end());
  };
  const std::vector<int8_t> per_channel = codes_of(Options(PerChannel(4, true), 1));
  for (const int64_t block : {4, 8, 128, 64}) {
    EXPECT_EQ(codes_of(Options(PerChannel(4, true), block)), per_channel) << block;
  }
  const std::vector<int8_t> grouped = codes_of(Options(PerGroup(3, 8), 8));
  for (const int64_t block : {16, 64, 3}) {
    EXPECT_EQ(codes_of(Options(PerGroup(3, 8), block)), grouped) << block;
  }
  const std::vector<int8_t> ordered = codes_of(Options(PerChannel(4, true), 1, true));
  EXPECT_EQ(codes_of(Options(PerChannel(4, true), 32, true)), ordered);
}

TEST(GptqTest, CodesAndParamsReproduceTheWeight) {
  const Tensor x = CorrelatedActivations(200, 32, 56);
  const Tensor w = RandomTensor(6, 32, 57);
  for (const bool act_order : {false, true}) {
    absl::StatusOr<GptqResult> r = Gptq(w, DirectHessian(x), Options(PerGroup(4, 8), 8, act_order));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->params.shape, (Shape{6, 4}));
    ASSERT_EQ(r->group_index.size(), 32u);
    const Eigen::MatrixXd out = ToMatrix(r->weight);
    for (int64_t row = 0; row < 6; ++row) {
      for (int64_t c = 0; c < 32; ++c) {
        const int64_t p = row * 4 + r->group_index[c];
        const int32_t q = r->codes.values<int8_t>()[row * 32 + c];
        EXPECT_GE(q, -8);
        EXPECT_LE(q, 7);
        EXPECT_FLOAT_EQ(static_cast<float>(out(row, c)),
                        DequantizeValue(q, r->params.scales[p], r->params.zero_points[p]));
      }
    }
  }
}

TEST(GptqTest, BeatsRoundToNearestOnCorrelatedInputs) {
  const Tensor x = CorrelatedActivations(400, 64, 58);
  const Eigen::MatrixXd h = DirectHessian(x);
  const Tensor w = RandomTensor(32, 64, 59);
  absl::StatusOr<GptqResult> r = Gptq(w, h, Options(PerChannel(4, true), 128));
  ASSERT_TRUE(r.ok());
  const Eigen::MatrixXd d = Rtn(ToMatrix(w), PerChannel(4, true)) - ToMatrix(w);
  const double rtn =
      (d * h * d.transpose()).trace() / (ToMatrix(w) * h * ToMatrix(w).transpose()).trace();
  EXPECT_LT(r->report.relative_reconstruction_error, rtn);
}

TEST(GptqTest, RejectsBadSchemes) {
  const Tensor w = RandomTensor(4, 16, 60);
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(16, 16);
  QuantScheme bits = PerChannel(9, true);
  EXPECT_EQ(Gptq(w, h, Options(bits, 8)).status().code(), absl::StatusCode::kInvalidArgument);
  bits.bits = 1;
  EXPECT_EQ(Gptq(w, h, Options(bits, 8)).status().code(), absl::StatusCode::kInvalidArgument);
  QuantScheme axis = PerChannel(4, true);
  axis.axis = 1;
  EXPECT_EQ(Gptq(w, h, Options(axis, 8)).status().code(), absl::StatusCode::kInvalidArgument);
  QuantScheme stochastic = PerChannel(4, true);
  stochastic.rounding = RoundingMode::kStochastic;
  EXPECT_EQ(Gptq(w, h, Options(stochastic, 8)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Gptq(w, Eigen::MatrixXd::Identity(15, 15), Options(PerChannel(4, true), 8)).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Gptq(w, Eigen::MatrixXd::Zero(16, 16), Options(PerChannel(4, true), 8)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelpress
