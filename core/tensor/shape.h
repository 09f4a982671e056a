// Shape: a tensor's dimensions, outermost first (row-major).
//
// ValidateShape() is the one place that checks user-supplied dimensions: every dimension
// must be positive and the element count must not overflow or exceed a caller's limit.
#ifndef MODELPRESS_CORE_TENSOR_SHAPE_H_
#define MODELPRESS_CORE_TENSOR_SHAPE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelpress {

using Shape = std::vector<int64_t>;

// Product of the dimensions; 1 for a scalar (empty shape). Assumes a validated shape.
int64_t NumElements(const Shape& shape);

// Returns the element count, or INVALID_ARGUMENT naming `field` when a dimension is not
// positive or the count exceeds `max_elements`.
absl::StatusOr<int64_t> ValidateShape(const Shape& shape, absl::string_view field,
                                      int64_t max_elements);

// "[4, 16]".
std::string ShapeToString(const Shape& shape);

// Splits `shape` around `axis` into outer (product of dims before), axis length, and inner
// (product of dims after). Row-major offset of (o, a, i) is (o * axis_len + a) * inner + i.
struct AxisSplit {
  int64_t outer = 1;
  int64_t axis_len = 1;
  int64_t inner = 1;
};
AxisSplit SplitAroundAxis(const Shape& shape, int axis);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_TENSOR_SHAPE_H_
