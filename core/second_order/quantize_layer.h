// QuantizeLayer: quantize one layer's weight, optionally knowing the layer's calibration
// inputs. The entry point of the QuantizeTensor RPC whenever activations are given or GPTQ
// is asked for (plain tensors go straight to QuantizeTensor).
//
//   weight       float32; [out_features, in_features] when activations are given
//   activations  float32 [rows, in_features] or nullptr
//
// kRoundToNearest runs QuantizeTensor and, with activations, measures the output error of
// the dequantized weight. kGptq needs activations; its grids are min-max, per tensor, per
// channel on axis 0 or per group along axis 1. Either way the result has QuantizeTensor's
// shape (codes, params, weight ErrorReport against the original weight) plus the
// reconstruction report. Errors (INVALID_ARGUMENT, naming the field): GPTQ without
// activations, with a calibrator other than min-max, explicit scales, stochastic rounding,
// act_order with per-group grids (the codes would need a group index to be dequantized),
// damp_fraction outside (0, 1), block_size outside [1, 4096]; and whatever QuantizeTensor,
// Gptq() and MeasureOutputError reject.
#ifndef MODELPRESS_CORE_SECOND_ORDER_QUANTIZE_LAYER_H_
#define MODELPRESS_CORE_SECOND_ORDER_QUANTIZE_LAYER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/quant/quantize_tensor.h"
#include "core/second_order/obs_report.h"
#include "core/tensor/tensor.h"

namespace modelpress {

enum class QuantizationAlgorithm : uint8_t { kRoundToNearest, kGptq };

struct LayerQuantizeOptions {
  QuantizeOptions quantize;
  QuantizationAlgorithm algorithm = QuantizationAlgorithm::kRoundToNearest;
  bool act_order = false;       // kGptq
  double damp_fraction = 0.01;  // kGptq
  int64_t block_size = 128;     // kGptq
};

struct LayerQuantizeResult {
  QuantizeResult quantized;
  // Filled when activations were given: relative_reconstruction_error and
  // measured_loss_increase always; for kGptq also the predicted loss, dead columns and the
  // dampening used.
  ObsReport reconstruction;
};

absl::StatusOr<LayerQuantizeResult> QuantizeLayer(const Tensor& weight, const Tensor* activations,
                                                  const LayerQuantizeOptions& options);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_QUANTIZE_LAYER_H_
