#include "core/quant/calibrator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/quant/calibrate_entropy.h"
#include "core/quant/quantize_tensor.h"
#include "tests/unit/core/quant/quant_testutil.h"

namespace modelpress {
namespace {

using ::testing::HasSubstr;
using testing::LaplaceTensor;
using testing::MakeFloatTensor;
using testing::RandomTensor;

QuantizeResult Quantize(const Tensor& input, CalibrationMethod method, bool symmetric = true,
                        Granularity granularity = Granularity::kPerTensor) {
  QuantizeOptions options;
  options.scheme.symmetric = symmetric;
  options.scheme.granularity = granularity;
  options.calibration.method = method;
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return std::move(*result);
}

// The architecture's core claim: on heavy-tailed data, clipping a little buys a much finer
// step. The MSE calibrator must find that, and the report must show the trade.
TEST(MseCalibratorTest, BeatsMinMaxOnHeavyTailedTensor) {
  const Tensor input = LaplaceTensor({256, 1024}, 3);
  for (bool symmetric : {true, false}) {
    QuantizeOptions options;
    options.scheme.bits = 4;  // few levels make the trade-off large
    options.scheme.symmetric = symmetric;
    absl::StatusOr<QuantizeResult> minmax = QuantizeTensor(input, options);
    options.calibration.method = CalibrationMethod::kMse;
    absl::StatusOr<QuantizeResult> mse = QuantizeTensor(input, options);
    ASSERT_TRUE(minmax.ok() && mse.ok());
    const ErrorStats& a = minmax->report.tensor;
    const ErrorStats& b = mse->report.tensor;
    EXPECT_LT(b.mse, 0.7 * a.mse) << "symmetric=" << symmetric;
    EXPECT_EQ(a.clipping_mse, 0.0);
    EXPECT_GT(b.clipping_mse, 0.0);  // it clips...
    EXPECT_GT(b.clipped_fraction, 0.0);
    EXPECT_LT(b.rounding_mse, a.rounding_mse);  // ...to round much more finely
    EXPECT_LT(mse->params.scales[0], minmax->params.scales[0]);
  }
}

TEST(MseCalibratorTest, PerChannelEqualsEachChannelAlone) {
  Tensor input = LaplaceTensor({4, 5000}, 9);
  const QuantizeResult whole =
      Quantize(input, CalibrationMethod::kMse, true, Granularity::kPerChannel);
  for (int c = 0; c < 4; ++c) {
    std::vector<float> row(input.values<float>().begin() + c * 5000,
                           input.values<float>().begin() + (c + 1) * 5000);
    const QuantizeResult alone = Quantize(MakeFloatTensor({5000}, row), CalibrationMethod::kMse);
    EXPECT_EQ(whole.params.scales[c], alone.params.scales[0]) << c;
  }
}

TEST(EntropyCalibratorTest, ClipsTheTailOfHeavyTailedData) {
  const Tensor input = LaplaceTensor({512, 512}, 5);
  const QuantizeResult minmax = Quantize(input, CalibrationMethod::kMinMax);
  const QuantizeResult kl = Quantize(input, CalibrationMethod::kEntropy);
  EXPECT_LT(kl.params.scales[0], minmax.params.scales[0]);
  EXPECT_GT(kl.report.tensor.clipped_fraction, 0.0);
  EXPECT_LT(kl.report.tensor.clipped_fraction, 0.01);
  EXPECT_GT(kl.report.tensor.sqnr_db, 20.0);
}

// KL(P || Q) of threshold i computed term by term over the bins, straight from the
// definition in calibrate_entropy.h; infinity where TensorRT would skip the threshold.
double DirectKl(const std::vector<double>& h, int levels, int i) {
  std::vector<double> p(h.begin(), h.begin() + i);
  for (size_t k = i; k < h.size(); ++k) p[i - 1] += h[k];
  std::vector<double> q(i, 0.0);
  const int per_group = i / levels;
  for (int g = 0; g < levels; ++g) {
    const int start = g * per_group;
    const int end = g == levels - 1 ? i : start + per_group;
    double mass = 0;
    int non_empty = 0;
    for (int k = start; k < end; ++k) {
      mass += h[k];
      non_empty += p[k] > 0 ? 1 : 0;
    }
    for (int k = start; k < end; ++k) q[k] = p[k] > 0 ? mass / non_empty : 0.0;
  }
  double p_total = 0, q_total = 0;
  for (int k = 0; k < i; ++k) {
    p_total += p[k];
    q_total += q[k];
  }
  if (p_total == 0 || q_total == 0) return INFINITY;
  double kl = 0;
  for (int k = 0; k < i; ++k) {
    if (p[k] == 0) continue;
    if (q[k] == 0) return INFINITY;
    kl += p[k] / p_total * std::log((p[k] / p_total) / (q[k] / q_total));
  }
  return kl;
}

TEST(EntropyCalibratorTest, PrefixSumSearchPicksTheDirectMinimum) {
  std::mt19937 rng(7);
  std::exponential_distribution<double> tail(1.0);
  for (int trial = 0; trial < 24; ++trial) {
    const int bins = 256 + 64 * (trial % 5);
    const int levels = trial % 3 == 0 ? 8 : 128;
    std::vector<double> h(bins);
    for (int k = 0; k < bins; ++k) {
      // Heavy-tailed counts with empty bins (every third trial: sparse), so thresholds
      // with empty groups and outlier-only groups both occur.
      const double expected = 1e5 * std::exp(-k / (8.0 + trial));
      h[k] = std::floor(expected * tail(rng));
      if (trial % 3 == 1 && k % 7 != 0) h[k] = 0;
    }
    h[bins - 1] += 1;  // one far outlier
    const int stride = 1 + trial % 2;
    int direct_best = bins;
    double direct_kl = INFINITY;
    for (int i = levels; i <= bins; i += stride) {
      const double kl = DirectKl(h, levels, i);
      if (kl < direct_kl) {
        direct_kl = kl;
        direct_best = i;
      }
    }
    const int best = EntropyCalibrator::BestThresholdBin(h, levels, stride);
    ASSERT_TRUE(std::isfinite(direct_kl)) << trial;
    // Same threshold, or one whose direct KL ties the minimum to rounding.
    EXPECT_NEAR(DirectKl(h, levels, best), direct_kl, 1e-12 * std::max(1.0, direct_kl))
        << "trial " << trial << ": chose " << best << ", direct minimum at " << direct_best;
  }
}

TEST(EntropyCalibratorTest, UniformHistogramKeepsFullRange) {
  // Uniform mass: any clip loses information, so the best threshold is all bins.
  const std::vector<double> histogram(512, 10.0);
  EXPECT_EQ(EntropyCalibrator::BestThresholdBin(histogram, 128, 1), 512);
}

TEST(PercentileCalibratorTest, HundredIsMinMaxAndLowerClipsThatFraction) {
  const Tensor input = RandomTensor({200, 500}, 11);
  for (bool symmetric : {true, false}) {
    QuantizeOptions options;
    options.scheme.symmetric = symmetric;
    options.calibration.method = CalibrationMethod::kPercentile;
    options.calibration.percentile = 100.0;
    absl::StatusOr<QuantizeResult> p100 = QuantizeTensor(input, options);
    const QuantizeResult minmax = Quantize(input, CalibrationMethod::kMinMax, symmetric);
    ASSERT_TRUE(p100.ok());
    EXPECT_EQ(p100->params.scales[0], minmax.params.scales[0]);
    EXPECT_EQ(p100->params.zero_points[0], minmax.params.zero_points[0]);
    options.calibration.percentile = 99.0;
    absl::StatusOr<QuantizeResult> p99 = QuantizeTensor(input, options);
    ASSERT_TRUE(p99.ok());
    // About 1% of |x| (symmetric) or 1% per tail (asymmetric) lies beyond the clip.
    const double expected = symmetric ? 0.01 : 0.02;
    EXPECT_NEAR(p99->report.tensor.clipped_fraction, expected, expected * 0.3) << symmetric;
  }
}

TEST(CalibratorTest, AccumulatesManyBatchesWithBoundedMemory) {
  QuantScheme scheme;
  scheme.granularity = Granularity::kPerChannel;
  scheme.axis = 1;
  absl::StatusOr<std::unique_ptr<Calibrator>> minmax =
      MakeCalibrator({CalibrationMethod::kMinMax}, scheme);
  absl::StatusOr<std::unique_ptr<Calibrator>> pct =
      MakeCalibrator({CalibrationMethod::kPercentile, 100.0, 256}, scheme);
  ASSERT_TRUE(minmax.ok() && pct.ok());
  float true_max = 0;
  for (int batch = 0; batch < 20; ++batch) {
    // Later batches have larger ranges, forcing the histograms to grow (merge bins).
    Tensor t = RandomTensor({32, 3}, 100 + batch, 1.0f + batch);
    for (float v : t.values<float>()) true_max = std::max(true_max, v);
    ASSERT_TRUE((*minmax)->Observe(t.values<float>(), t.shape()).ok());
    ASSERT_TRUE((*pct)->Observe(t.values<float>(), t.shape()).ok());
  }
  absl::StatusOr<std::vector<ClipRange>> a = (*minmax)->ComputeRanges();
  absl::StatusOr<std::vector<ClipRange>> b = (*pct)->ComputeRanges();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 3u);
  float seen_max = 0;
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ((*a)[c].max, (*b)[c].max);
    EXPECT_EQ((*a)[c].min, (*b)[c].min);
    seen_max = std::max(seen_max, (*a)[c].max);
  }
  EXPECT_EQ(seen_max, true_max);
  // A batch with another channel count is rejected.
  Tensor other = RandomTensor({2, 4}, 1);
  EXPECT_THAT((*minmax)->Observe(other.values<float>(), other.shape()).message(),
              HasSubstr("param slots"));
}

