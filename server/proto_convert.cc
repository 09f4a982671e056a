#include "server/proto_convert.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/quant/pack.h"

namespace modelpress::server {
namespace {

static_assert(std::endian::native == std::endian::little,
              "raw_data is little-endian and copied as is");

// Declared element count, RESOURCE_EXHAUSTED when over the limit (checked before any
// allocation, so a tiny request cannot make the server allocate a huge tensor).
absl::StatusOr<int64_t> CheckedElementCount(const v1::Tensor& proto, absl::string_view field,
                                            int64_t max_elements) {
  Shape shape(proto.shape().begin(), proto.shape().end());
  absl::StatusOr<int64_t> count =
      ValidateShape(shape, absl::StrCat(field, ".shape"), std::numeric_limits<int64_t>::max());
  if (!count.ok()) return count.status();
  if (*count > max_elements) {
    return absl::ResourceExhaustedError(absl::StrCat(field, ".shape ", ShapeToString(shape),
                                                     " has ", *count, " elements; the limit is ",
                                                     max_elements, " (--max_message_bytes)"));
  }
  return count;
}

absl::Status CheckRawSize(const v1::Tensor& proto, absl::string_view field, size_t expected_bytes) {
  if (proto.raw_data().size() != expected_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".raw_data has ", proto.raw_data().size(),
                                                   " bytes; ", field, ".shape and ", field,
                                                   ".dtype need ", expected_bytes));
  }
  return absl::OkStatus();
}

std::span<const uint8_t> RawBytes(const v1::Tensor& proto) {
  return {reinterpret_cast<const uint8_t*>(proto.raw_data().data()), proto.raw_data().size()};
}

}  // namespace

absl::StatusOr<Tensor> Float32TensorFromProto(const v1::Tensor& proto, absl::string_view field,
                                              int64_t max_elements) {
  if (proto.dtype() != v1::DATA_TYPE_FLOAT32) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".dtype is ", v1::DataType_Name(proto.dtype()), "; must be DATA_TYPE_FLOAT32"));
  }
  const bool has_raw = !proto.raw_data().empty();
  const bool has_floats = proto.float_data_size() > 0;
  if (has_raw == has_floats) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, has_raw ? ": set only one of raw_data and float_data"
                                    : " is empty: set raw_data or float_data"));
  }
  absl::StatusOr<int64_t> count = CheckedElementCount(proto, field, max_elements);
  if (!count.ok()) return count.status();
  Shape shape(proto.shape().begin(), proto.shape().end());
  if (has_floats) {
    if (proto.float_data_size() != *count) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".float_data has ", proto.float_data_size(), " values; ", field,
                       ".shape ", ShapeToString(shape), " needs ", *count));
    }
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(proto.float_data().data()),
                                   proto.float_data_size() * sizeof(float));
    return Tensor::View(proto.name(), DType::kFloat32, std::move(shape), bytes);
  }
  if (absl::Status status = CheckRawSize(proto, field, *count * sizeof(float)); !status.ok()) {
    return status;
  }
  return Tensor::View(proto.name(), DType::kFloat32, std::move(shape), RawBytes(proto));
}

absl::StatusOr<Tensor> CodesTensorFromProto(const v1::Tensor& proto, absl::string_view field,
                                            int64_t max_elements) {
  const v1::DataType dtype = proto.dtype();
  const bool packed = dtype == v1::DATA_TYPE_INT4_PACKED || dtype == v1::DATA_TYPE_UINT4_PACKED;
  const bool is_signed = dtype == v1::DATA_TYPE_INT8 || dtype == v1::DATA_TYPE_INT4_PACKED;
  if (!packed && dtype != v1::DATA_TYPE_INT8 && dtype != v1::DATA_TYPE_UINT8) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".dtype is ", v1::DataType_Name(dtype),
                     "; must be DATA_TYPE_INT8, DATA_TYPE_UINT8, DATA_TYPE_INT4_PACKED or "
                     "DATA_TYPE_UINT4_PACKED"));
  }
  if (proto.float_data_size() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".float_data is only for DATA_TYPE_FLOAT32; use raw_data"));
  }
  absl::StatusOr<int64_t> count = CheckedElementCount(proto, field, max_elements);
  if (!count.ok()) return count.status();
  const size_t expected_bytes = packed ? PackedNibbleBytes(*count) : static_cast<size_t>(*count);
  if (absl::Status status = CheckRawSize(proto, field, expected_bytes); !status.ok()) {
    return status;
  }
  Shape shape(proto.shape().begin(), proto.shape().end());
  const DType core_dtype = is_signed ? DType::kInt8 : DType::kUInt8;
  if (!packed) return Tensor::View(proto.name(), core_dtype, std::move(shape), RawBytes(proto));
  Tensor codes = Tensor::Create(proto.name(), core_dtype, std::move(shape));
  UnpackNibbles(RawBytes(proto), is_signed, codes.values<uint8_t>());
  return codes;
}

