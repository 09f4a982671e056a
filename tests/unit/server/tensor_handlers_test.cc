// The tensor RPC bodies, without a network: hand-checked answers (the same examples as
// docs/API.md) and every bad request the foundation issue names.
#include "server/tensor_handlers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace modelpress::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kMaxElements = 1 << 20;

v1::QuantizeTensorRequest Request(std::vector<int64_t> shape, std::vector<float> values) {
  v1::QuantizeTensorRequest request;
  request.mutable_tensor()->set_name("w");
  request.mutable_tensor()->set_dtype(v1::DATA_TYPE_FLOAT32);
  request.mutable_tensor()->mutable_shape()->Assign(shape.begin(), shape.end());
  request.mutable_tensor()->mutable_float_data()->Assign(values.begin(), values.end());
  return request;
}

std::vector<int> Int8Codes(const v1::Tensor& tensor) {
  std::vector<int> codes;
  for (char byte : tensor.raw_data()) codes.push_back(static_cast<int8_t>(byte));
  return codes;
}

std::vector<int> UInt8Codes(const v1::Tensor& tensor) {
  std::vector<int> codes;
  for (char byte : tensor.raw_data()) codes.push_back(static_cast<uint8_t>(byte));
  return codes;
}

class TensorHandlersTest : public ::testing::Test {
 protected:
  absl::Status Quantize(const v1::QuantizeTensorRequest& request) {
    response_.Clear();
    return handlers_.QuantizeTensor(request, &response_);
  }
  TensorHandlers handlers_{nullptr, kMaxElements};
  v1::QuantizeTensorResponse response_;
};

TEST_F(TensorHandlersTest, PerChannelSymmetricInt8HandChecked) {
  // Row 0: max |x| = 2.54 -> S = 0.02; row 1: max |x| = 1.27 -> S = 0.01.
  v1::QuantizeTensorRequest request = Request({2, 3}, {-1.0f, 0.5f, 2.54f, 0.25f, -1.27f, 0.5f});
  request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_CHANNEL);
  request.mutable_spec()->set_axis(0);
  ASSERT_TRUE(Quantize(request).ok());
  EXPECT_EQ(response_.quantized().dtype(), v1::DATA_TYPE_INT8);
  EXPECT_THAT(response_.quantized().shape(), ElementsAre(2, 3));
  EXPECT_THAT(Int8Codes(response_.quantized()), ElementsAre(-50, 25, 127, 25, -127, 50));
  ASSERT_EQ(response_.scales_size(), 2);
  EXPECT_FLOAT_EQ(response_.scales(0), 0.02f);
  EXPECT_FLOAT_EQ(response_.scales(1), 0.01f);
  EXPECT_THAT(response_.zero_points(), ElementsAre(0, 0));
  EXPECT_THAT(response_.params_shape(), ElementsAre(2));
  // Every value is a multiple of its scale: the only error is float rounding.
  EXPECT_LT(response_.error().tensor().max_abs_error(), 1e-6);
  EXPECT_EQ(response_.error().tensor().clipped_fraction(), 0.0);
}

TEST_F(TensorHandlersTest, PerChannelAlongLastAxis) {
  v1::QuantizeTensorRequest request = Request({2, 2}, {1.0f, -4.0f, -2.0f, 2.0f});
  request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_CHANNEL);
  request.mutable_spec()->set_axis(-1);
  ASSERT_TRUE(Quantize(request).ok());
  // Column 0: max 2 -> S = 2/127, column 1: max 4 -> S = 4/127.
  ASSERT_EQ(response_.scales_size(), 2);
  EXPECT_FLOAT_EQ(response_.scales(0), 2.0f / 127);
  EXPECT_FLOAT_EQ(response_.scales(1), 4.0f / 127);
  EXPECT_THAT(Int8Codes(response_.quantized()), ElementsAre(64, -127, -127, 64));
}

