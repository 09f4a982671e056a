#include "core/quant/calibrate_minmax.h"

#include <algorithm>

namespace modelpress {

void MinMaxCalibrator::ObserveBatch(const float* /*values*/, const ParamLayout& /*layout*/,
                                    const std::vector<ClipRange>& batch_ranges) {
  if (ranges_.empty()) {
    ranges_ = batch_ranges;
    return;
  }
  for (size_t s = 0; s < ranges_.size(); ++s) {
    ranges_[s].min = std::min(ranges_[s].min, batch_ranges[s].min);
    ranges_[s].max = std::max(ranges_[s].max, batch_ranges[s].max);
  }
}

}  // namespace modelpress
