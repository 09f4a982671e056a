// Quantization kernels against the memory ceiling, on a 4096 x 16384 FP32 tensor (256 MiB)
// at 1 and 2 OpenMP threads.
//
// BM_StreamCeiling is the reference: read 4 bytes and write 1 byte per element with no
// arithmetic and non-temporal stores (the fastest store method here, and the one the fused
// kernel uses), i.e. the fastest any single-pass FP32 -> 8-bit kernel can go on this
// machine, measured in the same run. Every kernel reports elem_per_s and ceiling_ratio (its
// rate over the ceiling's at the same thread count). Buffers are allocated once (huge pages) and
// touched before timing, so no benchmark pays page faults.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
// GCC 12's AVX-512 intrinsics trip (maybe-)uninitialized on their internal placeholders.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "core/quant/calibrator.h"
#include "core/quant/pack.h"
#include "core/quant/param_layout.h"
#include "core/quant/quantize_kernels.h"
#include "core/quant/scale.h"
#include "core/tensor/aligned_buffer.h"

namespace modelpress {
namespace {

constexpr int64_t kRows = 4096;
constexpr int64_t kCols = 16384;
constexpr int64_t kElements = kRows * kCols;

struct Buffers {
  AlignedBuffer input{kElements * sizeof(float)};
  AlignedBuffer codes{kElements};
  AlignedBuffer packed{kElements / 2};
  AlignedBuffer output{kElements * sizeof(float)};
  std::vector<float> scales = std::vector<float>(kElements / 32);
  std::vector<int32_t> zero_points = std::vector<int32_t>(kElements / 32);

  Buffers() {
    float* x = input.As<float>();
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < kRows; ++r) {
      // Cheap, deterministic, roughly bell-shaped values (sum of three uniforms), with a
      // per-row spread so that per-channel scales differ.
      uint64_t state = 0x9E3779B97F4A7C15ULL * (r + 1);
      const float spread = 0.5f + static_cast<float>(r % 17) / 8.0f;
      for (int64_t c = 0; c < kCols; ++c) {
        float sum = 0;
        for (int k = 0; k < 3; ++k) {
          state ^= state << 13;
          state ^= state >> 7;
          state ^= state << 17;
          sum += static_cast<float>(state >> 40) * 0x1.0p-24f;
        }
        x[r * kCols + c] = (sum - 1.5f) * spread;
      }
    }
    std::memset(codes.data(), 0, codes.size());
    std::memset(packed.data(), 0, packed.size());
    std::memset(output.data(), 0, output.size());
  }
};

Buffers& Data() {
  static Buffers* buffers = new Buffers();
  return *buffers;
}

#if defined(__AVX512F__) && defined(__AVX512BW__)
// Four vectors of 32-bit words narrowed to 64 bytes in order with no arithmetic: two
// saturating packs (which interleave 128-bit lanes) and a lane permute to undo that.
inline __m512i PackToBytes(__m512i a, __m512i b, __m512i c, __m512i d) {
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_epi32(
      order, _mm512_packs_epi16(_mm512_packs_epi32(a, b), _mm512_packs_epi32(c, d)));
}

// The calling OpenMP thread's contiguous block of rows [first, last), as the fused kernel
// splits them.
struct RowBlock {
  int64_t first;
  int64_t last;
};
RowBlock ThreadRowBlock(int64_t rows) {
  const int64_t threads = omp_get_num_threads();
  const int64_t t = omp_get_thread_num();
  return {rows * t / threads, rows * (t + 1) / threads};
}
#endif

void StreamKernel(const float* x, uint8_t* out, int64_t n) {
#pragma omp parallel for schedule(static)
  for (int64_t chunk = 0; chunk < n / 16384; ++chunk) {
    const float* src = x + chunk * 16384;
    uint8_t* dst = out + chunk * 16384;
#if defined(__AVX512F__) && defined(__AVX512BW__)
    // Narrow each 32-bit word to a byte with no arithmetic (two packs and a lane permute,
    // the cheapest way to 64 bytes), then store the full line with a non-temporal store.
    // Of the store methods measured here (vpmovdb + 16-byte stores, packs + 64-byte stores,
    // packs + non-temporal stores) this one is the fastest, so the ceiling stays a ceiling
    // for kernels that stream their output the same way.
    for (int64_t j = 0; j < 16384; j += 64) {
      const __m512i bytes =
          PackToBytes(_mm512_loadu_si512(src + j), _mm512_loadu_si512(src + j + 16),
                      _mm512_loadu_si512(src + j + 32), _mm512_loadu_si512(src + j + 48));
      _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + j), bytes);
    }
#else
    for (int64_t j = 0; j < 16384; ++j) {
      uint32_t bits;
      std::memcpy(&bits, src + j, 4);
      dst[j] = static_cast<uint8_t>(bits);
    }
#endif
  }
