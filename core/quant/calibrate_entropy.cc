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
  // With P, Q, P_total and Q_total as in the header, KL(P || Q) =
  //   (sum p log p - sum p log q) / P_total + log(Q_total / P_total),
  // and q is constant (the group's share) over each group's non-empty bins, so sum p log q
  // is one term per group. Prefix sums over the histogram make each candidate O(levels)
  // instead of O(i) logs.
  std::vector<double> mass(bins + 1, 0.0);     // sum of h[k], k < m
  std::vector<double> p_log_p(bins + 1, 0.0);  // sum of h log h over non-empty k < m
  std::vector<int> non_empty(bins + 1, 0);     // count of h[k] > 0, k < m
  for (int k = 0; k < bins; ++k) {
    const double h = histogram[k];
    mass[k + 1] = mass[k] + h;
    p_log_p[k + 1] = p_log_p[k] + (h > 0 ? h * std::log(h) : 0.0);
    non_empty[k + 1] = non_empty[k] + (h > 0 ? 1 : 0);
  }
  const double p_total = mass[bins];  // outliers fold in, so P always sums to everything
  double best_kl = std::numeric_limits<double>::infinity();
  int best = bins;
  for (int i = levels; i <= bins; i += stride) {
    const double outliers = mass[bins] - mass[i];
    const double q_total = mass[i];  // Q spreads each group's in-range mass, nothing more
    if (p_total == 0 || q_total == 0) continue;
    // P: h, except that bin i-1 also holds the outliers.
    const double last_p = histogram[i - 1] + outliers;
    const double sum_p_log_p = p_log_p[i - 1] + (last_p > 0 ? last_p * std::log(last_p) : 0.0);
    const int per_group = i / levels;
    double sum_p_log_q = 0;
    bool infinite = false;
    for (int g = 0; g < levels; ++g) {
      const int start = g * per_group;
      const bool last_group = g == levels - 1;
      const int end = last_group ? i : start + per_group;
      const double group_mass = mass[end] - mass[start];
      int group_non_empty = non_empty[end] - non_empty[start];
      double group_p = group_mass;
      if (last_group) {
        group_p += outliers;
        if (histogram[i - 1] == 0 && outliers > 0) ++group_non_empty;
      }
      if (group_non_empty == 0) continue;
      // A bin with mass in P but none in Q (only outliers landed in its group) is
      // infinitely surprising; TensorRT skips such thresholds, and so do we.
      if (group_mass == 0) {
        infinite = true;
        break;
      }
      sum_p_log_q += group_p * std::log(group_mass / group_non_empty);
    }
    if (infinite) continue;
    const double kl = (sum_p_log_p - sum_p_log_q) / p_total + std::log(q_total / p_total);
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
