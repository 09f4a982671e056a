#include "core/quant/quantize_kernels.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/quant/avx512.h"
#include "core/quant/counter_rng.h"
#include "core/quant/scale.h"

namespace modelpress {
namespace {

// Below this many elements a parallel region costs more than it saves.
constexpr int64_t kParallelMinElements = int64_t{1} << 15;

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// 16 lanes: clamp(x / s) in float (bounds are integers, so clamping before rounding is the
// same as after and keeps cvtps2dq from overflowing), round half to even, add Z.
inline __m512i QuantizeLanes(__m512 x, __m512 scale, __m512 lo, __m512 hi, __m512i zero) {
  __m512 y = _mm512_div_ps(x, scale);
  y = _mm512_min_ps(_mm512_max_ps(y, lo), hi);
  return _mm512_add_epi32(_mm512_cvtps_epi32(y), zero);
}

// Four vectors of int32 codes, all within [-128, 127] (kUnsigned: [0, 255]), as 64 bytes
// in order. The packs interleave 128-bit lanes; the permute puts them back in order.
template <bool kUnsigned>
inline __m512i PackCodes(__m512i c0, __m512i c1, __m512i c2, __m512i c3) {
  const __m512i w01 = _mm512_packs_epi32(c0, c1);
  const __m512i w23 = _mm512_packs_epi32(c2, c3);
  const __m512i b = kUnsigned ? _mm512_packus_epi16(w01, w23) : _mm512_packs_epi16(w01, w23);
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_epi32(order, b);
}

// The 64-element blocks of QuantizeRunUniform: codes packed with two packs and a permute
// and stored as one 64-byte line (vpmovdb + four 16-byte stores is slower on this CPU).
template <bool kUnsigned>
int64_t QuantizeBlocksUniform(const float* x, int64_t n, __m512 vs, __m512 vlo, __m512 vhi,
                              __m512i vz, uint8_t* codes) {
  int64_t j = 0;
  for (; j + 64 <= n; j += 64) {
    const __m512i c0 = QuantizeLanes(_mm512_loadu_ps(x + j), vs, vlo, vhi, vz);
    const __m512i c1 = QuantizeLanes(_mm512_loadu_ps(x + j + 16), vs, vlo, vhi, vz);
    const __m512i c2 = QuantizeLanes(_mm512_loadu_ps(x + j + 32), vs, vlo, vhi, vz);
    const __m512i c3 = QuantizeLanes(_mm512_loadu_ps(x + j + 48), vs, vlo, vhi, vz);
    _mm512_storeu_si512(codes + j, PackCodes<kUnsigned>(c0, c1, c2, c3));
  }
  return j;
}

// 16 lanes with their own (scale, zero point): QuantizeLanes with per-lane bounds.
inline __m512i QuantizeLanesVarying(const float* x, const float* scales, const int32_t* zero_points,
                                    __m512 qmin, __m512 qmax) {
  const __m512i vz = _mm512_loadu_si512(zero_points);
  const __m512 vzf = _mm512_cvtepi32_ps(vz);
  return QuantizeLanes(_mm512_loadu_ps(x), _mm512_loadu_ps(scales), _mm512_sub_ps(qmin, vzf),
                       _mm512_sub_ps(qmax, vzf), vz);
}

// QuantizeBlocksUniform with one (scale, zero point) per element.
template <bool kUnsigned>
int64_t QuantizeBlocksVarying(const float* x, int64_t n, const float* scales,
                              const int32_t* zero_points, __m512 qmin, __m512 qmax,
                              uint8_t* codes) {
  int64_t j = 0;
  for (; j + 64 <= n; j += 64) {
    const __m512i c0 = QuantizeLanesVarying(x + j, scales + j, zero_points + j, qmin, qmax);
    const __m512i c1 =
        QuantizeLanesVarying(x + j + 16, scales + j + 16, zero_points + j + 16, qmin, qmax);
    const __m512i c2 =
        QuantizeLanesVarying(x + j + 32, scales + j + 32, zero_points + j + 32, qmin, qmax);
    const __m512i c3 =
        QuantizeLanesVarying(x + j + 48, scales + j + 48, zero_points + j + 48, qmin, qmax);
    _mm512_storeu_si512(codes + j, PackCodes<kUnsigned>(c0, c1, c2, c3));
  }
  return j;
}
#endif

}  // namespace

void QuantizeRunUniform(const float* x, int64_t n, float scale, int32_t zero_point, int32_t qmin,
                        int32_t qmax, uint8_t* codes) {
  int64_t j = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  const __m512 vs = _mm512_set1_ps(scale);
  const __m512 vlo = _mm512_set1_ps(static_cast<float>(qmin - zero_point));
  const __m512 vhi = _mm512_set1_ps(static_cast<float>(qmax - zero_point));
  const __m512i vz = _mm512_set1_epi32(zero_point);
  // Codes lie in [qmin, qmax], inside the int8 range (signed) or the uint8 range.
  j = qmin >= 0 ? QuantizeBlocksUniform<true>(x, n, vs, vlo, vhi, vz, codes)
                : QuantizeBlocksUniform<false>(x, n, vs, vlo, vhi, vz, codes);
  for (; j < n; j += 16) {
    const __mmask16 mask = TailMask16(n - j);
    const __m512i c = QuantizeLanes(_mm512_maskz_loadu_ps(mask, x + j), vs, vlo, vhi, vz);
    _mm512_mask_cvtepi32_storeu_epi8(codes + j, mask, c);
  }
#else
  for (; j < n; ++j) {
    codes[j] = static_cast<uint8_t>(QuantizeValue(x[j], scale, zero_point, qmin, qmax));
  }
#endif
}

void QuantizeRunVarying(const float* x, int64_t n, const float* scales, const int32_t* zero_points,
                        int32_t qmin, int32_t qmax, uint8_t* codes) {
  int64_t j = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  const __m512 vqmin = _mm512_set1_ps(static_cast<float>(qmin));
  const __m512 vqmax = _mm512_set1_ps(static_cast<float>(qmax));
  j = qmin >= 0 ? QuantizeBlocksVarying<true>(x, n, scales, zero_points, vqmin, vqmax, codes)
                : QuantizeBlocksVarying<false>(x, n, scales, zero_points, vqmin, vqmax, codes);
  for (; j < n; j += 16) {
    const __mmask16 mask = TailMask16(n - j);
    const __m512i vz = _mm512_maskz_loadu_epi32(mask, zero_points + j);
    const __m512 vzf = _mm512_cvtepi32_ps(vz);
    // Masked-off lanes divide by 1 to stay clear of 0/0.
    const __m512 vs = _mm512_mask_loadu_ps(_mm512_set1_ps(1.0f), mask, scales + j);
    const __m512 vlo = _mm512_sub_ps(vqmin, vzf);
    const __m512 vhi = _mm512_sub_ps(vqmax, vzf);
    const __m512i c = QuantizeLanes(_mm512_maskz_loadu_ps(mask, x + j), vs, vlo, vhi, vz);
    _mm512_mask_cvtepi32_storeu_epi8(codes + j, mask, c);
  }
#else
  for (; j < n; ++j) {
    codes[j] = static_cast<uint8_t>(QuantizeValue(x[j], scales[j], zero_points[j], qmin, qmax));
  }
#endif
}

void QuantizeRunStochastic(const float* x, int64_t n, const float* scales,
                           const int32_t* zero_points, bool param_varies, int32_t qmin,
                           int32_t qmax, uint64_t seed, int64_t first_index, uint8_t* codes) {
  const CounterRng rng(seed);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t p = param_varies ? j : 0;
    const int32_t zero_point = zero_points[p];
    const float scaled = std::clamp(x[j] / scales[p], static_cast<float>(qmin - zero_point),
                                    static_cast<float>(qmax - zero_point));
    const float floor_value = std::floor(scaled);
    // Round up with probability equal to the fractional part: unbiased in expectation.
    const float fraction = scaled - floor_value;
    const int32_t up = rng.Uniform(static_cast<uint64_t>(first_index + j)) < fraction ? 1 : 0;
    codes[j] = static_cast<uint8_t>(static_cast<int32_t>(floor_value) + up + zero_point);
  }
}