#if defined(__AVX512F__) && defined(__AVX512BW__)
  _mm_sfence();
#endif
}

// The fused kernel's memory traffic without its arithmetic: each thread takes a block of
// rows; for row r it scans row r+1 from memory (max of the bits, so the loads are used)
// and re-reads row r from cache, packs it and streams it out. An exact per-row kernel must
// read each row twice when a row does not fit in L1 (64 KiB rows here, 48 KiB L1), so this
// is the ceiling for that design; the fused kernel's ratio to it shows how much of the gap
// to the single-pass ceiling is arithmetic.
uint32_t TwoReadKernel(const float* x, uint8_t* out, int64_t rows, int64_t cols) {
  uint32_t result = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__)
#pragma omp parallel reduction(max : result)
  {
    const auto [first, last] = ThreadRowBlock(rows);
    __m512i m = _mm512_setzero_si512();
    for (int64_t r = first; r < last; ++r) {
      const float* row = x + r * cols;
      const float* next = r + 1 < last ? row + cols : row;
      for (int64_t j = 0; j < cols; j += 64) {
        const int64_t k = cols - 64 - j;  // backwards, as the fused kernel
        _mm_prefetch(reinterpret_cast<const char*>(next + j + 1024), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(next + j + 1040), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(next + j + 1056), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(next + j + 1072), _MM_HINT_T0);
        for (int64_t v = 0; v < 64; v += 16) {
          m = _mm512_max_epu32(m, _mm512_loadu_si512(next + j + v));
        }
        _mm512_stream_si512(
            reinterpret_cast<__m512i*>(out + r * cols + k),
            PackToBytes(_mm512_loadu_si512(row + k), _mm512_loadu_si512(row + k + 16),
                        _mm512_loadu_si512(row + k + 32), _mm512_loadu_si512(row + k + 48)));
      }
    }
    result = static_cast<uint32_t>(_mm512_reduce_max_epu32(m));
    _mm_sfence();
  }
#else
  (void)x;
  (void)out;
  (void)rows;
  (void)cols;
#endif
  return result;
}

// An upper bound for any exact per-row kernel: one read per element and the fused kernel's
// arithmetic (abs-max, divide, clamp, round, pack, stream out), but each 64-element block is
// quantized with the scale of the row's running max so far, so no element is read twice.
// Its codes are wrong wherever the running max was not yet the row's max (about half the
// row); it exists only to show what one pass with this arithmetic costs against the
// ceiling, which no exact kernel can beat.
uint32_t OnePassRunningScaleKernel(const float* x, uint8_t* out, int64_t rows, int64_t cols) {
  uint32_t result = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__)
