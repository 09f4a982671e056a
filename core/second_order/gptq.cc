#include "core/second_order/gptq.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "core/quant/scale.h"
#include "core/second_order/obs_solver.h"

namespace modelpress {
namespace {

// Rounds each column onto its row's grid and records the codes and grids it used.
template <typename Scalar>
class QuantTarget final : public ObsTarget<Scalar> {
 public:
  using typename ObsTarget<Scalar>::ConstView;
  using typename ObsTarget<Scalar>::Matrix;
  using typename ObsTarget<Scalar>::Vector;

  // `w` is the weight in processing order, before dead-column zeroing.
  QuantTarget(const QuantScheme& scheme, const Matrix& w)
      : scheme_(scheme),
        qmin_(QMin(scheme)),
        qmax_(QMax(scheme)),
        rows_(w.rows()),
        group_size_(scheme.granularity == Granularity::kPerGroup ? scheme.group_size : 0),
        num_groups_(group_size_ > 0 ? w.cols() / group_size_ : 1),
        codes_(w.rows(), w.cols()),
        grids_(static_cast<size_t>(w.rows() * num_groups_)),
        current_(static_cast<size_t>(w.rows())) {
    if (scheme.granularity == Granularity::kPerTensor) {
      const ScaleZeroPoint grid = ComputeScaleZeroPoint(static_cast<float>(w.minCoeff()),
                                                        static_cast<float>(w.maxCoeff()), scheme);
      std::fill(grids_.begin(), grids_.end(), grid);
      std::fill(current_.begin(), current_.end(), grid);
    } else if (scheme.granularity == Granularity::kPerChannel) {
      for (int64_t r = 0; r < rows_; ++r) {
        grids_[r] = ComputeScaleZeroPoint(static_cast<float>(w.row(r).minCoeff()),
                                          static_cast<float>(w.row(r).maxCoeff()), scheme);
        current_[r] = grids_[r];
      }
    }
  }

  int64_t alignment() const override { return std::max<int64_t>(1, group_size_); }

  void ColumnTarget(int64_t col, int64_t row_begin, const ConstView& ahead,
                    const Eigen::Ref<const Vector>& /*u_diag*/,
                    Eigen::Ref<Vector> target) override {
    if (group_size_ > 0 && col % group_size_ == 0) {
      const int64_t group = col / group_size_;
      for (int64_t r = 0; r < ahead.rows(); ++r) {
        const auto values = ahead.row(r).head(group_size_);
        const ScaleZeroPoint grid = ComputeScaleZeroPoint(
            static_cast<float>(values.minCoeff()), static_cast<float>(values.maxCoeff()), scheme_);
        current_[row_begin + r] = grid;
        grids_[(row_begin + r) * num_groups_ + group] = grid;
      }
    }
    for (int64_t r = 0; r < ahead.rows(); ++r) {
      const ScaleZeroPoint& grid = current_[row_begin + r];
      const int32_t q =
          QuantizeValue(static_cast<float>(ahead(r, 0)), grid.scale, grid.zero_point, qmin_, qmax_);
      codes_(row_begin + r, col) = q;
      target[r] = static_cast<Scalar>(DequantizeValue(q, grid.scale, grid.zero_point));
    }
  }

  const Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>& codes() const { return codes_; }
  const std::vector<ScaleZeroPoint>& grids() const { return grids_; }
  int64_t num_groups() const { return num_groups_; }

 private:
  QuantScheme scheme_;
  int32_t qmin_;
  int32_t qmax_;
  int64_t rows_;
  int64_t group_size_;
  int64_t num_groups_;
  Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic> codes_;  // processing order
  std::vector<ScaleZeroPoint> grids_;                             // rows x num_groups
  std::vector<ScaleZeroPoint> current_;                           // per row
};

absl::Status ValidateGptq(const Tensor& weight, const GptqOptions& options) {
  const QuantScheme& scheme = options.scheme;
  if (absl::Status s = ValidateScheme(scheme, weight.shape()); !s.ok()) return s;
  if (scheme.rounding != RoundingMode::kNearestEven) {
    return absl::InvalidArgumentError(
        "rounding must be nearest-even for GPTQ (its updates compensate the rounding error)");
  }
  const int axis = NormalizeAxis(scheme.axis, weight.rank());
  if (scheme.granularity == Granularity::kPerChannel && axis != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "axis is ", scheme.axis, "; GPTQ quantizes per output channel, so axis must be 0"));
  }
  if (scheme.granularity == Granularity::kPerGroup && axis != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "axis is ", scheme.axis, "; GPTQ groups run along the input axis, so axis must be 1"));
  }
  return absl::OkStatus();
}

