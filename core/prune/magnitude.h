// Magnitude pruning: zero the weights with the smallest |w|, no data, no update.
//
// Exact counts: floor(sparsity * group size) weights are zeroed in every comparison group,
// chosen by index (SmallestK; ties go to the lower index) rather than by a `<=` threshold,
// which over-prunes when values tie. The comparison group decides the result:
//   PruneByMagnitude        one tensor (per layer), any rank.
//   PruneByMagnitudePerRow  each output row of a [out_features, in_features] matrix.
//   PruneByMagnitudeGlobal  all given tensors ranked together (one threshold network-wide).
// All work in place on float32 tensors and return the number of weights zeroed.
// INVALID_ARGUMENT for sparsity outside [0, 1), non-float32 or non-finite weights; nothing
// is changed on error.
#ifndef MODELPRESS_CORE_PRUNE_MAGNITUDE_H_
#define MODELPRESS_CORE_PRUNE_MAGNITUDE_H_

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "core/tensor/tensor.h"

namespace modelpress {

absl::StatusOr<int64_t> PruneByMagnitude(Tensor& weight, double sparsity);
absl::StatusOr<int64_t> PruneByMagnitudePerRow(Tensor& weight, double sparsity);
absl::StatusOr<int64_t> PruneByMagnitudeGlobal(std::span<Tensor* const> weights, double sparsity);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_PRUNE_MAGNITUDE_H_
