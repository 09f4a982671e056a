#include "core/quant/pack.h"

namespace modelpress {

void PackNibbles(std::span<const uint8_t> codes, std::span<uint8_t> packed) {
  const size_t count = codes.size();
  const size_t pairs = count / 2;
  for (size_t k = 0; k < pairs; ++k) {
    packed[k] = static_cast<uint8_t>((codes[2 * k] & 0x0F) | ((codes[2 * k + 1] & 0x0F) << 4));
  }
  if (count % 2 != 0) packed[pairs] = codes[count - 1] & 0x0F;
}

void UnpackNibbles(std::span<const uint8_t> packed, bool is_signed, std::span<uint8_t> codes) {
  const size_t count = codes.size();
  for (size_t i = 0; i < count; ++i) {
    const uint8_t byte = packed[i / 2];
    const uint8_t nibble = (i % 2 == 0) ? (byte & 0x0F) : (byte >> 4);
    // Sign-extend bit 3 into the upper nibble for two's complement codes.
    codes[i] = (is_signed && (nibble & 0x08)) ? static_cast<uint8_t>(nibble | 0xF0) : nibble;
  }
}

}  // namespace modelpress
