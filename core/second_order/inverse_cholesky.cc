#include "core/second_order/inverse_cholesky.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/second_order/eigen.h"

namespace modelpress {
namespace {

// Below this size a triangular solve against the identity is cheap enough.
constexpr int64_t kDirectInverseSize = 256;

// Overwrites the lower-triangular `m` (zero above the diagonal) with its inverse. Eigen's
// triangular solve against an identity right-hand side costs n^3 flops on one thread; the
// 2x2 block recursion inv([A 0; B C]) = [A^-1 0; -C^-1 B A^-1  C^-1] moves the work into
// Eigen's parallel GEMM.
void InvertLowerInPlace(Eigen::Ref<Eigen::MatrixXd> m) {
  const int64_t n = m.rows();
  if (n <= kDirectInverseSize) {
    Eigen::MatrixXd inv = Eigen::MatrixXd::Identity(n, n);
    m.triangularView<Eigen::Lower>().solveInPlace(inv);
    m = inv;
    return;
  }
  const int64_t h = n / 2;
  InvertLowerInPlace(m.topLeftCorner(h, h));
  InvertLowerInPlace(m.bottomRightCorner(n - h, n - h));
  const Eigen::MatrixXd cb = m.bottomRightCorner(n - h, n - h) * m.bottomLeftCorner(n - h, h);
  m.bottomLeftCorner(n - h, h).noalias() = -cb * m.topLeftCorner(h, h);
}

}  // namespace

absl::StatusOr<InverseCholesky> ComputeInverseCholesky(const Eigen::MatrixXd& hessian,
                                                       double damp_fraction, int max_attempts) {
  const int64_t n = hessian.rows();
  if (n == 0 || hessian.cols() != n) {
    return absl::InvalidArgumentError(absl::StrCat("Hessian is ", hessian.rows(), "x",
                                                   hessian.cols(), "; must be square, non-empty"));
  }
  if (!(damp_fraction >= 0.0 && damp_fraction <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("damp_fraction is ", damp_fraction, "; must be in [0, 1]"));
  }
  if (!hessian.allFinite()) {
    return absl::InvalidArgumentError("Hessian has a non-finite entry");
  }

  InverseCholesky result;
  Eigen::VectorXd base_diag = hessian.diagonal();
  for (int64_t j = 0; j < n; ++j) {
    if (base_diag[j] == 0.0) {
      result.dead_columns.push_back(j);
      base_diag[j] = 1.0;
    }
  }
  if (static_cast<int64_t>(result.dead_columns.size()) == n) {
    return absl::InvalidArgumentError(
        "activations are all zero: every input column is dead, so the Hessian carries no "
        "information; the weight is left unchanged");
  }
  const double mean_diag = base_diag.mean();

  // Work on J H J so that a lower Cholesky factor M of it gives U = J M^-1 J directly.
  Eigen::MatrixXd a;
  double fraction = damp_fraction;
  double last_tried = fraction;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    last_tried = fraction;
    a = hessian.reverse();
    // Always from the original diagonal: retries must not compound earlier damping.
    a.diagonal() = base_diag.reverse().array() + fraction * mean_diag;
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> llt(a);
    result.attempts = attempt;
    if (llt.info() == Eigen::Success && a.diagonal().allFinite()) {
      result.lambda = fraction * mean_diag;
      result.damp_fraction = fraction;
      a.triangularView<Eigen::StrictlyUpper>().setZero();
      InvertLowerInPlace(a);
      result.upper = a.reverse();
      return result;
    }
    fraction = std::max(fraction * 10.0, 1e-3);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Hessian is not positive definite even with damp_fraction ", last_tried,
                   " after ", max_attempts, " attempts"));
}

Eigen::MatrixXd DampedHessian(const Eigen::MatrixXd& hessian, const InverseCholesky& factor) {
  Eigen::MatrixXd damped = hessian;
  for (const int64_t j : factor.dead_columns) damped(j, j) = 1.0;
  damped.diagonal().array() += factor.lambda;
  return damped;
}

}  // namespace modelpress
