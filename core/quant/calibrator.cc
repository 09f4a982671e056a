#include "core/quant/calibrator.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/quant/avx512.h"
#include "core/quant/calibrate_entropy.h"
#include "core/quant/calibrate_minmax.h"
#include "core/quant/calibrate_mse.h"
#include "core/quant/calibrate_percentile.h"
#include "core/quant/calibrate_ste.h"
#include "core/quant/quantize_kernels.h"

namespace modelpress {
namespace {

constexpr int64_t kParallelMinElements = int64_t{1} << 15;

static_assert(sizeof(ClipRange) == 2 * sizeof(float), "ClipRange is read as (min, max) pairs");

// slots[i] widened by x[i] for i < n; clears *all_finite if any x[i] is NaN or +-Inf.
void WidenPerElement(const float* x, int64_t n, ClipRange* slots, bool* all_finite) {
  int64_t i = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  // Eight slots per step: (min, max) pairs as 16 lanes, x[i] duplicated into both lanes of
  // its pair; min on the even lanes, max on the odd ones.
  float* pairs = reinterpret_cast<float*>(slots);
  const __m512i duplicate = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  const __m256 inf = _mm256_set1_ps(INFINITY);
  constexpr __mmask16 kMinLanes = 0x5555;
  constexpr __mmask16 kMaxLanes = 0xAAAA;
  __mmask8 bad = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    bad |= _mm256_cmp_ps_mask(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), v), inf, _CMP_NLT_UQ);
    const __m512 both = _mm512_permutexvar_ps(duplicate, _mm512_castps256_ps512(v));
    __m512 range = _mm512_loadu_ps(pairs + 2 * i);
    range = _mm512_mask_min_ps(range, kMinLanes, range, both);
    range = _mm512_mask_max_ps(range, kMaxLanes, range, both);
    _mm512_storeu_ps(pairs + 2 * i, range);
  }
  if (bad != 0) *all_finite = false;
#endif
  for (; i < n; ++i) {
    if (!std::isfinite(x[i])) *all_finite = false;
    slots[i].min = std::min(slots[i].min, x[i]);
    slots[i].max = std::max(slots[i].max, x[i]);
  }
}

}  // namespace

absl::Status Calibrator::Observe(std::span<const float> values, const Shape& shape) {
  absl::StatusOr<int64_t> count = ValidateShape(shape, "tensor.shape", INT64_MAX / 8);
  if (!count.ok()) return count.status();
  if (static_cast<int64_t>(values.size()) != *count) {
    return absl::InvalidArgumentError(absl::StrCat("tensor has ", values.size(),
                                                   " values but shape ", ShapeToString(shape),
                                                   " needs ", *count));
  }
  if (absl::Status status = ValidateScheme(scheme_, shape); !status.ok()) return status;
  const ParamLayout layout(scheme_, shape);
  if (num_slots_ >= 0 && layout.num_params() != num_slots_) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch of shape ", ShapeToString(shape), " has ", layout.num_params(),
                     " param slots; earlier batches had ", num_slots_));
  }
  // One pass gives the batch's ranges and says whether every value is finite; only a bad
  // batch is scanned again, for the index of its first bad value.
  std::vector<ClipRange> batch_ranges(
      layout.num_params(),
      {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()});
  if (!UpdateSlotMinMax(values.data(), layout, &batch_ranges)) {
    const int64_t bad = FindNonFinite(values.data(), *count);
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor contains ", std::isnan(values[bad]) ? "NaN" : "Inf", " at index ", bad));
  }
  num_slots_ = layout.num_params();
  ObserveBatch(values.data(), layout, batch_ranges);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ClipRange>> Calibrator::ComputeRanges() const {
  if (num_slots_ < 0) {
    return absl::FailedPreconditionError("calibrator has observed no data");
  }
  return Ranges();
}

