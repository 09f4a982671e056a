#include "core/quant/error_accumulator.h"

#include <cmath>
#include <limits>

namespace modelpress {

ErrorStats ErrorAccumulator::Finalize() const {
  ErrorStats stats;
  stats.count = count;
  if (count == 0) return stats;
  const double n = static_cast<double>(count);
  stats.mse = sum_sq_error / n;
  stats.rmse = std::sqrt(stats.mse);
  stats.max_abs_error = max_abs_error;
  stats.mean_error = sum_error / n;
  stats.sqnr_db = sum_sq_error == 0 ? std::numeric_limits<double>::infinity()
                                    : 10.0 * std::log10(sum_sq_x / sum_sq_error);
  if (sum_sq_x == 0 && sum_sq_r == 0) {
    stats.cosine = 1.0;  // both all zero: identical
  } else if (sum_sq_x == 0 || sum_sq_r == 0) {
    stats.cosine = 0.0;
  } else {
    stats.cosine = sum_xr / std::sqrt(sum_sq_x * sum_sq_r);
  }
  stats.rounding_mse = rounding_sq_error / n;
  stats.clipping_mse = clipping_sq_error / n;
  stats.clipped_fraction = static_cast<double>(clipped) / n;
  stats.theoretical_rounding_mse = theoretical / n;
  const int64_t in_range = count - clipped;
  stats.rounding_mean_error = in_range > 0 ? rounding_sum_error / in_range : 0.0;
  return stats;
}

}  // namespace modelpress
