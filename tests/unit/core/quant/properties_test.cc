// Property tests from issue 3 that cut across modules: stochastic rounding, per-group
// versus per-channel, and thread-count independence.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "core/quant/quantize_tensor.h"
#include "tests/unit/core/quant/quant_testutil.h"

namespace modelpress {
namespace {

using testing::Codes;
using testing::RandomTensor;

QuantizeOptions Stochastic(uint64_t seed) {
  QuantizeOptions options;
  options.scheme.bits = 4;
  options.scheme.granularity = Granularity::kPerChannel;
  options.scheme.rounding = RoundingMode::kStochastic;
  options.scheme.seed = seed;
  return options;
}

TEST(StochasticRoundingTest, UnbiasedOverSeeds) {
  // One value sitting at 0.3 of a step: nearest rounding is biased by -0.3 S every time;
  // stochastic rounding must average out.
  Tensor input = RandomTensor({4, 1000}, 1);
  absl::StatusOr<QuantizeResult> first = QuantizeTensor(input, Stochastic(0));
  ASSERT_TRUE(first.ok());
  const int kSeeds = 200;
  std::vector<double> mean_error(input.num_elements(), 0.0);
  double bias_sum = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    absl::StatusOr<QuantizeResult> r = QuantizeTensor(input, Stochastic(seed));
    ASSERT_TRUE(r.ok());
    absl::StatusOr<Tensor> recon = DequantizeTensor(r->codes, Stochastic(seed).scheme, r->params);
    for (int64_t j = 0; j < input.num_elements(); ++j) {
      mean_error[j] += (recon->values<float>()[j] - input.values<float>()[j]) / kSeeds;
    }
    bias_sum += r->report.tensor.rounding_mean_error;
  }
  // Per element, the mean of kSeeds Bernoulli errors has std <= S / (2 sqrt(kSeeds)); check
  // 5 sigma on every element and a tight bound on the overall bias.
  for (int64_t j = 0; j < input.num_elements(); ++j) {
    const float scale = first->params.scales[j / 1000];
    EXPECT_LE(std::fabs(mean_error[j]), 5 * scale / (2 * std::sqrt(kSeeds))) << j;
  }
  EXPECT_LT(std::fabs(bias_sum / kSeeds), 1e-3 * first->params.scales[0]);
  // Nearest rounding on the same data keeps every error within S/2; stochastic within S.
  for (int64_t j = 0; j < 1000; ++j) {
    absl::StatusOr<Tensor> recon =
        DequantizeTensor(first->codes, Stochastic(0).scheme, first->params);
    EXPECT_LT(std::fabs(recon->values<float>()[j] - input.values<float>()[j]),
              first->params.scales[0] * 1.0001f);
  }
  // Theory for stochastic rounding is S^2/6 per value.
  EXPECT_NEAR(
      first->report.tensor.theoretical_rounding_mse,
      [&] {
        double s = 0;
        for (float scale : first->params.scales) s += scale * scale / 6.0;
        return s / 4;
      }(),
      1e-9);
}

TEST(StochasticRoundingTest, ReproducibleAndThreadCountIndependent) {
  Tensor input = RandomTensor({64, 4096}, 2);  // large enough to run in parallel
  QuantizeOptions options = Stochastic(1234);
  options.scheme.granularity = Granularity::kPerTensor;
  omp_set_num_threads(1);
  absl::StatusOr<QuantizeResult> one = QuantizeTensor(input, options);
  omp_set_num_threads(2);
  absl::StatusOr<QuantizeResult> two = QuantizeTensor(input, options);
  absl::StatusOr<QuantizeResult> again = QuantizeTensor(input, options);
  options.scheme.seed = 1235;
  absl::StatusOr<QuantizeResult> other = QuantizeTensor(input, options);
  ASSERT_TRUE(one.ok() && two.ok() && again.ok() && other.ok());
  EXPECT_EQ(Codes(one->codes), Codes(two->codes));
  EXPECT_EQ(Codes(two->codes), Codes(again->codes));
  EXPECT_NE(Codes(two->codes), Codes(other->codes));
  // The report's sums are merged in a fixed order too.
  EXPECT_EQ(one->report.tensor.mse, two->report.tensor.mse);
}

TEST(PerGroupTest, GroupSpanningTheAxisEqualsPerChannel) {
  Tensor input = RandomTensor({16, 256}, 3);
  for (bool symmetric : {true, false}) {
    QuantizeOptions group;
    group.scheme.symmetric = symmetric;
    group.scheme.granularity = Granularity::kPerGroup;
    group.scheme.axis = 1;
    group.scheme.group_size = 256;
    QuantizeOptions channel;
    channel.scheme.symmetric = symmetric;
    channel.scheme.granularity = Granularity::kPerChannel;
    channel.scheme.axis = 0;
    absl::StatusOr<QuantizeResult> g = QuantizeTensor(input, group);
    absl::StatusOr<QuantizeResult> c = QuantizeTensor(input, channel);
    ASSERT_TRUE(g.ok() && c.ok());
    EXPECT_EQ(g->params.shape, (Shape{16, 1}));
    EXPECT_EQ(g->params.scales, c->params.scales);
    EXPECT_EQ(g->params.zero_points, c->params.zero_points);
    EXPECT_EQ(Codes(g->codes), Codes(c->codes));
    EXPECT_EQ(g->report.tensor.mse, c->report.tensor.mse);
  }
}

TEST(ThreadCountTest, NearestCodesAndReportsMatchAtOneAndTwoThreads) {
  Tensor input = RandomTensor({128, 1000}, 4);
  for (Granularity granularity :
       {Granularity::kPerTensor, Granularity::kPerChannel, Granularity::kPerGroup}) {
    QuantizeOptions options;
    options.scheme.granularity = granularity;
    options.scheme.axis = 1;
    options.scheme.group_size = 50;
    options.per_channel_report = true;
    options.calibration.method = CalibrationMethod::kMse;
    omp_set_num_threads(1);
    absl::StatusOr<QuantizeResult> one = QuantizeTensor(input, options);
    omp_set_num_threads(2);
    absl::StatusOr<QuantizeResult> two = QuantizeTensor(input, options);
    ASSERT_TRUE(one.ok() && two.ok()) << one.status() << two.status();
    EXPECT_EQ(Codes(one->codes), Codes(two->codes));
    EXPECT_EQ(one->params.scales, two->params.scales);
    EXPECT_EQ(one->report.tensor.mse, two->report.tensor.mse);
  }
}

}  // namespace
}  // namespace modelpress
