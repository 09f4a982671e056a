#include "server/tensor_handlers.h"

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/prune/prune_tensor.h"
#include "core/quant/quantize_tensor.h"
#include "core/second_order/quantize_layer.h"
#include "server/proto_convert.h"

namespace modelpress::server {

template <typename Request>
absl::StatusOr<std::optional<Tensor>> TensorHandlers::OptionalActivations(
    const Request& request) const {
  if (!request.has_activations()) return std::optional<Tensor>();
  absl::StatusOr<Tensor> activations =
      Float32TensorFromProto(request.activations(), "activations", max_tensor_elements_);
  if (!activations.ok()) return activations.status();
  return std::optional<Tensor>(std::move(*activations));
}

absl::Status TensorHandlers::QuantizeTensor(const v1::QuantizeTensorRequest& request,
                                            v1::QuantizeTensorResponse* response) const {
  if (!request.has_tensor()) return absl::InvalidArgumentError("tensor is required");
  absl::StatusOr<Tensor> input =
      Float32TensorFromProto(request.tensor(), "tensor", max_tensor_elements_);
  if (!input.ok()) return input.status();
  absl::StatusOr<LayerQuantizeOptions> options =
      LayerQuantizeOptionsFromProto(request.spec(), "spec");
  if (!options.ok()) return options.status();
  options->quantize.per_channel_report = request.per_channel_report();
  absl::StatusOr<std::optional<Tensor>> activations = OptionalActivations(request);
  if (!activations.ok()) return activations.status();

  absl::StatusOr<LayerQuantizeResult> result =
      QuantizeLayer(*input, activations->has_value() ? &**activations : nullptr, *options);
  if (!result.ok()) return result.status();

  const QuantizeResult& quantized = result->quantized;
  CodesToProto(quantized.codes, options->quantize.scheme, response->mutable_quantized());
  response->mutable_scales()->Assign(quantized.params.scales.begin(),
                                     quantized.params.scales.end());
  response->mutable_zero_points()->Assign(quantized.params.zero_points.begin(),
                                          quantized.params.zero_points.end());
  response->mutable_params_shape()->Assign(quantized.params.shape.begin(),
                                           quantized.params.shape.end());
  ErrorReportToProto(quantized.report, response->mutable_error());
  if (activations->has_value()) {
    ReconstructionReportToProto(result->reconstruction, response->mutable_reconstruction());
  }
  if (metrics_ != nullptr) {
    metrics_->RecordQuantization(quantized.report.tensor);
    metrics_->AddBytesReceived(static_cast<double>(input->size_bytes()));
    metrics_->AddBytesSent(static_cast<double>(response->quantized().raw_data().size()));
  }
  return absl::OkStatus();
}

absl::Status TensorHandlers::DequantizeTensor(const v1::DequantizeTensorRequest& request,
                                              v1::DequantizeTensorResponse* response) const {
  if (!request.has_quantized()) return absl::InvalidArgumentError("quantized is required");
  absl::StatusOr<Tensor> codes =
      CodesTensorFromProto(request.quantized(), "quantized", max_tensor_elements_);
  if (!codes.ok()) return codes.status();
  absl::StatusOr<QuantizeOptions> options = QuantizeOptionsFromProto(request.spec(), "spec");
  if (!options.ok()) return options.status();
  if (!options->explicit_params.has_value()) {
    return absl::InvalidArgumentError("spec.scales is required to dequantize");
  }
  // The codes' dtype states their signedness; the spec must agree so that codes are not
  // silently reinterpreted.
  const bool codes_signed = codes->dtype() == DType::kInt8;
  if (codes_signed != options->scheme.is_signed) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantized.dtype is ", v1::DataType_Name(request.quantized().dtype()),
                     " but spec.unsigned is ", options->scheme.is_signed ? "false" : "true"));
  }
  absl::StatusOr<Tensor> values =
      modelpress::DequantizeTensor(*codes, options->scheme, *options->explicit_params);
  if (!values.ok()) return values.status();
  Float32TensorToProto(*values, response->mutable_tensor());
  if (metrics_ != nullptr) {
    metrics_->AddBytesReceived(static_cast<double>(request.quantized().raw_data().size()));
    metrics_->AddBytesSent(static_cast<double>(values->size_bytes()));
  }
  return absl::OkStatus();
}

absl::Status TensorHandlers::PruneTensor(const v1::PruneTensorRequest& request,
                                         v1::PruneTensorResponse* response) const {
  if (!request.has_weight()) return absl::InvalidArgumentError("weight is required");
  absl::StatusOr<Tensor> weight =
      Float32TensorFromProto(request.weight(), "weight", max_tensor_elements_);
  if (!weight.ok()) return weight.status();
  absl::StatusOr<PruneOptions> options = PruneOptionsFromProto(request.spec(), "spec");
  if (!options.ok()) return options.status();
  absl::StatusOr<std::optional<Tensor>> activations = OptionalActivations(request);
  if (!activations.ok()) return activations.status();
  absl::StatusOr<PruneResult> result = modelpress::PruneTensor(
      *weight, *options, activations->has_value() ? &**activations : nullptr);
  if (!result.ok()) return result.status();
  Float32TensorToProto(result->weight, response->mutable_weight());
  response->mutable_report()->set_achieved_sparsity(result->report.achieved_sparsity);
  if (activations->has_value()) {
    ReconstructionReportToProto(result->report,
                                response->mutable_report()->mutable_reconstruction());
  }
  if (metrics_ != nullptr) {
    metrics_->RecordPruning(result->report.achieved_sparsity);
    metrics_->AddBytesReceived(static_cast<double>(weight->size_bytes()));
    metrics_->AddBytesSent(static_cast<double>(result->weight.size_bytes()));
  }
  return absl::OkStatus();
}

}  // namespace modelpress::server
