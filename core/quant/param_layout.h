// ParamLayout: where each element of a tensor finds its (scale, zero point).
//
// The tensor is viewed as [outer, axis_len, inner] around the scheme's axis; element
// (o, a, i) uses param ParamIndex(o, a, i). Kernels walk the tensor as Segments: contiguous
// runs of elements whose params are either one slot (uniform) or consecutive slots (one per
// element). Segments never overlap, so kernels can run them on any thread in any order.
// Requires a scheme already accepted by ValidateScheme for this shape.
#ifndef MODELPRESS_CORE_QUANT_PARAM_LAYOUT_H_
#define MODELPRESS_CORE_QUANT_PARAM_LAYOUT_H_

#include <cstdint>

#include "core/quant/quant_scheme.h"
#include "core/tensor/shape.h"

namespace modelpress {

struct Segment {
  int64_t offset = 0;         // first element
  int64_t length = 0;         // element count
  int64_t param = 0;          // param slot of the first element
  bool param_varies = false;  // slot advances by one per element
};

class ParamLayout {
 public:
  // Per-tensor segments are cut into chunks of this many elements so threads can share them.
  static constexpr int64_t kChunkElements = int64_t{1} << 16;

  ParamLayout(const QuantScheme& scheme, const Shape& shape);

  Granularity granularity() const { return granularity_; }
  int64_t outer() const { return outer_; }
  int64_t axis_len() const { return axis_len_; }
  int64_t inner() const { return inner_; }
  int64_t group_size() const { return group_size_; }
  int64_t num_elements() const { return outer_ * axis_len_ * inner_; }
  int64_t num_params() const { return num_params_; }

  int64_t ParamIndex(int64_t o, int64_t a, int64_t i) const {
    switch (granularity_) {
      case Granularity::kPerTensor:
        return 0;
      case Granularity::kPerChannel:
        return a;
      case Granularity::kPerGroup:
        return (o * (axis_len_ / group_size_) + a / group_size_) * inner_ + i;
    }
    return 0;
  }

  int64_t num_segments() const { return num_segments_; }
  Segment segment(int64_t s) const;

 private:
  Granularity granularity_;
  int64_t outer_ = 1;
  int64_t axis_len_ = 1;
  int64_t inner_ = 1;
  int64_t group_size_ = 1;
  int64_t num_params_ = 1;
  int64_t num_segments_ = 1;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_PARAM_LAYOUT_H_
