// ObsLoop: the column-greedy Optimal Brain Surgeon loop shared by SparseGPT and GPTQ.
//
// W (d_row x d_col, column-major so columns are contiguous) is processed column by column.
// Column j is forced to a target t (0 where pruned, the grid value where quantized, the
// current value where kept); the error err = (w - t) / U_jj is propagated to the columns
// still free with U's row j, where U is the upper Cholesky factor of H^-1
// (InverseCholesky). Updates inside a block of `block_size` columns are applied at once per
// sub-block; the rest of the matrix gets one GEMM per block:
//     W[:, block_end:] -= Err * U[block, block_end:]
// which is the dominant cost and runs on Eigen's (OpenMP-parallel) GEMM. Rows are
// independent inside a block, so a block's column loop runs in parallel over row chunks.
//
// Returns the predicted loss increase sum over columns and rows of err^2 / 2, which equals
// 1/2 * sum_rows delta^T (damped H) delta exactly (up to rounding), delta = W_final - W_0.
//
// Scalar is float (production: the reference runs in fp32) or double (tests that check the
// identities to machine precision).
#ifndef MODELPRESS_CORE_SECOND_ORDER_OBS_LOOP_H_
#define MODELPRESS_CORE_SECOND_ORDER_OBS_LOOP_H_

#include <cstdint>

#include "core/second_order/eigen.h"

namespace modelpress {

// Decides the target value of each column. Implementations hold per-row state only for the
// rows they are called with, so concurrent calls on disjoint row ranges are safe.
template <typename Scalar>
class ObsTarget {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using ConstView = Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>;

  virtual ~ObsTarget() = default;

  // Columns that must be decided together (M for N:M, the group size for grouped
  // quantization; 1 otherwise). The loop makes every sub-block and block a multiple of it,
  // so that when ColumnTarget sees the first column of such a group, all of the group's
  // columns already carry every update from earlier columns.
  virtual int64_t alignment() const { return 1; }

  // Once per block, single-threaded, before any of its columns. `w` = W[:, begin:begin+n]
  // with every update from earlier blocks applied; `u_diag` = U_jj for those columns.
  virtual void BeginBlock(int64_t /*col_begin*/, const ConstView& /*w*/,
                          const Eigen::Ref<const Vector>& /*u_diag*/) {}

  // Target for column `col`, rows [row_begin, row_begin + ahead.rows()). `ahead` holds those
  // rows of columns col .. end of the current block, fully updated up to column col;
  // `u_diag` the matching U_jj. Writes ahead.rows() values into `target`.
  virtual void ColumnTarget(int64_t col, int64_t row_begin, const ConstView& ahead,
                            const Eigen::Ref<const Vector>& u_diag, Eigen::Ref<Vector> target) = 0;
};

struct ObsLoopStats {
  double predicted_loss = 0.0;  // sum err^2 / 2
  double gemm_seconds = 0.0;    // time in the per-block lazy-update GEMMs
  double gemm_flops = 0.0;      // their floating-point operations (2 * m * n * k)
  int64_t block_size = 0;       // effective block size after alignment
};

// Runs the loop in place on `w` (d_row x d_col) with `u` (d_col x d_col, upper). Requires
// block_size >= 1 and d_col a multiple of target.alignment() (callers validate).
template <typename Scalar>
ObsLoopStats RunObsLoop(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                        const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& u,
                        int64_t block_size, ObsTarget<Scalar>& target);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_OBS_LOOP_H_