TEST_F(TensorHandlersTest, PerTensorAsymmetricUInt8HandChecked) {
  // [min, max] = [-1, 4.1]: S = 5.1 / 255 = 0.02, Z = 0 - round(-1 / 0.02) = 50.
  v1::QuantizeTensorRequest request = Request({4}, {-1.0f, 0.0f, 2.0f, 4.1f});
  request.mutable_spec()->set_asymmetric(true);
  request.mutable_spec()->set_unsigned_(true);
  ASSERT_TRUE(Quantize(request).ok());
  EXPECT_EQ(response_.quantized().dtype(), v1::DATA_TYPE_UINT8);
  EXPECT_FLOAT_EQ(response_.scales(0), 0.02f);
  EXPECT_THAT(response_.zero_points(), ElementsAre(50));
  EXPECT_THAT(UInt8Codes(response_.quantized()), ElementsAre(0, 50, 150, 255));
  EXPECT_TRUE(response_.params_shape().empty());
}

TEST_F(TensorHandlersTest, ExplicitScaleRoundsHalfToEven) {
  v1::QuantizeTensorRequest request = Request({5}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f});
  request.mutable_spec()->add_scales(1.0f);
  ASSERT_TRUE(Quantize(request).ok());
  EXPECT_THAT(Int8Codes(response_.quantized()), ElementsAre(0, 2, 2, 0, -2));
  // All five values are exactly half a step away: rounding error 0.25 each, none clipped.
  EXPECT_DOUBLE_EQ(response_.error().tensor().mse(), 0.25);
  EXPECT_DOUBLE_EQ(response_.error().tensor().rounding_mse(), 0.25);
  EXPECT_DOUBLE_EQ(response_.error().tensor().clipping_mse(), 0.0);
}

TEST_F(TensorHandlersTest, ReportsClippingSeparatelyFromRounding) {
  // Scale 0.01 clips at 1.27: 5.0 is clipped (error 3.73), the rest round exactly.
  v1::QuantizeTensorRequest request = Request({4}, {0.0f, 0.5f, -0.25f, 5.0f});
  request.mutable_spec()->add_scales(0.01f);
  ASSERT_TRUE(Quantize(request).ok());
  const v1::ErrorStats& stats = response_.error().tensor();
  EXPECT_DOUBLE_EQ(stats.clipped_fraction(), 0.25);
  EXPECT_NEAR(stats.clipping_mse(), 3.73 * 3.73 / 4, 1e-5);
  EXPECT_NEAR(stats.rounding_mse(), 0.0, 1e-10);
  EXPECT_NEAR(stats.mse(), stats.rounding_mse() + stats.clipping_mse(), 1e-12);
}

// 4-bit, a bulk near zero and two far outliers. Min-max puts the whole bulk in the zero
// cell (error = the bulk's variance); clipping the outliers instead costs more, and an
// MSE-driven calibrator must see that. KL (entropy) optimises the histogram's shape, not the
// MSE, so it clips.
TEST_F(TensorHandlersTest, EveryCalibratorIsReachableAndMseDrivenOnesNeverLoseToMinMax) {
  std::vector<float> values;
  for (int i = 0; i < 4000; ++i) values.push_back(std::sin(0.37f * i) * 0.1f);
  values.push_back(5.0f);
  values.push_back(-4.0f);
  double min_max_mse = 0;
  for (v1::CalibrationMethod method :
       {v1::CALIBRATION_METHOD_MIN_MAX, v1::CALIBRATION_METHOD_PERCENTILE,
        v1::CALIBRATION_METHOD_MSE, v1::CALIBRATION_METHOD_ENTROPY,
        v1::CALIBRATION_METHOD_LEARNED_STE}) {
    v1::QuantizeTensorRequest request = Request({static_cast<int64_t>(values.size())}, values);
    request.mutable_spec()->set_bits(4);
    request.mutable_spec()->set_calibration(method);
    absl::Status status = Quantize(request);
    ASSERT_TRUE(status.ok()) << v1::CalibrationMethod_Name(method) << ": " << status;
    const v1::ErrorStats& stats = response_.error().tensor();
    switch (method) {
      case v1::CALIBRATION_METHOD_MIN_MAX:
        min_max_mse = stats.mse();
        EXPECT_EQ(stats.clipped_fraction(), 0.0);
        break;
      case v1::CALIBRATION_METHOD_MSE:
      case v1::CALIBRATION_METHOD_LEARNED_STE:
        EXPECT_LE(stats.mse(), min_max_mse * 1.0001) << v1::CalibrationMethod_Name(method);
        break;
      case v1::CALIBRATION_METHOD_ENTROPY:
        EXPECT_GT(stats.clipping_mse(), 0.0);
        break;
      default:
        break;
    }
  }
}

