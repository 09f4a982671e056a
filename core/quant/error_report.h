// ErrorReport: what a quantization cost, split into parts a user can act on.
//
// For N values x and reconstructions x' = dequant(quant(x)), with e = x' - x:
//   mse = sum(e^2)/N, rmse, max_abs_error, mean_error (bias) = sum(e)/N,
//   sqnr_db = 10 log10(sum(x^2) / sum(e^2)) (+inf when e == 0), cosine(x, x').
// Decomposition (rounding_mse + clipping_mse == mse): values inside the clip range
// contribute to rounding_mse, values outside it to clipping_mse, both divided by N (not by
// their own counts) so the two parts add up. clipped_fraction = clipped count / N.
// theoretical_rounding_mse = mean over in-range values of S^2/12 for their S, divided by N
// the same way, so it is directly comparable to rounding_mse. Under stochastic rounding the
// prediction is S^2/6 per value (variance f(1-f)S^2 averaged over a uniform fraction f).
// rounding_mean_error is the mean error of the in-range values alone: the rounding bias,
// ~0 for stochastic rounding. "Outside the clip range" means more than half a step
// beyond the extreme codes, x < S*(qmin-Z-1/2) or x > S*(qmax-Z+1/2): exactly the values
// whose unclamped code leaves [qmin, qmax]; every in-range error is then <= S/2.
// sqnr_db is +inf and cosine 1 when the reconstruction is exact.
#ifndef MODELPRESS_CORE_QUANT_ERROR_REPORT_H_
#define MODELPRESS_CORE_QUANT_ERROR_REPORT_H_

#include <cstdint>
#include <vector>

namespace modelpress {

struct ErrorStats {
  int64_t count = 0;
  double mse = 0;
  double rmse = 0;
  double max_abs_error = 0;
  double mean_error = 0;
  double sqnr_db = 0;
  double cosine = 0;
  double rounding_mse = 0;
  double clipping_mse = 0;
  double clipped_fraction = 0;
  double theoretical_rounding_mse = 0;
  double rounding_mean_error = 0;
};

struct ErrorReport {
  ErrorStats tensor;
  // One entry per channel of the scheme's axis; filled only when asked for.
  std::vector<ErrorStats> per_channel;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_ERROR_REPORT_H_
