#include "core/quant/quant_scheme.h"

#include "absl/strings/str_cat.h"

namespace modelpress {

int32_t QMin(const QuantScheme& scheme) {
  if (!scheme.is_signed) return 0;
  const int32_t lowest = -(int32_t{1} << (scheme.bits - 1));
  return scheme.narrow_range ? lowest + 1 : lowest;
}

int32_t QMax(const QuantScheme& scheme) {
  if (scheme.is_signed) return (int32_t{1} << (scheme.bits - 1)) - 1;
  const int32_t highest = (int32_t{1} << scheme.bits) - 1;
  return scheme.narrow_range ? highest - 1 : highest;
}

int NormalizeAxis(int axis, int rank) { return axis < 0 ? axis + rank : axis; }

absl::Status ValidateScheme(const QuantScheme& scheme, const Shape& shape) {
  if (scheme.bits < 2 || scheme.bits > 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.bits is ", scheme.bits, "; must be in [2, 8]"));
  }
  // Enums may arrive as casts from wire integers; reject values outside the declared set.
  if (static_cast<int>(scheme.granularity) > static_cast<int>(Granularity::kPerGroup)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.granularity has unknown value ", static_cast<int>(scheme.granularity)));
  }
  if (static_cast<int>(scheme.rounding) > static_cast<int>(RoundingMode::kStochastic)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.rounding has unknown value ", static_cast<int>(scheme.rounding)));
  }
  if (scheme.granularity == Granularity::kPerTensor) return absl::OkStatus();

  const int rank = static_cast<int>(shape.size());
  if (scheme.axis < -rank || scheme.axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.axis ", scheme.axis, " out of range for rank ", rank));
  }
  if (scheme.granularity == Granularity::kPerGroup) {
    const int axis = NormalizeAxis(scheme.axis, rank);
    if (scheme.group_size <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("spec.group_size is ", scheme.group_size,
                                                     "; must be positive for per-group"));
    }
    if (shape[axis] % scheme.group_size != 0) {
      return absl::InvalidArgumentError(absl::StrCat("spec.group_size ", scheme.group_size,
                                                     " does not divide dimension ", axis,
                                                     " of length ", shape[axis]));
    }
  }
  return absl::OkStatus();
}

}  // namespace modelpress
