// ErrorAccumulator: running sums behind one ErrorStats (see error_report.h), in double.
//
// Merging is exact-order dependent only through floating-point addition; callers merge in a
// fixed order (by chunk or channel index) so reports do not depend on the thread count.
#ifndef MODELPRESS_CORE_QUANT_ERROR_ACCUMULATOR_H_
#define MODELPRESS_CORE_QUANT_ERROR_ACCUMULATOR_H_

#include <algorithm>
#include <cstdint>

#include "core/quant/error_report.h"

namespace modelpress {

struct ErrorAccumulator {
  int64_t count = 0;
  int64_t clipped = 0;
  double sum_error = 0;
  double sum_sq_error = 0;
  double max_abs_error = 0;
  double sum_sq_x = 0;
  double sum_sq_r = 0;
  double sum_xr = 0;
  double rounding_sq_error = 0;
  double rounding_sum_error = 0;
  double clipping_sq_error = 0;
  double theoretical = 0;

  void Merge(const ErrorAccumulator& other) {
    count += other.count;
    clipped += other.clipped;
    sum_error += other.sum_error;
    sum_sq_error += other.sum_sq_error;
    max_abs_error = std::max(max_abs_error, other.max_abs_error);
    sum_sq_x += other.sum_sq_x;
    sum_sq_r += other.sum_sq_r;
    sum_xr += other.sum_xr;
    rounding_sq_error += other.rounding_sq_error;
    rounding_sum_error += other.rounding_sum_error;
    clipping_sq_error += other.clipping_sq_error;
    theoretical += other.theoretical;
  }

  ErrorStats Finalize() const;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_ERROR_ACCUMULATOR_H_