absl::StatusOr<QuantizeOptions> QuantizeOptionsFromProto(const v1::QuantizationSpec& proto,
                                                         absl::string_view field) {
  QuantizeOptions options;
  QuantScheme& scheme = options.scheme;
  scheme.bits = proto.bits() == 0 ? 8 : proto.bits();
  scheme.symmetric = !proto.asymmetric();
  scheme.is_signed = !proto.unsigned_();
  scheme.narrow_range = proto.narrow_range();
  scheme.axis = proto.axis();
  scheme.group_size = proto.group_size();
  scheme.seed = proto.seed();

  // proto3 enums are open: an unknown number arrives intact and must be rejected here.
  switch (proto.granularity()) {
    case v1::GRANULARITY_UNSPECIFIED:
    case v1::GRANULARITY_PER_TENSOR:
      scheme.granularity = Granularity::kPerTensor;
      break;
    case v1::GRANULARITY_PER_CHANNEL:
      scheme.granularity = Granularity::kPerChannel;
      break;
    case v1::GRANULARITY_PER_GROUP:
      scheme.granularity = Granularity::kPerGroup;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".granularity is ", proto.granularity(), "; not a known value"));
  }
  switch (proto.rounding()) {
    case v1::ROUNDING_MODE_UNSPECIFIED:
    case v1::ROUNDING_MODE_NEAREST_EVEN:
      scheme.rounding = RoundingMode::kNearestEven;
      break;
    case v1::ROUNDING_MODE_STOCHASTIC:
      scheme.rounding = RoundingMode::kStochastic;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".rounding is ", proto.rounding(), "; not a known value"));
  }
  switch (proto.calibration()) {
    case v1::CALIBRATION_METHOD_UNSPECIFIED:
    case v1::CALIBRATION_METHOD_MIN_MAX:
      options.calibration.method = CalibrationMethod::kMinMax;
      break;
    case v1::CALIBRATION_METHOD_PERCENTILE:
      options.calibration.method = CalibrationMethod::kPercentile;
      break;
    case v1::CALIBRATION_METHOD_MSE:
      options.calibration.method = CalibrationMethod::kMse;
      break;
    case v1::CALIBRATION_METHOD_ENTROPY:
      options.calibration.method = CalibrationMethod::kEntropy;
      break;
    case v1::CALIBRATION_METHOD_LEARNED_STE:
      options.calibration.method = CalibrationMethod::kLearnedSte;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".calibration is ", proto.calibration(), "; not a known value"));
  }
  if (proto.percentile() != 0) options.calibration.percentile = proto.percentile();
  if (proto.num_bins() != 0) options.calibration.num_bins = proto.num_bins();

  if (proto.scales_size() > 0) {
    if (proto.zero_points_size() != 0 && proto.zero_points_size() != proto.scales_size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".zero_points has ", proto.zero_points_size(), " values; ", field, ".scales has ",
          proto.scales_size(), " (give one zero point per scale, or none)"));
    }
    QuantParams params;
    params.scales.assign(proto.scales().begin(), proto.scales().end());
    params.zero_points.assign(proto.scales_size(), 0);
    for (int i = 0; i < proto.zero_points_size(); ++i) params.zero_points[i] = proto.zero_points(i);
    options.explicit_params = std::move(params);
  } else if (proto.zero_points_size() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".zero_points given without ", field, ".scales"));
  }
  return options;
}

absl::StatusOr<LayerQuantizeOptions> LayerQuantizeOptionsFromProto(
    const v1::QuantizationSpec& proto, absl::string_view field) {
  absl::StatusOr<QuantizeOptions> quantize = QuantizeOptionsFromProto(proto, field);
  if (!quantize.ok()) return quantize.status();
  LayerQuantizeOptions options;
  options.quantize = std::move(*quantize);
  switch (proto.algorithm()) {
    case v1::QUANTIZATION_ALGORITHM_UNSPECIFIED:
    case v1::QUANTIZATION_ALGORITHM_ROUND_TO_NEAREST:
      options.algorithm = QuantizationAlgorithm::kRoundToNearest;
      break;
    case v1::QUANTIZATION_ALGORITHM_GPTQ:
      options.algorithm = QuantizationAlgorithm::kGptq;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".algorithm is ", proto.algorithm(), "; not a known value"));
  }
  options.act_order = proto.act_order();
  if (proto.damp_fraction() != 0) options.damp_fraction = proto.damp_fraction();
  if (proto.block_size() != 0) options.block_size = proto.block_size();
  return options;
}

