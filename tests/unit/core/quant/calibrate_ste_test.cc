#include "core/quant/calibrate_ste.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include "core/quant/calibrator.h"
#include "core/quant/quantize_tensor.h"
#include "tests/unit/core/quant/quant_testutil.h"

namespace modelpress {
namespace {

using testing::Codes;
using ::testing::HasSubstr;
using testing::LaplaceTensor;
using testing::MakeFloatTensor;
using WeightedValue = SteCalibrator::WeightedValue;

QuantizeResult Quantize(const Tensor& input, CalibrationMethod method, const QuantScheme& scheme,
                        bool per_channel_report = false) {
  QuantizeOptions options;
  options.scheme = scheme;
  options.calibration.method = method;
  options.per_channel_report = per_channel_report;
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return std::move(*result);
}

// The same heavy-tailed tensor as MseCalibratorTest.BeatsMinMaxOnHeavyTailedTensor: the
// learned clip must find the clipping/rounding trade-off as well as the exhaustive search.
TEST(SteCalibratorTest, BeatsMinMaxAndMatchesMseOnHeavyTailedTensor) {
  const Tensor input = LaplaceTensor({256, 1024}, 3);
  for (int bits : {4, 8}) {
    for (bool symmetric : {true, false}) {
      QuantScheme scheme;
      scheme.bits = bits;
      scheme.symmetric = symmetric;
      const ErrorStats minmax = Quantize(input, CalibrationMethod::kMinMax, scheme).report.tensor;
      const ErrorStats mse = Quantize(input, CalibrationMethod::kMse, scheme).report.tensor;
      const ErrorStats ste = Quantize(input, CalibrationMethod::kLearnedSte, scheme).report.tensor;
      std::printf("bits=%d symmetric=%d  MSE: min-max %.6g  mse-calibrator %.6g  ste %.6g\n", bits,
                  symmetric, minmax.mse, mse.mse, ste.mse);
      EXPECT_LT(ste.mse, minmax.mse) << "bits=" << bits << " symmetric=" << symmetric;
      EXPECT_LT(ste.mse, 1.05 * mse.mse) << "bits=" << bits << " symmetric=" << symmetric;
      EXPECT_GT(ste.clipping_mse, 0.0);
      EXPECT_LT(ste.rounding_mse, minmax.rounding_mse);
    }
  }
}

TEST(SteCalibratorTest, StepGradientIsTheStraightThroughDefinition) {
  // 4-bit signed, Z = 0: codes in [-8, 7]; step 0.5.
  const double s = 0.5;
  // In range: d/ds [s * round(x/s)] with round as the identity = round(x/s) - x/s.
  EXPECT_DOUBLE_EQ(SteCalibrator::StepGradient(1.3, s, -8, 7), 3.0 - 2.6);
  EXPECT_DOUBLE_EQ(SteCalibrator::StepGradient(-0.9, s, -8, 7), -2.0 + 1.8);
  EXPECT_DOUBLE_EQ(SteCalibrator::StepGradient(1.25, s, -8, 7), 2.0 - 2.5);  // ties to even
  // Clipped: s * clamp code, whose derivative is the clamp code.
  EXPECT_EQ(SteCalibrator::StepGradient(5.0, s, -8, 7), 7.0);
  EXPECT_EQ(SteCalibrator::StepGradient(-6.0, s, -8, 7), -8.0);
  // Against the definition by central differences: the STE surrogate
  // s * (round(x/s0) + x/s - x/s0) in range, s * code when clipped.
  const double h = 1e-6;
  for (double x : {1.3, -0.9, 0.1, 3.4, 5.0, -6.0}) {
    const double v0 = x / s;
    auto surrogate = [&](double step) {
      if (v0 >= 7) return step * 7;
      if (v0 <= -8) return step * -8;
      return step * (std::nearbyint(v0) + x / step - v0);
    };
    const double numeric = (surrogate(s + h) - surrogate(s - h)) / (2 * h);
    EXPECT_NEAR(SteCalibrator::StepGradient(x, s, -8, 7), numeric, 1e-6) << x;
  }
  // The loss gradient is sum 2 w (x' - x) dx'/ds / sum w.
  const std::vector<WeightedValue> values = {{1.3, 2.0}, {-0.9, 1.0}, {5.0, 1.0}};
  const SteCalibrator::LossGradient eval = SteCalibrator::Evaluate(values, s, -8, 7);
  const double e0 = 1.5 - 1.3, e1 = -1.0 + 0.9, e2 = 3.5 - 5.0;
  EXPECT_NEAR(eval.loss, (2 * e0 * e0 + e1 * e1 + e2 * e2) / 4, 1e-12);
  EXPECT_NEAR(eval.gradient, (2 * 2 * e0 * 0.4 + 2 * e1 * -0.2 + 2 * e2 * 7.0) / 4, 1e-12);
  // The clipped value dominates: the descent direction widens the step.
  EXPECT_LT(eval.gradient, 0.0);
  EXPECT_GT(SteCalibrator::LearnStep(values, s, -8, 7), 0.0);
}

TEST(SteCalibratorTest, IdenticalAtOneAndTwoThreads) {
  const Tensor input = LaplaceTensor({64, 4096}, 17);  // large enough to run in parallel
  for (Granularity granularity : {Granularity::kPerTensor, Granularity::kPerChannel}) {
    QuantScheme scheme;
    scheme.bits = 4;
    scheme.granularity = granularity;
    omp_set_num_threads(1);
    const QuantizeResult one = Quantize(input, CalibrationMethod::kLearnedSte, scheme);
    omp_set_num_threads(2);
    const QuantizeResult two = Quantize(input, CalibrationMethod::kLearnedSte, scheme);
    EXPECT_EQ(one.params.scales, two.params.scales);
    EXPECT_EQ(one.params.zero_points, two.params.zero_points);
    EXPECT_EQ(Codes(one.codes), Codes(two.codes));
    EXPECT_EQ(one.report.tensor.mse, two.report.tensor.mse);
  }
}

TEST(SteCalibratorTest, ConstantAndZeroTensorsGiveNoNan) {
  for (bool symmetric : {true, false}) {
    for (Granularity granularity : {Granularity::kPerTensor, Granularity::kPerChannel}) {
      QuantScheme scheme;
      scheme.symmetric = symmetric;
      scheme.granularity = granularity;
      const QuantizeResult zeros = Quantize(MakeFloatTensor({2, 4}, std::vector<float>(8, 0.0f)),
                                            CalibrationMethod::kLearnedSte, scheme);
      for (float s : zeros.params.scales) EXPECT_EQ(s, 1.0f);
      EXPECT_EQ(zeros.report.tensor.mse, 0.0);
      const QuantizeResult constant =
          Quantize(MakeFloatTensor({2, 4}, std::vector<float>(8, -3.0f)),
                   CalibrationMethod::kLearnedSte, scheme);
      for (float s : constant.params.scales) {
        EXPECT_TRUE(std::isfinite(s));
        EXPECT_GT(s, 0.0f);
      }
      EXPECT_EQ(constant.report.tensor.mse, 0.0);  // a constant is exact at min-max
      // One row constant, one row zeros, one nearly constant.
      const QuantizeResult mixed =
          Quantize(MakeFloatTensor({3, 4}, {2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1.0001f}),
                   CalibrationMethod::kLearnedSte, scheme);
      for (float s : mixed.params.scales) {
        EXPECT_TRUE(std::isfinite(s));
        EXPECT_GT(s, 0.0f);
      }
      EXPECT_TRUE(std::isfinite(mixed.report.tensor.mse));
    }
  }
}

TEST(SteCalibratorTest, FourBitPerChannel) {
  // Channels with different spreads: each needs its own learned clip.
  Tensor input = LaplaceTensor({8, 8192}, 23);
  std::span<float> values = input.values<float>();
  for (int c = 0; c < 8; ++c) {
    for (int j = 0; j < 8192; ++j) values[c * 8192 + j] *= 0.25f * static_cast<float>(c + 1);
  }
  QuantScheme scheme;
  scheme.bits = 4;
  scheme.granularity = Granularity::kPerChannel;
  scheme.axis = 0;
  const QuantizeResult minmax = Quantize(input, CalibrationMethod::kMinMax, scheme, true);
  const QuantizeResult mse = Quantize(input, CalibrationMethod::kMse, scheme, true);
  const QuantizeResult ste = Quantize(input, CalibrationMethod::kLearnedSte, scheme, true);
  ASSERT_EQ(ste.params.scales.size(), 8u);
  ASSERT_EQ(ste.report.per_channel.size(), 8u);
  for (int c = 0; c < 8; ++c) {
    EXPECT_LT(ste.params.scales[c], minmax.params.scales[c]) << c;
    EXPECT_LT(ste.report.per_channel[c].mse, 0.8 * minmax.report.per_channel[c].mse) << c;
    EXPECT_LT(ste.report.per_channel[c].mse, 1.05 * mse.report.per_channel[c].mse) << c;
  }
  std::printf("4-bit per-channel total MSE: min-max %.6g  mse-calibrator %.6g  ste %.6g\n",
              minmax.report.tensor.mse, mse.report.tensor.mse, ste.report.tensor.mse);
}

TEST(SteCalibratorTest, FactoryAndManyBatches) {
  QuantScheme scheme;
  scheme.bits = 4;
  absl::StatusOr<std::unique_ptr<Calibrator>> ste =
      MakeCalibrator({CalibrationMethod::kLearnedSte, 99.0, 1024}, scheme);
  absl::StatusOr<std::unique_ptr<Calibrator>> minmax =
      MakeCalibrator({CalibrationMethod::kMinMax}, scheme);
  ASSERT_TRUE(ste.ok() && minmax.ok());
  for (int batch = 0; batch < 10; ++batch) {
    // Growing spreads force the histogram to merge bins between batches.
    const Tensor t = LaplaceTensor({16, 256}, 200 + batch, 1.0f + 0.2f * batch);
    ASSERT_TRUE((*ste)->Observe(t.values<float>(), t.shape()).ok());
    ASSERT_TRUE((*minmax)->Observe(t.values<float>(), t.shape()).ok());
  }
  absl::StatusOr<std::vector<ClipRange>> learned = (*ste)->ComputeRanges();
  absl::StatusOr<std::vector<ClipRange>> observed = (*minmax)->ComputeRanges();
  ASSERT_TRUE(learned.ok() && observed.ok());
  ASSERT_EQ(learned->size(), 1u);
  EXPECT_GT((*learned)[0].max, 0.0f);
  EXPECT_LT((*learned)[0].max, (*observed)[0].max);  // 4-bit Laplace: it clips
  EXPECT_GT((*learned)[0].min, (*observed)[0].min);
  CalibrationSpec bad;
  bad.method = static_cast<CalibrationMethod>(static_cast<int>(CalibrationMethod::kLearnedSte) + 1);
  EXPECT_THAT(ValidateCalibrationSpec(bad).message(), HasSubstr("calibration.method"));
  EXPECT_THAT(MakeCalibrator({CalibrationMethod::kLearnedSte, 99.0, 4}, scheme).status().message(),
              HasSubstr("calibration.num_bins is 4"));
}

}  // namespace
}  // namespace modelpress
