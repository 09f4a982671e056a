#include "core/quant/quantize_tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <limits>

#include "core/quant/scale.h"
#include "tests/unit/core/quant/quant_testutil.h"

namespace modelpress {
namespace {

using testing::Codes;
using ::testing::HasSubstr;
using testing::MakeFloatTensor;
using testing::RandomTensor;
using testing::ReferenceParamIndex;
using testing::ReferenceQuantize;

struct Case {
  Shape shape;
  Granularity granularity;
  int axis;
  bool symmetric;
  bool is_signed;
  int bits;
  int64_t group_size = 0;
  bool narrow = false;
};

QuantizeOptions OptionsFor(const Case& c) {
  QuantizeOptions options;
  options.scheme.bits = c.bits;
  options.scheme.is_signed = c.is_signed;
  options.scheme.symmetric = c.symmetric;
  options.scheme.narrow_range = c.narrow;
  options.scheme.granularity = c.granularity;
  options.scheme.axis = c.axis;
  options.scheme.group_size = c.group_size;
  return options;
}

class QuantizeMatrixTest : public ::testing::TestWithParam<Case> {};

// Every scheme: codes equal the scalar reference, min-max params follow scale.h, the
// properties of the architecture hold, and dequantization inverts exactly.
TEST_P(QuantizeMatrixTest, MatchesReferenceAndProperties) {
  const Case& c = GetParam();
  Tensor input = RandomTensor(c.shape, 42, 3.0f);
  // Make channels differ in range so per-channel params matter, and plant exact zeros.
  auto values = input.values<float>();
  for (size_t j = 0; j < values.size(); ++j) {
    values[j] *= 1.0f + static_cast<float>(j % 7);
    if (j % 11 == 0) values[j] = 0.0f;
  }
  const QuantizeOptions options = OptionsFor(c);
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  ASSERT_TRUE(result.ok()) << result.status();
  const QuantParams& params = result->params;
  ASSERT_EQ(static_cast<int64_t>(params.scales.size()),
            NumElements(ParamShape(options.scheme, c.shape)));
  EXPECT_EQ(params.shape, ParamShape(options.scheme, c.shape));
  EXPECT_EQ(result->codes.dtype(), c.is_signed ? DType::kInt8 : DType::kUInt8);
  EXPECT_EQ(result->codes.shape(), c.shape);

  // Min-max params per slot, from first principles.
  const int64_t slots = params.scales.size();
  std::vector<float> lo(slots, std::numeric_limits<float>::infinity());
  std::vector<float> hi(slots, -std::numeric_limits<float>::infinity());
  for (size_t j = 0; j < values.size(); ++j) {
    const int64_t p = ReferenceParamIndex(options.scheme, c.shape, j);
    lo[p] = std::min(lo[p], values[j]);
    hi[p] = std::max(hi[p], values[j]);
  }
  for (int64_t p = 0; p < slots; ++p) {
    const ScaleZeroPoint sz = ComputeScaleZeroPoint(lo[p], hi[p], options.scheme);
    EXPECT_EQ(params.scales[p], sz.scale) << p;
    EXPECT_EQ(params.zero_points[p], sz.zero_point) << p;
    if (c.symmetric && c.is_signed) {
      EXPECT_EQ(params.zero_points[p], 0);
    }
  }
  EXPECT_EQ(Codes(result->codes), ReferenceQuantize(input, options.scheme, params));

  absl::StatusOr<Tensor> recon = DequantizeTensor(result->codes, options.scheme, params);
  ASSERT_TRUE(recon.ok()) << recon.status();
  const auto r = recon->values<float>();
  const std::vector<int32_t> codes = Codes(result->codes);
  for (size_t j = 0; j < values.size(); ++j) {
    const int64_t p = ReferenceParamIndex(options.scheme, c.shape, j);
    const float scale = params.scales[p];
    EXPECT_EQ(r[j], DequantizeValue(codes[j], scale, params.zero_points[p]));
    if (values[j] == 0.0f) {
      EXPECT_EQ(r[j], 0.0f) << "0.0 must be exact at " << j;
    }
    // Min-max never clips, so every error is rounding error <= S/2.
    EXPECT_LE(std::fabs(r[j] - values[j]), scale / 2 * (1 + 1e-5f)) << j;
  }
  const ErrorStats& stats = result->report.tensor;
  EXPECT_EQ(stats.count, input.num_elements());
  EXPECT_EQ(stats.clipped_fraction, 0.0);
  EXPECT_EQ(stats.clipping_mse, 0.0);
  EXPECT_NEAR(stats.rounding_mse + stats.clipping_mse, stats.mse, 1e-12);
  EXPECT_GT(stats.sqnr_db, 0.0);
  EXPECT_GT(stats.cosine, 0.9);
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, QuantizeMatrixTest,
    ::testing::Values(Case{{64, 300}, Granularity::kPerTensor, 0, true, true, 8},
                      Case{{64, 300}, Granularity::kPerTensor, 0, false, false, 8},
                      Case{{64, 300}, Granularity::kPerTensor, 0, false, true, 8},
                      Case{{1000}, Granularity::kPerTensor, 0, false, false, 8},
                      Case{{}, Granularity::kPerTensor, 0, false, false, 8},
                      Case{{64, 300}, Granularity::kPerChannel, 0, true, true, 8},
                      Case{{64, 300}, Granularity::kPerChannel, 0, true, true, 8, 0, true},
                      Case{{64, 300}, Granularity::kPerChannel, 1, true, true, 8},
                      Case{{64, 300}, Granularity::kPerChannel, -1, false, false, 8},
                      Case{{4, 5, 6, 7}, Granularity::kPerChannel, 2, false, true, 8},
                      Case{{4, 5, 6, 7}, Granularity::kPerChannel, 1, true, false, 8},
                      Case{{3, 17}, Granularity::kPerChannel, 0, true, true, 4},
                      Case{{3, 17}, Granularity::kPerChannel, 1, false, false, 2},
                      Case{{8, 64}, Granularity::kPerGroup, 1, true, true, 4, 16},
                      Case{{8, 64}, Granularity::kPerGroup, 1, false, false, 4, 32},
                      Case{{64, 8}, Granularity::kPerGroup, 0, true, true, 8, 16},
                      Case{{4, 12, 5}, Granularity::kPerGroup, 1, false, true, 3, 4},
                      Case{{40, 4096}, Granularity::kPerGroup, 1, true, true, 4, 128},
                      Case{{3, 70000}, Granularity::kPerChannel, 0, true, true, 8}));

TEST(QuantizeTensorTest, HandComputedPerTensorAsymmetric) {
  // [-1, 3] in uint8: S = 4/255, Z = 64.
  Tensor input = MakeFloatTensor({4}, {-1.0f, 0.0f, 1.0f, 3.0f});
  QuantizeOptions options;
  options.scheme.symmetric = false;
  options.scheme.is_signed = false;
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FLOAT_EQ(result->params.scales[0], 4.0f / 255.0f);
  EXPECT_EQ(result->params.zero_points[0], 64);
  EXPECT_EQ(Codes(result->codes), (std::vector<int32_t>{0, 64, 128, 255}));
}

TEST(QuantizeTensorTest, HandComputedPerChannelSymmetric) {
  // Rows [-2, 1] and [0.5, 0.25]: scales 2/127 and 0.5/127.
  Tensor input = MakeFloatTensor({2, 2}, {-2.0f, 1.0f, 0.5f, 0.25f});
  QuantizeOptions options;
  options.scheme.granularity = Granularity::kPerChannel;
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FLOAT_EQ(result->params.scales[0], 2.0f / 127.0f);
  EXPECT_FLOAT_EQ(result->params.scales[1], 0.5f / 127.0f);
  EXPECT_EQ(Codes(result->codes), (std::vector<int32_t>{-127, 64, 127, 64}));
}

TEST(QuantizeTensorTest, ExplicitParamsClipAndReportClipping) {
  Tensor input = MakeFloatTensor({6}, {0.0f, 2.0f, 3.0f, 1000.0f, -254.0f, -1000.0f});
  QuantizeOptions options;
  options.scheme.symmetric = false;
  options.scheme.is_signed = false;
  options.explicit_params = QuantParams{{}, {2.0f}, {128}};
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Codes(result->codes), (std::vector<int32_t>{128, 129, 130, 255, 1, 0}));
  const ErrorStats& stats = result->report.tensor;
  // 1000 -> 254 (error 746), -1000 -> -256 (error 744) are clipped; 3 -> 4 rounds (error 1).
  EXPECT_DOUBLE_EQ(stats.clipped_fraction, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(stats.clipping_mse, (746.0 * 746.0 + 744.0 * 744.0) / 6.0);
  EXPECT_DOUBLE_EQ(stats.rounding_mse, 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(stats.mse, stats.rounding_mse + stats.clipping_mse);
  EXPECT_DOUBLE_EQ(stats.max_abs_error, 746.0);
  EXPECT_DOUBLE_EQ(stats.theoretical_rounding_mse, 4 * (4.0 / 12.0) / 6.0);
}

TEST(QuantizeTensorTest, PerChannelReportSumsToTensor) {
  Tensor input = RandomTensor({5, 40}, 7);
  QuantizeOptions options;
  options.scheme.granularity = Granularity::kPerChannel;
  options.scheme.axis = 0;
  options.per_channel_report = true;
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->report.per_channel.size(), 5u);
  double mse_sum = 0;
  for (const ErrorStats& s : result->report.per_channel) {
    EXPECT_EQ(s.count, 40);
    mse_sum += s.mse * s.count;
  }
  EXPECT_NEAR(mse_sum / 200, result->report.tensor.mse, 1e-15);
  // Same total without the per-channel breakdown.
  options.per_channel_report = false;
  absl::StatusOr<QuantizeResult> plain = QuantizeTensor(input, options);
  EXPECT_NEAR(plain->report.tensor.mse, result->report.tensor.mse, 1e-15);
}

TEST(QuantizeTensorTest, ConstantAndZeroTensors) {
  for (bool symmetric : {true, false}) {
    QuantizeOptions options;
    options.scheme.symmetric = symmetric;
    Tensor zeros = MakeFloatTensor({3}, {0.0f, 0.0f, 0.0f});
    absl::StatusOr<QuantizeResult> result = QuantizeTensor(zeros, options);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->params.scales[0], 1.0f);
    EXPECT_EQ(result->report.tensor.mse, 0.0);
    EXPECT_TRUE(std::isinf(result->report.tensor.sqnr_db));
    EXPECT_EQ(result->report.tensor.cosine, 1.0);
    Tensor constant = MakeFloatTensor({3}, {2.5f, 2.5f, 2.5f});
    result = QuantizeTensor(constant, options);
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(std::isfinite(result->params.scales[0]));
    EXPECT_LE(result->report.tensor.max_abs_error, result->params.scales[0] / 2);
  }
}

// Tensors this large search for non-finite values in parallel: the error must still name
// the first bad index, whichever thread's block holds it, at any thread count.
TEST(QuantizeTensorTest, NamesTheFirstNonFiniteIndexOfALargeTensor) {
  Tensor input = RandomTensor({1024, 1024}, 2);
  float* x = input.values<float>().data();
  x[900000] = std::nanf("");  // in the second thread's half
  QuantizeOptions options;
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    EXPECT_EQ(QuantizeTensor(input, options).status().message(),
              "tensor contains NaN at index 900000");
    x[300001] = std::numeric_limits<float>::infinity();  // now an earlier one in the first half
    EXPECT_EQ(QuantizeTensor(input, options).status().message(),
              "tensor contains Inf at index 300001");
    x[300001] = 0.0f;
  }
  omp_set_num_threads(2);
}

