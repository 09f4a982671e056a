#include "core/quant/measure_error.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/quant/error_accumulator.h"
#include "core/quant/scale.h"

namespace modelpress {
namespace {

constexpr int64_t kBlockElements = int64_t{1} << 16;

struct RowContext {
  bool is_signed;
  int32_t qmin;
  int32_t qmax;
  double theoretical_factor;  // 1/12 for nearest, 1/6 for stochastic rounding
};

template <bool kVaries>
void AccumulateRow(const float* x, const uint8_t* codes, int64_t n, const float* scales,
                   const int32_t* zero_points, const RowContext& ctx, ErrorAccumulator* acc) {
  float scale = scales[0];
  int32_t zero_point = zero_points[0];
  // A value is clipped when its unclamped code would leave [qmin, qmax], i.e. it lies more
  // than half a step beyond the extreme codes; everything else is rounding error <= S/2.
  // (The extreme codes alone are not the bound: a min-max grid with a rounded zero point
  // can sit up to S/2 inside [rmin, rmax].)
  float clip_lo = scale * (static_cast<float>(ctx.qmin - zero_point) - 0.5f);
  float clip_hi = scale * (static_cast<float>(ctx.qmax - zero_point) + 0.5f);
  for (int64_t j = 0; j < n; ++j) {
    if constexpr (kVaries) {
      scale = scales[j];
      zero_point = zero_points[j];
      clip_lo = scale * (static_cast<float>(ctx.qmin - zero_point) - 0.5f);
      clip_hi = scale * (static_cast<float>(ctx.qmax - zero_point) + 0.5f);
    }
    const int32_t q = ctx.is_signed ? static_cast<int32_t>(static_cast<int8_t>(codes[j]))
                                    : static_cast<int32_t>(codes[j]);
    const double value = x[j];
    const double recon = DequantizeValue(q, scale, zero_point);
    const double error = recon - value;
    const double sq = error * error;
    acc->sum_error += error;
    acc->sum_sq_error += sq;
    acc->max_abs_error = std::max(acc->max_abs_error, std::fabs(error));
    acc->sum_sq_x += value * value;
    acc->sum_sq_r += recon * recon;
    acc->sum_xr += value * recon;
    if (x[j] < clip_lo || x[j] > clip_hi) {
      ++acc->clipped;
      acc->clipping_sq_error += sq;
    } else {
      acc->rounding_sq_error += sq;
      acc->rounding_sum_error += error;
      acc->theoretical += static_cast<double>(scale) * scale * ctx.theoretical_factor;
    }
  }
  acc->count += n;
}

void AccumulateSpan(const float* x, const uint8_t* codes, int64_t n, const float* scales,
                    const int32_t* zero_points, bool varies, const RowContext& ctx,
                    ErrorAccumulator* acc) {
  if (varies) {
    AccumulateRow<true>(x, codes, n, scales, zero_points, ctx, acc);
  } else {
    AccumulateRow<false>(x, codes, n, scales, zero_points, ctx, acc);
  }
}

}  // namespace

ErrorReport MeasureError(const float* x, const uint8_t* codes, const ParamLayout& layout,
                         const QuantScheme& scheme, const float* scales, const int32_t* zero_points,
                         bool per_channel) {
  const RowContext ctx{scheme.is_signed, QMin(scheme), QMax(scheme),
                       scheme.rounding == RoundingMode::kStochastic ? 1.0 / 6.0 : 1.0 / 12.0};
  const bool parallel = layout.num_elements() >= kBlockElements;
  ErrorReport report;
  ErrorAccumulator total;

  if (per_channel) {
    const int64_t channels = layout.axis_len();
    const int64_t outer = layout.outer();
    const int64_t inner = layout.inner();
    const bool varies = layout.granularity() == Granularity::kPerGroup && inner > 1;
    std::vector<ErrorAccumulator> accs(channels);
    // Each thread owns a contiguous range of channels, so each channel's sums run in the
    // same order whatever the thread count.
#pragma omp parallel if (parallel)
    {
      const int64_t threads = omp_get_num_threads();
      const int64_t t = omp_get_thread_num();
      const int64_t c0 = channels * t / threads;
      const int64_t c1 = channels * (t + 1) / threads;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t a = c0; a < c1; ++a) {
          const int64_t offset = (o * channels + a) * inner;
          const int64_t p = layout.ParamIndex(o, a, 0);
          AccumulateSpan(x + offset, codes + offset, inner, scales + p, zero_points + p, varies,
                         ctx, &accs[a]);
        }
      }
    }
    report.per_channel.reserve(channels);
    for (const ErrorAccumulator& acc : accs) {
      total.Merge(acc);
      report.per_channel.push_back(acc.Finalize());
    }
    report.tensor = total.Finalize();
    return report;
  }

  const int64_t segments = layout.num_segments();
  const int64_t seg_len = std::max<int64_t>(1, layout.segment(0).length);
  const int64_t per_block = std::max<int64_t>(1, kBlockElements / seg_len);
  const int64_t blocks = (segments + per_block - 1) / per_block;
  std::vector<ErrorAccumulator> partial(blocks);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t s_end = std::min(segments, (b + 1) * per_block);
    for (int64_t s = b * per_block; s < s_end; ++s) {
      const Segment seg = layout.segment(s);
      AccumulateSpan(x + seg.offset, codes + seg.offset, seg.length, scales + seg.param,
                     zero_points + seg.param, seg.param_varies, ctx, &partial[b]);
    }
  }
  for (const ErrorAccumulator& acc : partial) total.Merge(acc);
  report.tensor = total.Finalize();
  return report;
}

}  // namespace modelpress
