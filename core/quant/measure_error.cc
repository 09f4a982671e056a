#include "core/quant/measure_error.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/quant/avx512.h"
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
  // Every zero point is 0 (symmetric signed schemes): varying runs skip loading them, which
  // is a sixth of their memory traffic.
  bool zero_points_all_zero;
};

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// Eight double lanes of each running sum, for one half (8 floats) of a 16-float step.
struct LaneSums {
  __m512d sum_error = _mm512_setzero_pd();
  __m512d sum_sq_error = _mm512_setzero_pd();
  __m512d sum_sq_x = _mm512_setzero_pd();
  __m512d sum_sq_r = _mm512_setzero_pd();
  __m512d sum_xr = _mm512_setzero_pd();
  __m512d rounding_sq_error = _mm512_setzero_pd();
  __m512d rounding_sum_error = _mm512_setzero_pd();
  __m512d clipping_sq_error = _mm512_setzero_pd();
  __m512d max_abs_error = _mm512_setzero_pd();

  // `clipped` has one bit per lane: set where the value lies outside the clip bounds.
  void Add(__m256 x_half, __m256 recon_half, __mmask8 clipped) {
    const __m512d x = _mm512_cvtps_pd(x_half);
    const __m512d r = _mm512_cvtps_pd(recon_half);
    const __m512d error = _mm512_sub_pd(r, x);
    const __m512d sq = _mm512_mul_pd(error, error);
    sum_error = _mm512_add_pd(sum_error, error);
    sum_sq_error = _mm512_add_pd(sum_sq_error, sq);
    sum_sq_x = _mm512_fmadd_pd(x, x, sum_sq_x);
    sum_sq_r = _mm512_fmadd_pd(r, r, sum_sq_r);
    sum_xr = _mm512_fmadd_pd(x, r, sum_xr);
    rounding_sq_error = _mm512_mask_add_pd(rounding_sq_error, static_cast<__mmask8>(~clipped),
                                           rounding_sq_error, sq);
    rounding_sum_error = _mm512_mask_add_pd(rounding_sum_error, static_cast<__mmask8>(~clipped),
                                            rounding_sum_error, error);
    clipping_sq_error = _mm512_mask_add_pd(clipping_sq_error, clipped, clipping_sq_error, sq);
    max_abs_error = _mm512_max_pd(max_abs_error, _mm512_abs_pd(error));
  }

  void MergeInto(ErrorAccumulator* acc) const {
    acc->sum_error += _mm512_reduce_add_pd(sum_error);
    acc->sum_sq_error += _mm512_reduce_add_pd(sum_sq_error);
    acc->sum_sq_x += _mm512_reduce_add_pd(sum_sq_x);
    acc->sum_sq_r += _mm512_reduce_add_pd(sum_sq_r);
    acc->sum_xr += _mm512_reduce_add_pd(sum_xr);
    acc->rounding_sq_error += _mm512_reduce_add_pd(rounding_sq_error);
    acc->rounding_sum_error += _mm512_reduce_add_pd(rounding_sum_error);
    acc->clipping_sq_error += _mm512_reduce_add_pd(clipping_sq_error);
    acc->max_abs_error = std::max(acc->max_abs_error, _mm512_reduce_max_pd(max_abs_error));
  }
};