void DequantizeRunUniform(const uint8_t* codes, int64_t n, bool is_signed, float scale,
                          int32_t zero_point, float* out) {
  int64_t j = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  const __m512 vs = _mm512_set1_ps(scale);
  const __m512i vz = _mm512_set1_epi32(zero_point);
  for (; j < n; j += 16) {
    const __mmask16 mask = TailMask16(n - j);
    const __m128i bytes = _mm_maskz_loadu_epi8(mask, codes + j);
    const __m512i q = is_signed ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
    const __m512 r = _mm512_mul_ps(vs, _mm512_cvtepi32_ps(_mm512_sub_epi32(q, vz)));
    _mm512_mask_storeu_ps(out + j, mask, r);
  }
#else
  for (; j < n; ++j) out[j] = DequantizeValue(DecodeCode(codes[j], is_signed), scale, zero_point);
#endif
}

void DequantizeRunVarying(const uint8_t* codes, int64_t n, bool is_signed, const float* scales,
                          const int32_t* zero_points, float* out) {
  int64_t j = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  for (; j < n; j += 16) {
    const __mmask16 mask = TailMask16(n - j);
    const __m128i bytes = _mm_maskz_loadu_epi8(mask, codes + j);
    const __m512i q = is_signed ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
    const __m512i vz = _mm512_maskz_loadu_epi32(mask, zero_points + j);
    const __m512 vs = _mm512_maskz_loadu_ps(mask, scales + j);
    const __m512 r = _mm512_mul_ps(vs, _mm512_cvtepi32_ps(_mm512_sub_epi32(q, vz)));
    _mm512_mask_storeu_ps(out + j, mask, r);
  }
#else
  for (; j < n; ++j) {
    out[j] = DequantizeValue(DecodeCode(codes[j], is_signed), scales[j], zero_points[j]);
  }
#endif
}

