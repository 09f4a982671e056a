#include "core/quant/param_layout.h"

#include <algorithm>

namespace modelpress {

ParamLayout::ParamLayout(const QuantScheme& scheme, const Shape& shape)
    : granularity_(scheme.granularity) {
  const int rank = static_cast<int>(shape.size());
  const int64_t total = NumElements(shape);
  if (granularity_ == Granularity::kPerTensor || rank == 0) {
    // Per tensor the axis only matters for per-channel reports; keep a valid one.
    const int axis = (rank == 0) ? 0 : std::clamp(NormalizeAxis(scheme.axis, rank), 0, rank - 1);
    if (rank > 0) {
      const AxisSplit split = SplitAroundAxis(shape, axis);
      outer_ = split.outer;
      axis_len_ = split.axis_len;
      inner_ = split.inner;
    }
    granularity_ = Granularity::kPerTensor;
    num_params_ = 1;
    num_segments_ = std::max<int64_t>(1, (total + kChunkElements - 1) / kChunkElements);
    return;
  }
  const AxisSplit split = SplitAroundAxis(shape, NormalizeAxis(scheme.axis, rank));
  outer_ = split.outer;
  axis_len_ = split.axis_len;
  inner_ = split.inner;
  if (granularity_ == Granularity::kPerChannel) {
    group_size_ = 1;
    num_params_ = axis_len_;
    num_segments_ = inner_ > 1 ? outer_ * axis_len_ : outer_;
  } else {
    group_size_ = scheme.group_size;
    num_params_ = total / group_size_;
    num_segments_ = inner_ > 1 ? outer_ * axis_len_ : outer_ * (axis_len_ / group_size_);
  }
}

Segment ParamLayout::segment(int64_t s) const {
  Segment seg;
  switch (granularity_) {
    case Granularity::kPerTensor:
      seg.offset = s * kChunkElements;
      seg.length = std::min(kChunkElements, num_elements() - seg.offset);
      seg.param = 0;
      return seg;
    case Granularity::kPerChannel:
      if (inner_ > 1) {
        seg.offset = s * inner_;
        seg.length = inner_;
        seg.param = s % axis_len_;
      } else {
        seg.offset = s * axis_len_;
        seg.length = axis_len_;
        seg.param = 0;
        seg.param_varies = true;
      }
      return seg;
    case Granularity::kPerGroup:
      if (inner_ > 1) {
        const int64_t o = s / axis_len_;
        const int64_t a = s % axis_len_;
        seg.offset = s * inner_;
        seg.length = inner_;
        seg.param = ParamIndex(o, a, 0);
        seg.param_varies = true;
      } else {
        seg.offset = s * group_size_;
        seg.length = group_size_;
        seg.param = s;
      }
      return seg;
  }
  return seg;
}

}  // namespace modelpress
