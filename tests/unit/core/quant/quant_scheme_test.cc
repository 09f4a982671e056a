#include "core/quant/quant_scheme.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/quant/quant_params.h"

namespace modelpress {
namespace {

using ::testing::HasSubstr;

TEST(ValidateSchemeTest, RejectsBitsOutOfRange) {
  QuantScheme scheme;
  for (int bits : {0, 1, 9, 16}) {
    scheme.bits = bits;
    const absl::Status status = ValidateScheme(scheme, {4});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("spec.bits is " + std::to_string(bits)));
  }
  scheme.bits = 9;
  EXPECT_EQ(ValidateScheme(scheme, {4}).message(), "spec.bits is 9; must be in [2, 8]");
}

TEST(ValidateSchemeTest, RejectsAxisOutOfRange) {
  QuantScheme scheme;
  scheme.granularity = Granularity::kPerChannel;
  scheme.axis = 3;
  EXPECT_THAT(ValidateScheme(scheme, {2, 3}).message(),
              HasSubstr("axis 3 out of range for rank 2"));
  scheme.axis = -3;
  EXPECT_EQ(ValidateScheme(scheme, {2, 3}).code(), absl::StatusCode::kInvalidArgument);
  scheme.axis = -1;
  EXPECT_TRUE(ValidateScheme(scheme, {2, 3}).ok());
  EXPECT_EQ(NormalizeAxis(-1, 2), 1);
  scheme.axis = 0;
  EXPECT_EQ(ValidateScheme(scheme, {}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateSchemeTest, RejectsGroupSizeThatDoesNotDivide) {
  QuantScheme scheme;
  scheme.granularity = Granularity::kPerGroup;
  scheme.axis = 1;
  scheme.group_size = 5;
  EXPECT_THAT(ValidateScheme(scheme, {2, 16}).message(),
              HasSubstr("spec.group_size 5 does not divide dimension 1 of length 16"));
  scheme.group_size = 0;
  EXPECT_THAT(ValidateScheme(scheme, {2, 16}).message(), HasSubstr("spec.group_size is 0"));
  scheme.group_size = 8;
  EXPECT_TRUE(ValidateScheme(scheme, {2, 16}).ok());
}

TEST(ValidateSchemeTest, RejectsUnknownEnums) {
  QuantScheme scheme;
  scheme.granularity = static_cast<Granularity>(7);
  EXPECT_THAT(ValidateScheme(scheme, {4}).message(), HasSubstr("spec.granularity"));
  scheme.granularity = Granularity::kPerTensor;
  scheme.rounding = static_cast<RoundingMode>(9);
  EXPECT_THAT(ValidateScheme(scheme, {4}).message(), HasSubstr("spec.rounding"));
}

TEST(ParamShapeTest, FollowsGranularity) {
  QuantScheme scheme;
  EXPECT_EQ(ParamShape(scheme, {4, 8}), Shape{});
  scheme.granularity = Granularity::kPerChannel;
  scheme.axis = -1;
  EXPECT_EQ(ParamShape(scheme, {4, 8}), Shape{8});
  scheme.granularity = Granularity::kPerGroup;
  scheme.group_size = 4;
  EXPECT_EQ(ParamShape(scheme, {4, 8}), (Shape{4, 2}));
  scheme.axis = 0;
  scheme.group_size = 2;
  EXPECT_EQ(ParamShape(scheme, {4, 8, 3}), (Shape{2, 8, 3}));
}

TEST(ValidateParamsTest, NamesTheBadField) {
  QuantScheme scheme;
  scheme.granularity = Granularity::kPerChannel;
  QuantParams params{{3}, {1.0f, 2.0f}, {0, 0}};
  EXPECT_THAT(ValidateParams(scheme, {3, 2}, params).message(), HasSubstr("scales has 2 values"));
  params = {{3}, {1.0f, -2.0f, 1.0f}, {0, 0, 0}};
  EXPECT_THAT(ValidateParams(scheme, {3, 2}, params).message(), HasSubstr("scales[1] is -2"));
  params = {{3}, {1.0f, 2.0f, std::numeric_limits<float>::infinity()}, {}};
  EXPECT_THAT(ValidateParams(scheme, {3, 2}, params).message(), HasSubstr("scales[2]"));
  params = {{3}, {1.0f, 2.0f, 3.0f}, {0, 1, 0}};
  EXPECT_THAT(ValidateParams(scheme, {3, 2}, params).message(),
              HasSubstr("zero_points[1] is 1; must be 0 for a symmetric signed scheme"));
  scheme.symmetric = false;
  params = {{3}, {1.0f, 2.0f, 3.0f}, {0, 1, 300}};
  EXPECT_THAT(ValidateParams(scheme, {3, 2}, params).message(),
              HasSubstr("zero_points[2] is 300; must be in [-128, 127]"));
  params = {{3}, {1.0f, 2.0f, 3.0f}, {0, 1, 2}};
  EXPECT_TRUE(ValidateParams(scheme, {3, 2}, params).ok());
}

}  // namespace
}  // namespace modelpress