TEST(QuantizeTensorTest, RejectsBadInputs) {
  QuantizeOptions options;
  Tensor input = RandomTensor({4, 8}, 1);
  input.values<float>()[17] = std::nanf("");
  absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "tensor contains NaN at index 17");
  // The fused per-channel path finds it too.
  options.scheme.granularity = Granularity::kPerChannel;
  EXPECT_EQ(QuantizeTensor(input, options).status().message(), "tensor contains NaN at index 17");
  input.values<float>()[17] = 0.0f;
  input.values<float>()[3] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(QuantizeTensor(input, options).status().message(), "tensor contains Inf at index 3");
  input.values<float>()[3] = 0.0f;
  // And the fused per-group path (groups along the last axis).
  options.scheme.granularity = Granularity::kPerGroup;
  options.scheme.axis = 1;
  options.scheme.group_size = 4;
  input.values<float>()[30] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(QuantizeTensor(input, options).status().message(), "tensor contains Inf at index 30");
  input.values<float>()[30] = 0.0f;
  options.scheme.granularity = Granularity::kPerChannel;
  options.scheme.axis = 0;
  options.scheme.group_size = 0;

  options.scheme.bits = 9;
  EXPECT_EQ(QuantizeTensor(input, options).status().message(), "spec.bits is 9; must be in [2, 8]");
  options.scheme.bits = 8;
  options.scheme.axis = 3;
  EXPECT_THAT(QuantizeTensor(input, options).status().message(),
              HasSubstr("axis 3 out of range for rank 2"));
  options.scheme.axis = 0;

  Tensor ints = Tensor::Create("i", DType::kInt8, {4});
  EXPECT_THAT(QuantizeTensor(ints, options).status().message(), HasSubstr("tensor dtype is int8"));

  options.explicit_params = QuantParams{{}, {1.0f}, {0}};
  EXPECT_THAT(QuantizeTensor(input, options).status().message(),
              HasSubstr("scales has 1 values; the scheme needs 4"));
}