void QuantizeWithLayout(const float* x, const ParamLayout& layout, const QuantScheme& scheme,
                        const float* scales, const int32_t* zero_points, uint8_t* codes) {
  const int32_t qmin = QMin(scheme);
  const int32_t qmax = QMax(scheme);
  const int64_t segments = layout.num_segments();
  const bool stochastic = scheme.rounding == RoundingMode::kStochastic;
#pragma omp parallel for schedule(static) if (layout.num_elements() >= kParallelMinElements)
  for (int64_t s = 0; s < segments; ++s) {
    const Segment seg = layout.segment(s);
    const float* xs = x + seg.offset;
    uint8_t* qs = codes + seg.offset;
    if (stochastic) {
      QuantizeRunStochastic(xs, seg.length, scales + seg.param, zero_points + seg.param,
                            seg.param_varies, qmin, qmax, scheme.seed, seg.offset, qs);
    } else if (seg.param_varies) {
      QuantizeRunVarying(xs, seg.length, scales + seg.param, zero_points + seg.param, qmin, qmax,
                         qs);
    } else {
      QuantizeRunUniform(xs, seg.length, scales[seg.param], zero_points[seg.param], qmin, qmax, qs);
    }
  }
}

void DequantizeWithLayout(const uint8_t* codes, const ParamLayout& layout, bool is_signed,
                          const float* scales, const int32_t* zero_points, float* out) {
  const int64_t segments = layout.num_segments();
#pragma omp parallel for schedule(static) if (layout.num_elements() >= kParallelMinElements)
  for (int64_t s = 0; s < segments; ++s) {
    const Segment seg = layout.segment(s);
    if (seg.param_varies) {
      DequantizeRunVarying(codes + seg.offset, seg.length, is_signed, scales + seg.param,
                           zero_points + seg.param, out + seg.offset);
    } else {
      DequantizeRunUniform(codes + seg.offset, seg.length, is_signed, scales[seg.param],
                           zero_points[seg.param], out + seg.offset);
    }
  }
}

float AbsMaxRun(const float* x, int64_t n, bool* all_finite) {
  int64_t j = 0;
  float result = 0.0f;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  const __m512 vinf = _mm512_set1_ps(INFINITY);
  __m512 m0 = _mm512_setzero_ps(), m1 = m0, m2 = m0, m3 = m0;
  __mmask16 bad = 0;
  for (; j + 64 <= n; j += 64) {
    const __m512 a0 = _mm512_abs_ps(_mm512_loadu_ps(x + j));
    const __m512 a1 = _mm512_abs_ps(_mm512_loadu_ps(x + j + 16));
    const __m512 a2 = _mm512_abs_ps(_mm512_loadu_ps(x + j + 32));
    const __m512 a3 = _mm512_abs_ps(_mm512_loadu_ps(x + j + 48));
    // "not less than +inf" is true exactly for +inf and NaN.
    bad |= _mm512_cmp_ps_mask(a0, vinf, _CMP_NLT_UQ) | _mm512_cmp_ps_mask(a1, vinf, _CMP_NLT_UQ) |
           _mm512_cmp_ps_mask(a2, vinf, _CMP_NLT_UQ) | _mm512_cmp_ps_mask(a3, vinf, _CMP_NLT_UQ);
    m0 = _mm512_max_ps(m0, a0);
    m1 = _mm512_max_ps(m1, a1);
    m2 = _mm512_max_ps(m2, a2);
    m3 = _mm512_max_ps(m3, a3);
  }
  for (; j < n; j += 16) {
    const __mmask16 mask = TailMask16(n - j);
    const __m512 a = _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, x + j));
    bad |= _mm512_cmp_ps_mask(a, vinf, _CMP_NLT_UQ);
    m0 = _mm512_max_ps(m0, a);
  }
  result = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
  if (bad != 0) *all_finite = false;
