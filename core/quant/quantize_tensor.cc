#include "core/quant/quantize_tensor.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/quant/calibrator.h"
#include "core/quant/measure_error.h"
#include "core/quant/param_layout.h"
#include "core/quant/quantize_kernels.h"
#include "core/quant/scale.h"

namespace modelpress {
namespace {

// A per-channel report holds ~100 bytes per channel; beyond this it is not a report anyone
// reads, and the memory would rival the tensor's.
constexpr int64_t kMaxReportChannels = int64_t{1} << 20;

absl::Status CheckTensorBytes(const Tensor& tensor, const std::string& field) {
  absl::StatusOr<int64_t> count =
      ValidateShape(tensor.shape(), absl::StrCat(field, ".shape"), INT64_MAX / 8);
  if (!count.ok()) return count.status();
  const size_t expected = static_cast<size_t>(*count) * ByteSize(tensor.dtype());
  if (tensor.size_bytes() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has ", tensor.size_bytes(), " bytes but shape ",
                     ShapeToString(tensor.shape()), " needs ", expected));
  }
  return absl::OkStatus();
}

absl::Status NonFiniteError(const float* values, int64_t index) {
  return absl::InvalidArgumentError(absl::StrCat(
      "tensor contains ", std::isnan(values[index]) ? "NaN" : "Inf", " at index ", index));
}

// Whether the defaults apply: min-max ranges, round to nearest, no given params. Only then
// can a fused kernel compute the params and the codes in one pass.
bool IsPlainMinMax(const QuantizeOptions& options) {
  return !options.explicit_params.has_value() &&
         options.scheme.rounding == RoundingMode::kNearestEven &&
         options.calibration.method == CalibrationMethod::kMinMax;
}

// The fused group kernel covers per-group along the last axis (GPTQ / AWQ style int4
// weights): every group is a contiguous run.
bool CanUseFusedGroupKernel(const QuantizeOptions& options, const ParamLayout& layout) {
  return IsPlainMinMax(options) && options.scheme.granularity == Granularity::kPerGroup &&
         layout.inner() == 1;
}

// The fused kernel covers the common weight case: one scale per contiguous row.
bool CanUseFusedRowKernel(const QuantizeOptions& options, const ParamLayout& layout) {
  return IsPlainMinMax(options) && options.scheme.symmetric &&
         options.scheme.granularity == Granularity::kPerChannel && layout.outer() == 1 &&
         layout.inner() > 1;
}

}  // namespace

