// Nibble packing of codes with at most 4 bits, as the API's INT4_PACKED/UINT4_PACKED:
// element 2k goes to the low nibble of byte k, element 2k+1 to the high nibble; signed codes
// are stored in two's complement within the nibble. An odd count leaves the last high
// nibble zero. Packed size is (count + 1) / 2 bytes.
#ifndef MODELPRESS_CORE_QUANT_PACK_H_
#define MODELPRESS_CORE_QUANT_PACK_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace modelpress {

inline size_t PackedNibbleBytes(size_t count) { return (count + 1) / 2; }

// `codes` holds one code per byte (int8 or uint8 bit patterns); `packed` must hold
// PackedNibbleBytes(codes.size()) bytes.
void PackNibbles(std::span<const uint8_t> codes, std::span<uint8_t> packed);

// Inverse of PackNibbles; sign-extends each nibble when `is_signed`. `codes` must hold the
// element count, `packed` at least PackedNibbleBytes(codes.size()) bytes.
void UnpackNibbles(std::span<const uint8_t> packed, bool is_signed, std::span<uint8_t> codes);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_PACK_H_
