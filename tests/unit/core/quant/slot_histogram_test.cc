#include "core/quant/slot_histogram.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace modelpress {
namespace {

// Counts of one slot computed value by value from the definition in slot_histogram.h:
// bin = min(bins - 1, trunc(|x| * (bins / range))), negatives in the second half.
std::vector<uint64_t> DirectCounts(const std::vector<float>& x, int bins, float range) {
  std::vector<uint64_t> counts(2 * bins, 0);
  const float inv_width = range > 0 ? bins / range : 0.0f;
  for (float v : x) {
    const int bin = std::min(bins - 1, static_cast<int>(std::fabs(v) * inv_width));
    counts[bin + (v < 0.0f ? bins : 0)]++;
  }
  return counts;
}

// Adds one batch as calibrators do: its per-slot ranges first, then the counts.
void AddBatch(SlotHistograms& histograms, const float* x, const ParamLayout& layout) {
  std::vector<ClipRange> ranges(layout.num_params(), {INFINITY, -INFINITY});
  ASSERT_TRUE(UpdateSlotMinMax(x, layout, &ranges));
  histograms.Add(x, layout, ranges);
}

std::vector<uint64_t> Counts(const SlotHistograms& h, int64_t slot) {
  std::vector<uint64_t> out(h.positive(slot).begin(), h.positive(slot).end());
  out.insert(out.end(), h.negative(slot).begin(), h.negative(slot).end());
  return out;
}

// Long per-tensor runs take the vectorized, 16-bit sub-histogram path: its counts must equal
// the direct ones, including -0.0 (positive side), the exact max (last bin), ragged lengths
// and a peaked run long enough to need several 16-bit flushes.
TEST(SlotHistogramsTest, LongRunsCountExactlyLikeTheDefinition) {
  std::mt19937 rng(3);
  std::student_t_distribution<float> heavy(3.0f);
  for (const int64_t n : {int64_t{100003}, int64_t{1} << 20}) {
    std::vector<float> x(n);
    for (float& v : x) v = heavy(rng);
    x[17] = -0.0f;
    x[18] = 0.0f;
    // A peak: a quarter of the values in one bin, more than one 16-bit counter can hold.
    for (int64_t j = 0; j < n / 4; ++j) x[4 * j + 1] = 0.001f;
    float range = 0;
    for (float v : x) range = std::max(range, std::fabs(v));
    x[n - 1] = -range;  // exactly at the edge: must land in the last negative bin

    QuantScheme scheme;  // per tensor
    SlotHistograms histograms(2048);
    AddBatch(histograms, x.data(), ParamLayout(scheme, {n}));
    ASSERT_EQ(histograms.range(0), range);
    EXPECT_EQ(Counts(histograms, 0), DirectCounts(x, histograms.num_bins(), range)) << n;
  }
}

// Every value in one bin, with a ragged end: the most any 16-bit sub-counter can see. Each
// thread counts its own share, so the edge lengths are per thread.
TEST(SlotHistogramsTest, OneBinHoldingEveryValueDoesNotOverflow) {
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (const int64_t per_thread : {int64_t{262139}, int64_t{262143}, int64_t{3} << 18}) {
      const int64_t n = per_thread * threads;
      const std::vector<float> x(n, 1.0f);
      SlotHistograms histograms(2048);
      AddBatch(histograms, x.data(), ParamLayout(QuantScheme{}, {n}));
      EXPECT_EQ(histograms.positive(0)[histograms.num_bins() - 1], static_cast<uint64_t>(n))
          << n << " values, " << threads << " threads";
    }
  }
  omp_set_num_threads(2);
}

TEST(SlotHistogramsTest, PerGroupRunsCountEachGroupAlone) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  constexpr int64_t kRows = 4, kCols = 1 << 16, kGroup = 1 << 14;
  std::vector<float> x(kRows * kCols);
  for (float& v : x) v = normal(rng);
  QuantScheme scheme;
  scheme.granularity = Granularity::kPerGroup;
  scheme.axis = 1;
  scheme.group_size = kGroup;
  SlotHistograms histograms(256);
  AddBatch(histograms, x.data(), ParamLayout(scheme, {kRows, kCols}));
  ASSERT_EQ(histograms.num_slots(), kRows * kCols / kGroup);
  for (int64_t g = 0; g < histograms.num_slots(); ++g) {
    const std::vector<float> group(x.begin() + g * kGroup, x.begin() + (g + 1) * kGroup);
    float range = 0;
    for (float v : group) range = std::max(range, std::fabs(v));
    EXPECT_EQ(Counts(histograms, g), DirectCounts(group, histograms.num_bins(), range)) << g;
  }
}

}  // namespace
}  // namespace modelpress
