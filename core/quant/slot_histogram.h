// SlotHistograms: one |x| histogram per param slot, split by sign, over many batches.
//
// Slot s covers [0, range(s)] with num_bins() equal bins, separately for x >= 0 and x < 0.
// When a batch exceeds the range, the range doubles (repeatedly) and pairs of bins merge,
// which is exact, so earlier batches never need re-reading. Memory is fixed at construction:
// 2 * slots * bins counters; the bins per slot shrink (to at least 16) so that this stays
// under kMaxCounters. The observed min/max per slot is kept too.
#ifndef MODELPRESS_CORE_QUANT_SLOT_HISTOGRAM_H_
#define MODELPRESS_CORE_QUANT_SLOT_HISTOGRAM_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/quant/calibrator.h"
#include "core/quant/param_layout.h"

namespace modelpress {

class SlotHistograms {
 public:
  static constexpr int64_t kMaxCounters = int64_t{1} << 22;

  SlotHistograms() = default;
  // Allocates on the first Add (the slot count is known then).
  explicit SlotHistograms(int requested_bins) : requested_bins_(requested_bins) {}

  // `values` must be finite and laid out per `layout`; `batch_ranges` are their [min, max]
  // per slot (UpdateSlotMinMax from +-inf).
  void Add(const float* values, const ParamLayout& layout,
           const std::vector<ClipRange>& batch_ranges);

  int64_t num_slots() const { return static_cast<int64_t>(ranges_.size()); }
  int num_bins() const { return bins_; }
  // Upper edge of the histogram of slot s (0 while it has seen only zeros).
  float range(int64_t s) const { return ranges_[s]; }
  float bin_width(int64_t s) const { return ranges_[s] / static_cast<float>(bins_); }
  const ClipRange& observed(int64_t s) const { return observed_[s]; }
  std::span<const uint64_t> positive(int64_t s) const { return {&counts_[2 * s * bins_], Size()}; }
  std::span<const uint64_t> negative(int64_t s) const {
    return {&counts_[(2 * s + 1) * bins_], Size()};
  }
  // positive + negative: the histogram of |x|.
  std::vector<double> Magnitude(int64_t s) const;

 private:
  size_t Size() const { return static_cast<size_t>(bins_); }
  void Grow(int64_t s, float needed);

  int requested_bins_ = 2048;
  int bins_ = 0;
  std::vector<float> ranges_;
  std::vector<ClipRange> observed_;
  // Slot s: bins for x >= 0, then bins for x < 0 (so the sign picks an offset, not a branch).
  std::vector<uint64_t> counts_;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_SLOT_HISTOGRAM_H_
