// PruneStructuredRows: structured pruning of whole output channels.
//
// Zeroes the floor(sparsity * out_features) rows of a [out_features, in_features] matrix
// (flattened [out_channels, in*kh*kw] for convolutions) with the smallest L1 or L2 norm
// (ties: lower index first). The zero rows can then be removed together with the next
// layer's matching inputs. In place; returns the number of rows zeroed.
#ifndef MODELPRESS_CORE_PRUNE_STRUCTURED_H_
#define MODELPRESS_CORE_PRUNE_STRUCTURED_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/tensor/tensor.h"

namespace modelpress {

enum class RowNorm : uint8_t { kL1, kL2 };

absl::StatusOr<int64_t> PruneStructuredRows(Tensor& weight, double sparsity, RowNorm norm);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_PRUNE_STRUCTURED_H_
