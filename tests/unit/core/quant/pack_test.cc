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

TEST(PackNibblesTest, VectorBlocksAndTailMatchTheByteDefinition) {
  // 64-code blocks take the vector path; the odd tail takes the scalar one.
  for (const size_t count : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{1001}}) {
    std::vector<uint8_t> codes(count);
    for (size_t i = 0; i < count; ++i) codes[i] = static_cast<uint8_t>((i * 37 + 11) & 0xFF);
    std::vector<uint8_t> packed(PackedNibbleBytes(count), 0xAA);
    PackNibbles(codes, packed);
    for (size_t i = 0; i < count; ++i) {
      const uint8_t byte = packed[i / 2];
      const uint8_t nibble = i % 2 == 0 ? (byte & 0x0F) : (byte >> 4);
      ASSERT_EQ(nibble, codes[i] & 0x0F) << "count " << count << " code " << i;
    }
    if (count % 2 == 1) {
      EXPECT_EQ(packed.back() >> 4, 0) << "the unused high nibble is zero";
    }
  }
}

}  // namespace
}  // namespace modelpress