#else
  int bad = 0;
#pragma omp simd reduction(max : result) reduction(| : bad)
  for (j = 0; j < n; ++j) {
    const float a = std::fabs(x[j]);
    bad |= !(a <= FLT_MAX);
    result = std::max(result, a);
  }
  if (bad) *all_finite = false;
#endif
  return result;
}

void MinMaxRun(const float* x, int64_t n, float* min_out, float* max_out, bool* all_finite) {
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  const __m512 vinf = _mm512_set1_ps(INFINITY);
  __m512 lo = _mm512_set1_ps(x[0]), hi = lo, lo2 = lo, hi2 = lo;
  __mmask16 bad = 0;
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    const __m512 a = _mm512_loadu_ps(x + j);
    const __m512 b = _mm512_loadu_ps(x + j + 16);
    bad |= _mm512_cmp_ps_mask(_mm512_abs_ps(a), vinf, _CMP_NLT_UQ) |
           _mm512_cmp_ps_mask(_mm512_abs_ps(b), vinf, _CMP_NLT_UQ);
    lo = _mm512_min_ps(lo, a);
    hi = _mm512_max_ps(hi, a);
    lo2 = _mm512_min_ps(lo2, b);
    hi2 = _mm512_max_ps(hi2, b);
  }
  for (; j < n; j += 16) {
    const __mmask16 mask = TailMask16(n - j);
    // Masked-off lanes repeat x[0], which is already in the running min and max.
    const __m512 a = _mm512_mask_loadu_ps(_mm512_set1_ps(x[0]), mask, x + j);
    bad |= _mm512_cmp_ps_mask(_mm512_abs_ps(a), vinf, _CMP_NLT_UQ);
    lo = _mm512_min_ps(lo, a);
    hi = _mm512_max_ps(hi, a);
  }
  if (bad != 0 || !std::isfinite(x[0])) *all_finite = false;
  *min_out = _mm512_reduce_min_ps(_mm512_min_ps(lo, lo2));
  *max_out = _mm512_reduce_max_ps(_mm512_max_ps(hi, hi2));
#else
  float lo = x[0];
  float hi = x[0];
  int bad = 0;
#pragma omp simd reduction(min : lo) reduction(max : hi) reduction(| : bad)
  for (int64_t j = 0; j < n; ++j) {
    bad |= !(std::fabs(x[j]) <= FLT_MAX);
    lo = std::min(lo, x[j]);
    hi = std::max(hi, x[j]);
  }
  if (bad) *all_finite = false;
  *min_out = lo;
  *max_out = hi;
#endif
}

namespace {

// The first index j in [0, n) with is_bad(j), or -1. Blocks are checked in parallel with the
// fast `block_clean(start, len)` (true: nothing bad in the block); only a failing block is
// walked element by element. The result is the same at any thread count.
template <typename BlockClean, typename IsBad>
int64_t FindFirstBad(int64_t n, BlockClean block_clean, IsBad is_bad) {
  constexpr int64_t kBlock = 4096;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  // The first bad index overall is the minimum of each thread's first bad index.
  int64_t first_bad = INT64_MAX;
#pragma omp parallel for schedule(static) reduction(min : first_bad) if (n >= kParallelMinElements)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t start = b * kBlock;
    const int64_t len = std::min(kBlock, n - start);
    if (start > first_bad || block_clean(start, len)) continue;
    for (int64_t j = start; j < start + len; ++j) {
      if (is_bad(j)) {
        first_bad = std::min(first_bad, j);
        break;
      }
    }
  }
  return first_bad == INT64_MAX ? -1 : first_bad;
}

