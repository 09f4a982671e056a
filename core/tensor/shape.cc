#include "core/tensor/shape.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace modelpress {

int64_t NumElements(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

absl::StatusOr<int64_t> ValidateShape(const Shape& shape, absl::string_view field,
                                      int64_t max_elements) {
  int64_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "] is ", shape[i], "; every dimension must be positive"));
    }
    if (count > max_elements / shape[i]) {
      return absl::InvalidArgumentError(absl::StrCat(field, " ", ShapeToString(shape),
                                                     " has more than ", max_elements, " elements"));
    }
    count *= shape[i];
  }
  return count;
}

std::string ShapeToString(const Shape& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

AxisSplit SplitAroundAxis(const Shape& shape, int axis) {
  AxisSplit split;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (d < axis) split.outer *= shape[d];
    if (d == axis) split.axis_len = shape[d];
    if (d > axis) split.inner *= shape[d];
  }
  return split;
}

}  // namespace modelpress
