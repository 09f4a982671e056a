// The error report against a long-double reference computed from first principles (every
// element's param through ReferenceParamIndex), over lengths that are not multiples of the
// kernels' 16-lane steps, with and without clipping, uniform and per-group params.
#include "core/quant/measure_error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/quant/quantize_tensor.h"
#include "core/quant/scale.h"
#include "quant_testutil.h"

namespace modelpress {
namespace {

using testing::Codes;
using testing::LaplaceTensor;
using testing::ReferenceParamIndex;

struct ReferenceSums {
  long double count = 0, clipped = 0, sum_error = 0, sum_sq_error = 0, max_abs_error = 0;
  long double sum_sq_x = 0, sum_sq_r = 0, sum_xr = 0, rounding_sq = 0, rounding_sum = 0;
  long double clipping_sq = 0, theoretical = 0;
};

// Same definitions as error_report.h, term by term.
void AddElement(float x, int32_t q, float scale, int32_t zero_point, const QuantScheme& scheme,
                ReferenceSums* s) {
  const long double value = x;
  const long double recon = DequantizeValue(q, scale, zero_point);
  const long double error = recon - value;
  s->count += 1;
  s->sum_error += error;
  s->sum_sq_error += error * error;
  s->max_abs_error = std::max(s->max_abs_error, std::fabs(error));
  s->sum_sq_x += value * value;
  s->sum_sq_r += recon * recon;
  s->sum_xr += value * recon;
  const float lo = scale * (static_cast<float>(QMin(scheme) - zero_point) - 0.5f);
  const float hi = scale * (static_cast<float>(QMax(scheme) - zero_point) + 0.5f);
  if (x < lo || x > hi) {
    s->clipped += 1;
    s->clipping_sq += error * error;
  } else {
    s->rounding_sq += error * error;
    s->rounding_sum += error;
    s->theoretical += static_cast<long double>(scale) * scale / 12;
  }
}

void ExpectMatches(const ErrorStats& got, const ReferenceSums& s, const std::string& where) {
  constexpr double kRel = 1e-9;
  auto near = [&](double actual, long double expected, const char* field) {
    EXPECT_NEAR(actual, static_cast<double>(expected),
                kRel * std::fabs(static_cast<double>(expected)) + 1e-300)
        << where << " " << field;
  };
  const long double n = s.count;
  EXPECT_EQ(got.count, static_cast<int64_t>(s.count)) << where;
  near(got.mse, s.sum_sq_error / n, "mse");
  near(got.rmse, std::sqrt(s.sum_sq_error / n), "rmse");
  EXPECT_EQ(got.max_abs_error, static_cast<double>(s.max_abs_error)) << where;
  near(got.mean_error, s.sum_error / n, "mean_error");
  near(got.sqnr_db, 10 * std::log10(s.sum_sq_x / s.sum_sq_error), "sqnr_db");
  near(got.cosine, s.sum_xr / std::sqrt(s.sum_sq_x * s.sum_sq_r), "cosine");
  near(got.rounding_mse, s.rounding_sq / n, "rounding_mse");
  near(got.clipping_mse, s.clipping_sq / n, "clipping_mse");
  near(got.clipped_fraction, s.clipped / n, "clipped_fraction");
  near(got.theoretical_rounding_mse, s.theoretical / n, "theoretical_rounding_mse");
  const long double in_range = s.count - s.clipped;
  near(got.rounding_mean_error, in_range > 0 ? s.rounding_sum / in_range : 0, "rounding_mean");
}

struct ReportCase {
  const char* name;
  Shape shape;
  QuantScheme scheme;
  bool clip;  // explicit params at 40% of the range, so the tails clip
};

QuantScheme Scheme(Granularity granularity, bool symmetric, bool is_signed, int bits,
                   int64_t group_size = 0) {
  QuantScheme scheme;
  scheme.granularity = granularity;
  scheme.symmetric = symmetric;
  scheme.is_signed = is_signed;
  scheme.bits = bits;
  scheme.axis = granularity == Granularity::kPerGroup ? 1 : 0;
  scheme.group_size = group_size;
  return scheme;
}

QuantScheme WithAxis(QuantScheme scheme, int axis) {
  scheme.axis = axis;
  return scheme;
}

class MeasureErrorTest : public ::testing::TestWithParam<ReportCase> {};

TEST_P(MeasureErrorTest, MatchesLongDoubleReference) {
  const ReportCase& c = GetParam();
  const Tensor input = LaplaceTensor(c.shape, 7, 2.0f);
  QuantizeOptions options;
  options.scheme = c.scheme;
  options.per_channel_report = true;
  absl::StatusOr<QuantizeResult> minmax = QuantizeTensor(input, options);
  ASSERT_TRUE(minmax.ok()) << minmax.status();
  absl::StatusOr<QuantizeResult> result = std::move(minmax);
  if (c.clip) {
    QuantParams params = result->params;
    for (float& scale : params.scales) scale *= 0.4f;
    options.explicit_params = params;
    result = QuantizeTensor(input, options);
    ASSERT_TRUE(result.ok()) << result.status();
  }
  const std::vector<int32_t> codes = Codes(result->codes);
  const auto x = input.values<float>();
  // The per-channel report runs along the scheme's axis (non-negative in these cases).
  const int64_t channels = c.shape[c.scheme.axis];
  int64_t inner = 1;
  for (size_t d = c.scheme.axis + 1; d < c.shape.size(); ++d) inner *= c.shape[d];
  ReferenceSums total;
  std::vector<ReferenceSums> by_channel(channels);
  for (size_t j = 0; j < x.size(); ++j) {
    const int64_t p = ReferenceParamIndex(c.scheme, c.shape, static_cast<int64_t>(j));
    const float scale = result->params.scales[p];
    const int32_t zero_point = result->params.zero_points[p];
    AddElement(x[j], codes[j], scale, zero_point, c.scheme, &total);
    AddElement(x[j], codes[j], scale, zero_point, c.scheme,
               &by_channel[(static_cast<int64_t>(j) / inner) % channels]);
  }
  if (c.clip) {
    EXPECT_GT(total.clipped, 0) << "the case must exercise clipping";
  }
  ExpectMatches(result->report.tensor, total, "tensor");
  ASSERT_EQ(result->report.per_channel.size(), static_cast<size_t>(channels));
  for (int64_t a = 0; a < channels; ++a) {
    ExpectMatches(result->report.per_channel[a], by_channel[a], "channel " + std::to_string(a));
  }

  // The per-tensor path (blocks over segments, not channels) gives the same totals.
  options.per_channel_report = false;
  absl::StatusOr<QuantizeResult> plain = QuantizeTensor(input, options);
  ASSERT_TRUE(plain.ok()) << plain.status();
  ExpectMatches(plain->report.tensor, total, "tensor (no per-channel report)");
}

INSTANTIATE_TEST_SUITE_P(
    Reports, MeasureErrorTest,
    ::testing::Values(
        ReportCase{
            "per_channel_int8", {7, 1037}, Scheme(Granularity::kPerChannel, true, true, 8), false},
        ReportCase{"per_channel_int8_clipped",
                   {7, 1037},
                   Scheme(Granularity::kPerChannel, true, true, 8),
                   true},
        ReportCase{"per_tensor_uint8_asym_clipped",
                   {5, 70001},
                   Scheme(Granularity::kPerTensor, false, false, 8),
                   true},
        ReportCase{"per_channel_uint4_asym",
                   {3, 4099},
                   Scheme(Granularity::kPerChannel, false, false, 4),
                   false},
        ReportCase{"per_group_int4_clipped",
                   {6, 1024},
                   Scheme(Granularity::kPerGroup, true, true, 4, 64),
                   true},
        ReportCase{"short_rows", {9, 15}, Scheme(Granularity::kPerChannel, true, true, 8), true},
        // Params that vary along each contiguous run: per-channel on the last axis (the
        // [K, N] MatMul weight layout) and per-group along axis 0 of such a weight.
        ReportCase{"per_channel_axis1_uint8_asym_clipped",
                   {37, 1037},
                   WithAxis(Scheme(Granularity::kPerChannel, false, false, 8), 1),
                   true},
        ReportCase{"per_group_axis0_int4_clipped",
                   {128, 515},
                   WithAxis(Scheme(Granularity::kPerGroup, true, true, 4, 32), 0),
                   true}),
    [](const ::testing::TestParamInfo<ReportCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace modelpress
