#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/prune/magnitude.h"
#include "core/prune/n_m.h"
#include "core/prune/obd.h"
#include "core/prune/prune_tensor.h"
#include "core/prune/structured.h"
#include "core/prune/wanda.h"
#include "gtest/gtest.h"

namespace modelpress {
namespace {

Tensor Matrix(int64_t rows, int64_t cols, uint32_t seed) {
  Tensor t = Tensor::Create("w", DType::kFloat32, {rows, cols});
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : t.values<float>()) v = normal(rng);
  return t;
}

Tensor FromValues(std::vector<float> values, Shape shape) {
  Tensor t = Tensor::Create("w", DType::kFloat32, std::move(shape));
  std::copy(values.begin(), values.end(), t.values<float>().begin());
  return t;
}

int64_t Zeros(std::span<const float> v) { return std::count(v.begin(), v.end(), 0.0f); }

TEST(MagnitudeTest, ExactCountWithTies) {
  // Eight equal magnitudes: a `<=` threshold would prune all of them.
  Tensor w = FromValues({1, -1, 1, -1, 1, -1, 1, -1, 5, 6}, {10});
  ASSERT_EQ(*PruneByMagnitude(w, 0.3), 3);
  EXPECT_EQ(Zeros(w.values<float>()), 3);
  // Lower index first on ties.
  EXPECT_EQ(w.values<float>()[0], 0.0f);
  EXPECT_EQ(w.values<float>()[2], 0.0f);
  EXPECT_EQ(w.values<float>()[3], -1.0f);
}

TEST(MagnitudeTest, PrunesSmallestPerLayer) {
  Tensor w = Matrix(16, 32, 1);
  std::vector<float> before(w.values<float>().begin(), w.values<float>().end());
  ASSERT_TRUE(PruneByMagnitude(w, 0.5).ok());
  EXPECT_EQ(Zeros(w.values<float>()), 256);
  float max_pruned = 0.0f, min_kept = 1e9f;
  for (size_t i = 0; i < before.size(); ++i) {
    if (w.values<float>()[i] == 0.0f)
      max_pruned = std::max(max_pruned, std::fabs(before[i]));
    else
      min_kept = std::min(min_kept, std::fabs(before[i]));
  }
  EXPECT_LE(max_pruned, min_kept);
}

TEST(MagnitudeTest, PerRowExactPerRow) {
  Tensor w = Matrix(8, 20, 2);
  ASSERT_EQ(*PruneByMagnitudePerRow(w, 0.25), 8 * 5);
  for (int64_t r = 0; r < 8; ++r) EXPECT_EQ(Zeros(w.values<float>().subspan(r * 20, 20)), 5);
}

TEST(MagnitudeTest, GlobalRanksAcrossTensors) {
  Tensor small = FromValues({0.1f, 0.2f, 0.3f, 0.4f}, {2, 2});
  Tensor large = FromValues({5, 6, 7, 8, 0.05f, 9}, {6});
  Tensor* both[] = {&small, &large};
  ASSERT_EQ(*PruneByMagnitudeGlobal(both, 0.5), 5);
  EXPECT_EQ(Zeros(small.values<float>()), 4);
  EXPECT_EQ(Zeros(large.values<float>()), 1);
  EXPECT_EQ(large.values<float>()[4], 0.0f);
}

TEST(MagnitudeTest, RejectsBadSparsity) {
  for (const double s : {-0.1, 1.0, 1.2, std::numeric_limits<double>::quiet_NaN()}) {
    Tensor w = Matrix(2, 4, 3);
    const absl::Status status = PruneByMagnitude(w, s).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("must be in [0, 1)"), std::string::npos) << status;
    EXPECT_EQ(Zeros(w.values<float>()), 0);
  }
}

