#include "core/prune/prune_tensor.h"

#include "absl/strings/str_cat.h"
#include "core/prune/magnitude.h"
#include "core/prune/n_m.h"
#include "core/prune/obd.h"
#include "core/prune/validate.h"
#include "core/prune/wanda.h"
#include "core/second_order/eigen.h"
#include "core/second_order/hessian_accumulator.h"
#include "core/second_order/output_error.h"
#include "core/second_order/sparse_gpt.h"

namespace modelpress {
namespace {

bool NeedsActivations(PruneMethod method) {
  return method == PruneMethod::kObd || method == PruneMethod::kWanda ||
         method == PruneMethod::kSparseGpt;
}

absl::Status ValidateActivations(const Tensor& weight, const Tensor& activations) {
  if (weight.rank() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight shape is ", ShapeToString(weight.shape()),
                     "; activations need a [out_features, in_features] weight"));
  }
  if (activations.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("activations dtype is ", DTypeName(activations.dtype()), "; must be float32"));
  }
  if (activations.rank() != 2 || activations.shape()[1] != weight.shape()[1]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "activations shape is ", ShapeToString(activations.shape()), "; must be [rows, ",
        weight.shape()[1], "] to match the weight's in_features"));
  }
  return absl::OkStatus();
}

double ZeroFraction(const Tensor& t) {
  int64_t zeros = 0;
  for (const float v : t.values<float>()) zeros += v == 0.0f;
  return static_cast<double>(zeros) / static_cast<double>(t.num_elements());
}

absl::StatusOr<PruneResult> RunSparseGpt(const Tensor& weight, const PruneOptions& options,
                                         const Tensor& activations) {
  HessianAccumulator accumulator(weight.shape()[1]);
  if (absl::Status s = accumulator.AddBatch(activations); !s.ok()) return s;
  SparseGptOptions sgpt;
  sgpt.sparsity = options.sparsity;
  sgpt.n = options.n;
  sgpt.m = options.m;
  sgpt.damp_fraction = options.damp_fraction == 0.0 ? 0.01 : options.damp_fraction;
  sgpt.block_size = options.block_size == 0 ? 128 : options.block_size;
  absl::StatusOr<SparseGptResult> result = SparseGpt(weight, accumulator, sgpt);
  if (!result.ok()) return result.status();
  return PruneResult{std::move(result->weight), result->report};
}

}  // namespace

absl::StatusOr<PruneResult> PruneTensor(const Tensor& weight, const PruneOptions& options,
                                        const Tensor* activations) {
  const bool matrix = options.method != PruneMethod::kMagnitude;
  if (absl::Status s = ValidateWeight(weight, matrix); !s.ok()) return s;
  if (activations == nullptr && NeedsActivations(options.method)) {
    return absl::InvalidArgumentError(
        "activations are required by OBD, Wanda and SparseGPT (calibration inputs "
        "[rows, in_features])");
  }
  if (activations != nullptr) {
    if (absl::Status s = ValidateActivations(weight, *activations); !s.ok()) return s;
  }
  if (options.method == PruneMethod::kSparseGpt) {
    return RunSparseGpt(weight, options, *activations);
  }

  PruneResult result{weight.Clone(), {}};
  Tensor& w = result.weight;
  absl::Status status;
  switch (options.method) {
    case PruneMethod::kMagnitude:
      status = PruneByMagnitude(w, options.sparsity).status();
      break;
    case PruneMethod::kMagnitudePerRow:
      status = PruneByMagnitudePerRow(w, options.sparsity).status();
      break;
    case PruneMethod::kNM:
      status = PruneNM(w, options.n, options.m).status();
      break;
    case PruneMethod::kStructured:
      status = PruneStructuredRows(w, options.sparsity, options.row_norm).status();
      break;
    case PruneMethod::kObd:
    case PruneMethod::kWanda: {
      if (absl::Status s = ValidateSparsity(options.sparsity); !s.ok()) return s;
      HessianAccumulator accumulator(weight.shape()[1], /*diagonal_only=*/true);
      if (absl::Status s = accumulator.AddBatch(*activations); !s.ok()) return s;
      absl::StatusOr<Eigen::VectorXd> diag = accumulator.HessianDiagonal();
      if (!diag.ok()) return diag.status();
      if ((diag->array() == 0.0).all()) {
        return absl::InvalidArgumentError(
            "activations are all zero: every input column is dead, so the saliencies carry "
            "no information; the weight is left unchanged");
      }
      if (options.method == PruneMethod::kObd) {
        absl::StatusOr<double> predicted = PruneObd(w, *diag, options.sparsity);
        status = predicted.status();
        if (predicted.ok()) result.report.predicted_loss_increase = *predicted;
      } else {
        status = PruneWanda(w, accumulator.ColumnNorms(), options.sparsity).status();
      }
      break;
    }
    case PruneMethod::kSparseGpt:
      break;  // handled above
  }
  if (!status.ok()) return status;
  result.report.achieved_sparsity = ZeroFraction(w);
  if (activations != nullptr) {
    absl::StatusOr<OutputError> error = MeasureOutputError(weight, w, *activations);
    if (!error.ok()) return error.status();
    result.report.relative_reconstruction_error = error->relative_error;
    result.report.measured_loss_increase = error->loss_increase;
  }
  return result;
}

}  // namespace modelpress
