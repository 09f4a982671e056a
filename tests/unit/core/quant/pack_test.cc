#include "core/quant/pack.h"

#include <gtest/gtest.h>

#include <vector>

namespace modelpress {
namespace {

TEST(PackNibblesTest, LowNibbleFirstTwosComplement) {
  const std::vector<int8_t> codes = {1, -1, 7, -8, 3};
  std::vector<uint8_t> packed(PackedNibbleBytes(codes.size()));
  ASSERT_EQ(packed.size(), 3u);
  PackNibbles({reinterpret_cast<const uint8_t*>(codes.data()), codes.size()}, packed);
  EXPECT_EQ(packed[0], 0xF1);  // 1 low, -1 (0xF) high
  EXPECT_EQ(packed[1], 0x87);  // 7 low, -8 (0x8) high
  EXPECT_EQ(packed[2], 0x03);  // odd count: high nibble zero
  std::vector<uint8_t> unpacked(codes.size());
  UnpackNibbles(packed, /*is_signed=*/true, unpacked);
  for (size_t i = 0; i < codes.size(); ++i) {
    EXPECT_EQ(static_cast<int8_t>(unpacked[i]), codes[i]) << i;
  }
}

TEST(PackNibblesTest, UnsignedRoundTrip) {
  std::vector<uint8_t> codes(16);
  for (int i = 0; i < 16; ++i) codes[i] = static_cast<uint8_t>(i);
  std::vector<uint8_t> packed(8);
  PackNibbles(codes, packed);
  EXPECT_EQ(packed[0], 0x10);
  EXPECT_EQ(packed[7], 0xFE);
  std::vector<uint8_t> unpacked(16);
  UnpackNibbles(packed, /*is_signed=*/false, unpacked);
  EXPECT_EQ(unpacked, codes);
}

}  // namespace
}  // namespace modelpress
