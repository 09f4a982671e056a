// ObsReport and ObsPrecision: what SparseGPT and GPTQ report and the precision they run in.
//
// Losses follow the H = 2 X^T X / N convention (HessianAccumulator): 1/2 delta^T H delta
// summed over rows is ||delta X||^2 / N, the mean squared output error per calibration row.
#ifndef MODELPRESS_CORE_SECOND_ORDER_OBS_REPORT_H_
#define MODELPRESS_CORE_SECOND_ORDER_OBS_REPORT_H_

#include <cstdint>

namespace modelpress {

enum class ObsPrecision : uint8_t {
  kFloat32,  // as the reference implementations; production default
  kFloat64,  // for checking identities to machine precision
};

struct ObsReport {
  // Fraction of exact zeros in the result (pruned, dead columns, or quantized to zero).
  double achieved_sparsity = 0.0;
  // ||W X - W' X||^2 / ||W X||^2 on the calibration activations (undamped H); 0 when
  // ||W X|| is 0.
  double relative_reconstruction_error = 0.0;
  // Sum of the OBS saliencies err^2 / 2 the loop incurred.
  double predicted_loss_increase = 0.0;
  // 1/2 sum_rows delta^T H delta with the undamped H: the real layer loss increase.
  double measured_loss_increase = 0.0;
  // The same with the damped H the loop minimised; equals predicted_loss_increase.
  double measured_damped_loss_increase = 0.0;

  int64_t dead_columns = 0;
  double damp_lambda = 0.0;
  double damp_fraction = 0.0;
  int factorization_attempts = 0;
  int64_t block_size = 0;

  double factorization_seconds = 0.0;
  double update_seconds = 0.0;  // the whole column loop, GEMMs included
  double gemm_seconds = 0.0;    // lazy-update GEMMs only
  double gemm_gflops_per_second = 0.0;
  double layer_loss_seconds = 0.0;  // computing the loss figures above
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_OBS_REPORT_H_
