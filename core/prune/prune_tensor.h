// PruneTensor: prune one weight matrix by any method; the entry point of the PruneTensor RPC.
//
//   absl::StatusOr<PruneResult> r = PruneTensor(weight, options, &activations);
//
// `weight` is float32 [out_features, in_features] (any rank for kMagnitude). `activations`
// is optional float32 [rows, in_features] calibration input to this layer (nullptr when
// absent); kObd, kWanda and kSparseGpt require it, the other methods use it only for the
// report. The input tensors are not modified; the result holds a new weight of the same
// name and shape.
//
// Report (see PruneReport): achieved sparsity always; with activations the relative
// reconstruction error ||WX - W'X||^2 / ||WX||^2 and the measured loss increase
// 1/2 sum_rows delta^T H delta with H = 2 X^T X / N; for kObd and kSparseGpt also the
// loss increase the method's saliencies predicted.
//
// Errors: INVALID_ARGUMENT naming the field (sparsity outside [0, 1), N:M with n >= m or
// in_features not a multiple of m, wrong dtype or rank, non-finite values, activations'
// inner dimension != in_features, all-zero activations for the data-driven methods: they
// carry no information and the weight would otherwise be silently destroyed).
#ifndef MODELPRESS_CORE_PRUNE_PRUNE_TENSOR_H_
#define MODELPRESS_CORE_PRUNE_PRUNE_TENSOR_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/prune/structured.h"
#include "core/second_order/obs_report.h"
#include "core/tensor/tensor.h"

namespace modelpress {

enum class PruneMethod : uint8_t {
  kMagnitude,        // smallest |w| in the tensor (exact count)
  kMagnitudePerRow,  // smallest |w| in each output row
  kNM,               // n zeros in every m consecutive inputs, by |w|
  kStructured,       // whole output rows with the smallest norm (row_norm)
  kObd,              // 0.5 * H_jj * w^2 over the layer; needs activations
  kWanda,            // |w| * ||X_j|| per row; needs activations
  kSparseGpt,        // OBS with updates; unstructured, or N:M when m > 0; needs activations
};

struct PruneOptions {
  PruneMethod method = PruneMethod::kMagnitude;
  double sparsity = 0.5;  // in [0, 1); unused by kNM (and kSparseGpt with m > 0)
  int n = 0;              // kNM, kSparseGpt: n zeros in every m weights
  int m = 0;
  RowNorm row_norm = RowNorm::kL2;  // kStructured
  double damp_fraction = 0.0;       // kSparseGpt; 0 means the default 0.01
  int64_t block_size = 0;           // kSparseGpt; 0 means the default 128
};

// The OBS report serves every method, so that one converter serves all of them: every
// method fills achieved_sparsity; with activations also relative_reconstruction_error and
// measured_loss_increase; kObd and kSparseGpt predicted_loss_increase; kSparseGpt the rest
// (dead_columns, the dampening used, timings).
using PruneReport = ObsReport;

struct PruneResult {
  Tensor weight;
  PruneReport report;
};

absl::StatusOr<PruneResult> PruneTensor(const Tensor& weight, const PruneOptions& options,
                                        const Tensor* activations);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_PRUNE_PRUNE_TENSOR_H_
