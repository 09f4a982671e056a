// CalibrationSpec: which calibrator chooses the clipping range [rmin, rmax] before scales
// are computed. All calibrators work per tensor or per channel, following the scheme.
//   kMinMax      the observed range.
//   kPercentile  the `percentile` (0, 100] quantile of |x| (symmetric) or both tails.
//   kMse         the clip minimising expected quantization MSE, from a histogram.
//   kEntropy     the clip minimising KL(P || Q) on a histogram (TensorRT style).
//   kLearnedSte  the step learned by gradient descent on the histogram's quantization MSE,
//                with the straight-through estimator for round() (LSQ style).
#ifndef MODELPRESS_CORE_QUANT_CALIBRATION_SPEC_H_
#define MODELPRESS_CORE_QUANT_CALIBRATION_SPEC_H_

#include <cstdint>

namespace modelpress {

enum class CalibrationMethod : uint8_t { kMinMax, kPercentile, kMse, kEntropy, kLearnedSte };

struct CalibrationSpec {
  CalibrationMethod method = CalibrationMethod::kMinMax;
  double percentile = 99.99;
  int num_bins = 2048;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATION_SPEC_H_
