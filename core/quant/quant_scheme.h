// QuantScheme: how real values map to integer codes, before any data is seen.
//
//   q  = clamp(round(r / S) + Z, qmin, qmax)        r' = S * (q - Z)
//
// bits in [2, 8]; signed codes span [-2^(b-1), 2^(b-1)-1] ([-2^(b-1)+1, ...] when
// narrow_range), unsigned [0, 2^b-1] ([0, 2^b-2] when narrow_range). Symmetric schemes have
// Z = 0 (unsigned symmetric puts Z at the middle code, 2^(b-1)).
//
// Granularity decides how many (S, Z) pairs there are:
//   kPerTensor   one pair.
//   kPerChannel  one per index of `axis` (any axis; negative counts from the end).
//   kPerGroup    one per run of `group_size` consecutive values along `axis`, for each
//                position of the other axes; the params' shape is the input shape with
//                dims[axis] replaced by dims[axis] / group_size (ONNX blocked layout).
#ifndef MODELPRESS_CORE_QUANT_QUANT_SCHEME_H_
#define MODELPRESS_CORE_QUANT_QUANT_SCHEME_H_

#include <cstdint>

#include "absl/status/status.h"
#include "core/tensor/shape.h"

namespace modelpress {

enum class Granularity : uint8_t { kPerTensor, kPerChannel, kPerGroup };

enum class RoundingMode : uint8_t {
  kNearestEven,  // ties to even, as ONNX QuantizeLinear
  kStochastic,   // up with probability = fractional part; seeded, thread-count independent
};

struct QuantScheme {
  int bits = 8;
  bool is_signed = true;
  bool symmetric = true;
  bool narrow_range = false;
  Granularity granularity = Granularity::kPerTensor;
  int axis = 0;
  int64_t group_size = 0;
  RoundingMode rounding = RoundingMode::kNearestEven;
  uint64_t seed = 0;
};

// Smallest and largest code of the scheme.
int32_t QMin(const QuantScheme& scheme);
int32_t QMax(const QuantScheme& scheme);

// Checks the scheme on its own and against the tensor it will be applied to. Returns
// INVALID_ARGUMENT naming the offending field (bits, axis, group_size, ...). On success,
// a negative axis is NOT rewritten; use NormalizeAxis.
absl::Status ValidateScheme(const QuantScheme& scheme, const Shape& shape);

// Axis in [0, rank) for a validated scheme.
int NormalizeAxis(int axis, int rank);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_QUANT_SCHEME_H_
