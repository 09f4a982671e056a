// Gptq: post-training weight quantization with OBS error compensation (Frantar et al. 2023).
//
// The same column loop as SparseGpt (RunObsLoop) with the target = the weight rounded onto
// its grid; the rounding error of each column is compensated on the columns to its right.
// Rounding uses core/quant's ComputeScaleZeroPoint / QuantizeValue, so codes match
// QuantizeTensor bit for bit wherever no update happened (H = c*I gives exactly RTN).
//
// Grids (scheme.granularity):
//   kPerTensor   one grid from min/max of the whole (dead-column-unzeroed) weight;
//   kPerChannel  axis 0: one grid per output row, from the original row (as the reference);
//   kPerGroup    axis 1 (or -1): one grid per row per group_size consecutive inputs (in
//                processing order), fitted when the loop reaches the group's first column
//                from the weights updated so far. The block size is rounded to a multiple
//                of group_size so that this fit sees every earlier update; the result is
//                then independent of block_size.
// act_order processes columns by descending H_jj (the reference's desc_act); with groups,
// group_index maps each input column to its group (the g_idx of GPTQ checkpoints).
// Bits 2..8, signed or unsigned, symmetric or asymmetric; rounding must be kNearestEven.
//
// Errors (INVALID_ARGUMENT): an invalid scheme (ValidateScheme), per-channel on an axis
// other than 0, stochastic rounding, a bad weight/Hessian pair (see SparseGpt), all-zero
// activations.
#ifndef MODELPRESS_CORE_SECOND_ORDER_GPTQ_H_
#define MODELPRESS_CORE_SECOND_ORDER_GPTQ_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/second_order/eigen.h"
#include "core/second_order/hessian_accumulator.h"
#include "core/second_order/obs_report.h"
#include "core/second_order/obs_solver.h"
#include "core/tensor/tensor.h"

namespace modelpress {

// damp_fraction, block_size and compute_layer_loss come from ObsSolveOptions.
struct GptqOptions : ObsSolveOptions {
  QuantScheme scheme;  // defaults to 8-bit symmetric per tensor; set bits and granularity
  bool act_order = false;
  ObsPrecision precision = ObsPrecision::kFloat32;
};

struct GptqResult {
  Tensor weight;  // dequantized float32 [out_features, in_features]
  Tensor codes;   // int8 (signed schemes) or uint8 codes, same shape, original column order
  // Per tensor {} / per channel {out_features} / per group {out_features, in / group_size}
  // with groups numbered in processing order.
  QuantParams params;
  std::vector<int32_t> group_index;  // per group: group of each input column; else empty
  std::vector<int64_t> permutation;  // act_order: processing order of the input columns
  ObsReport report;
};

absl::StatusOr<GptqResult> Gptq(const Tensor& weight, const Eigen::MatrixXd& hessian,
                                const GptqOptions& options);
absl::StatusOr<GptqResult> Gptq(const Tensor& weight, const HessianAccumulator& hessian,
                                const GptqOptions& options);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_GPTQ_H_
