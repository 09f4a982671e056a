// Calibrator: chooses the clipping range [min, max] of every param slot of a scheme
// (one per tensor, channel or group; see param_layout.h) from observed data.
//
// Observe() may be called for many batches (activations); each batch must give the same
// number of param slots. Memory is bounded by the slot count (and histogram bins), never by
// the number or size of batches. Non-finite values are rejected with INVALID_ARGUMENT.
// ComputeRanges() returns one range per slot, row-major in ParamShape; feed each to
// ComputeScaleZeroPoint (scale.h). MakeCalibrator builds the class for a CalibrationSpec:
//   kMinMax -> MinMaxCalibrator (calibrate_minmax.cc)
//   kPercentile -> PercentileCalibrator (calibrate_percentile.cc)
//   kMse -> MseCalibrator (calibrate_mse.cc)
//   kEntropy -> EntropyCalibrator (calibrate_entropy.cc)
//   kLearnedSte -> SteCalibrator (calibrate_ste.cc)
#ifndef MODELPRESS_CORE_QUANT_CALIBRATOR_H_
#define MODELPRESS_CORE_QUANT_CALIBRATOR_H_

#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/quant/calibration_spec.h"
#include "core/quant/param_layout.h"
#include "core/quant/quant_scheme.h"
#include "core/tensor/shape.h"

namespace modelpress {

struct ClipRange {
  float min = 0.0f;
  float max = 0.0f;
};

class Calibrator {
 public:
  explicit Calibrator(const QuantScheme& scheme) : scheme_(scheme) {}
  virtual ~Calibrator() = default;

  absl::Status Observe(std::span<const float> values, const Shape& shape);
  absl::StatusOr<std::vector<ClipRange>> ComputeRanges() const;

  const QuantScheme& scheme() const { return scheme_; }
  int64_t num_slots() const { return num_slots_; }

 protected:
  // Called with validated, finite data whose layout has num_slots() slots, and the batch's
  // own [min, max] per slot (already computed by Observe, so no subclass re-reads for it).
  virtual void ObserveBatch(const float* values, const ParamLayout& layout,
                            const std::vector<ClipRange>& batch_ranges) = 0;
  virtual std::vector<ClipRange> Ranges() const = 0;

 private:
  QuantScheme scheme_;
  int64_t num_slots_ = -1;
};

// INVALID_ARGUMENT naming "calibration.percentile" or "calibration.num_bins" if out of range.
absl::Status ValidateCalibrationSpec(const CalibrationSpec& spec);

absl::StatusOr<std::unique_ptr<Calibrator>> MakeCalibrator(const CalibrationSpec& spec,
                                                           const QuantScheme& scheme);

// Per-slot min and max of one batch (slots start at +inf/-inf and are widened). Returns
// false if a value is NaN or Inf. Shared by every calibrator; OpenMP over disjoint slots.
bool UpdateSlotMinMax(const float* values, const ParamLayout& layout,
                      std::vector<ClipRange>* ranges);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_CALIBRATOR_H_