// True if every code in bytes[0, n) decodes into [qmin, qmax].
bool CodesInRange(const uint8_t* bytes, int64_t n, bool is_signed, int32_t qmin, int32_t qmax) {
  int64_t j = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  __mmask64 bad = 0;
  // qmin and qmax as bytes, compared signed or unsigned as the codes are stored.
  const __m512i lo = _mm512_set1_epi8(static_cast<char>(qmin));
  const __m512i hi = _mm512_set1_epi8(static_cast<char>(qmax));
  if (is_signed) {
    for (; j + 64 <= n; j += 64) {
      const __m512i v = _mm512_loadu_si512(bytes + j);
      bad |= _mm512_cmplt_epi8_mask(v, lo) | _mm512_cmpgt_epi8_mask(v, hi);
    }
  } else {
    for (; j + 64 <= n; j += 64) {
      const __m512i v = _mm512_loadu_si512(bytes + j);
      bad |= _mm512_cmplt_epu8_mask(v, lo) | _mm512_cmpgt_epu8_mask(v, hi);
    }
  }
  if (bad != 0) return false;
#endif
  for (; j < n; ++j) {
    const int32_t q = DecodeCode(bytes[j], is_signed);
    if (q < qmin || q > qmax) return false;
  }
  return true;
}

}  // namespace

int64_t FindNonFinite(const float* x, int64_t n) {
  return FindFirstBad(
      n,
      [x](int64_t start, int64_t len) {
        bool finite = true;
        AbsMaxRun(x + start, len, &finite);
        return finite;
      },
      [x](int64_t j) { return !std::isfinite(x[j]); });
}

