// One place for what every AVX-512 kernel file in core/quant needs: the intrinsics header
// (only when the target has AVX-512 F/BW/VL; callers keep their own #if around vector code),
// the GCC 12 workaround, and the lane mask for a loop's last partial vector.
//
// The pragmas apply to the rest of the including .cc file: GCC 12 flags the
// _mm512_undefined_* / _mm256_undefined_* placeholders inside its own AVX-512 intrinsics as
// maybe-uninitialized (a known false positive). Include this only from kernel .cc files.
#ifndef MODELPRESS_CORE_QUANT_AVX512_H_
#define MODELPRESS_CORE_QUANT_AVX512_H_

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>

#include <cstdint>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace modelpress {

// Mask of the first min(remaining, 16) lanes; `remaining` > 0.
inline __mmask16 TailMask16(int64_t remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF)
                         : static_cast<__mmask16>((1u << remaining) - 1);
}

}  // namespace modelpress
#endif

#endif  // MODELPRESS_CORE_QUANT_AVX512_H_
