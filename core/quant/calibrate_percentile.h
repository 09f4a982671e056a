// PercentileCalibrator: clips at a percentile of the observed distribution, from a
// histogram (bounded memory over any number of batches). Symmetric schemes clip at the
// `percentile` quantile of |x|; asymmetric ones take the (100 - p) and p quantiles of x.
// Results are interpolated within a bin and never exceed the observed min/max, so 100
// reproduces min-max.
#ifndef MODELPRESS_CORE_QUANT_CALIBRATE_PERCENTILE_H_
#define MODELPRESS_CORE_QUANT_CALIBRATE_PERCENTILE_H_

#include <vector>

#include "core/quant/calibrator.h"
#include "core/quant/slot_histogram.h"

namespace modelpress {

class PercentileCalibrator : public Calibrator {
 public:
  PercentileCalibrator(const QuantScheme& scheme, double percentile, int num_bins)
      : Calibrator(scheme), percentile_(percentile), histograms_(num_bins) {}

 protected:
  void ObserveBatch(const float* values, const ParamLayout& layout) override {
    histograms_.Add(values, layout);
  }
  std::vector<ClipRange> Ranges() const override;

 private:
  double percentile_;
  SlotHistograms histograms_;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATE_PERCENTILE_H_