TEST_F(TensorHandlersTest, MissingTensorIsInvalid) {
  v1::QuantizeTensorRequest request;
  absl::Status status = Quantize(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor is required"));
}

TEST_F(TensorHandlersTest, NanAndInfAreInvalid) {
  for (float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    absl::Status status = Quantize(Request({3}, {1.0f, bad, 2.0f}));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("tensor"));
  }
}

TEST_F(TensorHandlersTest, AxisOutOfRangeIsInvalid) {
  v1::QuantizeTensorRequest request = Request({2, 2}, {1, 2, 3, 4});
  request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_CHANNEL);
  request.mutable_spec()->set_axis(2);
  absl::Status status = Quantize(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("axis"));
}

TEST_F(TensorHandlersTest, BitsOutOfRangeIsInvalid) {
  v1::QuantizeTensorRequest request = Request({2}, {1, 2});
  request.mutable_spec()->set_bits(9);
  absl::Status status = Quantize(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("bits"));
}

TEST_F(TensorHandlersTest, DequantizeInvertsQuantize) {
  v1::QuantizeTensorRequest request = Request({2, 3}, {-1.0f, 0.5f, 2.54f, 0.25f, -1.27f, 0.5f});
  request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_CHANNEL);
  ASSERT_TRUE(Quantize(request).ok());

  v1::DequantizeTensorRequest dequantize;
  *dequantize.mutable_quantized() = response_.quantized();
  *dequantize.mutable_spec() = request.spec();
  dequantize.mutable_spec()->mutable_scales()->Assign(response_.scales().begin(),
                                                      response_.scales().end());
  v1::DequantizeTensorResponse values;
  absl::Status status = handlers_.DequantizeTensor(dequantize, &values);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(values.tensor().raw_data().size(), 6 * sizeof(float));
  float out[6];
  std::memcpy(out, values.tensor().raw_data().data(), sizeof(out));
  const float expected[6] = {-1.0f, 0.5f, 2.54f, 0.25f, -1.27f, 0.5f};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(out[i], expected[i], 1e-6) << i;
}

TEST_F(TensorHandlersTest, DequantizeRejectsSignednessMismatchAndMissingScales) {
  v1::DequantizeTensorRequest request;
  request.mutable_quantized()->set_dtype(v1::DATA_TYPE_UINT8);
  request.mutable_quantized()->add_shape(2);
  request.mutable_quantized()->set_raw_data(std::string(2, '\1'));
  v1::DequantizeTensorResponse response;
  absl::Status status = handlers_.DequantizeTensor(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("spec.scales is required"));

  request.mutable_spec()->add_scales(1.0f);
  status = handlers_.DequantizeTensor(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("spec.unsigned is false"));
}

}  // namespace
}  // namespace modelpress::server