#pragma omp parallel reduction(max : result)
  {
    const auto [first, last] = ThreadRowBlock(rows);
    const __m512i abs_bits = _mm512_set1_epi32(0x7FFFFFFF);
    const __m512 lo = _mm512_set1_ps(-127.0f);
    const __m512 hi = _mm512_set1_ps(127.0f);
    auto quantize = [&](__m512 v, __m512 scale) {
      return _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(_mm512_div_ps(v, scale), lo), hi));
    };
    for (int64_t r = first; r < last; ++r) {
      const float* row = x + r * cols;
      __m512i running_max = _mm512_setzero_si512();
      __m512 scale = _mm512_set1_ps(1.0f);
      for (int64_t j = 0; j < cols; j += 64) {
        const char* ahead = reinterpret_cast<const char*>(row + j + 1024);
        _mm_prefetch(ahead, _MM_HINT_T0);
        _mm_prefetch(ahead + 64, _MM_HINT_T0);
        _mm_prefetch(ahead + 128, _MM_HINT_T0);
        _mm_prefetch(ahead + 192, _MM_HINT_T0);
        const __m512 a = _mm512_loadu_ps(row + j);
        const __m512 b = _mm512_loadu_ps(row + j + 16);
        const __m512 c = _mm512_loadu_ps(row + j + 32);
        const __m512 e = _mm512_loadu_ps(row + j + 48);
        auto abs_of = [&](__m512 v) { return _mm512_and_si512(_mm512_castps_si512(v), abs_bits); };
        const __m512i m = _mm512_max_epu32(_mm512_max_epu32(abs_of(a), abs_of(b)),
                                           _mm512_max_epu32(abs_of(c), abs_of(e)));
        if (_mm512_cmpgt_epu32_mask(m, running_max) != 0) {  // rare: a new running max
          const uint32_t bits = _mm512_reduce_max_epu32(_mm512_max_epu32(m, running_max));
          running_max = _mm512_set1_epi32(static_cast<int32_t>(bits));
          float abs_max;
          std::memcpy(&abs_max, &bits, sizeof(abs_max));
          scale = _mm512_set1_ps(abs_max > 0.0f ? abs_max / 127.0f : 1.0f);
        }
        _mm512_stream_si512(reinterpret_cast<__m512i*>(out + r * cols + j),
                            PackToBytes(quantize(a, scale), quantize(b, scale), quantize(c, scale),
                                        quantize(e, scale)));
      }
      result = std::max(result, static_cast<uint32_t>(_mm512_reduce_max_epu32(running_max)));
    }
    _mm_sfence();
  }
#else
  (void)x;
  (void)out;
  (void)rows;
  (void)cols;
#endif
  return result;
}

