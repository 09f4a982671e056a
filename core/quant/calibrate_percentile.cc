#include "core/quant/calibrate_percentile.h"

#include <algorithm>

namespace modelpress {
namespace {

// Value below which `fraction` of the mass lies, on a signed axis built from the negative
// bins (largest |x| first) followed by the positive ones; linear within a bin.
float SignedQuantile(const SlotHistograms& h, int64_t s, double fraction) {
  const int bins = h.num_bins();
  const double width = h.bin_width(s);
  const auto pos = h.positive(s);
  const auto neg = h.negative(s);
  double total = 0;
  for (int k = 0; k < bins; ++k) total += static_cast<double>(pos[k] + neg[k]);
  const double target = fraction * total;
  double cumulative = 0;
  for (int k = bins - 1; k >= 0; --k) {  // negative side: bin k spans [-(k+1)w, -kw]
    const double count = static_cast<double>(neg[k]);
    if (count > 0 && cumulative + count >= target) {
      const double within = (target - cumulative) / count;
      return static_cast<float>(-(k + 1 - within) * width);
    }
    cumulative += count;
  }
  for (int k = 0; k < bins; ++k) {
    const double count = static_cast<double>(pos[k]);
    if (count > 0 && cumulative + count >= target) {
      const double within = (target - cumulative) / count;
      return static_cast<float>((k + within) * width);
    }
    cumulative += count;
  }
  return static_cast<float>(bins * width);
}

// Value of |x| below which `fraction` of the mass lies.
float MagnitudeQuantile(const SlotHistograms& h, int64_t s, double fraction) {
  const std::vector<double> magnitude = h.Magnitude(s);
  double total = 0;
  for (double c : magnitude) total += c;
  const double target = fraction * total;
  double cumulative = 0;
  for (size_t k = 0; k < magnitude.size(); ++k) {
    if (magnitude[k] > 0 && cumulative + magnitude[k] >= target) {
      const double within = (target - cumulative) / magnitude[k];
      return static_cast<float>((k + within) * h.bin_width(s));
    }
    cumulative += magnitude[k];
  }
  return h.range(s);
}

}  // namespace

std::vector<ClipRange> PercentileCalibrator::Ranges() const {
  const double fraction = percentile_ / 100.0;
  std::vector<ClipRange> ranges(histograms().num_slots());
  for (int64_t s = 0; s < histograms().num_slots(); ++s) {
    const ClipRange& seen = histograms().observed(s);
    if (histograms().range(s) == 0.0f) {
      ranges[s] = {0.0f, 0.0f};
      continue;
    }
    if (scheme().symmetric) {
      const float clip = MagnitudeQuantile(histograms(), s, fraction);
      ranges[s] = {std::max(seen.min, -clip), std::min(seen.max, clip)};
    } else {
      ranges[s] = {std::max(seen.min, SignedQuantile(histograms(), s, 1.0 - fraction)),
                   std::min(seen.max, SignedQuantile(histograms(), s, fraction))};
    }
  }
  return ranges;
}

}  // namespace modelpress
