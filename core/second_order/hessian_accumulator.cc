#include "core/second_order/hessian_accumulator.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace modelpress {
namespace {

// Rows converted to double per SYRK call: large enough for the rank-k update to run near
// GEMM speed, small enough that the double copy (chunk * d_col * 8 bytes) stays modest.
constexpr int64_t kChunkRows = 1024;

}  // namespace

HessianAccumulator::HessianAccumulator(int64_t num_columns, bool diagonal_only)
    : num_columns_(num_columns),
      diagonal_only_(diagonal_only),
      sum_squares_(Eigen::VectorXd::Zero(num_columns)) {
  if (!diagonal_only_) sum_xxt_ = Eigen::MatrixXd::Zero(num_columns, num_columns);
}

absl::Status HessianAccumulator::AddBatch(std::span<const float> rows, int64_t num_rows) {
  if (num_rows < 0 || static_cast<int64_t>(rows.size()) != num_rows * num_columns_) {
    return absl::InvalidArgumentError(
        absl::StrCat("activations hold ", rows.size(), " values; expected ", num_rows, " rows x ",
                     num_columns_, " columns (the weight's in_features)"));
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!std::isfinite(rows[i])) {
      return absl::InvalidArgumentError(absl::StrCat("activations[", i / num_columns_, ", ",
                                                     i % num_columns_, "] is ", rows[i],
                                                     "; activations must be finite"));
    }
  }
  using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::MatrixXd chunk;
  for (int64_t r0 = 0; r0 < num_rows; r0 += kChunkRows) {
    const int64_t n = std::min(kChunkRows, num_rows - r0);
    Eigen::Map<const RowMajorF> x(rows.data() + r0 * num_columns_, n, num_columns_);
    // Column-major double copy of the chunk; x^T x is added with one GEMM.
    chunk = x.cast<double>();
    sum_squares_ += chunk.colwise().squaredNorm().transpose();
    if (!diagonal_only_) {
      // A full GEMM does twice the flops of a symmetric rank-k update but runs on Eigen's
      // blocked, OpenMP-parallel kernel, which is several times faster here.
      sum_xxt_.noalias() += chunk.transpose() * chunk;
    }
  }
  num_rows_ += num_rows;
  return absl::OkStatus();
}

absl::Status HessianAccumulator::AddBatch(const Tensor& activations) {
  if (activations.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("activations dtype is ", DTypeName(activations.dtype()), "; must be float32"));
  }
  if (activations.rank() != 2 || activations.shape()[1] != num_columns_) {
    return absl::InvalidArgumentError(
        absl::StrCat("activations shape is ", ShapeToString(activations.shape()),
                     "; must be [rows, ", num_columns_, "] to match the weight's in_features"));
  }
  return AddBatch(activations.values<float>(), activations.shape()[0]);
}

absl::StatusOr<Eigen::MatrixXd> HessianAccumulator::Hessian() const {
  if (diagonal_only_) {
    return absl::FailedPreconditionError("Hessian() on a diagonal-only accumulator");
  }
  if (num_rows_ == 0) {
    return absl::FailedPreconditionError("Hessian() before any activation row was added");
  }
  Eigen::MatrixXd h = sum_xxt_ * (2.0 / static_cast<double>(num_rows_));
  // The GEMM fills both triangles with bitwise-different rounding; make H exactly symmetric.
  const int64_t n = num_columns_;
  for (int64_t c = 0; c + 1 < n; ++c) h.row(c).tail(n - c - 1) = h.col(c).tail(n - c - 1);
  return h;
}

absl::StatusOr<Eigen::VectorXd> HessianAccumulator::HessianDiagonal() const {
  if (num_rows_ == 0) {
    return absl::FailedPreconditionError("HessianDiagonal() before any activation row was added");
  }
  return sum_squares_ * (2.0 / static_cast<double>(num_rows_));
}

Eigen::VectorXd HessianAccumulator::ColumnNorms() const { return sum_squares_.cwiseSqrt(); }

}  // namespace modelpress