TEST(NMTest, ExactlyNZerosPerGroup) {
  for (const auto& [n, m] : {std::pair{2, 4}, std::pair{4, 8}, std::pair{1, 3}}) {
    Tensor w = Matrix(6, 24, 4);
    ASSERT_TRUE(PruneNM(w, n, m).ok());
    for (size_t g = 0; g < 6 * 24; g += m) {
      EXPECT_EQ(Zeros(w.values<float>().subspan(g, m)), n) << n << ":" << m;
    }
  }
}

TEST(NMTest, RejectsBadPatterns) {
  Tensor w = Matrix(2, 8, 5);
  EXPECT_EQ(PruneNM(w, 4, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PruneNM(w, 5, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PruneNM(w, 0, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PruneNM(w, 1, 3).status().code(), absl::StatusCode::kInvalidArgument);  // 8 % 3
  Tensor rank1 = FromValues({1, 2, 3, 4}, {4});
  EXPECT_EQ(PruneNM(rank1, 2, 4).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StructuredTest, ZeroesRowsWithSmallestNorm) {
  // L1: row 1 = 4, row 2 = 3; L2: row 1 = 4, row 2 = sqrt(9.0) = 3 vs row 0 = sqrt(1+1+1+1)=2.
  Tensor w = FromValues({1, 1, 1, 1, 4, 0, 0, 0, 3, 0, 0, 0, 2, 2, 2, 2}, {4, 4});
  Tensor l2 = w.Clone();
  ASSERT_EQ(*PruneStructuredRows(w, 0.5, RowNorm::kL1), 2);
  EXPECT_EQ(Zeros(w.values<float>().subspan(8, 4)), 4);  // L1 = 3
  EXPECT_EQ(Zeros(w.values<float>().subspan(0, 4)), 4);  // L1 = 4, lower index than row 1
  ASSERT_EQ(*PruneStructuredRows(l2, 0.25, RowNorm::kL2), 1);
  EXPECT_EQ(Zeros(l2.values<float>().subspan(0, 4)), 4);  // L2 = 2
  EXPECT_EQ(Zeros(l2.values<float>()), 4 + 3 + 3);        // rows 1 and 2 already had zeros
}

TEST(ObdTest, SaliencyUsesHessianDiagonal) {
  Tensor w = FromValues({1, 1, 1, 1}, {1, 4});
  Eigen::VectorXd diag(4);
  diag << 4, 1, 3, 2;
  const absl::StatusOr<double> predicted = PruneObd(w, diag, 0.5);
  ASSERT_TRUE(predicted.ok());
  EXPECT_DOUBLE_EQ(*predicted, 0.5 * (1 + 2));
  EXPECT_EQ(w.values<float>()[1], 0.0f);
  EXPECT_EQ(w.values<float>()[3], 0.0f);
  EXPECT_EQ(PruneObd(w, Eigen::VectorXd::Ones(3), 0.5).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WandaTest, RanksPerRowByWeightTimesNorm) {
  Tensor w = FromValues({1, 2, 3, 4, 4, 3, 2, 1}, {2, 4});
  Eigen::VectorXd norms(4);
  norms << 10, 1, 1, 1;
  ASSERT_EQ(*PruneWanda(w, norms, 0.5), 4);
  // Row 0 scores 10, 2, 3, 4 -> prune columns 1, 2; row 1 scores 40, 3, 2, 1 -> 2, 3.
  const std::vector<float> expected = {1, 0, 0, 4, 4, 3, 0, 0};
  EXPECT_EQ(std::vector<float>(w.values<float>().begin(), w.values<float>().end()), expected);
}

Tensor Activations(int64_t rows, int64_t cols, uint32_t seed) {
  Tensor x = Matrix(rows, cols, seed);
  x.set_name("x");
  return x;
}

TEST(PruneTensorTest, DispatchesEveryMethod) {
  const Tensor w = Matrix(16, 32, 7);
  const Tensor x = Activations(128, 32, 8);
  for (const PruneMethod method : {PruneMethod::kMagnitude, PruneMethod::kMagnitudePerRow,
                                   PruneMethod::kNM, PruneMethod::kStructured, PruneMethod::kObd,
                                   PruneMethod::kWanda, PruneMethod::kSparseGpt}) {
    PruneOptions o;
    o.method = method;
    o.sparsity = 0.5;
    if (method == PruneMethod::kNM) o.n = 2, o.m = 4;
    absl::StatusOr<PruneResult> r = PruneTensor(w, o, &x);
    ASSERT_TRUE(r.ok()) << static_cast<int>(method) << ": " << r.status();
    EXPECT_DOUBLE_EQ(r->report.achieved_sparsity, 0.5) << static_cast<int>(method);
    EXPECT_GT(r->report.relative_reconstruction_error, 0.0);
    EXPECT_GT(r->report.measured_loss_increase, 0.0);
    EXPECT_EQ(r->weight.shape(), w.shape());
    if (method == PruneMethod::kObd || method == PruneMethod::kSparseGpt) {
      EXPECT_GT(r->report.predicted_loss_increase, 0.0);
    }
  }
  // The input is untouched.
  EXPECT_EQ(Zeros(w.values<float>()), 0);
}

TEST(PruneTensorTest, SparseGptNMThroughTheApi) {
  const Tensor w = Matrix(8, 16, 9);
  const Tensor x = Activations(64, 16, 10);
  PruneOptions o;
  o.method = PruneMethod::kSparseGpt;
  o.n = 2;
  o.m = 4;
  absl::StatusOr<PruneResult> r = PruneTensor(w, o, &x);
  ASSERT_TRUE(r.ok()) << r.status();
  for (size_t g = 0; g < 8 * 16; g += 4)
    EXPECT_EQ(Zeros(r->weight.values<float>().subspan(g, 4)), 2);
  EXPECT_NEAR(r->report.damp_fraction, 0.01, 1e-12);
}

TEST(PruneTensorTest, BadInputs) {
  const Tensor w = Matrix(4, 8, 11);
  const Tensor x = Activations(16, 8, 12);
  const Tensor x_wrong = Activations(16, 7, 13);
  PruneOptions o;
  o.method = PruneMethod::kWanda;
  EXPECT_EQ(PruneTensor(w, o, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status s = PruneTensor(w, o, &x_wrong).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("in_features"), std::string::npos) << s;
  o.sparsity = 1.0;
  EXPECT_EQ(PruneTensor(w, o, &x).status().code(), absl::StatusCode::kInvalidArgument);
  o.method = PruneMethod::kNM;
  o.n = 4;
  o.m = 4;
  EXPECT_EQ(PruneTensor(w, o, &x).status().code(), absl::StatusCode::kInvalidArgument);
  Tensor nan_w = w.Clone();
  nan_w.values<float>()[3] = std::numeric_limits<float>::quiet_NaN();
  o.method = PruneMethod::kMagnitude;
  o.sparsity = 0.5;
  EXPECT_EQ(PruneTensor(nan_w, o, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PruneTensorTest, AllZeroActivationsAreAnErrorForDataDrivenMethods) {
  const Tensor w = Matrix(4, 8, 14);
  Tensor zeros = Tensor::Create("x", DType::kFloat32, {16, 8});
  for (float& v : zeros.values<float>()) v = 0.0f;
  for (const PruneMethod method :
       {PruneMethod::kObd, PruneMethod::kWanda, PruneMethod::kSparseGpt}) {
    PruneOptions o;
    o.method = method;
    const absl::Status s = PruneTensor(w, o, &zeros).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << static_cast<int>(method);
    EXPECT_NE(s.message().find("all zero"), std::string::npos) << s;
  }
  // Magnitude does not need data: zero activations just give a zero output error.
  PruneOptions o;
  absl::StatusOr<PruneResult> r = PruneTensor(w, o, &zeros);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->report.relative_reconstruction_error, 0.0);
}

}  // namespace
}  // namespace modelpress
