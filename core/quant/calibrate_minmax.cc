#include "core/quant/calibrate_minmax.h"

#include <limits>

namespace modelpress {

void MinMaxCalibrator::ObserveBatch(const float* values, const ParamLayout& layout) {
  if (ranges_.empty()) {
    ranges_.assign(layout.num_params(), {std::numeric_limits<float>::infinity(),
                                         -std::numeric_limits<float>::infinity()});
  }
  UpdateSlotMinMax(values, layout, &ranges_);
}

}  // namespace modelpress
