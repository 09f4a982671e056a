// Scale and zero point for one clip range, and single-value quantization.
//
// These are the scalar building blocks every kernel, calibrator and the GPTQ loop share, so
// that all of them round and clamp identically.
//   asymmetric: range widened to include 0, S = (rmax - rmin) / (qmax - qmin),
//               Z = qmin - round(rmin / S), clamped to [qmin, qmax].
//   symmetric:  S = max(|rmin|, |rmax|) / floor((qmax - qmin) / 2) (127 for int8, narrow
//               or not), Z = 0 for signed schemes, qmin + ceil((qmax - qmin) / 2) for
//               unsigned ones (128 for uint8).
// A degenerate range (all zeros) yields S = 1 so that every value maps exactly to Z.
#ifndef MODELPRESS_CORE_QUANT_SCALE_H_
#define MODELPRESS_CORE_QUANT_SCALE_H_

#include <cstdint>

#include "core/quant/quant_scheme.h"

namespace modelpress {

struct ScaleZeroPoint {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

ScaleZeroPoint ComputeScaleZeroPoint(float range_min, float range_max, const QuantScheme& scheme);

// clamp(round_half_even(x / scale) + zero_point, qmin, qmax).
int32_t QuantizeValue(float x, float scale, int32_t zero_point, int32_t qmin, int32_t qmax);

// The code stored in one byte: int8 if is_signed, else uint8.
inline int32_t DecodeCode(uint8_t byte, bool is_signed) {
  return is_signed ? static_cast<int32_t>(static_cast<int8_t>(byte)) : static_cast<int32_t>(byte);
}

// scale * (q - zero_point).
inline float DequantizeValue(int32_t q, float scale, int32_t zero_point) {
  return scale * static_cast<float>(q - zero_point);
}

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_SCALE_H_
