// SteCalibrator: the clip range learned by gradient descent on the quantization MSE, with the
// straight-through estimator (STE) for round(), LSQ style, on a histogram of everything
// observed (bin centres weighted by counts stand in for the values).
//
// Per slot, the zero point Z and the step S0 come from the min-max range; S is then learned
// with Z fixed. Codes relative to Z lie in [cmin, cmax] = [qmin - Z, qmax - Z], and
// x' = S * clamp(round(x / S), cmin, cmax). With round treated as the identity backwards:
//   dx'/dS = round(x/S) - x/S   if cmin < x/S < cmax,   else the clamp code cmin or cmax.
// S = exp(t) is optimised by Adam on L(S) = sum n (x' - x)^2 / sum n, kIterations steps with a
// cosine-decayed learning rate from t = log S0, projected onto S in [S0 / 1024, S0]. The
// iterate with the lowest L (S0 included) is kept, so the result is never worse than
// min-max on the histogram. Symmetric schemes return [-S*h, S*h] (h = (qmax - qmin) / 2)
// intersected with the observed range; asymmetric ones shrink [min, max] (widened to include
// 0) by alpha = S / S0, which keeps Z. Deterministic (no seed, fixed schedule, one thread per
// slot), so the result does not depend on the thread count. O(kIterations * bins) per slot.
// All-zero slots give [0, 0]; constant slots keep their observed range.
#ifndef MODELPRESS_CORE_QUANT_CALIBRATE_STE_H_
#define MODELPRESS_CORE_QUANT_CALIBRATE_STE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/quant/histogram_calibrator.h"

namespace modelpress {

class SteCalibrator : public HistogramCalibrator {
 public:
  static constexpr int kIterations = 200;

  struct WeightedValue {
    double x = 0.0;
    double weight = 0.0;
  };
  struct LossGradient {
    double loss = 0.0;      // sum w (x' - x)^2 / sum w
    double gradient = 0.0;  // its STE derivative with respect to the step S
  };

  SteCalibrator(const QuantScheme& scheme, int num_bins) : HistogramCalibrator(scheme, num_bins) {}

  // d/dS of S * clamp(round(x / S), code_min, code_max) under the STE; exposed for tests.
  static double StepGradient(double x, double step, int32_t code_min, int32_t code_max);
  // The loss and its STE gradient over weighted values (total weight > 0).
  static LossGradient Evaluate(std::span<const WeightedValue> values, double step, int32_t code_min,
                               int32_t code_max);
  // The learned step, starting from `initial_step` > 0 (see above).
  static double LearnStep(std::span<const WeightedValue> values, double initial_step,
                          int32_t code_min, int32_t code_max);

 protected:
  std::vector<ClipRange> Ranges() const override;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATE_STE_H_