// Seconds for one call of `fn`.
template <typename Fn>
double TimeOnce(Fn fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Runs `fn` under the benchmark loop with wall-clock timing. The machine's bandwidth drifts
// by tens of percent within seconds, so the ratio is paired: every timed call of `fn` is
// preceded by an (untimed for the benchmark) call of the ceiling kernel on the same buffers,
// and ceiling_ratio is the median of the per-iteration ratios. elem_per_s is the kernel's
// rate over all iterations, ceiling_elem_per_s the median rate of the paired ceiling runs.
template <typename Fn>
void Run(benchmark::State& state, Fn fn) {
  const int threads = static_cast<int>(state.range(0));
  omp_set_num_threads(threads);
  Buffers& d = Data();
  auto ceiling = [&] { StreamKernel(d.input.As<float>(), d.codes.data(), kElements); };
  ceiling();  // warm-up: caches, OpenMP pool
  fn();
  double seconds = 0;
  int64_t iterations = 0;
  std::vector<double> ratios;
  std::vector<double> ceiling_rates;
  for (auto _ : state) {
    state.PauseTiming();
    const double ceiling_seconds = TimeOnce(ceiling);
    state.ResumeTiming();
    const double elapsed = TimeOnce(fn);
    state.SetIterationTime(elapsed);
    seconds += elapsed;
    ++iterations;
    ratios.push_back(ceiling_seconds / elapsed);
    ceiling_rates.push_back(kElements / ceiling_seconds);
  }
  state.counters["elem_per_s"] = iterations * static_cast<double>(kElements) / seconds;
  state.counters["ceiling_ratio"] = Median(ratios);
  state.counters["ceiling_elem_per_s"] = Median(ceiling_rates);
  state.counters["threads"] = threads;
}

// The ceiling itself: its ratio is paired with a second ceiling run, so it reads ~1 and
// shows the run-to-run noise of the pairing.
void BM_StreamCeiling(benchmark::State& state) {
  Buffers& d = Data();
  Run(state, [&] { StreamKernel(d.input.As<float>(), d.codes.data(), kElements); });
}

QuantScheme Int8Symmetric() { return QuantScheme{}; }

void BM_StreamCeilingTwoReads(benchmark::State& state) {
  Buffers& d = Data();
  Run(state, [&] {
    benchmark::DoNotOptimize(TwoReadKernel(d.input.As<float>(), d.codes.data(), kRows, kCols));
  });
}

// Not an exact kernel: the bound above (one read, the fused kernel's arithmetic).
void BM_OnePassBound(benchmark::State& state) {
  Buffers& d = Data();
  Run(state, [&] {
    benchmark::DoNotOptimize(
        OnePassRunningScaleKernel(d.input.As<float>(), d.codes.data(), kRows, kCols));
  });
}

// The same kernel and element count with 8 KiB rows (32768 x 2048), which fit in L1 next to
// the row being scanned: only the single read from memory remains.
void BM_QuantizePerChannelSymmetricFusedShortRows(benchmark::State& state) {
  Buffers& d = Data();
  const QuantScheme scheme = Int8Symmetric();
  constexpr int64_t kShortCols = 2048;
  Run(state, [&] {
    QuantizeRowsSymmetricFused(d.input.As<float>(), kElements / kShortCols, kShortCols, scheme,
                               d.codes.data(), d.scales.data(), d.zero_points.data());
  });
}

void BM_QuantizePerChannelSymmetricFused(benchmark::State& state) {
  Buffers& d = Data();
  const QuantScheme scheme = Int8Symmetric();
  Run(state, [&] {
    QuantizeRowsSymmetricFused(d.input.As<float>(), kRows, kCols, scheme, d.codes.data(),
                               d.scales.data(), d.zero_points.data());
  });
}

// Min-max (one pass) then quantize (a second pass): the per-tensor asymmetric path as
// QuantizeTensor runs it, minus the report.
void BM_QuantizePerTensorAsymmetric(benchmark::State& state) {
  Buffers& d = Data();
  QuantScheme scheme;
  scheme.symmetric = false;
  scheme.is_signed = false;
  const ParamLayout layout(scheme, {kRows, kCols});
  Run(state, [&] {
    std::vector<ClipRange> range(1, {INFINITY, -INFINITY});
    UpdateSlotMinMax(d.input.As<float>(), layout, &range);
    const ScaleZeroPoint sz = ComputeScaleZeroPoint(range[0].min, range[0].max, scheme);
    QuantizeWithLayout(d.input.As<float>(), layout, scheme, &sz.scale, &sz.zero_point,
                       d.codes.data());
  });
}

QuantScheme Int4Groups128() {
  QuantScheme scheme;
  scheme.bits = 4;
  scheme.granularity = Granularity::kPerGroup;
  scheme.axis = 1;
  scheme.group_size = 128;
  return scheme;
}

// Nibble-packs d.codes into d.packed, in parallel chunks.
void PackAllNibbles(Buffers& d) {
  constexpr int64_t kChunk = int64_t{1} << 20;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < kElements / kChunk; ++c) {
    PackNibbles({d.codes.data() + c * kChunk, static_cast<size_t>(kChunk)},
                {d.packed.data() + c * kChunk / 2, static_cast<size_t>(kChunk / 2)});
  }
}

// Int4 symmetric, groups of 128 along the rows, as QuantizeTensor runs it for min-max
// ranges: the fused group kernel (min-max, params and codes while the group is in L1),
// then the nibble packing of the wire format.
void BM_QuantizePerGroupInt4(benchmark::State& state) {
  Buffers& d = Data();
  const QuantScheme scheme = Int4Groups128();
  Run(state, [&] {
    QuantizeGroupsMinMaxFused(d.input.As<float>(), kElements / 128, 128, scheme, d.codes.data(),
                              d.scales.data(), d.zero_points.data());
    PackAllNibbles(d);
  });
}

