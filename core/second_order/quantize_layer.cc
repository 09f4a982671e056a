#include "core/second_order/quantize_layer.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/quant/measure_error.h"
#include "core/quant/param_layout.h"
#include "core/second_order/gptq.h"
#include "core/second_order/hessian_accumulator.h"
#include "core/second_order/output_error.h"

namespace modelpress {
namespace {

absl::Status ValidateGptqRequest(const Tensor& weight, const LayerQuantizeOptions& options) {
  const QuantizeOptions& quantize = options.quantize;
  if (weight.dtype() != DType::kFloat32 || weight.rank() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor shape is ", ShapeToString(weight.shape()),
                     "; GPTQ needs a float32 [out_features, in_features] weight"));
  }
  if (quantize.explicit_params.has_value()) {
    return absl::InvalidArgumentError("spec.scales cannot be given with GPTQ: it fits its grids");
  }
  if (quantize.calibration.method != CalibrationMethod::kMinMax) {
    return absl::InvalidArgumentError(
        "spec.calibration must be MIN_MAX (or unset) with GPTQ: its grids are min-max");
  }
  if (options.act_order && quantize.scheme.granularity == Granularity::kPerGroup) {
    return absl::InvalidArgumentError(
        "spec.act_order with GRANULARITY_PER_GROUP is not supported: the codes would need a "
        "group index to be dequantized");
  }
  if (!(options.damp_fraction > 0 && options.damp_fraction < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.damp_fraction is ", options.damp_fraction, "; must be in (0, 1)"));
  }
  if (options.block_size < 1 || options.block_size > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.block_size is ", options.block_size, "; must be in [1, 4096]"));
  }
  return ValidateScheme(quantize.scheme, weight.shape());
}

absl::StatusOr<LayerQuantizeResult> RunGptq(const Tensor& weight, const Tensor& activations,
                                            const LayerQuantizeOptions& options) {
  if (absl::Status status = ValidateGptqRequest(weight, options); !status.ok()) return status;
  HessianAccumulator hessian(weight.shape()[1]);
  if (absl::Status status = hessian.AddBatch(activations); !status.ok()) return status;

  GptqOptions gptq;
  gptq.scheme = options.quantize.scheme;
  gptq.act_order = options.act_order;
  gptq.damp_fraction = options.damp_fraction;
  gptq.block_size = options.block_size;
  absl::StatusOr<GptqResult> result = Gptq(weight, hessian, gptq);
  if (!result.ok()) return result.status();

  // Measured exactly as QuantizeTensor measures it, against the original weight: GPTQ
  // trades a larger weight error for a smaller output error, and the report shows both.
  const QuantScheme& scheme = options.quantize.scheme;
  LayerQuantizeResult out;
  out.quantized.report =
      MeasureError(weight.values<float>().data(), result->codes.values<uint8_t>().data(),
                   ParamLayout(scheme, weight.shape()), scheme, result->params.scales.data(),
                   result->params.zero_points.data(), options.quantize.per_channel_report);
  out.quantized.codes = std::move(result->codes);
  out.quantized.codes.set_name(weight.name());
  out.quantized.params = std::move(result->params);
  out.reconstruction = result->report;
  return out;
}

}  // namespace

absl::StatusOr<LayerQuantizeResult> QuantizeLayer(const Tensor& weight, const Tensor* activations,
                                                  const LayerQuantizeOptions& options) {
  if (options.algorithm == QuantizationAlgorithm::kGptq) {
    if (activations == nullptr) {
      return absl::InvalidArgumentError(
          "activations are required by GPTQ (calibration inputs [rows, in_features])");
    }
    return RunGptq(weight, *activations, options);
  }
  absl::StatusOr<QuantizeResult> quantized = QuantizeTensor(weight, options.quantize);
  if (!quantized.ok()) return quantized.status();
  LayerQuantizeResult out{std::move(*quantized), {}};
  if (activations != nullptr) {
    absl::StatusOr<Tensor> dequantized =
        DequantizeTensor(out.quantized.codes, options.quantize.scheme, out.quantized.params);
    if (!dequantized.ok()) return dequantized.status();
    absl::StatusOr<OutputError> error = MeasureOutputError(weight, *dequantized, *activations);
    if (!error.ok()) return error.status();
    out.reconstruction.relative_reconstruction_error = error->relative_error;
    out.reconstruction.measured_loss_increase = error->loss_increase;
  }
  return out;
}

}  // namespace modelpress
