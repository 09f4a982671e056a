// MinMaxCalibrator: the clipping range is the observed [min, max] of each slot over every
// batch (symmetric schemes later use max(|min|, |max|)). Memory: two floats per slot.
#ifndef MODELPRESS_CORE_QUANT_CALIBRATE_MINMAX_H_
#define MODELPRESS_CORE_QUANT_CALIBRATE_MINMAX_H_

#include <vector>

#include "core/quant/calibrator.h"

namespace modelpress {

class MinMaxCalibrator : public Calibrator {
 public:
  explicit MinMaxCalibrator(const QuantScheme& scheme) : Calibrator(scheme) {}

 protected:
  void ObserveBatch(const float* values, const ParamLayout& layout,
                    const std::vector<ClipRange>& batch_ranges) override;
  std::vector<ClipRange> Ranges() const override { return ranges_; }

 private:
  std::vector<ClipRange> ranges_;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATE_MINMAX_H_
