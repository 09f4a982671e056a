#include "core/quant/slot_histogram.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/quant/avx512.h"

namespace modelpress {
namespace {

constexpr int64_t kParallelMinElements = int64_t{1} << 15;

// `counts` holds `bins` positive then `bins` negative counters. The sign selects an offset
// arithmetically: random signs would otherwise mispredict a branch on every other value.
inline int BinOf(float x, float inv_width, int bins) {
  const int bin = std::min(bins - 1, static_cast<int>(std::fabs(x) * inv_width));
  return bin + (x < 0.0f ? bins : 0);
}

// Bin indices of the values x[0..n) (n <= kIndexBatch) into `bins_out`.
constexpr int64_t kIndexBatch = 256;
inline void BinsOf(const float* x, int64_t n, float inv_width, int bins, int32_t* bins_out) {
  int64_t j = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  // The same float multiply and truncation as BinOf, 16 lanes at a time.
  const __m512 vinv = _mm512_set1_ps(inv_width);
  const __m512i last_bin = _mm512_set1_epi32(bins - 1);
  const __m512i negative_offset = _mm512_set1_epi32(bins);
  for (; j + 16 <= n; j += 16) {
    const __m512 v = _mm512_loadu_ps(x + j);
    const __m512i magnitude_bin =
        _mm512_min_epi32(_mm512_cvttps_epi32(_mm512_mul_ps(_mm512_abs_ps(v), vinv)), last_bin);
    const __mmask16 negative = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
    _mm512_storeu_si512(bins_out + j, _mm512_mask_add_epi32(magnitude_bin, negative, magnitude_bin,
                                                            negative_offset));
  }
#endif
  for (; j < n; ++j) bins_out[j] = BinOf(x[j], inv_width, bins);
}

inline void CountRun(const float* x, int64_t n, float inv_width, int bins, uint64_t* counts) {
  if (n < 16 * int64_t{bins}) {
    for (int64_t j = 0; j < n; ++j) counts[BinOf(x[j], inv_width, bins)]++;
    return;
  }
  // Long runs: bin indices a batch at a time (vectorized), then four interleaved 16-bit
  // sub-histograms. Peaked data hit the same counter back to back, and each increment would
  // otherwise wait for the previous store; 16-bit counters keep all four within L1.
  const int64_t width = 2 * int64_t{bins};
  std::vector<uint16_t> sub(4 * width, 0);
  std::array<int32_t, kIndexBatch> index;
  // Each sub-histogram takes a quarter of a flush run, and the first also takes the up to 3
  // values of the run's ragged end: no 16-bit counter can overflow.
  constexpr int64_t kFlushRun = 4 * (int64_t{UINT16_MAX} - 3);
  for (int64_t start = 0; start < n; start += kFlushRun) {
    const int64_t end = std::min(n, start + kFlushRun);
    for (int64_t batch = start; batch < end; batch += kIndexBatch) {
      const int64_t len = std::min(kIndexBatch, end - batch);
      BinsOf(x + batch, len, inv_width, bins, index.data());
      int64_t j = 0;
      for (; j + 4 <= len; j += 4) {
        sub[index[j]]++;
        sub[width + index[j + 1]]++;
        sub[2 * width + index[j + 2]]++;
        sub[3 * width + index[j + 3]]++;
      }
      for (; j < len; ++j) sub[index[j]]++;
    }
    for (int64_t k = 0; k < width; ++k) {
      counts[k] += uint64_t{sub[k]} + sub[width + k] + sub[2 * width + k] + sub[3 * width + k];
      sub[k] = sub[width + k] = sub[2 * width + k] = sub[3 * width + k] = 0;
    }
  }
}

}  // namespace

std::vector<double> SlotHistograms::Magnitude(int64_t s) const {
  std::vector<double> out(bins_);
  for (int k = 0; k < bins_; ++k) {
    out[k] = static_cast<double>(counts_[2 * s * bins_ + k] + counts_[(2 * s + 1) * bins_ + k]);
  }
  return out;
}

void SlotHistograms::Grow(int64_t s, float needed) {
  float& range = ranges_[s];
  if (needed <= range) return;
  if (range == 0.0f) {
    // Only zeros so far, all in bin 0, which stays bin 0 at any range.
    range = needed;
    return;
  }
  uint64_t* pos = &counts_[2 * s * bins_];
  uint64_t* neg = pos + bins_;
  while (range < needed) {
    // Doubling the range merges bins (2k, 2k+1) into k: exact, no re-reading.
    for (int k = 0; k < bins_ / 2; ++k) {
      pos[k] = pos[2 * k] + pos[2 * k + 1];
      neg[k] = neg[2 * k] + neg[2 * k + 1];
    }
    std::fill(pos + bins_ / 2, pos + bins_, 0);
    std::fill(neg + bins_ / 2, neg + bins_, 0);
    range *= 2.0f;
  }
}

void SlotHistograms::Add(const float* values, const ParamLayout& layout,
                         const std::vector<ClipRange>& batch_ranges) {
  const int64_t slots = layout.num_params();
  if (ranges_.empty()) {
    const int64_t affordable = std::max<int64_t>(16, kMaxCounters / std::max<int64_t>(1, slots));
    bins_ = static_cast<int>(std::min<int64_t>(requested_bins_, affordable)) & ~1;
    ranges_.assign(slots, 0.0f);
    observed_.assign(
        slots, {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()});
    counts_.assign(2 * slots * bins_, 0);
  }
  // Widen the histograms to cover this batch's range per slot.
  const std::vector<ClipRange>& batch = batch_ranges;
  for (int64_t s = 0; s < slots; ++s) {
    if (batch[s].min > batch[s].max) continue;  // slot not present in this batch
    observed_[s].min = std::min(observed_[s].min, batch[s].min);
    observed_[s].max = std::max(observed_[s].max, batch[s].max);
    Grow(s, std::max(-batch[s].min, batch[s].max));
  }
  // Count. Integer counts merge exactly, so the result is thread-count independent.
  const bool parallel = layout.num_elements() >= kParallelMinElements;
  const int bins = bins_;
  if (layout.granularity() == Granularity::kPerTensor) {
    const float inv_width = ranges_[0] > 0 ? bins / ranges_[0] : 0.0f;
    const int64_t n = layout.num_elements();
#pragma omp parallel if (parallel)
    {
      std::vector<uint64_t> local(2 * bins, 0);
      const int64_t threads = omp_get_num_threads();
      const int64_t t = omp_get_thread_num();
      const int64_t begin = n * t / threads;
      const int64_t end = n * (t + 1) / threads;
      CountRun(values + begin, end - begin, inv_width, bins, local.data());
#pragma omp critical
      for (int k = 0; k < 2 * bins; ++k) counts_[k] += local[k];
    }
    return;
  }
  // Threads own disjoint channel runs (whole groups for per-group), hence disjoint slots.
  const int64_t axis_len = layout.axis_len();
  const int64_t inner = layout.inner();
  const int64_t unit = layout.granularity() == Granularity::kPerGroup ? layout.group_size() : 1;
  const int64_t units = axis_len / unit;
  const bool varies = layout.granularity() == Granularity::kPerGroup && inner > 1;
#pragma omp parallel if (parallel)
  {
    const int64_t threads = omp_get_num_threads();
    const int64_t t = omp_get_thread_num();
    const int64_t a0 = units * t / threads * unit;
    const int64_t a1 = units * (t + 1) / threads * unit;
    for (int64_t o = 0; o < layout.outer(); ++o) {
      if (inner == 1 && unit > 1) {
        // Per-group along the innermost axis: each group is one contiguous run, one slot.
        for (int64_t a = a0; a < a1; a += unit) {
          const int64_t p = layout.ParamIndex(o, a, 0);
          const float inv_width = ranges_[p] > 0 ? bins / ranges_[p] : 0.0f;
          CountRun(values + o * axis_len + a, unit, inv_width, bins, &counts_[2 * p * bins]);
        }
        continue;
      }
      for (int64_t a = a0; a < a1; ++a) {
        const float* row = values + (o * axis_len + a) * inner;
        const int64_t p = layout.ParamIndex(o, a, 0);
        if (varies) {
          for (int64_t i = 0; i < inner; ++i) {
            const float inv_width = ranges_[p + i] > 0 ? bins / ranges_[p + i] : 0.0f;
            CountRun(row + i, 1, inv_width, bins, &counts_[2 * (p + i) * bins]);
          }
        } else {
          const float inv_width = ranges_[p] > 0 ? bins / ranges_[p] : 0.0f;
          CountRun(row, inner, inv_width, bins, &counts_[2 * p * bins]);
        }
      }
    }
  }
}

}  // namespace modelpress