TEST(CalibratorTest, RejectsBadSpecsAndData) {
  QuantScheme scheme;
  EXPECT_THAT(MakeCalibrator({CalibrationMethod::kPercentile, 0.0}, scheme).status().message(),
              HasSubstr("calibration.percentile is 0; must be in (0, 100]"));
  EXPECT_THAT(MakeCalibrator({CalibrationMethod::kPercentile, 100.5}, scheme).status().message(),
              HasSubstr("calibration.percentile"));
  EXPECT_THAT(MakeCalibrator({CalibrationMethod::kMse, 99.0, 4}, scheme).status().message(),
              HasSubstr("calibration.num_bins is 4"));
  absl::StatusOr<std::unique_ptr<Calibrator>> c =
      MakeCalibrator({CalibrationMethod::kEntropy}, scheme);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->ComputeRanges().status().code(), absl::StatusCode::kFailedPrecondition);
  Tensor bad = MakeFloatTensor({3}, {1.0f, INFINITY, 0.0f});
  EXPECT_EQ((*c)->Observe(bad.values<float>(), bad.shape()).message(),
            "tensor contains Inf at index 1");
}

// A rejected batch leaves the calibrator as it was: the ranges equal those of the good
// batches alone, for every method, per tensor and per channel on the last axis (large
// enough for the parallel, vector min-max).
TEST(CalibratorTest, RejectedBatchChangesNothing) {
  const Tensor good = RandomTensor({64, 1024}, 3);
  Tensor bad = RandomTensor({64, 1024}, 4);
  bad.values<float>()[40000] = std::nanf("");
  bad.values<float>()[50000] = 1e30f;  // would widen every range, were it counted
  for (CalibrationMethod method :
       {CalibrationMethod::kMinMax, CalibrationMethod::kPercentile, CalibrationMethod::kMse,
        CalibrationMethod::kEntropy, CalibrationMethod::kLearnedSte}) {
    for (Granularity granularity : {Granularity::kPerTensor, Granularity::kPerChannel}) {
      QuantScheme scheme;
      scheme.granularity = granularity;
      scheme.axis = 1;
      CalibrationSpec spec;
      spec.method = method;
      std::unique_ptr<Calibrator> clean = *MakeCalibrator(spec, scheme);
      std::unique_ptr<Calibrator> tried = *MakeCalibrator(spec, scheme);
      ASSERT_TRUE(clean->Observe(good.values<float>(), good.shape()).ok());
      ASSERT_TRUE(tried->Observe(good.values<float>(), good.shape()).ok());
      EXPECT_EQ(tried->Observe(bad.values<float>(), bad.shape()).message(),
                "tensor contains NaN at index 40000");
      const std::vector<ClipRange> expected = *clean->ComputeRanges();
      const std::vector<ClipRange> actual = *tried->ComputeRanges();
      ASSERT_EQ(actual.size(), expected.size());
      for (size_t p = 0; p < actual.size(); ++p) {
        EXPECT_EQ(actual[p].min, expected[p].min) << static_cast<int>(method) << " slot " << p;
        EXPECT_EQ(actual[p].max, expected[p].max) << static_cast<int>(method) << " slot " << p;
      }
    }
  }
}

TEST(CalibratorTest, ConstantAndZeroTensorsForEveryMethod) {
  for (CalibrationMethod method :
       {CalibrationMethod::kMinMax, CalibrationMethod::kPercentile, CalibrationMethod::kMse,
        CalibrationMethod::kEntropy, CalibrationMethod::kLearnedSte}) {
    for (bool symmetric : {true, false}) {
      const QuantizeResult zeros =
          Quantize(MakeFloatTensor({4}, {0.0f, 0.0f, 0.0f, 0.0f}), method, symmetric);
      EXPECT_EQ(zeros.params.scales[0], 1.0f);
      EXPECT_EQ(zeros.report.tensor.mse, 0.0);
      const QuantizeResult constant =
          Quantize(MakeFloatTensor({4}, {-3.0f, -3.0f, -3.0f, -3.0f}), method, symmetric);
      EXPECT_TRUE(std::isfinite(constant.params.scales[0]));
      EXPECT_GT(constant.params.scales[0], 0.0f);
    }
  }
}

}  // namespace
}  // namespace modelpress
