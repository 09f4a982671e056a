#include "core/quant/quant_params.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace modelpress {

Shape ParamShape(const QuantScheme& scheme, const Shape& tensor_shape) {
  const int rank = static_cast<int>(tensor_shape.size());
  switch (scheme.granularity) {
    case Granularity::kPerTensor:
      return {};
    case Granularity::kPerChannel:
      return {tensor_shape[NormalizeAxis(scheme.axis, rank)]};
    case Granularity::kPerGroup: {
      Shape shape = tensor_shape;
      const int axis = NormalizeAxis(scheme.axis, rank);
      shape[axis] /= scheme.group_size;
      return shape;
    }
  }
  return {};
}

absl::Status ValidateParams(const QuantScheme& scheme, const Shape& tensor_shape,
                            const QuantParams& params) {
  if (absl::Status status = ValidateScheme(scheme, tensor_shape); !status.ok()) return status;
  const Shape expected_shape = ParamShape(scheme, tensor_shape);
  const size_t expected = static_cast<size_t>(NumElements(expected_shape));
  if (params.scales.size() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("scales has ", params.scales.size(), " values; the scheme needs ", expected,
                     " (parameter shape ", ShapeToString(expected_shape), ")"));
  }
  // Empty zero points mean all zero, as ONNX's optional y_zero_point.
  if (!params.zero_points.empty() && params.zero_points.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("zero_points has ", params.zero_points.size(),
                                                   " values; the scheme needs ", expected));
  }
  if (!params.shape.empty() && NumElements(params.shape) != static_cast<int64_t>(expected)) {
    return absl::InvalidArgumentError(absl::StrCat("params shape ", ShapeToString(params.shape),
                                                   " does not match the scheme's ",
                                                   ShapeToString(expected_shape)));
  }
  for (size_t i = 0; i < params.scales.size(); ++i) {
    const float scale = params.scales[i];
    if (!std::isfinite(scale) || scale <= 0.0f) {
      return absl::InvalidArgumentError(
          absl::StrCat("scales[", i, "] is ", scale, "; must be finite and > 0"));
    }
  }
  const int32_t qmin = QMin(scheme);
  const int32_t qmax = QMax(scheme);
  for (size_t i = 0; i < params.zero_points.size(); ++i) {
    const int32_t zero_point = params.zero_points[i];
    if (zero_point < qmin || zero_point > qmax) {
      return absl::InvalidArgumentError(absl::StrCat("zero_points[", i, "] is ", zero_point,
                                                     "; must be in [", qmin, ", ", qmax, "]"));
    }
    if (scheme.symmetric && scheme.is_signed && zero_point != 0) {
      return absl::InvalidArgumentError(absl::StrCat("zero_points[", i, "] is ", zero_point,
                                                     "; must be 0 for a symmetric signed scheme"));
    }
  }
  return absl::OkStatus();
}

}  // namespace modelpress
