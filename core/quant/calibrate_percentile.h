// PercentileCalibrator: clips at a percentile of the observed distribution, from a
// histogram (bounded memory over any number of batches). Symmetric schemes clip at the
// `percentile` quantile of |x|; asymmetric ones take the (100 - p) and p quantiles of x.
// Results are interpolated within a bin and never exceed the observed min/max, so 100
// reproduces min-max.
#ifndef MODELPRESS_CORE_QUANT_CALIBRATE_PERCENTILE_H_
#define MODELPRESS_CORE_QUANT_CALIBRATE_PERCENTILE_H_

#include <vector>

#include "core/quant/histogram_calibrator.h"

namespace modelpress {

class PercentileCalibrator : public HistogramCalibrator {
 public:
  PercentileCalibrator(const QuantScheme& scheme, double percentile, int num_bins)
      : HistogramCalibrator(scheme, num_bins), percentile_(percentile) {}

 protected:
  std::vector<ClipRange> Ranges() const override;

 private:
  double percentile_;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATE_PERCENTILE_H_
