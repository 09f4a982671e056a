// Randomized specs and tensors through QuantizeTensor / DequantizeTensor: every combination
// either succeeds with codes, params and a report that satisfy the scheme's invariants, or
// fails with INVALID_ARGUMENT and a message; never a crash, a NaN in the report, or a
// thread-count-dependent result. Small tensors mostly, and some past the sizes where the
// parallel and vector paths start. Runs under ASan/UBSan in `make asan`.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/quant/quantize_tensor.h"
#include "core/quant/scale.h"
#include "tests/unit/core/quant/quant_testutil.h"

namespace modelpress {
namespace {

using testing::Codes;
using testing::MakeFloatTensor;
using testing::ReferenceParamIndex;

struct Trial {
  Shape shape;
  std::vector<float> values;
  QuantizeOptions options;
  bool has_non_finite = false;
};

Trial RandomTrial(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Trial trial;
  if (pick(0, 9) == 0) {
    trial.shape = {pick(60, 70), pick(1000, 1100)};  // past the parallel thresholds
  } else {
    const int rank = pick(0, 3);
    for (int d = 0; d < rank; ++d) trial.shape.push_back(pick(1, 40));
  }
  if (pick(0, 40) == 0 && !trial.shape.empty()) trial.shape[0] = 0;  // invalid dimension
  int64_t n = 1;
  for (int64_t d : trial.shape) n *= d;
  n = std::max<int64_t>(n, 0);
  std::normal_distribution<float> normal(0.0f, std::exp(static_cast<float>(pick(-8, 8))));
  const int content = pick(0, 9);
  for (int64_t j = 0; j < n; ++j) {
    if (content == 0) {
      trial.values.push_back(0.0f);
    } else if (content == 1) {
      trial.values.push_back(-2.5f);
    } else {
      trial.values.push_back(normal(rng));
    }
  }
  if (n > 0 && pick(0, 15) == 0) {
    trial.values[pick(0, static_cast<int>(n - 1))] =
        pick(0, 1) == 0 ? std::nanf("") : -std::numeric_limits<float>::infinity();
    trial.has_non_finite = true;
  }

  QuantScheme& scheme = trial.options.scheme;
  scheme.bits = pick(0, 12) == 0 ? pick(0, 12) : pick(2, 8);
  scheme.is_signed = pick(0, 1) == 0;
  scheme.symmetric = pick(0, 1) == 0;
  scheme.narrow_range = pick(0, 3) == 0;
  scheme.granularity = static_cast<Granularity>(pick(0, 2));
  const int rank = static_cast<int>(trial.shape.size());
  scheme.axis =
      rank == 0 ? pick(-1, 1) : pick(-rank - (pick(0, 9) == 0), rank - 1 + (pick(0, 9) == 0));
  if (scheme.granularity == Granularity::kPerGroup) {
    const int normalized = scheme.axis < 0 ? scheme.axis + rank : scheme.axis;
    const int64_t dim = normalized >= 0 && normalized < rank ? trial.shape[normalized] : 4;
    const int64_t divisors[] = {1, 2, 4, 8, 16, 32};
    scheme.group_size = pick(0, 4) == 0 ? pick(-1, 7) : divisors[pick(0, 5)];
    if (pick(0, 2) == 0) scheme.group_size = std::max<int64_t>(1, dim);
  }
  scheme.rounding = pick(0, 3) == 0 ? RoundingMode::kStochastic : RoundingMode::kNearestEven;
  scheme.seed = static_cast<uint64_t>(pick(0, 1 << 30));
  CalibrationSpec& calibration = trial.options.calibration;
  calibration.method = static_cast<CalibrationMethod>(pick(0, 4));
  calibration.percentile = pick(0, 9) == 0 ? pick(-5, 200) : 90.0 + pick(0, 1000) / 100.0;
  calibration.num_bins = pick(0, 9) == 0 ? pick(0, 100) : pick(16, 4096);
  trial.options.per_channel_report = pick(0, 1) == 0;
  return trial;
}

std::string Describe(const Trial& t) {
  const QuantScheme& s = t.options.scheme;
  std::string shape;
  for (int64_t d : t.shape) shape += std::to_string(d) + "x";
  return "shape " + shape + " bits " + std::to_string(s.bits) + " signed " +
         std::to_string(s.is_signed) + " sym " + std::to_string(s.symmetric) + " narrow " +
         std::to_string(s.narrow_range) + " gran " +
         std::to_string(static_cast<int>(s.granularity)) + " axis " + std::to_string(s.axis) +
         " group " + std::to_string(s.group_size) + " stochastic " +
         std::to_string(s.rounding == RoundingMode::kStochastic) + " method " +
         std::to_string(static_cast<int>(t.options.calibration.method)) + " bins " +
         std::to_string(t.options.calibration.num_bins) + " pct " +
         std::to_string(t.options.calibration.percentile);
}

void ExpectFiniteStats(const ErrorStats& stats, const std::string& where) {
  for (const double field :
       {stats.mse, stats.rmse, stats.max_abs_error, stats.mean_error, stats.rounding_mse,
        stats.clipping_mse, stats.clipped_fraction, stats.theoretical_rounding_mse,
        stats.rounding_mean_error, stats.cosine}) {
    EXPECT_TRUE(std::isfinite(field)) << where;
  }
  EXPECT_FALSE(std::isnan(stats.sqnr_db)) << where;  // +inf for an exact result
  EXPECT_GE(stats.mse, 0.0) << where;
  EXPECT_GE(stats.clipped_fraction, 0.0) << where;
  EXPECT_LE(stats.clipped_fraction, 1.0) << where;
  EXPECT_LE(std::fabs(stats.cosine), 1.0 + 1e-9) << where;
}

TEST(RandomSpecsTest, EveryCombinationSucceedsWithInvariantsOrFailsCleanly) {
  std::mt19937 rng(20261126);
  int ok = 0, rejected = 0;
  for (int i = 0; i < 400; ++i) {
    const Trial t = RandomTrial(rng);
    const std::string what = "trial " + std::to_string(i) + ": " + Describe(t);
    Tensor input = Tensor::Create("x", DType::kFloat32, t.shape);
    if (!t.values.empty())
      std::copy(t.values.begin(), t.values.end(), input.values<float>().begin());

    omp_set_num_threads(2);
    absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, t.options);
    if (!result.ok()) {
      ++rejected;
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << what;
      EXPECT_FALSE(result.status().message().empty()) << what;
      continue;
    }
    ++ok;
    EXPECT_FALSE(t.has_non_finite) << what << ": NaN/Inf accepted";
    const QuantScheme& scheme = t.options.scheme;
    const std::vector<int32_t> codes = Codes(result->codes);
    ASSERT_EQ(codes.size(), t.values.size()) << what;
    for (int32_t q : codes) {
      ASSERT_GE(q, QMin(scheme)) << what;
      ASSERT_LE(q, QMax(scheme)) << what;
    }
    const QuantParams& params = result->params;
    for (size_t p = 0; p < params.scales.size(); ++p) {
      ASSERT_TRUE(std::isfinite(params.scales[p]) && params.scales[p] > 0) << what;
      if (scheme.symmetric && scheme.is_signed) {
        ASSERT_EQ(params.zero_points[p], 0) << what;
      }
    }
    ExpectFiniteStats(result->report.tensor, what);
    for (const ErrorStats& channel : result->report.per_channel) ExpectFiniteStats(channel, what);

    // The codes dequantize; min-max never clips, so every error is within one step
    // (half a step when rounding to nearest).
    absl::StatusOr<Tensor> recon = DequantizeTensor(result->codes, scheme, params);
    ASSERT_TRUE(recon.ok()) << what << ": " << recon.status();
    if (t.options.calibration.method == CalibrationMethod::kMinMax) {
      const double steps = scheme.rounding == RoundingMode::kStochastic ? 1.0 : 0.5;
      const auto r = std::as_const(*recon).values<float>();
      for (size_t j = 0; j < t.values.size(); ++j) {
        const float scale = params.scales[ReferenceParamIndex(scheme, t.shape, j)];
        ASSERT_LE(std::fabs(r[j] - t.values[j]), steps * scale * (1 + 1e-5)) << what << " at " << j;
      }
    }

    // One thread gives the same codes, params and report.
    omp_set_num_threads(1);
    absl::StatusOr<QuantizeResult> single = QuantizeTensor(input, t.options);
    omp_set_num_threads(2);
    ASSERT_TRUE(single.ok()) << what;
    EXPECT_EQ(Codes(single->codes), codes) << what;
    EXPECT_EQ(single->params.scales, params.scales) << what;
    EXPECT_EQ(single->report.tensor.mse, result->report.tensor.mse) << what;
  }
  // The generator must exercise both outcomes substantially.
  EXPECT_GT(ok, 150);
  EXPECT_GT(rejected, 50);
}

}  // namespace
}  // namespace modelpress
