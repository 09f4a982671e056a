#include "core/quant/pack.h"

#include "core/quant/avx512.h"

namespace modelpress {

void PackNibbles(std::span<const uint8_t> codes, std::span<uint8_t> packed) {
  const size_t count = codes.size();
  const size_t pairs = count / 2;
  size_t k = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  // 64 codes -> 32 bytes: in each 16-bit word (code 2k low, code 2k+1 high) move the high
  // code's nibble down next to the low one's, then narrow the words to bytes.
  const __m512i low_nibble = _mm512_set1_epi16(0x000F);
  const __m512i high_nibble = _mm512_set1_epi16(0x00F0);
  for (; 2 * k + 64 <= count; k += 32) {
    const __m512i words = _mm512_loadu_si512(codes.data() + 2 * k);
    const __m512i merged =
        _mm512_or_si512(_mm512_and_si512(words, low_nibble),
                        _mm512_and_si512(_mm512_srli_epi16(words, 4), high_nibble));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(packed.data() + k),
                        _mm512_cvtepi16_epi8(merged));
  }
#endif
  for (; k < pairs; ++k) {
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