// The same through the general path (a calibrator pass, then QuantizeWithLayout), which
// QuantizeTensor takes for the other calibrators once their ranges are known.
void BM_QuantizePerGroupInt4TwoPass(benchmark::State& state) {
  Buffers& d = Data();
  const QuantScheme scheme = Int4Groups128();
  const ParamLayout layout(scheme, {kRows, kCols});
  std::vector<ClipRange> ranges(layout.num_params());
  Run(state, [&] {
    std::fill(ranges.begin(), ranges.end(), ClipRange{INFINITY, -INFINITY});
    UpdateSlotMinMax(d.input.As<float>(), layout, &ranges);
    for (size_t p = 0; p < ranges.size(); ++p) {
      const ScaleZeroPoint sz = ComputeScaleZeroPoint(ranges[p].min, ranges[p].max, scheme);
      d.scales[p] = sz.scale;
      d.zero_points[p] = sz.zero_point;
    }
    QuantizeWithLayout(d.input.As<float>(), layout, scheme, d.scales.data(), d.zero_points.data(),
                       d.codes.data());
    PackAllNibbles(d);
  });
}

// int8 per-channel codes back to FP32 (reads 1 byte, writes 4 per element).
void BM_DequantizePerChannel(benchmark::State& state) {
  Buffers& d = Data();
  QuantScheme scheme;
  scheme.granularity = Granularity::kPerChannel;
  const ParamLayout layout(scheme, {kRows, kCols});
  QuantizeRowsSymmetricFused(d.input.As<float>(), kRows, kCols, scheme, d.codes.data(),
                             d.scales.data(), d.zero_points.data());
  Run(state, [&] {
    DequantizeWithLayout(d.codes.data(), layout, true, d.scales.data(), d.zero_points.data(),
                         d.output.As<float>());
  });
}

void CalibratorBench(benchmark::State& state, CalibrationMethod method) {
  Buffers& d = Data();
  const QuantScheme scheme = Int8Symmetric();
  CalibrationSpec spec;
  spec.method = method;
  Run(state, [&] {
    std::unique_ptr<Calibrator> calibrator = *MakeCalibrator(spec, scheme);
    (void)calibrator->Observe({d.input.As<float>(), static_cast<size_t>(kElements)},
                              {kRows, kCols});
    benchmark::DoNotOptimize(calibrator->ComputeRanges());
  });
}

void BM_CalibrateMse(benchmark::State& state) { CalibratorBench(state, CalibrationMethod::kMse); }
void BM_CalibrateEntropy(benchmark::State& state) {
  CalibratorBench(state, CalibrationMethod::kEntropy);
}

#define MODELPRESS_QUANT_BENCH(fn) \
  BENCHMARK(fn)->Arg(1)->Arg(2)->UseManualTime()->Unit(benchmark::kMillisecond)

MODELPRESS_QUANT_BENCH(BM_StreamCeiling);
MODELPRESS_QUANT_BENCH(BM_StreamCeilingTwoReads);
MODELPRESS_QUANT_BENCH(BM_OnePassBound);
MODELPRESS_QUANT_BENCH(BM_QuantizePerChannelSymmetricFused);
MODELPRESS_QUANT_BENCH(BM_QuantizePerChannelSymmetricFusedShortRows);
MODELPRESS_QUANT_BENCH(BM_QuantizePerTensorAsymmetric);
MODELPRESS_QUANT_BENCH(BM_QuantizePerGroupInt4);
MODELPRESS_QUANT_BENCH(BM_QuantizePerGroupInt4TwoPass);
MODELPRESS_QUANT_BENCH(BM_DequantizePerChannel);
MODELPRESS_QUANT_BENCH(BM_CalibrateMse);
MODELPRESS_QUANT_BENCH(BM_CalibrateEntropy);

}  // namespace
}  // namespace modelpress
