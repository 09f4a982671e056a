// EntropyCalibrator: TensorRT-style KL-divergence calibration on the |x| histogram.
//
// For each candidate threshold bin i (from the number of quantized levels up to the bin
// count), P = the first i bins with all outlier mass folded into bin i-1, Q = the same
// bins without the outliers, merged into `levels` (2^(bits-1), 128 for int8) equal groups
// and spread back uniformly over each group's non-empty bins. The threshold minimising KL(P || Q)
// wins; the clip is bin i's upper edge. O(bins * levels) per slot (prefix sums): with more than 64
// slots only every k-th candidate is tried (at most ~64 per slot) to keep per-channel calibration
// fast. Asymmetric schemes clip both sides at the same |x| threshold.
#ifndef MODELPRESS_CORE_QUANT_CALIBRATE_ENTROPY_H_
#define MODELPRESS_CORE_QUANT_CALIBRATE_ENTROPY_H_

#include <vector>

#include "core/quant/histogram_calibrator.h"

namespace modelpress {

class EntropyCalibrator : public HistogramCalibrator {
 public:
  EntropyCalibrator(const QuantScheme& scheme, int num_bins)
      : HistogramCalibrator(scheme, num_bins) {}

  // Threshold (on |x|, in bin units) minimising KL for one histogram; exposed for tests.
  static int BestThresholdBin(const std::vector<double>& histogram, int levels, int stride);

 protected:
  std::vector<ClipRange> Ranges() const override;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATE_ENTROPY_H_
