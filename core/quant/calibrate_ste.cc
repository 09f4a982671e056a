#include "core/quant/calibrate_ste.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/quant/scale.h"

namespace modelpress {
namespace {

// Adam on t = log S. The learning rate is in log-step units: 0.05 moves S by ~5% per step
// early on, enough to travel from min-max to a 2-bit optimum (a factor ~5) in well under
// kIterations steps; the cosine decay then settles the iterate without a tolerance test,
// which keeps the schedule fixed and the result reproducible.
constexpr double kLearningRate = 0.05;
constexpr double kBeta1 = 0.9;
constexpr double kBeta2 = 0.999;
constexpr double kEpsilon = 1e-12;
// Never shrink the step below S0 / 1024: beyond that nearly everything clips, and the
// projection keeps exp(t) away from 0 for degenerate histograms.
constexpr double kMinStepFraction = 1.0 / 1024.0;

// The slot's histogram as (bin centre, count), empty bins skipped: per-channel histograms
// are often sparse, and every optimisation step walks this list.
std::vector<SteCalibrator::WeightedValue> BinCentres(std::span<const uint64_t> positive,
                                                     std::span<const uint64_t> negative,
                                                     double width) {
  std::vector<SteCalibrator::WeightedValue> values;
  for (size_t k = 0; k < positive.size(); ++k) {
    const double centre = (static_cast<double>(k) + 0.5) * width;
    if (positive[k] != 0) values.push_back({centre, static_cast<double>(positive[k])});
    if (negative[k] != 0) values.push_back({-centre, static_cast<double>(negative[k])});
  }
  return values;
}

}  // namespace

double SteCalibrator::StepGradient(double x, double step, int32_t code_min, int32_t code_max) {
  const double v = x / step;
  if (v <= code_min) return code_min;
  if (v >= code_max) return code_max;
  return std::nearbyint(v) - v;
}

SteCalibrator::LossGradient SteCalibrator::Evaluate(std::span<const WeightedValue> values,
                                                    double step, int32_t code_min,
                                                    int32_t code_max) {
  double loss = 0.0, gradient = 0.0, total = 0.0;
  for (const WeightedValue& value : values) {
    const double v = value.x / step;
    // Rounding then clamping to integer bounds equals QuantizeValue's clamp then round.
    const double code =
        std::clamp(std::nearbyint(v), static_cast<double>(code_min), static_cast<double>(code_max));
    const double error = step * code - value.x;
    loss += value.weight * error * error;
    gradient += 2.0 * value.weight * error * StepGradient(value.x, step, code_min, code_max);
    total += value.weight;
  }
  if (total <= 0.0) return {};
  return {loss / total, gradient / total};
}

double SteCalibrator::LearnStep(std::span<const WeightedValue> values, double initial_step,
                                int32_t code_min, int32_t code_max) {
  const double t_max = std::log(initial_step);
  const double t_min = t_max + std::log(kMinStepFraction);
  // Gradients in units of the initial step squared, so that kEpsilon is scale-free.
  const double unit = 1.0 / (initial_step * initial_step);
  double t = t_max;
  double m = 0.0, v = 0.0;
  double beta1_power = 1.0, beta2_power = 1.0;
  double best_step = initial_step;
  double best_loss = std::numeric_limits<double>::infinity();
  for (int i = 0; i <= kIterations; ++i) {
    const double step = std::exp(t);
    const LossGradient eval = Evaluate(values, step, code_min, code_max);
    // The STE gradient is a surrogate, not the derivative of the sawtooth loss, so keep the
    // best iterate actually seen rather than trusting the last one.
    if (eval.loss < best_loss) {
      best_loss = eval.loss;
      best_step = step;
    }
    if (i == kIterations) break;
    const double g = eval.gradient * step * unit;  // dL/dt = S dL/dS
    m = kBeta1 * m + (1.0 - kBeta1) * g;
    v = kBeta2 * v + (1.0 - kBeta2) * g * g;
    beta1_power *= kBeta1;
    beta2_power *= kBeta2;
    const double m_hat = m / (1.0 - beta1_power);
    const double v_hat = v / (1.0 - beta2_power);
    const double rate = kLearningRate * 0.5 * (1.0 + std::cos(std::numbers::pi * i / kIterations));
    t = std::clamp(t - rate * m_hat / (std::sqrt(v_hat) + kEpsilon), t_min, t_max);
  }
  return best_step;
}

std::vector<ClipRange> SteCalibrator::Ranges() const {
  const QuantScheme& q = scheme();
  const double half_levels = static_cast<double>((QMax(q) - QMin(q)) / 2);
  const int64_t slots = histograms().num_slots();
  std::vector<ClipRange> ranges(slots);
  // Each slot is optimised by one thread with a fixed schedule: thread-count independent.
#pragma omp parallel for schedule(dynamic, 1) if (slots > 1)
  for (int64_t s = 0; s < slots; ++s) {
    const ClipRange& seen = histograms().observed(s);
    const double width = histograms().bin_width(s);
    if (width == 0.0) {
      ranges[s] = {0.0f, 0.0f};
      continue;
    }
    if (seen.min == seen.max) {
      // A constant is exact at the min-max step; bin centres would only blur it.
      ranges[s] = seen;
      continue;
    }
    const float lo = std::min(0.0f, seen.min);
    const float hi = std::max(0.0f, seen.max);
    const ScaleZeroPoint initial = ComputeScaleZeroPoint(lo, hi, q);
    const int32_t code_min = QMin(q) - initial.zero_point;
    const int32_t code_max = QMax(q) - initial.zero_point;
    const std::vector<WeightedValue> values =
        BinCentres(histograms().positive(s), histograms().negative(s), width);
    const double step = LearnStep(values, initial.scale, code_min, code_max);
    if (step >= initial.scale) {
      ranges[s] = seen;  // min-max was best: return it exactly, not via a rounded clip
    } else if (q.symmetric) {
      const float clip = static_cast<float>(step * half_levels);
      ranges[s] = {std::max(seen.min, -clip), std::min(seen.max, clip)};
    } else {
      // Shrinking [lo, hi] by a common factor keeps Z = qmin - round(lo / S) unchanged.
      const double alpha = step / initial.scale;
      ranges[s] = {static_cast<float>(alpha * lo), static_cast<float>(alpha * hi)};
    }
  }
  return ranges;
}

}  // namespace modelpress