int64_t FindCodeOutOfRange(const uint8_t* codes, int64_t n, bool is_signed, int32_t qmin,
                           int32_t qmax) {
  return FindFirstBad(
      n,
      [=](int64_t start, int64_t len) {
        return CodesInRange(codes + start, len, is_signed, qmin, qmax);
      },
      [=](int64_t j) {
        const int32_t q = DecodeCode(codes[j], is_signed);
        return q < qmin || q > qmax;
      });
}

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
namespace {

// Codes buffers at least this large are written with non-temporal stores: they do not fit
// in cache anyway, and skipping the read-for-ownership of every destination line saves a
// sixth of the memory traffic (5 B instead of 6 B per element). Smaller outputs keep
// ordinary stores so that a caller that reads the codes right away finds them in cache.
constexpr int64_t kStreamingStoreMinBytes = int64_t{16} << 20;
// How far ahead of the absmax scan of the next row the software prefetch runs (4 KiB): the
// hardware prefetcher alone does not keep enough lines in flight for one core to stream.
constexpr int64_t kPrefetchAheadFloats = 1024;

// Quantizes `row` (already in cache) into `out` and, in the same loop, scans `next` (the
// following row, streaming from memory) for max |x|. One loop keeps memory busy the whole
// time: the scan of row r+1 overlaps with the arithmetic on row r, instead of each row's
// scan waiting on DRAM while the core idles. Without kHasNext only `row` is quantized.
// Returns max |next| and clears *next_finite if `next` holds a NaN or +-Inf.
template <bool kHasNext, bool kStream, bool kUnsigned>
float QuantizeRowScanNext(const float* row, const float* next, int64_t n, float scale,
                          int32_t zero_point, int32_t qmin, int32_t qmax, uint8_t* out,
                          bool* next_finite) {
  const __m512 vs = _mm512_set1_ps(scale);
  const __m512 vlo = _mm512_set1_ps(static_cast<float>(qmin - zero_point));
  const __m512 vhi = _mm512_set1_ps(static_cast<float>(qmax - zero_point));
  const __m512i vz = _mm512_set1_epi32(zero_point);
  // max |x| as a max over the bit patterns of |x|: for non-negative floats the integer
  // order is the float order, and +Inf (0x7F800000) and every NaN sort above all finite
  // values, so one integer max per vector also detects non-finite values.
  const __m512i abs_bits = _mm512_set1_epi32(0x7FFFFFFF);
  __m512i m0 = _mm512_setzero_si512(), m1 = m0, m2 = m0, m3 = m0;
  // The scan runs forward and the quantization backward over the full 64-element blocks:
  // the tail of a row, scanned last, is still in L1 when its quantization starts, so only
  // part of each row comes back from L2.
  const int64_t full = n - n % 64;
  int64_t j = 0;
  for (; j + 64 <= n; j += 64) {
    const int64_t k = full - 64 - j;  // quantize position: backwards (see above)
    if constexpr (kHasNext) {
      // One line per 16 floats scanned, evenly spread; T0 because the scan reads it next.
      const char* ahead = reinterpret_cast<const char*>(next + j + kPrefetchAheadFloats);
      _mm_prefetch(ahead, _MM_HINT_T0);
      _mm_prefetch(ahead + 64, _MM_HINT_T0);
      _mm_prefetch(ahead + 128, _MM_HINT_T0);
      _mm_prefetch(ahead + 192, _MM_HINT_T0);
      m0 = _mm512_max_epu32(m0, _mm512_and_si512(_mm512_loadu_si512(next + j), abs_bits));
      m1 = _mm512_max_epu32(m1, _mm512_and_si512(_mm512_loadu_si512(next + j + 16), abs_bits));
      m2 = _mm512_max_epu32(m2, _mm512_and_si512(_mm512_loadu_si512(next + j + 32), abs_bits));
      m3 = _mm512_max_epu32(m3, _mm512_and_si512(_mm512_loadu_si512(next + j + 48), abs_bits));
    }
    // QuantizeLanes clamps to [qmin, qmax] (a sub-range of the int8 / uint8 range), so the
    // saturating packs below never saturate and the codes equal QuantizeRunUniform's.
    const __m512i c0 = QuantizeLanes(_mm512_loadu_ps(row + k), vs, vlo, vhi, vz);
    const __m512i c1 = QuantizeLanes(_mm512_loadu_ps(row + k + 16), vs, vlo, vhi, vz);
    const __m512i c2 = QuantizeLanes(_mm512_loadu_ps(row + k + 32), vs, vlo, vhi, vz);
    const __m512i c3 = QuantizeLanes(_mm512_loadu_ps(row + k + 48), vs, vlo, vhi, vz);
    const __m512i packed = PackCodes<kUnsigned>(c0, c1, c2, c3);
    if constexpr (kStream) {
      _mm512_stream_si512(reinterpret_cast<__m512i*>(out + k), packed);
    } else {
      _mm512_storeu_si512(out + k, packed);
    }
  }
  for (; j < n; j += 16) {
    const __mmask16 mask = TailMask16(n - j);
    if constexpr (kHasNext) {
      m0 = _mm512_max_epu32(m0,
                            _mm512_and_si512(_mm512_maskz_loadu_epi32(mask, next + j), abs_bits));
    }
    const __m512i c = QuantizeLanes(_mm512_maskz_loadu_ps(mask, row + j), vs, vlo, vhi, vz);
    _mm512_mask_cvtepi32_storeu_epi8(out + j, mask, c);
  }
  const __m512i m = _mm512_max_epu32(_mm512_max_epu32(m0, m1), _mm512_max_epu32(m2, m3));
  const uint32_t max_bits = static_cast<uint32_t>(_mm512_reduce_max_epu32(m));
  if (max_bits >= 0x7F800000u) *next_finite = false;
  float abs_max;
  std::memcpy(&abs_max, &max_bits, sizeof(abs_max));
  return abs_max;
}

template <bool kStream, bool kUnsigned>
float QuantizeRowScanNextDispatch(bool has_next, const float* row, const float* next, int64_t n,
                                  float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                                  uint8_t* out, bool* next_finite) {
  return has_next ? QuantizeRowScanNext<true, kStream, kUnsigned>(row, next, n, scale, zero_point,
                                                                  qmin, qmax, out, next_finite)
                  : QuantizeRowScanNext<false, kStream, kUnsigned>(row, next, n, scale, zero_point,
                                                                   qmin, qmax, out, next_finite);
}

}  // namespace
#endif