absl::Status ValidateCalibrationSpec(const CalibrationSpec& spec) {
  if (static_cast<int>(spec.method) > static_cast<int>(CalibrationMethod::kLearnedSte)) {
    return absl::InvalidArgumentError(
        absl::StrCat("calibration.method has unknown value ", static_cast<int>(spec.method)));
  }
  if (spec.method == CalibrationMethod::kPercentile &&
      !(spec.percentile > 0.0 && spec.percentile <= 100.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("calibration.percentile is ", spec.percentile, "; must be in (0, 100]"));
  }
  if (spec.method != CalibrationMethod::kMinMax &&
      (spec.num_bins < 16 || spec.num_bins > (1 << 16))) {
    return absl::InvalidArgumentError(
        absl::StrCat("calibration.num_bins is ", spec.num_bins, "; must be in [16, 65536]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Calibrator>> MakeCalibrator(const CalibrationSpec& spec,
                                                           const QuantScheme& scheme) {
  if (absl::Status status = ValidateCalibrationSpec(spec); !status.ok()) return status;
  switch (spec.method) {
    case CalibrationMethod::kMinMax:
      return std::make_unique<MinMaxCalibrator>(scheme);
    case CalibrationMethod::kPercentile:
      return std::make_unique<PercentileCalibrator>(scheme, spec.percentile, spec.num_bins);
    case CalibrationMethod::kMse:
      return std::make_unique<MseCalibrator>(scheme, spec.num_bins);
    case CalibrationMethod::kEntropy:
      return std::make_unique<EntropyCalibrator>(scheme, spec.num_bins);
    case CalibrationMethod::kLearnedSte:
      return std::make_unique<SteCalibrator>(scheme, spec.num_bins);
  }
  return absl::InvalidArgumentError("calibration.method is unknown");
}

bool UpdateSlotMinMax(const float* values, const ParamLayout& layout,
                      std::vector<ClipRange>* ranges) {
  const bool parallel = layout.num_elements() >= kParallelMinElements;
  std::vector<ClipRange>& slots = *ranges;
  if (layout.granularity() == Granularity::kPerTensor) {
    const int64_t n = layout.num_elements();
    const int64_t chunks = (n + ParamLayout::kChunkElements - 1) / ParamLayout::kChunkElements;
    float lo = slots[0].min;
    float hi = slots[0].max;
    bool finite = true;
#pragma omp parallel for schedule(static) reduction(min : lo) reduction(max : hi) \
    reduction(&& : finite) if (parallel)
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t start = c * ParamLayout::kChunkElements;
      const int64_t len = std::min(ParamLayout::kChunkElements, n - start);
      float chunk_lo, chunk_hi;
      bool chunk_finite = true;
      MinMaxRun(values + start, len, &chunk_lo, &chunk_hi, &chunk_finite);
      lo = std::min(lo, chunk_lo);
      hi = std::max(hi, chunk_hi);
      finite = finite && chunk_finite;
    }
    slots[0] = {lo, hi};
    return finite;
  }
  // Threads own disjoint runs of channels (whole groups for per-group), hence disjoint slots.
  const int64_t axis_len = layout.axis_len();
  const int64_t inner = layout.inner();
  const int64_t unit = layout.granularity() == Granularity::kPerGroup ? layout.group_size() : 1;
  const int64_t units = axis_len / unit;
  const bool varies = layout.granularity() == Granularity::kPerGroup && inner > 1;
  bool finite = true;
#pragma omp parallel reduction(&& : finite) if (parallel)
  {
    const int64_t threads = omp_get_num_threads();
    const int64_t t = omp_get_thread_num();
    const int64_t a0 = units * t / threads * unit;
    const int64_t a1 = units * (t + 1) / threads * unit;
    for (int64_t o = 0; o < layout.outer(); ++o) {
      if (inner == 1) {
        // Axis is innermost: walk the row's channel range contiguously.
        const float* row = values + o * axis_len;
        if (unit > 1) {  // per-group: each group is one contiguous run into one slot
          for (int64_t a = a0; a < a1; a += unit) {
            float lo, hi;
            bool run_finite = true;
            MinMaxRun(row + a, unit, &lo, &hi, &run_finite);
            finite = finite && run_finite;
            ClipRange& slot = slots[layout.ParamIndex(o, a, 0)];
            slot.min = std::min(slot.min, lo);
            slot.max = std::max(slot.max, hi);
          }
        } else {  // per-channel: slot a for element a
          bool run_finite = true;
          WidenPerElement(row + a0, a1 - a0, slots.data() + a0, &run_finite);
          finite = finite && run_finite;
        }
        continue;
      }
      for (int64_t a = a0; a < a1; ++a) {
        const float* row = values + (o * axis_len + a) * inner;
        const int64_t p = layout.ParamIndex(o, a, 0);
        if (varies) {
          bool run_finite = true;
          WidenPerElement(row, inner, slots.data() + p, &run_finite);
          finite = finite && run_finite;
        } else {
          float lo, hi;
          bool row_finite = true;
          MinMaxRun(row, inner, &lo, &hi, &row_finite);
          finite = finite && row_finite;
          slots[p].min = std::min(slots[p].min, lo);
          slots[p].max = std::max(slots[p].max, hi);
        }
      }
    }
  }
  return finite;
}

}  // namespace modelpress
