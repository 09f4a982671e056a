// Quantize kernels: the inner loops behind QuantizeTensor / DequantizeTensor and the
// benchmarks. No validation here: callers pass validated schemes, finite data, scales > 0.
//
// Codes are written one per byte as the low byte of the int32 code (int8 two's complement
// for signed schemes, uint8 for unsigned ones). Nearest rounding divides by the scale (as
// ONNX and numpy do, not multiply by 1/S) and rounds half to even via cvtps2dq, so every
// kernel agrees bit-exactly with QuantizeValue (scale.h).
#ifndef MODELPRESS_CORE_QUANT_QUANTIZE_KERNELS_H_
#define MODELPRESS_CORE_QUANT_QUANTIZE_KERNELS_H_

#include <cstdint>

#include "core/quant/param_layout.h"
#include "core/quant/quant_scheme.h"

namespace modelpress {

// One run with one (scale, zero point).
void QuantizeRunUniform(const float* x, int64_t n, float scale, int32_t zero_point, int32_t qmin,
                        int32_t qmax, uint8_t* codes);
// One run whose element j uses scales[j], zero_points[j].
void QuantizeRunVarying(const float* x, int64_t n, const float* scales, const int32_t* zero_points,
                        int32_t qmin, int32_t qmax, uint8_t* codes);
// Stochastic rounding; `first_index` is the flat index of x[0] in the tensor (the RNG counter).
void QuantizeRunStochastic(const float* x, int64_t n, const float* scales,
                           const int32_t* zero_points, bool param_varies, int32_t qmin,
                           int32_t qmax, uint64_t seed, int64_t first_index, uint8_t* codes);

void DequantizeRunUniform(const uint8_t* codes, int64_t n, bool is_signed, float scale,
                          int32_t zero_point, float* out);
void DequantizeRunVarying(const uint8_t* codes, int64_t n, bool is_signed, const float* scales,
                          const int32_t* zero_points, float* out);

// Whole-tensor drivers: OpenMP over the layout's segments (deterministic at any thread count).
void QuantizeWithLayout(const float* x, const ParamLayout& layout, const QuantScheme& scheme,
                        const float* scales, const int32_t* zero_points, uint8_t* codes);
void DequantizeWithLayout(const uint8_t* codes, const ParamLayout& layout, bool is_signed,
                          const float* scales, const int32_t* zero_points, float* out);

// max |x|; sets *all_finite = false if any value is NaN or +-Inf.
float AbsMaxRun(const float* x, int64_t n, bool* all_finite);
// min and max of x (n >= 1); sets *all_finite = false if any value is NaN or +-Inf.
void MinMaxRun(const float* x, int64_t n, float* min_out, float* max_out, bool* all_finite);
// Index of the first NaN or +-Inf, or -1.
int64_t FindNonFinite(const float* x, int64_t n);
// Index of the first code (one per byte, int8 if is_signed else uint8) outside [qmin, qmax],
// or -1.
int64_t FindCodeOutOfRange(const uint8_t* codes, int64_t n, bool is_signed, int32_t qmin,
                           int32_t qmax);

// Fused per-row symmetric quantization of a [rows, row_len] matrix: per row, max |x|, the
// scale via ComputeScaleZeroPoint, then the codes, in one pass over memory (each thread takes
// a block of rows and scans row r+1 while quantizing row r from cache). Outputs of 16 MiB or
// more are written with non-temporal stores, so they are not left in cache. Returns false
// (outputs unspecified) if a value is not finite.
bool QuantizeRowsSymmetricFused(const float* x, int64_t rows, int64_t row_len,
                                const QuantScheme& scheme, uint8_t* codes, float* scales,
                                int32_t* zero_points);

// Fused per-group min-max quantization of contiguous groups: x is [num_groups, group_size]
// row-major (per-group along the last axis); per group, min and max, the (scale, zero
// point) via ComputeScaleZeroPoint, then the codes, while the group is still in L1. Returns
// false (outputs unspecified) if a value is not finite.
bool QuantizeGroupsMinMaxFused(const float* x, int64_t num_groups, int64_t group_size,
                               const QuantScheme& scheme, uint8_t* codes, float* scales,
                               int32_t* zero_points);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_QUANTIZE_KERNELS_H_