void ReconstructionReportToProto(const ObsReport& report, v1::ReconstructionReport* proto) {
  proto->set_relative_reconstruction_error(report.relative_reconstruction_error);
  proto->set_predicted_loss_increase(report.predicted_loss_increase);
  proto->set_measured_loss_increase(report.measured_loss_increase);
  proto->set_dead_columns(report.dead_columns);
  proto->set_damp_fraction(report.damp_fraction);
}

absl::StatusOr<PruneOptions> PruneOptionsFromProto(const v1::PruneSpec& proto,
                                                   absl::string_view field) {
  PruneOptions options;
  switch (proto.method()) {
    case v1::PRUNE_METHOD_MAGNITUDE:
      options.method = PruneMethod::kMagnitude;
      break;
    case v1::PRUNE_METHOD_MAGNITUDE_PER_ROW:
      options.method = PruneMethod::kMagnitudePerRow;
      break;
    case v1::PRUNE_METHOD_N_M:
      options.method = PruneMethod::kNM;
      break;
    case v1::PRUNE_METHOD_STRUCTURED_CHANNEL:
      options.method = PruneMethod::kStructured;
      break;
    case v1::PRUNE_METHOD_OBD:
      options.method = PruneMethod::kObd;
      break;
    case v1::PRUNE_METHOD_WANDA:
      options.method = PruneMethod::kWanda;
      break;
    case v1::PRUNE_METHOD_SPARSEGPT:
      options.method = PruneMethod::kSparseGpt;
      break;
    case v1::PRUNE_METHOD_UNSPECIFIED:
      return absl::InvalidArgumentError(absl::StrCat(field, ".method is required"));
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".method is ", proto.method(), "; not a known value"));
  }
  switch (proto.row_norm()) {
    case v1::ROW_NORM_UNSPECIFIED:
    case v1::ROW_NORM_L2:
      options.row_norm = RowNorm::kL2;
      break;
    case v1::ROW_NORM_L1:
      options.row_norm = RowNorm::kL1;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".row_norm is ", proto.row_norm(), "; not a known value"));
  }
  options.sparsity = proto.sparsity();
  options.n = proto.n();
  options.m = proto.m();
  options.damp_fraction = proto.damp_fraction();
  options.block_size = proto.block_size();
  return options;
}

void CodesToProto(const Tensor& codes, const QuantScheme& scheme, v1::Tensor* proto) {
  proto->set_name(codes.name());
  proto->mutable_shape()->Assign(codes.shape().begin(), codes.shape().end());
  std::span<const uint8_t> bytes(codes.bytes(), codes.size_bytes());
  if (scheme.bits <= 4) {
    proto->set_dtype(scheme.is_signed ? v1::DATA_TYPE_INT4_PACKED : v1::DATA_TYPE_UINT4_PACKED);
    std::string* raw = proto->mutable_raw_data();
    raw->resize(PackedNibbleBytes(bytes.size()));
    PackNibbles(bytes, {reinterpret_cast<uint8_t*>(raw->data()), raw->size()});
    return;
  }
  proto->set_dtype(scheme.is_signed ? v1::DATA_TYPE_INT8 : v1::DATA_TYPE_UINT8);
  proto->set_raw_data(bytes.data(), bytes.size());
}

void Float32TensorToProto(const Tensor& tensor, v1::Tensor* proto) {
  proto->set_name(tensor.name());
  proto->set_dtype(v1::DATA_TYPE_FLOAT32);
  proto->mutable_shape()->Assign(tensor.shape().begin(), tensor.shape().end());
  proto->set_raw_data(tensor.bytes(), tensor.size_bytes());
}

void ErrorStatsToProto(const ErrorStats& stats, v1::ErrorStats* proto) {
  proto->set_count(stats.count);
  proto->set_mse(stats.mse);
  proto->set_rmse(stats.rmse);
  proto->set_max_abs_error(stats.max_abs_error);
  proto->set_mean_error(stats.mean_error);
  proto->set_sqnr_db(stats.sqnr_db);
  proto->set_cosine(stats.cosine);
  proto->set_rounding_mse(stats.rounding_mse);
  proto->set_clipping_mse(stats.clipping_mse);
  proto->set_clipped_fraction(stats.clipped_fraction);
  proto->set_theoretical_rounding_mse(stats.theoretical_rounding_mse);
}

void ErrorReportToProto(const ErrorReport& report, v1::ErrorReport* proto) {
  ErrorStatsToProto(report.tensor, proto->mutable_tensor());
  for (const ErrorStats& channel : report.per_channel) {
    ErrorStatsToProto(channel, proto->add_per_channel());
  }
}

}  // namespace modelpress::server
