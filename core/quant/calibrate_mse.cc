#include "core/quant/calibrate_mse.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/quant/scale.h"

namespace modelpress {
namespace {

// Suffix sums of count, count*centre and count*centre^2 over one histogram, so that the
// clipping error beyond any cut is S2 - 2 c S1 + c^2 S0.
struct SuffixSums {
  std::vector<double> count, first, second;

  SuffixSums(std::span<const uint64_t> a, std::span<const uint64_t> b, bool add_b, double width) {
    const size_t bins = a.size();
    count.assign(bins + 1, 0.0);
    first.assign(bins + 1, 0.0);
    second.assign(bins + 1, 0.0);
    for (size_t k = bins; k-- > 0;) {
      const double n = static_cast<double>(a[k]) + (add_b ? static_cast<double>(b[k]) : 0.0);
      const double centre = (k + 0.5) * width;
      count[k] = count[k + 1] + n;
      first[k] = first[k + 1] + n * centre;
      second[k] = second[k + 1] + n * centre * centre;
    }
  }
  // First bin whose centre lies beyond `cut`: centre (k + 0.5) w exceeds cut for
  // k > cut / w - 0.5.
  size_t FirstBinBeyond(double cut, double width) const {
    const size_t bins = count.size() - 1;
    const double k_real = cut / width - 0.5;
    const size_t k = k_real < 0 ? 0 : static_cast<size_t>(k_real) + 1;
    return std::min(k, bins);
  }
  // Squared clipping error of the bins whose centre lies beyond `cut`.
  double ClipError(double cut, double width, size_t* first_clipped) const {
    const size_t k = FirstBinBeyond(cut, width);
    *first_clipped = k;
    return second[k] - 2.0 * cut * first[k] + cut * cut * count[k];
  }
  // Values within half a step of 0 all round to the exact zero code, so their error is
  // x^2, not the S^2/12 of uniform rounding noise. Without this term a coarse grid over
  // data concentrated near 0 (4 bits, a few far outliers) looks far worse than it is, and
  // the search clips outliers it should keep. Returns the count and error of those values.
  std::pair<double, double> DeadZone(double half_step, double width, size_t first_clipped) const {
    const size_t k = std::min(FirstBinBeyond(half_step, width), first_clipped);
    return {count[0] - count[k], second[0] - second[k]};
  }
};

// Modelled squared error of the values inside the clip range of one side (or of |x|).
double InRangeError(const SuffixSums& sums, double scale, double width, size_t first_clipped) {
  const auto [zero_count, zero_error] = sums.DeadZone(scale / 2.0, width, first_clipped);
  const double rounding_count = sums.count[0] - sums.count[first_clipped] - zero_count;
  return zero_error + rounding_count * scale * scale / 12.0;
}

}  // namespace

std::vector<ClipRange> MseCalibrator::Ranges() const {
  const QuantScheme& q = scheme();
  const double levels = static_cast<double>(QMax(q) - QMin(q));
  const double half_levels = static_cast<double>((QMax(q) - QMin(q)) / 2);
  const int bins = histograms().num_bins();
  std::vector<ClipRange> ranges(histograms().num_slots());
  for (int64_t s = 0; s < histograms().num_slots(); ++s) {
    const ClipRange& seen = histograms().observed(s);
    const double width = histograms().bin_width(s);
    if (width == 0.0) {
      ranges[s] = {0.0f, 0.0f};
      continue;
    }
    const auto pos = histograms().positive(s);
    const auto neg = histograms().negative(s);
    double best_error = std::numeric_limits<double>::infinity();
    if (q.symmetric) {
      const SuffixSums magnitude(pos, neg, /*add_b=*/true, width);
      const double abs_max = std::max(-seen.min, seen.max);
      double best_clip = abs_max;
      for (int k = 0; k <= bins; ++k) {
        // Candidates: every bin edge, and the observed max itself.
        const double clip = k < bins ? (k + 1) * width : abs_max;
        if (clip > abs_max && k < bins) continue;
        const double scale = clip / half_levels;
        size_t first_clipped;
        const double clip_error = magnitude.ClipError(clip, width, &first_clipped);
        const double error = clip_error + InRangeError(magnitude, scale, width, first_clipped);
        if (error < best_error) {
          best_error = error;
          best_clip = clip;
        }
      }
      ranges[s] = {std::max(seen.min, static_cast<float>(-best_clip)),
                   std::min(seen.max, static_cast<float>(best_clip))};
    } else {
      const SuffixSums upper(pos, neg, /*add_b=*/false, width);
      const SuffixSums lower(neg, pos, /*add_b=*/false, width);
      const double lo = std::min(0.0f, seen.min);
      const double hi = std::max(0.0f, seen.max);
      double best_alpha = 1.0;
      for (int k = 1; k <= bins; ++k) {
        const double alpha = static_cast<double>(k) / bins;
        const double scale = alpha * (hi - lo) / levels;
        size_t clipped_hi, clipped_lo;
        const double clip_error = upper.ClipError(alpha * hi, width, &clipped_hi) +
                                  lower.ClipError(-alpha * lo, width, &clipped_lo);
        const double error = clip_error + InRangeError(upper, scale, width, clipped_hi) +
                             InRangeError(lower, scale, width, clipped_lo);
        if (error < best_error) {
          best_error = error;
          best_alpha = alpha;
        }
      }
      ranges[s] = {static_cast<float>(best_alpha * lo), static_cast<float>(best_alpha * hi)};
    }
  }
  return ranges;
}

}  // namespace modelpress
