#include "core/quant/scale.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace modelpress {
namespace {

// Scales below the smallest normal float would make x / S overflow for ordinary inputs and
// lose precision in S itself; such ranges are narrower than anything float32 can resolve.
float SanitizeScale(float scale) {
  if (scale == 0.0f) return 1.0f;  // all-zero range: every value maps exactly to Z
  return std::max(scale, FLT_MIN);
}

}  // namespace

ScaleZeroPoint ComputeScaleZeroPoint(float range_min, float range_max, const QuantScheme& scheme) {
  const int32_t qmin = QMin(scheme);
  const int32_t qmax = QMax(scheme);
  // Widen to include 0 so that 0.0 is exactly representable.
  const float lo = std::min(range_min, 0.0f);
  const float hi = std::max(range_max, 0.0f);
  ScaleZeroPoint result;
  if (scheme.symmetric) {
    const int32_t half_levels = (qmax - qmin) / 2;
    const float abs_max = std::max(-lo, hi);
    result.scale = SanitizeScale(abs_max / static_cast<float>(half_levels));
    result.zero_point = scheme.is_signed ? 0 : qmin + (qmax - qmin + 1) / 2;
    return result;
  }
  // Float arithmetic throughout, as ONNX DynamicQuantizeLinear, so scales match bit-exactly.
  const float levels = static_cast<float>(qmax - qmin);
  float scale = (hi - lo) / levels;
  if (!std::isfinite(scale)) scale = hi / levels - lo / levels;  // hi - lo overflowed
  result.scale = SanitizeScale(scale);
  const float zero = static_cast<float>(qmin) - std::nearbyint(lo / result.scale);
  result.zero_point =
      static_cast<int32_t>(std::clamp(zero, static_cast<float>(qmin), static_cast<float>(qmax)));
  return result;
}

int32_t QuantizeValue(float x, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  // Clamp before rounding: the bounds are integers, so the result is the same as clamping
  // after, and the float->int conversion can never overflow.
  const float scaled = std::clamp(x / scale, static_cast<float>(qmin - zero_point),
                                  static_cast<float>(qmax - zero_point));
  return static_cast<int32_t>(std::nearbyint(scaled)) + zero_point;
}

}  // namespace modelpress
