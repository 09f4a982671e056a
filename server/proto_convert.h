// Conversions between the API messages (proto/modelpress/v1) and core types.
//
// Every user-supplied field is validated here or in core; errors are INVALID_ARGUMENT (or
// RESOURCE_EXHAUSTED for size limits) with the message naming the field by its path in the
// request ("tensor.shape[1]", "spec.granularity"). Nothing here allocates more than the
// limits allow: sizes are checked against the declared shape before any copy.
#ifndef MODELPRESS_SERVER_PROTO_CONVERT_H_
#define MODELPRESS_SERVER_PROTO_CONVERT_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/prune/prune_tensor.h"
#include "core/quant/error_report.h"
#include "core/quant/quantize_tensor.h"
#include "core/second_order/quantize_layer.h"
#include "core/tensor/tensor.h"
#include "modelpress/v1/pruning.pb.h"
#include "modelpress/v1/quantization.pb.h"
#include "modelpress/v1/reconstruction.pb.h"
#include "modelpress/v1/tensor.pb.h"

namespace modelpress::server {

// FP32 input tensor. `field` is the request path used in errors ("tensor").
// `max_elements` bounds the declared shape (RESOURCE_EXHAUSTED beyond it). The result is a
// Tensor::View of the message's bytes (no copy): it must not outlive `proto`.
absl::StatusOr<Tensor> Float32TensorFromProto(const v1::Tensor& proto, absl::string_view field,
                                              int64_t max_elements);

// Integer codes (INT8, UINT8, INT4_PACKED, UINT4_PACKED) as unpacked one-per-byte codes.
// INT8 / UINT8 codes are a Tensor::View of the message's bytes: it must not outlive `proto`.
absl::StatusOr<Tensor> CodesTensorFromProto(const v1::Tensor& proto, absl::string_view field,
                                            int64_t max_elements);

// QuantizationSpec -> scheme, calibration and optional explicit params, defaults applied.
// `field` is the request path of the spec ("spec").
absl::StatusOr<QuantizeOptions> QuantizeOptionsFromProto(const v1::QuantizationSpec& proto,
                                                         absl::string_view field);

// QuantizationSpec -> the above plus the algorithm and its GPTQ settings (defaults applied).
absl::StatusOr<LayerQuantizeOptions> LayerQuantizeOptionsFromProto(
    const v1::QuantizationSpec& proto, absl::string_view field);

// The reconstruction figures of an OBS report (also every pruning's report).
void ReconstructionReportToProto(const ObsReport& report, v1::ReconstructionReport* proto);

// PruneSpec -> PruneOptions; the method is required, ranges are checked by core.
absl::StatusOr<PruneOptions> PruneOptionsFromProto(const v1::PruneSpec& proto,
                                                   absl::string_view field);

// Codes as the wire tensor: INT8/UINT8, or nibble-packed when the scheme has <= 4 bits.
void CodesToProto(const Tensor& codes, const QuantScheme& scheme, v1::Tensor* proto);

// FP32 tensor as raw little-endian bytes.
void Float32TensorToProto(const Tensor& tensor, v1::Tensor* proto);

void ErrorStatsToProto(const ErrorStats& stats, v1::ErrorStats* proto);
void ErrorReportToProto(const ErrorReport& report, v1::ErrorReport* proto);

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_PROTO_CONVERT_H_
