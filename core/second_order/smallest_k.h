// SmallestK: indices of the k smallest scores, exactly k of them.
//
// Ties are broken by the lower index, so the selection is deterministic and never
// overshoots the way a `score <= threshold` test does when values tie. O(n) on average
// (std::nth_element over indices). Scores must not be NaN.
#ifndef MODELPRESS_CORE_SECOND_ORDER_SMALLEST_K_H_
#define MODELPRESS_CORE_SECOND_ORDER_SMALLEST_K_H_

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace modelpress {

// Fills `indices` (resized to k, unordered) with the positions of the k smallest scores.
// Requires 0 <= k <= scores.size().
template <typename T>
void SmallestK(std::span<const T> scores, int64_t k, std::vector<int64_t>& indices) {
  indices.resize(scores.size());
  std::iota(indices.begin(), indices.end(), int64_t{0});
  if (k > 0 && k < static_cast<int64_t>(scores.size())) {
    std::nth_element(indices.begin(), indices.begin() + (k - 1), indices.end(),
                     [&scores](int64_t a, int64_t b) {
                       return scores[a] < scores[b] || (scores[a] == scores[b] && a < b);
                     });
  }
  indices.resize(static_cast<size_t>(k));
}

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_SMALLEST_K_H_
