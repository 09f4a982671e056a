// HistogramCalibrator: the base of the calibrators that choose a clip range from a
// histogram of everything observed (percentile, MSE, entropy). It owns the per-slot
// histograms, so memory stays bounded by the bin count over any number of batches;
// subclasses only implement Ranges() on histograms().
#ifndef MODELPRESS_CORE_QUANT_HISTOGRAM_CALIBRATOR_H_
#define MODELPRESS_CORE_QUANT_HISTOGRAM_CALIBRATOR_H_

#include "core/quant/calibrator.h"
#include "core/quant/slot_histogram.h"

namespace modelpress {

class HistogramCalibrator : public Calibrator {
 protected:
  HistogramCalibrator(const QuantScheme& scheme, int num_bins)
      : Calibrator(scheme), histograms_(num_bins) {}

  void ObserveBatch(const float* values, const ParamLayout& layout,
                    const std::vector<ClipRange>& batch_ranges) override {
    histograms_.Add(values, layout, batch_ranges);
  }
  const SlotHistograms& histograms() const { return histograms_; }

 private:
  SlotHistograms histograms_;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_HISTOGRAM_CALIBRATOR_H_
