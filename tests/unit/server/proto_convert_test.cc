#include "server/proto_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <utility>

namespace modelpress::server {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMaxElements = 1 << 20;

v1::Tensor FloatTensor(std::vector<int64_t> shape, std::vector<float> values) {
  v1::Tensor proto;
  proto.set_dtype(v1::DATA_TYPE_FLOAT32);
  proto.mutable_shape()->Assign(shape.begin(), shape.end());
  proto.mutable_float_data()->Assign(values.begin(), values.end());
  return proto;
}

TEST(Float32TensorFromProto, ReadsFloatData) {
  const v1::Tensor proto = FloatTensor({2, 2}, {1, 2, 3, 4});  // the result views it
  absl::StatusOr<Tensor> tensor = Float32TensorFromProto(proto, "tensor", kMaxElements);
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  EXPECT_EQ(tensor->shape(), (Shape{2, 2}));
  EXPECT_EQ(std::as_const(*tensor).values<float>()[3], 4.0f);
}

TEST(Float32TensorFromProto, ReadsLittleEndianRawData) {
  v1::Tensor proto;
  proto.set_dtype(v1::DATA_TYPE_FLOAT32);
  proto.add_shape(3);
  const float values[3] = {-1.5f, 0.0f, 2.25f};
  proto.set_raw_data(values, sizeof(values));
  absl::StatusOr<Tensor> tensor = Float32TensorFromProto(proto, "tensor", kMaxElements);
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  const Tensor& input = *tensor;
  // Read in place: the request's bytes are not copied.
  EXPECT_TRUE(input.is_view());
  EXPECT_EQ(input.bytes(), reinterpret_cast<const uint8_t*>(proto.raw_data().data()));
  EXPECT_EQ(input.values<float>()[0], -1.5f);
  EXPECT_EQ(input.values<float>()[2], 2.25f);
}

TEST(Float32TensorFromProto, RejectsEmptyTensor) {
  v1::Tensor proto = FloatTensor({4}, {});
  absl::Status status = Float32TensorFromProto(proto, "tensor", kMaxElements).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor is empty"));
}

TEST(Float32TensorFromProto, RejectsBothEncodings) {
  v1::Tensor proto = FloatTensor({1}, {1});
  proto.set_raw_data(std::string(4, '\0'));
  absl::Status status = Float32TensorFromProto(proto, "tensor", kMaxElements).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("only one of raw_data and float_data"));
}

TEST(Float32TensorFromProto, RejectsShapeDataMismatch) {
  absl::Status status =
      Float32TensorFromProto(FloatTensor({2, 3}, {1, 2, 3, 4, 5}), "tensor", kMaxElements).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor.float_data has 5 values"));
  EXPECT_THAT(status.message(), HasSubstr("needs 6"));

  v1::Tensor raw;
  raw.set_dtype(v1::DATA_TYPE_FLOAT32);
  raw.add_shape(2);
  raw.set_raw_data(std::string(7, '\0'));
  status = Float32TensorFromProto(raw, "tensor", kMaxElements).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor.raw_data has 7 bytes"));
}

TEST(Float32TensorFromProto, RejectsNonPositiveDimensionNamingIt) {
  absl::Status status =
      Float32TensorFromProto(FloatTensor({2, 0}, {1}), "tensor", kMaxElements).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor.shape[1] is 0"));
}

TEST(Float32TensorFromProto, DeclaredShapeOverLimitIsResourceExhaustedBeforeAllocating) {
  // 2^62 elements declared with one value: must fail on the declaration, not on allocation.
  absl::Status status =
      Float32TensorFromProto(FloatTensor({int64_t{1} << 31, int64_t{1} << 31}, {1}), "tensor",
                             kMaxElements)
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("--max_message_bytes"));

  status = Float32TensorFromProto(FloatTensor({int64_t{1} << 62, 8}, {1}), "tensor", kMaxElements)
               .status();
  EXPECT_NE(status.code(), absl::StatusCode::kOk);
}

TEST(Float32TensorFromProto, RejectsWrongDtype) {
  v1::Tensor proto = FloatTensor({1}, {1});
  proto.set_dtype(v1::DATA_TYPE_INT8);
  absl::Status status = Float32TensorFromProto(proto, "tensor", kMaxElements).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor.dtype is DATA_TYPE_INT8"));
}

