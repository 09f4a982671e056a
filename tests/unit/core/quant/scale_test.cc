#include "core/quant/scale.h"

#include <gtest/gtest.h>

namespace modelpress {
namespace {

QuantScheme Scheme(int bits, bool is_signed, bool symmetric, bool narrow = false) {
  QuantScheme s;
  s.bits = bits;
  s.is_signed = is_signed;
  s.symmetric = symmetric;
  s.narrow_range = narrow;
  return s;
}

TEST(QMinQMaxTest, CoversEveryWidthAndFlag) {
  EXPECT_EQ(QMin(Scheme(8, true, true)), -128);
  EXPECT_EQ(QMax(Scheme(8, true, true)), 127);
  EXPECT_EQ(QMin(Scheme(8, true, true, true)), -127);
  EXPECT_EQ(QMin(Scheme(8, false, false)), 0);
  EXPECT_EQ(QMax(Scheme(8, false, false)), 255);
  EXPECT_EQ(QMax(Scheme(8, false, false, true)), 254);
  EXPECT_EQ(QMin(Scheme(4, true, true)), -8);
  EXPECT_EQ(QMax(Scheme(4, true, true)), 7);
  EXPECT_EQ(QMax(Scheme(4, false, true)), 15);
  EXPECT_EQ(QMin(Scheme(2, true, true)), -2);
  EXPECT_EQ(QMax(Scheme(2, true, true)), 1);
}

TEST(ComputeScaleZeroPointTest, SymmetricSignedHasZeroZeroPoint) {
  const ScaleZeroPoint sz = ComputeScaleZeroPoint(-2.0f, 1.0f, Scheme(8, true, true));
  EXPECT_FLOAT_EQ(sz.scale, 2.0f / 127.0f);
  EXPECT_EQ(sz.zero_point, 0);
  // Narrow range uses the same divisor (127).
  EXPECT_FLOAT_EQ(ComputeScaleZeroPoint(-2.0f, 1.0f, Scheme(8, true, true, true)).scale,
                  2.0f / 127.0f);
  EXPECT_FLOAT_EQ(ComputeScaleZeroPoint(-1.0f, 7.0f, Scheme(4, true, true)).scale, 1.0f);
}

TEST(ComputeScaleZeroPointTest, SymmetricUnsignedCentresZeroPoint) {
  const ScaleZeroPoint sz = ComputeScaleZeroPoint(-1.0f, 1.0f, Scheme(8, false, true));
  EXPECT_EQ(sz.zero_point, 128);
  EXPECT_FLOAT_EQ(sz.scale, 1.0f / 127.0f);
  EXPECT_EQ(ComputeScaleZeroPoint(-1.0f, 1.0f, Scheme(8, false, true, true)).zero_point, 127);
}

TEST(ComputeScaleZeroPointTest, AsymmetricWidensToIncludeZero) {
  // [1, 3] widens to [0, 3].
  const ScaleZeroPoint sz = ComputeScaleZeroPoint(1.0f, 3.0f, Scheme(8, false, false));
  EXPECT_FLOAT_EQ(sz.scale, 3.0f / 255.0f);
  EXPECT_EQ(sz.zero_point, 0);
  const ScaleZeroPoint neg = ComputeScaleZeroPoint(-3.0f, -1.0f, Scheme(8, false, false));
  EXPECT_EQ(neg.zero_point, 255);
  const ScaleZeroPoint mixed = ComputeScaleZeroPoint(-1.0f, 3.0f, Scheme(8, true, false));
  EXPECT_FLOAT_EQ(mixed.scale, 4.0f / 255.0f);
  EXPECT_EQ(mixed.zero_point, -128 + 64);  // -128 - round(-1 / (4/255)) = -128 + 64
}

TEST(ComputeScaleZeroPointTest, DegenerateRangeUsesUnitScale) {
  for (bool symmetric : {true, false}) {
    const ScaleZeroPoint sz = ComputeScaleZeroPoint(0.0f, 0.0f, Scheme(8, true, symmetric));
    EXPECT_EQ(sz.scale, 1.0f);
    EXPECT_EQ(QuantizeValue(0.0f, sz.scale, sz.zero_point, -128, 127), sz.zero_point);
  }
}

TEST(QuantizeValueTest, RoundsHalfToEvenAndSaturates) {
  EXPECT_EQ(QuantizeValue(0.5f, 1.0f, 0, -128, 127), 0);
  EXPECT_EQ(QuantizeValue(1.5f, 1.0f, 0, -128, 127), 2);
  EXPECT_EQ(QuantizeValue(2.5f, 1.0f, 0, -128, 127), 2);
  EXPECT_EQ(QuantizeValue(-2.5f, 1.0f, 0, -128, 127), -2);
  EXPECT_EQ(QuantizeValue(1e30f, 1.0f, 0, -128, 127), 127);
  EXPECT_EQ(QuantizeValue(-1e30f, 1e-30f, 0, -128, 127), -128);
  EXPECT_EQ(QuantizeValue(3.0f, 2.0f, 128, 0, 255), 130);
}

}  // namespace
}  // namespace modelpress
