// QuantParams: the scales and zero points chosen for one tensor under one QuantScheme.
//
// `shape` is the shape of the scale and zero-point arrays: {} per tensor, {C} per channel,
// the blocked shape per group (see quant_scheme.h). Values are row-major in that shape.
#ifndef MODELPRESS_CORE_QUANT_QUANT_PARAMS_H_
#define MODELPRESS_CORE_QUANT_QUANT_PARAMS_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "core/quant/quant_scheme.h"
#include "core/tensor/shape.h"

namespace modelpress {

struct QuantParams {
  Shape shape;
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
};

// Shape the params must have for `scheme` applied to a tensor of `tensor_shape`.
Shape ParamShape(const QuantScheme& scheme, const Shape& tensor_shape);

// Checks user-given params: count matches ParamShape, scales finite and > 0, zero points
// within [QMin, QMax] (and 0 for symmetric signed schemes). INVALID_ARGUMENT names
// "scales" or "zero_points" and the first bad index.
absl::Status ValidateParams(const QuantScheme& scheme, const Shape& tensor_shape,
                            const QuantParams& params);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_QUANT_PARAMS_H_