template <typename Scalar>
absl::StatusOr<GptqResult> Run(const Tensor& weight, const Eigen::MatrixXd& hessian,
                               const GptqOptions& options) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const int64_t rows = weight.shape()[0];
  const int64_t cols = weight.shape()[1];
  Matrix w = ToColumnMajor<Scalar>(weight);

  GptqResult result;
  const Eigen::MatrixXd* h = &hessian;
  Eigen::MatrixXd permuted_h;
  if (options.act_order) {
    // Largest H_jj first: the columns with the most signal are quantized while the most
    // columns remain free to absorb their error. Stable for determinism.
    std::vector<int64_t>& order = result.permutation;
    order.resize(cols);
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&hessian](int64_t a, int64_t b) { return hessian(a, a) > hessian(b, b); });
    Matrix permuted_w(rows, cols);
    permuted_h.resize(cols, cols);
    for (int64_t j = 0; j < cols; ++j) {
      permuted_w.col(j) = w.col(order[j]);
      for (int64_t i = 0; i < cols; ++i) permuted_h(i, j) = hessian(order[i], order[j]);
    }
    w = std::move(permuted_w);
    h = &permuted_h;
  }

  QuantTarget<Scalar> target(options.scheme, w);
  absl::StatusOr<ObsReport> report = SolveObs<Scalar>(w, *h, options, target);
  if (!report.ok()) return report.status();
  result.report = *report;

  Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic> codes = target.codes();
  if (options.act_order) {
    Matrix restored_w(rows, cols);
    Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic> restored_codes(rows, cols);
    for (int64_t j = 0; j < cols; ++j) {
      restored_w.col(result.permutation[j]) = w.col(j);
      restored_codes.col(result.permutation[j]) = codes.col(j);
    }
    w = std::move(restored_w);
    codes = std::move(restored_codes);
  }
  result.weight = FromColumnMajor<Scalar>(w, weight.name());

  const bool is_signed = options.scheme.is_signed;
  result.codes = Tensor::Create(weight.name() + ".codes", is_signed ? DType::kInt8 : DType::kUInt8,
                                {rows, cols});
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      if (is_signed) {
        result.codes.values<int8_t>()[r * cols + c] = static_cast<int8_t>(codes(r, c));
      } else {
        result.codes.values<uint8_t>()[r * cols + c] = static_cast<uint8_t>(codes(r, c));
      }
    }
  }

  const std::vector<ScaleZeroPoint>& grids = target.grids();
  switch (options.scheme.granularity) {
    case Granularity::kPerTensor:
      result.params.shape = {};
      result.params.scales = {grids[0].scale};
      result.params.zero_points = {grids[0].zero_point};
      break;
    case Granularity::kPerChannel:
    case Granularity::kPerGroup: {
      const int64_t groups = target.num_groups();
      result.params.shape = options.scheme.granularity == Granularity::kPerChannel
                                ? Shape{rows}
                                : Shape{rows, groups};
      for (const ScaleZeroPoint& g : grids) {
        result.params.scales.push_back(g.scale);
        result.params.zero_points.push_back(g.zero_point);
      }
      if (options.scheme.granularity == Granularity::kPerGroup) {
        result.group_index.resize(cols);
        for (int64_t j = 0; j < cols; ++j) {
          const int64_t original = options.act_order ? result.permutation[j] : j;
          result.group_index[original] = static_cast<int32_t>(j / options.scheme.group_size);
        }
      }
      break;
    }
  }
  return result;
}

}  // namespace

absl::StatusOr<GptqResult> Gptq(const Tensor& weight, const Eigen::MatrixXd& hessian,
                                const GptqOptions& options) {
  if (absl::Status s = ValidateObsInputs(weight, hessian, options); !s.ok()) return s;
  if (absl::Status s = ValidateGptq(weight, options); !s.ok()) return s;
  if (options.precision == ObsPrecision::kFloat64) {
    return Run<double>(weight, hessian, options);
  }
  return Run<float>(weight, hessian, options);
}

absl::StatusOr<GptqResult> Gptq(const Tensor& weight, const HessianAccumulator& hessian,
                                const GptqOptions& options) {
  absl::StatusOr<Eigen::MatrixXd> h = hessian.Hessian();
  if (!h.ok()) return h.status();
  return Gptq(weight, *h, options);
}

}  // namespace modelpress