bool QuantizeRowsSymmetricFused(const float* x, int64_t rows, int64_t row_len,
                                const QuantScheme& scheme, uint8_t* codes, float* scales,
                                int32_t* zero_points) {
  const int32_t qmin = QMin(scheme);
  const int32_t qmax = QMax(scheme);
  int bad_rows = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  const bool stream = rows * row_len >= kStreamingStoreMinBytes;
  const bool is_unsigned = qmin >= 0;
  // Each thread takes one contiguous block of rows (as schedule(static) would) and runs a
  // two-row pipeline over it: while row r is quantized from cache, row r+1 is scanned from
  // memory. Results do not depend on the thread count.
#pragma omp parallel reduction(+ : bad_rows) if (rows * row_len >= kParallelMinElements)
  {
    const int64_t threads = omp_get_num_threads();
    const int64_t t = omp_get_thread_num();
    const int64_t first = rows * t / threads;
    const int64_t last = rows * (t + 1) / threads;
    bool finite = true;
    float abs_max = first < last ? AbsMaxRun(x + first * row_len, row_len, &finite) : 0.0f;
    for (int64_t r = first; r < last; ++r) {
      const float* row = x + r * row_len;
      const bool has_next = r + 1 < last;
      const float* next = row + row_len;
      uint8_t* out = codes + r * row_len;
      bool next_finite = true;
      float next_abs_max = 0.0f;
      if (!finite) {
        ++bad_rows;
        if (has_next) next_abs_max = AbsMaxRun(next, row_len, &next_finite);
      } else {
        const ScaleZeroPoint sz = ComputeScaleZeroPoint(-abs_max, abs_max, scheme);
        scales[r] = sz.scale;
        zero_points[r] = sz.zero_point;
        // Streaming stores need 64-byte aligned destinations; other rows store normally.
        const bool aligned = reinterpret_cast<uintptr_t>(out) % 64 == 0;
        auto run = [&](auto stream_tag, auto unsigned_tag) {
          return QuantizeRowScanNextDispatch<decltype(stream_tag)::value,
                                             decltype(unsigned_tag)::value>(
              has_next, row, next, row_len, sz.scale, sz.zero_point, qmin, qmax, out, &next_finite);
        };
        using Yes = std::true_type;
        using No = std::false_type;
        if (stream && aligned) {
          next_abs_max = is_unsigned ? run(Yes{}, Yes{}) : run(Yes{}, No{});
        } else {
          next_abs_max = is_unsigned ? run(No{}, Yes{}) : run(No{}, No{});
        }
      }
      abs_max = next_abs_max;
      finite = next_finite;
    }
    // Streaming stores are weakly ordered: make them visible before the region's barrier.
    if (stream) _mm_sfence();
  }
#else
#pragma omp parallel for schedule(static) reduction(+ : bad_rows) \
    if (rows * row_len >= kParallelMinElements)
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * row_len;
    bool finite = true;
    const float abs_max = AbsMaxRun(row, row_len, &finite);
    if (!finite) {
      ++bad_rows;
      continue;
    }
    const ScaleZeroPoint sz = ComputeScaleZeroPoint(-abs_max, abs_max, scheme);
    scales[r] = sz.scale;
    zero_points[r] = sz.zero_point;
    QuantizeRunUniform(row, row_len, sz.scale, sz.zero_point, qmin, qmax, codes + r * row_len);
  }
#endif
  return bad_rows == 0;
}

bool QuantizeGroupsMinMaxFused(const float* x, int64_t num_groups, int64_t group_size,
                               const QuantScheme& scheme, uint8_t* codes, float* scales,
                               int32_t* zero_points) {
  const int32_t qmin = QMin(scheme);
  const int32_t qmax = QMax(scheme);
  // Groups go in blocks of about 32 KiB: first every group's min-max and params, then every
  // group's codes, re-reading the block from L1. Memory sees one read per element, and the
  // groups of each pass are independent, so their reductions and scale computations overlap
  // instead of each group waiting on its own min-max -> scale -> quantize chain.
  const int64_t block_groups = std::max<int64_t>(1, 8192 / group_size);
  const int64_t blocks = (num_groups + block_groups - 1) / block_groups;
  int bad_groups = 0;
#pragma omp parallel for schedule(static) reduction(+ : bad_groups) \
    if (num_groups * group_size >= kParallelMinElements)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t first = b * block_groups;
    const int64_t last = std::min(num_groups, first + block_groups);
    bool finite = true;
    for (int64_t g = first; g < last; ++g) {
      float lo = 0.0f;
      float hi = 0.0f;
      MinMaxRun(x + g * group_size, group_size, &lo, &hi, &finite);
      const ScaleZeroPoint sz = ComputeScaleZeroPoint(lo, hi, scheme);
      scales[g] = sz.scale;
      zero_points[g] = sz.zero_point;
    }
    if (!finite) {
      ++bad_groups;
      continue;
    }
    for (int64_t g = first; g < last; ++g) {
      QuantizeRunUniform(x + g * group_size, group_size, scales[g], zero_points[g], qmin, qmax,
                         codes + g * group_size);
    }
  }
  return bad_groups == 0;
}

}  // namespace modelpress