TEST(DequantizeTensorTest, RejectsMismatchedCodes) {
  QuantScheme scheme;
  Tensor codes = Tensor::Create("c", DType::kUInt8, {2});
  EXPECT_THAT(DequantizeTensor(codes, scheme, {{}, {1.0f}, {0}}).status().message(),
              HasSubstr("codes dtype is uint8"));
  scheme.bits = 4;
  Tensor big = Tensor::Create("c", DType::kInt8, {2});
  big.values<int8_t>()[0] = 0;
  big.values<int8_t>()[1] = 9;
  EXPECT_THAT(DequantizeTensor(big, scheme, {{}, {1.0f}, {0}}).status().message(),
              HasSubstr("codes[1] is 9"));
}

// Large code tensors are range-checked in vector blocks, in parallel: the error must still
// name the first bad code, for signed and unsigned codes, at any thread count.
TEST(DequantizeTensorTest, NamesTheFirstOutOfRangeCodeOfALargeTensor) {
  QuantScheme scheme;
  scheme.bits = 4;
  const int64_t n = 100000;
  Tensor signed_codes = Tensor::Create("c", DType::kInt8, {n});
  for (int64_t j = 0; j < n; ++j)
    signed_codes.values<int8_t>()[j] = static_cast<int8_t>(j % 16 - 8);
  const QuantParams params{{}, {0.5f}, {0}};
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    EXPECT_TRUE(DequantizeTensor(signed_codes, scheme, params).ok());
    signed_codes.values<int8_t>()[70001] = -9;
    EXPECT_EQ(DequantizeTensor(signed_codes, scheme, params).status().message(),
              "codes[70001] is -9; must be in [-8, 7] for 4-bit codes");
    signed_codes.values<int8_t>()[40000] = 8;
    EXPECT_EQ(DequantizeTensor(signed_codes, scheme, params).status().message(),
              "codes[40000] is 8; must be in [-8, 7] for 4-bit codes");
    signed_codes.values<int8_t>()[70001] = 0;
    signed_codes.values<int8_t>()[40000] = 0;
  }
  scheme.is_signed = false;
  scheme.symmetric = false;
  Tensor unsigned_codes = Tensor::Create("c", DType::kUInt8, {n});
  for (int64_t j = 0; j < n; ++j)
    unsigned_codes.values<uint8_t>()[j] = static_cast<uint8_t>(j % 16);
  unsigned_codes.values<uint8_t>()[n - 1] = 200;  // in the scalar tail
  EXPECT_EQ(DequantizeTensor(unsigned_codes, scheme, params).status().message(),
            "codes[99999] is 200; must be in [0, 15] for 4-bit codes");
  unsigned_codes.values<uint8_t>()[50000] = 16;
  EXPECT_EQ(DequantizeTensor(unsigned_codes, scheme, params).status().message(),
            "codes[50000] is 16; must be in [0, 15] for 4-bit codes");
  omp_set_num_threads(2);
}

}  // namespace
}  // namespace modelpress
