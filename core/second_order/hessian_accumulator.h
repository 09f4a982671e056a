// HessianAccumulator: the layer Hessian H = (2 / N) * sum over calibration rows x of x x^T.
//
// A linear layer y = W x with calibration inputs X (N rows of d_col features) has the exact
// layer-wise reconstruction Hessian H = 2 X^T X / N (normalised by the token count N, as
// GPTQModel does; the scale cancels in every OBS update and in the relative damping).
// Batches stream in through AddBatch; only the d_col x d_col sum (double) and a row count
// are kept, so memory is bounded by d_col^2 * 8 bytes whatever N is. Rows are converted to
// double in chunks of 1024 and added with one (OpenMP-parallel) GEMM per chunk.
//
// With diagonal_only, only sum x_j^2 is kept (O(d_col) memory, O(N * d_col) time): enough for
// OBD and Wanda. Hessian() is then unavailable.
//
// Not thread-safe; one accumulator per layer input.
#ifndef MODELPRESS_CORE_SECOND_ORDER_HESSIAN_ACCUMULATOR_H_
#define MODELPRESS_CORE_SECOND_ORDER_HESSIAN_ACCUMULATOR_H_

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/second_order/eigen.h"
#include "core/tensor/tensor.h"

namespace modelpress {

class HessianAccumulator {
 public:
  // `num_columns` = d_col, the layer's input features (> 0).
  explicit HessianAccumulator(int64_t num_columns, bool diagonal_only = false);

  // Adds `num_rows` rows of `num_columns` floats (row-major). INVALID_ARGUMENT if the span
  // size is not num_rows * num_columns or a value is not finite (nothing is added then).
  absl::Status AddBatch(std::span<const float> rows, int64_t num_rows);
  // Adds a float32 tensor of shape [rows, num_columns]; the inner dimension must match.
  absl::Status AddBatch(const Tensor& activations);

  int64_t num_columns() const { return num_columns_; }
  int64_t num_rows() const { return num_rows_; }
  bool diagonal_only() const { return diagonal_only_; }

  // H = 2 / N * sum x x^T, full symmetric matrix. FAILED_PRECONDITION before any row was
  // added or when diagonal_only.
  absl::StatusOr<Eigen::MatrixXd> Hessian() const;
  // diag(H) = 2 / N * sum x_j^2. FAILED_PRECONDITION before any row was added.
  absl::StatusOr<Eigen::VectorXd> HessianDiagonal() const;
  // ||X_j||_2 over all rows seen (Wanda's activation norm), no 2/N factor.
  Eigen::VectorXd ColumnNorms() const;

 private:
  int64_t num_columns_;
  bool diagonal_only_;
  int64_t num_rows_ = 0;
  Eigen::MatrixXd sum_xxt_;      // sum x x^T; empty when diagonal_only
  Eigen::VectorXd sum_squares_;  // sum x_j^2, always kept
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_SECOND_ORDER_HESSIAN_ACCUMULATOR_H_
