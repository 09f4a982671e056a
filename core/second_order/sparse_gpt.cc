#include "core/second_order/sparse_gpt.h"

#include <array>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/second_order/obs_solver.h"
#include "core/second_order/smallest_k.h"

namespace modelpress {
namespace {

// Unstructured: one mask per block, from the block's updated weights.
template <typename Scalar>
class BlockMaskTarget final : public ObsTarget<Scalar> {
 public:
  using typename ObsTarget<Scalar>::ConstView;
  using typename ObsTarget<Scalar>::Vector;

  explicit BlockMaskTarget(double sparsity) : sparsity_(sparsity) {}

  void BeginBlock(int64_t col_begin, const ConstView& w,
                  const Eigen::Ref<const Vector>& u_diag) override {
    block_begin_ = col_begin;
    rows_ = w.rows();
    const int64_t count = w.rows() * w.cols();
    scores_.resize(static_cast<size_t>(count));
    for (int64_t c = 0; c < w.cols(); ++c) {
      const Scalar inv_d2 = Scalar(1) / (u_diag[c] * u_diag[c]);
      for (int64_t r = 0; r < rows_; ++r) scores_[c * rows_ + r] = w(r, c) * w(r, c) * inv_d2;
    }
    const auto k = static_cast<int64_t>(std::floor(sparsity_ * static_cast<double>(count)));
    SmallestK<Scalar>(scores_, k, selected_);
    mask_.assign(static_cast<size_t>(count), 0);
    for (const int64_t i : selected_) mask_[i] = 1;
  }

  void ColumnTarget(int64_t col, int64_t row_begin, const ConstView& ahead,
                    const Eigen::Ref<const Vector>& /*u_diag*/,
                    Eigen::Ref<Vector> target) override {
    const uint8_t* mask = mask_.data() + (col - block_begin_) * rows_ + row_begin;
    for (int64_t r = 0; r < ahead.rows(); ++r) target[r] = mask[r] ? Scalar(0) : ahead(r, 0);
  }

 private:
  double sparsity_;
  int64_t block_begin_ = 0;
  int64_t rows_ = 0;
  std::vector<Scalar> scores_;
  std::vector<int64_t> selected_;
  std::vector<uint8_t> mask_;
};

// N:M: per row, per group of m columns, chosen when the loop reaches the group's first column.
template <typename Scalar>
class NmTarget final : public ObsTarget<Scalar> {
 public:
  using typename ObsTarget<Scalar>::ConstView;
  using typename ObsTarget<Scalar>::Vector;

  NmTarget(int n, int m, int64_t rows) : n_(n), m_(m), mask_(static_cast<size_t>(rows * m), 0) {}

  int64_t alignment() const override { return m_; }

  void ColumnTarget(int64_t col, int64_t row_begin, const ConstView& ahead,
                    const Eigen::Ref<const Vector>& u_diag, Eigen::Ref<Vector> target) override {
    const int64_t offset = col % m_;
    if (offset == 0) {
      std::vector<Scalar> scores(m_);
      std::vector<int64_t> picked;
      for (int64_t r = 0; r < ahead.rows(); ++r) {
        for (int i = 0; i < m_; ++i) {
          scores[i] = ahead(r, i) * ahead(r, i) / (u_diag[i] * u_diag[i]);
        }
        SmallestK<Scalar>(scores, n_, picked);
        uint8_t* row_mask = mask_.data() + (row_begin + r) * m_;
        std::fill(row_mask, row_mask + m_, 0);
        for (const int64_t i : picked) row_mask[i] = 1;
      }
    }
    for (int64_t r = 0; r < ahead.rows(); ++r) {
      target[r] = mask_[(row_begin + r) * m_ + offset] ? Scalar(0) : ahead(r, 0);
    }
  }

 private:
  int n_;
  int m_;
  std::vector<uint8_t> mask_;  // rows x m, the current group of each row
};

absl::Status ValidateSparsity(const SparseGptOptions& options, int64_t in_features) {
  if (options.m > 0 || options.n > 0) {
    if (options.m < 2 || options.n < 1 || options.n >= options.m) {
      return absl::InvalidArgumentError(
          absl::StrCat("N:M is ", options.n, ":", options.m, "; need 1 <= n < m"));
    }
    if (in_features % options.m != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("in_features is ", in_features, "; must be a multiple of m = ", options.m));
    }
    return absl::OkStatus();
  }
  if (!(options.sparsity >= 0.0 && options.sparsity < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sparsity is ", options.sparsity, "; must be in [0, 1)"));
  }
  return absl::OkStatus();
}

template <typename Scalar>
absl::StatusOr<SparseGptResult> Run(const Tensor& weight, const Eigen::MatrixXd& hessian,
                                    const SparseGptOptions& options) {
  auto w = ToColumnMajor<Scalar>(weight);
  absl::StatusOr<ObsReport> report;
  if (options.m > 0) {
    NmTarget<Scalar> target(options.n, options.m, w.rows());
    report = SolveObs<Scalar>(w, hessian, options, target);
  } else {
    BlockMaskTarget<Scalar> target(options.sparsity);
    report = SolveObs<Scalar>(w, hessian, options, target);
  }
  if (!report.ok()) return report.status();
  return SparseGptResult{FromColumnMajor<Scalar>(w, weight.name()), *report};
}

}  // namespace

absl::StatusOr<SparseGptResult> SparseGpt(const Tensor& weight, const Eigen::MatrixXd& hessian,
                                          const SparseGptOptions& options) {
  if (absl::Status s = ValidateObsInputs(weight, hessian, options); !s.ok()) return s;
  if (absl::Status s = ValidateSparsity(options, weight.shape()[1]); !s.ok()) return s;
  if (options.precision == ObsPrecision::kFloat64) {
    return Run<double>(weight, hessian, options);
  }
  return Run<float>(weight, hessian, options);
}

absl::StatusOr<SparseGptResult> SparseGpt(const Tensor& weight, const HessianAccumulator& hessian,
                                          const SparseGptOptions& options) {
  absl::StatusOr<Eigen::MatrixXd> h = hessian.Hessian();
  if (!h.ok()) return h.status();
  return SparseGpt(weight, *h, options);
}

}  // namespace modelpress
