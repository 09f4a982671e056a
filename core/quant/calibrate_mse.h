// MseCalibrator: the clip range that minimises the expected quantization MSE, searched on a
// histogram (never by re-quantizing the data per candidate).
//
// For a clip c and its scale S, the expected MSE is modelled per bin (centre m, count n):
// bins within S/2 of zero add n * m^2 (they all round to the exact zero code), the other
// in-range bins n * S^2/12 (uniform rounding noise), bins beyond c n * (m - c)^2
// (clipping). With suffix sums of n, n*m, n*m^2 each candidate costs O(1), so the search
// over every bin edge is O(bins) per slot. Symmetric schemes search c on |x|; asymmetric
// ones shrink [min, max] by a common factor alpha in (0, 1].
#ifndef MODELPRESS_CORE_QUANT_CALIBRATE_MSE_H_
#define MODELPRESS_CORE_QUANT_CALIBRATE_MSE_H_

#include <vector>

#include "core/quant/histogram_calibrator.h"

namespace modelpress {

class MseCalibrator : public HistogramCalibrator {
 public:
  MseCalibrator(const QuantScheme& scheme, int num_bins) : HistogramCalibrator(scheme, num_bins) {}

 protected:
  std::vector<ClipRange> Ranges() const override;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATE_MSE_H_
