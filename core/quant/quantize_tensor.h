// QuantizeTensor / DequantizeTensor: the one entry point the server, model jobs and GPTQ
// use to quantize a whole FP32 tensor.
//
// QuantizeTensor validates everything about its inputs (scheme vs shape, finite values,
// explicit params) and returns INVALID_ARGUMENT naming the field instead of computing on
// bad data. Codes are returned unpacked, one per byte (int8 for signed schemes, uint8 for
// unsigned), with the input's shape; use PackNibbles (pack.h) for the wire form of <= 4 bit.
#ifndef MODELPRESS_CORE_QUANT_QUANTIZE_TENSOR_H_
#define MODELPRESS_CORE_QUANT_QUANTIZE_TENSOR_H_

#include <optional>

#include "absl/status/statusor.h"
#include "core/quant/calibration_spec.h"
#include "core/quant/error_report.h"
#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/tensor/tensor.h"

namespace modelpress {

struct QuantizeOptions {
  QuantScheme scheme;
  CalibrationSpec calibration;
  // When set, these params are applied as given and no calibrator runs.
  std::optional<QuantParams> explicit_params;
  bool per_channel_report = false;
};

struct QuantizeResult {
  Tensor codes;
  QuantParams params;
  ErrorReport report;
};

absl::StatusOr<QuantizeResult> QuantizeTensor(const Tensor& input, const QuantizeOptions& options);

// r' = S * (q - Z) elementwise; `codes` is int8 or uint8, unpacked, and must match the
// scheme's signedness. Returns a float32 tensor of the codes' shape.
absl::StatusOr<Tensor> DequantizeTensor(const Tensor& codes, const QuantScheme& scheme,
                                        const QuantParams& params);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_QUANTIZE_TENSOR_H_
