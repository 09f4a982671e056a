#include "core/quant/calibrate_entropy.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace modelpress {

int EntropyCalibrator::BestThresholdBin(const std::vector<double>& histogram, int levels,
                                        int stride) {
  const int bins = static_cast<int>(histogram.size());
  if (bins <= levels) return bins;
  std::vector<double> suffix(bins + 1, 0.0);
  for (int k = bins; k-- > 0;) suffix[k] = suffix[k + 1] + histogram[k];
  std::vector<double> p(bins), q(bins);
  double best_kl = std::numeric_limits<double>::infinity();
  int best = bins;
  for (int i = levels; i <= bins; i += stride) {
    std::copy(histogram.begin(), histogram.begin() + i, p.begin());
    p[i - 1] += suffix[i];  // outliers fold into the last kept bin
    // Q: the candidate as the quantizer sees it: the sliced histogram *without* the
    // outliers, merged into `levels` groups (the last takes the remainder) and spread evenly
    // back over each group's non-empty bins of P. Q = P would make every threshold look
    // perfect at i == levels.
    const int per_group = i / levels;
    for (int g = 0; g < levels; ++g) {
      const int start = g * per_group;
      const int end = (g == levels - 1) ? i : start + per_group;
      double mass = 0;
      int nonzero = 0;
      for (int k = start; k < end; ++k) {
        mass += histogram[k];
        nonzero += p[k] > 0 ? 1 : 0;
      }
      const double share = nonzero > 0 ? mass / nonzero : 0.0;
      for (int k = start; k < end; ++k) q[k] = p[k] > 0 ? share : 0.0;
    }
    double p_total = 0, q_total = 0;
    for (int k = 0; k < i; ++k) {
      p_total += p[k];
      q_total += q[k];
    }
    if (p_total == 0 || q_total == 0) continue;
    double kl = 0;
    for (int k = 0; k < i; ++k) {
      if (p[k] == 0) continue;
      // A bin with mass in P but none in Q (only outliers landed there) is infinitely
      // surprising; TensorRT skips such thresholds, and so do we.
      if (q[k] == 0) {
        kl = std::numeric_limits<double>::infinity();
        break;
      }
      kl += (p[k] / p_total) * std::log((p[k] / p_total) / (q[k] / q_total));
    }
    if (!std::isfinite(kl)) continue;
    if (kl < best_kl) {
      best_kl = kl;
      best = i;
    }
  }
  return best;
}

std::vector<ClipRange> EntropyCalibrator::Ranges() const {
  const QuantScheme& q = scheme();
  const int levels = (QMax(q) - QMin(q)) / 2 + 1;
  const int bins = histograms().num_bins();
  const int64_t slots = histograms().num_slots();
  const int stride = slots > 64 ? std::max(1, (bins - levels) / 64) : 1;
  std::vector<ClipRange> ranges(slots);
#pragma omp parallel for schedule(dynamic, 1) if (slots > 1)
  for (int64_t s = 0; s < slots; ++s) {
    const ClipRange& seen = histograms().observed(s);
    if (histograms().range(s) == 0.0f) {
      ranges[s] = {0.0f, 0.0f};
      continue;
    }
    const int best = BestThresholdBin(histograms().Magnitude(s), levels, stride);
    const float clip = static_cast<float>(best) * histograms().bin_width(s);
    ranges[s] = {std::max(seen.min, -clip), std::min(seen.max, clip)};
  }
  return ranges;
}

}  // namespace modelpress