// The leading multiple of 16 elements of a run, 16 at a time with the sums in double lanes
// (two sets, one per 8-float half, to keep the add chains short). kVaries: one (scale, zero
// point) per element, else scales[0] and zero_points[0] for all. Same formulas as the scalar
// loop below: clip bounds and recon = S * (q - Z) in float, error and sums in double.
// Returns how many elements it consumed; for uniform runs *in_range counts the in-range
// elements (their theoretical noise is added once per run), for varying runs the
// theoretical noise is summed per element, as the scalar loop does. Without
// kLoadZeroPoints every zero point must be 0 and none is read.
template <bool kVaries, bool kLoadZeroPoints = true>
int64_t AccumulateSimd(const float* x, const uint8_t* codes, int64_t n, const float* scales,
                       const int32_t* zero_points, const RowContext& ctx, ErrorAccumulator* acc,
                       int64_t* in_range) {
  const int64_t full = n - n % 16;
  if (full == 0) return 0;
  const __m512i vqmin = _mm512_set1_epi32(ctx.qmin);
  const __m512i vqmax = _mm512_set1_epi32(ctx.qmax);
  const __m512 half = _mm512_set1_ps(0.5f);
  __m512 vs = _mm512_set1_ps(scales[0]);
  __m512i vz = _mm512_set1_epi32(zero_points[0]);
  auto bounds = [&](__m512* lo, __m512* hi) {
    *lo = _mm512_mul_ps(vs, _mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(vqmin, vz)), half));
    *hi = _mm512_mul_ps(vs, _mm512_add_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(vqmax, vz)), half));
  };
  __m512 vlo, vhi;
  bounds(&vlo, &vhi);
  const __m512d factor = _mm512_set1_pd(ctx.theoretical_factor);
  __m512d theoretical_low = _mm512_setzero_pd(), theoretical_high = _mm512_setzero_pd();
  LaneSums low, high;
  int64_t clipped = 0;
  for (int64_t j = 0; j < full; j += 16) {
    if constexpr (kVaries) {
      vs = _mm512_loadu_ps(scales + j);
      if constexpr (kLoadZeroPoints) vz = _mm512_loadu_si512(zero_points + j);
      bounds(&vlo, &vhi);
    }
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + j));
    const __m512i q = ctx.is_signed ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
    const __m512 recon = _mm512_mul_ps(vs, _mm512_cvtepi32_ps(_mm512_sub_epi32(q, vz)));
    const __m512 values = _mm512_loadu_ps(x + j);
    const __mmask16 clip =
        _mm512_cmp_ps_mask(values, vlo, _CMP_LT_OQ) | _mm512_cmp_ps_mask(values, vhi, _CMP_GT_OQ);
    clipped += __builtin_popcount(clip);
    low.Add(_mm512_castps512_ps256(values), _mm512_castps512_ps256(recon),
            static_cast<__mmask8>(clip));
    high.Add(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(values), 1)),
             _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(recon), 1)),
             static_cast<__mmask8>(clip >> 8));
    if constexpr (kVaries) {
      const __m512d s_low = _mm512_cvtps_pd(_mm512_castps512_ps256(vs));
      const __m512d s_high =
          _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(vs), 1)));
      theoretical_low =
          _mm512_mask_add_pd(theoretical_low, static_cast<__mmask8>(~clip), theoretical_low,
                             _mm512_mul_pd(_mm512_mul_pd(s_low, s_low), factor));
      theoretical_high =
          _mm512_mask_add_pd(theoretical_high, static_cast<__mmask8>(~clip >> 8), theoretical_high,
                             _mm512_mul_pd(_mm512_mul_pd(s_high, s_high), factor));
    }
  }
  low.MergeInto(acc);
  high.MergeInto(acc);
  acc->clipped += clipped;
  if constexpr (kVaries) {
    acc->theoretical +=
        _mm512_reduce_add_pd(theoretical_low) + _mm512_reduce_add_pd(theoretical_high);
  } else {
    *in_range += full - clipped;
  }
  return full;
}
#endif

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
  int64_t j = 0;
  // Uniform runs: in-range elements all carry the same theoretical S^2 * factor, so it is
  // added once per run from the in-range count.
  int64_t in_range = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  j = kVaries && ctx.zero_points_all_zero
          ? AccumulateSimd<kVaries, false>(x, codes, n, scales, zero_points, ctx, acc, &in_range)
          : AccumulateSimd<kVaries>(x, codes, n, scales, zero_points, ctx, acc, &in_range);
#endif
  for (; j < n; ++j) {
    if constexpr (kVaries) {
      scale = scales[j];
      zero_point = zero_points[j];
      clip_lo = scale * (static_cast<float>(ctx.qmin - zero_point) - 0.5f);
      clip_hi = scale * (static_cast<float>(ctx.qmax - zero_point) + 0.5f);
    }
    const int32_t q = DecodeCode(codes[j], ctx.is_signed);
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
      if constexpr (kVaries) {
        acc->theoretical += static_cast<double>(scale) * scale * ctx.theoretical_factor;
      } else {
        ++in_range;
      }
    }
  }
  if constexpr (!kVaries) {
    acc->theoretical += static_cast<double>(in_range) * scale * scale * ctx.theoretical_factor;
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
                       scheme.rounding == RoundingMode::kStochastic ? 1.0 / 6.0 : 1.0 / 12.0,
                       std::all_of(zero_points, zero_points + layout.num_params(),
                                   [](int32_t z) { return z == 0; })};
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