TEST(QuantizeOptionsFromProto, AppliesDefaults) {
  absl::StatusOr<QuantizeOptions> options = QuantizeOptionsFromProto({}, "spec");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->scheme.bits, 8);
  EXPECT_TRUE(options->scheme.symmetric);
  EXPECT_TRUE(options->scheme.is_signed);
  EXPECT_EQ(options->scheme.granularity, Granularity::kPerTensor);
  EXPECT_EQ(options->scheme.rounding, RoundingMode::kNearestEven);
  EXPECT_EQ(options->calibration.method, CalibrationMethod::kMinMax);
  EXPECT_FALSE(options->explicit_params.has_value());
}

TEST(QuantizeOptionsFromProto, RejectsUnknownEnumValues) {
  v1::QuantizationSpec spec;
  spec.set_granularity(static_cast<v1::Granularity>(42));
  absl::Status status = QuantizeOptionsFromProto(spec, "spec").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("spec.granularity is 42"));

  spec = {};
  spec.set_rounding(static_cast<v1::RoundingMode>(-3));
  EXPECT_THAT(QuantizeOptionsFromProto(spec, "spec").status().message(),
              HasSubstr("spec.rounding is -3"));

  spec = {};
  spec.set_calibration(static_cast<v1::CalibrationMethod>(9));
  EXPECT_THAT(QuantizeOptionsFromProto(spec, "spec").status().message(),
              HasSubstr("spec.calibration is 9"));
}

TEST(QuantizeOptionsFromProto, ExplicitParamsNeedMatchingZeroPoints) {
  v1::QuantizationSpec spec;
  spec.add_scales(0.5f);
  spec.add_scales(0.25f);
  spec.add_zero_points(3);
  absl::Status status = QuantizeOptionsFromProto(spec, "spec").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("spec.zero_points has 1 values"));

  spec.add_zero_points(4);
  absl::StatusOr<QuantizeOptions> options = QuantizeOptionsFromProto(spec, "spec");
  ASSERT_TRUE(options.ok());
  ASSERT_TRUE(options->explicit_params.has_value());
  EXPECT_EQ(options->explicit_params->zero_points, (std::vector<int32_t>{3, 4}));

  v1::QuantizationSpec zero_points_only;
  zero_points_only.add_zero_points(1);
  EXPECT_THAT(QuantizeOptionsFromProto(zero_points_only, "spec").status().message(),
              HasSubstr("without spec.scales"));
}

TEST(CodesTensor, PackedInt4RoundTripsThroughTheWireForm) {
  Tensor codes = Tensor::Create("w", DType::kInt8, {5});
  const int8_t values[5] = {-8, 7, -1, 0, 3};
  std::memcpy(codes.bytes(), values, 5);
  QuantScheme scheme;
  scheme.bits = 4;
  v1::Tensor proto;
  CodesToProto(codes, scheme, &proto);
  EXPECT_EQ(proto.dtype(), v1::DATA_TYPE_INT4_PACKED);
  ASSERT_EQ(proto.raw_data().size(), 3u);
  // Element 0 (-8 = 0x8) in the low nibble, element 1 (7) in the high nibble.
  EXPECT_EQ(static_cast<uint8_t>(proto.raw_data()[0]), 0x78);
  // Odd count: the last high nibble is zero.
  EXPECT_EQ(static_cast<uint8_t>(proto.raw_data()[2]), 0x03);

  absl::StatusOr<Tensor> back = CodesTensorFromProto(proto, "quantized", kMaxElements);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->dtype(), DType::kInt8);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(back->values<int8_t>()[i], values[i]) << i;
}

TEST(CodesTensor, RejectsWrongPackedSize) {
  v1::Tensor proto;
  proto.set_dtype(v1::DATA_TYPE_UINT4_PACKED);
  proto.add_shape(5);
  proto.set_raw_data(std::string(2, '\0'));
  absl::Status status = CodesTensorFromProto(proto, "quantized", kMaxElements).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("quantized.raw_data has 2 bytes"));
}

}  // namespace
}  // namespace modelpress::server