absl::StatusOr<QuantizeResult> QuantizeTensor(const Tensor& input, const QuantizeOptions& options) {
  const QuantScheme& scheme = options.scheme;
  if (input.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor dtype is ", DTypeName(input.dtype()), "; must be float32"));
  }
  if (absl::Status s = CheckTensorBytes(input, "tensor"); !s.ok()) return s;
  if (absl::Status s = ValidateScheme(scheme, input.shape()); !s.ok()) return s;
  if (!options.explicit_params.has_value()) {
    if (absl::Status s = ValidateCalibrationSpec(options.calibration); !s.ok()) return s;
  }
  const ParamLayout layout(scheme, input.shape());
  if (options.per_channel_report && layout.axis_len() > kMaxReportChannels) {
    return absl::InvalidArgumentError(absl::StrCat("per-channel report asked for ",
                                                   layout.axis_len(), " channels; at most ",
                                                   kMaxReportChannels));
  }

  const float* x = input.values<float>().data();
  const int64_t n = input.num_elements();
  QuantizeResult result;
  result.params.shape = ParamShape(scheme, input.shape());
  result.codes =
      Tensor::Create(input.name(), scheme.is_signed ? DType::kInt8 : DType::kUInt8, input.shape());
  uint8_t* codes = result.codes.bytes();
  QuantParams& params = result.params;

  if (CanUseFusedRowKernel(options, layout)) {
    params.scales.resize(layout.num_params());
    params.zero_points.resize(layout.num_params());
    if (!QuantizeRowsSymmetricFused(x, layout.axis_len(), layout.inner(), scheme, codes,
                                    params.scales.data(), params.zero_points.data())) {
      return NonFiniteError(x, FindNonFinite(x, n));
    }
  } else if (CanUseFusedGroupKernel(options, layout)) {
    params.scales.resize(layout.num_params());
    params.zero_points.resize(layout.num_params());
    if (!QuantizeGroupsMinMaxFused(x, layout.num_params(), layout.group_size(), scheme, codes,
                                   params.scales.data(), params.zero_points.data())) {
      return NonFiniteError(x, FindNonFinite(x, n));
    }
  } else {
    if (options.explicit_params.has_value()) {
      if (const int64_t bad = FindNonFinite(x, n); bad >= 0) return NonFiniteError(x, bad);
      const QuantParams& given = *options.explicit_params;
      if (absl::Status s = ValidateParams(scheme, input.shape(), given); !s.ok()) return s;
      params.scales = given.scales;
      params.zero_points = given.zero_points;
      if (params.zero_points.empty()) params.zero_points.assign(params.scales.size(), 0);
    } else {
      absl::StatusOr<std::unique_ptr<Calibrator>> calibrator =
          MakeCalibrator(options.calibration, scheme);
      if (!calibrator.ok()) return calibrator.status();
      if (absl::Status s = (*calibrator)->Observe(input.values<float>(), input.shape()); !s.ok()) {
        return s;
      }
      absl::StatusOr<std::vector<ClipRange>> ranges = (*calibrator)->ComputeRanges();
      if (!ranges.ok()) return ranges.status();
      params.scales.resize(ranges->size());
      params.zero_points.resize(ranges->size());
      for (size_t p = 0; p < ranges->size(); ++p) {
        const ScaleZeroPoint sz = ComputeScaleZeroPoint((*ranges)[p].min, (*ranges)[p].max, scheme);
        params.scales[p] = sz.scale;
        params.zero_points[p] = sz.zero_point;
      }
    }
    QuantizeWithLayout(x, layout, scheme, params.scales.data(), params.zero_points.data(), codes);
  }

  result.report = MeasureError(x, codes, layout, scheme, params.scales.data(),
                               params.zero_points.data(), options.per_channel_report);
  return result;
}

absl::StatusOr<Tensor> DequantizeTensor(const Tensor& codes, const QuantScheme& scheme,
                                        const QuantParams& params) {
  const DType expected = scheme.is_signed ? DType::kInt8 : DType::kUInt8;
  if (codes.dtype() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("codes dtype is ", DTypeName(codes.dtype()),
                                                   "; a ", scheme.is_signed ? "signed" : "unsigned",
                                                   " scheme needs ", DTypeName(expected)));
  }
  if (absl::Status s = CheckTensorBytes(codes, "codes"); !s.ok()) return s;
  if (absl::Status s = ValidateParams(scheme, codes.shape(), params); !s.ok()) return s;
  const int32_t qmin = QMin(scheme);
  const int32_t qmax = QMax(scheme);
  const uint8_t* bytes = codes.bytes();
  const int64_t n = codes.num_elements();
  if (const int64_t bad = FindCodeOutOfRange(bytes, n, scheme.is_signed, qmin, qmax); bad >= 0) {
    const int32_t q = DecodeCode(bytes[bad], scheme.is_signed);
    return absl::InvalidArgumentError(absl::StrCat("codes[", bad, "] is ", q, "; must be in [",
                                                   qmin, ", ", qmax, "] for ", scheme.bits,
                                                   "-bit codes"));
  }
  std::vector<int32_t> zero_points = params.zero_points;
  if (zero_points.empty()) zero_points.assign(params.scales.size(), 0);
  Tensor out = Tensor::Create(codes.name(), DType::kFloat32, codes.shape());
  const ParamLayout layout(scheme, codes.shape());
  DequantizeWithLayout(bytes, layout, scheme.is_signed, params.scales.data(), zero_points.data(),
                       out.values<float>().data());
  return out;
}

}  // namespace modelpress