namespace modelpress::server {
namespace {

v1::PruneTensorRequest PruneRequest(std::vector<int64_t> shape, std::vector<float> values,
                                    v1::PruneMethod method, double sparsity) {
  v1::PruneTensorRequest request;
  request.mutable_weight()->set_dtype(v1::DATA_TYPE_FLOAT32);
  request.mutable_weight()->mutable_shape()->Assign(shape.begin(), shape.end());
  request.mutable_weight()->mutable_float_data()->Assign(values.begin(), values.end());
  request.mutable_spec()->set_method(method);
  request.mutable_spec()->set_sparsity(sparsity);
  return request;
}

std::vector<float> Floats(const v1::Tensor& tensor) {
  std::vector<float> values(tensor.raw_data().size() / sizeof(float));
  std::memcpy(values.data(), tensor.raw_data().data(), tensor.raw_data().size());
  return values;
}

TEST(PruneTensorHandler, MagnitudeHalfHandChecked) {
  TensorHandlers handlers(nullptr, kMaxElements);
  v1::PruneTensorResponse response;
  absl::Status status =
      handlers.PruneTensor(PruneRequest({2, 4}, {0.1f, -3, 0.5f, 2, -0.2f, 1, -4, 0.3f},
                                        v1::PRUNE_METHOD_MAGNITUDE, 0.5),
                           &response);
  ASSERT_TRUE(status.ok()) << status;
  // The four smallest |w| (0.1, 0.2, 0.3, 0.5) go.
  EXPECT_THAT(Floats(response.weight()), ElementsAre(0, -3, 0, 2, 0, 1, -4, 0));
  EXPECT_DOUBLE_EQ(response.report().achieved_sparsity(), 0.5);
  EXPECT_FALSE(response.report().has_reconstruction());  // no activations, nothing measured
}

TEST(PruneTensorHandler, TwoFourKeepsTheLargestTwoOfEveryFour) {
  TensorHandlers handlers(nullptr, kMaxElements);
  v1::PruneTensorRequest request =
      PruneRequest({1, 8}, {1, -2, 3, 0.5f, -8, 7, 0.1f, 0.2f}, v1::PRUNE_METHOD_N_M, 0);
  request.mutable_spec()->set_n(2);
  request.mutable_spec()->set_m(4);
  v1::PruneTensorResponse response;
  ASSERT_TRUE(handlers.PruneTensor(request, &response).ok());
  EXPECT_THAT(Floats(response.weight()), ElementsAre(0, -2, 3, 0, -8, 7, 0, 0));
}

TEST(PruneTensorHandler, BadSpecsNameTheField) {
  TensorHandlers handlers(nullptr, kMaxElements);
  v1::PruneTensorResponse response;
  v1::PruneTensorRequest request =
      PruneRequest({1, 4}, {1, 2, 3, 4}, v1::PRUNE_METHOD_UNSPECIFIED, 0.5);
  EXPECT_THAT(handlers.PruneTensor(request, &response).message(),
              HasSubstr("spec.method is required"));

  request.mutable_spec()->set_method(static_cast<v1::PruneMethod>(99));
  EXPECT_THAT(handlers.PruneTensor(request, &response).message(), HasSubstr("spec.method is 99"));

  request.mutable_spec()->set_method(v1::PRUNE_METHOD_MAGNITUDE);
  request.mutable_spec()->set_sparsity(1.2);
  absl::Status status = handlers.PruneTensor(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("sparsity"));

  request.mutable_spec()->set_method(v1::PRUNE_METHOD_SPARSEGPT);
  request.mutable_spec()->set_sparsity(0.5);
  status = handlers.PruneTensor(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("activations"));
}

TEST(PruneTensorHandler, SparseGptWithActivationsReportsReconstruction) {
  TensorHandlers handlers(nullptr, kMaxElements);
  std::vector<float> weight(8 * 16), activations(64 * 16);
  for (size_t i = 0; i < weight.size(); ++i) weight[i] = std::sin(0.7f * i) + 0.1f * (i % 5);
  for (size_t i = 0; i < activations.size(); ++i) activations[i] = std::cos(1.3f * i + (i % 7));
  v1::PruneTensorRequest request = PruneRequest({8, 16}, weight, v1::PRUNE_METHOD_SPARSEGPT, 0.5);
  request.mutable_activations()->set_dtype(v1::DATA_TYPE_FLOAT32);
  request.mutable_activations()->add_shape(64);
  request.mutable_activations()->add_shape(16);
  request.mutable_activations()->mutable_float_data()->Assign(activations.begin(),
                                                              activations.end());
  v1::PruneTensorResponse response;
  absl::Status status = handlers.PruneTensor(request, &response);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_NEAR(response.report().achieved_sparsity(), 0.5, 1e-9);
  EXPECT_GT(response.report().reconstruction().relative_reconstruction_error(), 0.0);
  EXPECT_LT(response.report().reconstruction().relative_reconstruction_error(), 1.0);

  // Activations whose inner dimension does not match the weight's.
  request.mutable_activations()->set_shape(1, 8);
  request.mutable_activations()->mutable_float_data()->Truncate(64 * 8);
  status = handlers.PruneTensor(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelpress::server

namespace modelpress::server {
namespace {

// A [16, 64] weight and correlated [256, 64] activations, deterministic.
struct Layer {
  std::vector<float> weight = std::vector<float>(16 * 64);
  std::vector<float> activations = std::vector<float>(256 * 64);
  Layer() {
    for (size_t i = 0; i < weight.size(); ++i) weight[i] = std::sin(0.37f * i) * (1 + i % 3);
    for (size_t r = 0; r < 256; ++r) {
      const float common = std::sin(0.11f * r);
      for (size_t c = 0; c < 64; ++c) {
        activations[r * 64 + c] = common + 0.3f * std::cos(0.7f * r * (c + 1) + c);
      }
    }
  }
  v1::QuantizeTensorRequest Request(v1::QuantizationAlgorithm algorithm) const {
    v1::QuantizeTensorRequest request;
    request.mutable_tensor()->set_dtype(v1::DATA_TYPE_FLOAT32);
    request.mutable_tensor()->add_shape(16);
    request.mutable_tensor()->add_shape(64);
    request.mutable_tensor()->mutable_float_data()->Assign(weight.begin(), weight.end());
    request.mutable_activations()->set_dtype(v1::DATA_TYPE_FLOAT32);
    request.mutable_activations()->add_shape(256);
    request.mutable_activations()->add_shape(64);
    request.mutable_activations()->mutable_float_data()->Assign(activations.begin(),
                                                                activations.end());
    request.mutable_spec()->set_bits(4);
    request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_CHANNEL);
    request.mutable_spec()->set_algorithm(algorithm);
    return request;
  }
};

TEST(QuantizeTensorHandler, GptqLowersOutputErrorBelowRoundToNearest) {
  TensorHandlers handlers(nullptr, kMaxElements);
  const Layer layer;
  v1::QuantizeTensorResponse rtn, gptq;
  ASSERT_TRUE(
      handlers.QuantizeTensor(layer.Request(v1::QUANTIZATION_ALGORITHM_ROUND_TO_NEAREST), &rtn)
          .ok());
  absl::Status status =
      handlers.QuantizeTensor(layer.Request(v1::QUANTIZATION_ALGORITHM_GPTQ), &gptq);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(gptq.quantized().dtype(), v1::DATA_TYPE_INT4_PACKED);
  EXPECT_EQ(gptq.scales_size(), 16);
  const double rtn_error = rtn.reconstruction().relative_reconstruction_error();
  const double gptq_error = gptq.reconstruction().relative_reconstruction_error();
  EXPECT_GT(rtn_error, 0.0);
  EXPECT_LT(gptq_error, rtn_error);
  // GPTQ pays for it on the weight itself.
  EXPECT_GE(gptq.error().tensor().mse(), rtn.error().tensor().mse());
  EXPECT_GT(gptq.reconstruction().predicted_loss_increase(), 0.0);
  // Without activations there is no reconstruction report.
  v1::QuantizeTensorRequest plain = layer.Request(v1::QUANTIZATION_ALGORITHM_ROUND_TO_NEAREST);
  plain.clear_activations();
  v1::QuantizeTensorResponse response;
  ASSERT_TRUE(handlers.QuantizeTensor(plain, &response).ok());
  EXPECT_FALSE(response.has_reconstruction());
}

TEST(QuantizeTensorHandler, GptqBadRequestsNameTheField) {
  TensorHandlers handlers(nullptr, kMaxElements);
  const Layer layer;
  v1::QuantizeTensorResponse response;

  v1::QuantizeTensorRequest request = layer.Request(v1::QUANTIZATION_ALGORITHM_GPTQ);
  request.clear_activations();
  EXPECT_THAT(handlers.QuantizeTensor(request, &response).message(),
              HasSubstr("activations are required by GPTQ"));

  request = layer.Request(v1::QUANTIZATION_ALGORITHM_GPTQ);
  request.mutable_spec()->set_calibration(v1::CALIBRATION_METHOD_MSE);
  EXPECT_THAT(handlers.QuantizeTensor(request, &response).message(), HasSubstr("spec.calibration"));

  request = layer.Request(v1::QUANTIZATION_ALGORITHM_GPTQ);
  request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_GROUP);
  request.mutable_spec()->set_axis(1);
  request.mutable_spec()->set_group_size(32);
  request.mutable_spec()->set_act_order(true);
  EXPECT_THAT(handlers.QuantizeTensor(request, &response).message(), HasSubstr("act_order"));

  request = layer.Request(v1::QUANTIZATION_ALGORITHM_GPTQ);
  request.mutable_spec()->set_damp_fraction(2.0);
  EXPECT_THAT(handlers.QuantizeTensor(request, &response).message(),
              HasSubstr("spec.damp_fraction is 2"));

  request = layer.Request(static_cast<v1::QuantizationAlgorithm>(7));
  EXPECT_THAT(handlers.QuantizeTensor(request, &response).message(),
              HasSubstr("spec.algorithm is 7"));

  request = layer.Request(v1::QUANTIZATION_ALGORITHM_GPTQ);
  request.mutable_activations()->set_shape(1, 32);
  request.mutable_activations()->mutable_float_data()->Truncate(256 * 32);
  absl::Status status = handlers.QuantizeTensor(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("activations"));
}

TEST(QuantizeTensorHandler, GptqPerGroupCodesDequantizeWithTheReturnedScales) {
  TensorHandlers handlers(nullptr, kMaxElements);
  const Layer layer;
  v1::QuantizeTensorRequest request = layer.Request(v1::QUANTIZATION_ALGORITHM_GPTQ);
  request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_GROUP);
  request.mutable_spec()->set_axis(1);
  request.mutable_spec()->set_group_size(32);
  v1::QuantizeTensorResponse response;
  absl::Status status = handlers.QuantizeTensor(request, &response);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_THAT(response.params_shape(), ElementsAre(16, 2));
  EXPECT_LT(response.reconstruction().relative_reconstruction_error(), 0.05);

  v1::DequantizeTensorRequest dequantize;
  *dequantize.mutable_quantized() = response.quantized();
  *dequantize.mutable_spec() = request.spec();
  dequantize.mutable_spec()->mutable_scales()->Assign(response.scales().begin(),
                                                      response.scales().end());
  v1::DequantizeTensorResponse values;
  ASSERT_TRUE(handlers.DequantizeTensor(dequantize, &values).ok());
  // The dequantized weight's error equals what the quantize response reported.
  const std::vector<float> w = Floats(values.tensor());
  double sum_sq = 0;
  for (size_t i = 0; i < w.size(); ++i) sum_sq += std::pow(w[i] - layer.weight[i], 2);
  EXPECT_NEAR(sum_sq / w.size(), response.error().tensor().mse(), 1e-9);
}

}  // namespace
}  // namespace modelpress::server
