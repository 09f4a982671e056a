#include "core/second_order/obs_loop.h"

#include <algorithm>
#include <chrono>

namespace modelpress {
namespace {

// Columns whose updates are applied as rank-1 steps before a small GEMM carries them to the
// rest of the block: keeps the BLAS-2 part in L1 and the in-block work mostly BLAS-3.
constexpr int64_t kSubBlockColumns = 16;
// Rows one thread handles at a time inside a block (independent of each other).
constexpr int64_t kRowChunk = 256;

}  // namespace

template <typename Scalar>
ObsLoopStats RunObsLoop(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                        const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& u,
                        int64_t block_size, ObsTarget<Scalar>& target) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const int64_t rows = w.rows();
  const int64_t cols = w.cols();
  const int64_t align = std::max<int64_t>(1, target.alignment());
  const int64_t sub =
      align == 1 ? kSubBlockColumns : align * std::max<int64_t>(1, kSubBlockColumns / align);
  int64_t block = std::max<int64_t>(1, block_size);
  if (align > 1) block = std::max(sub, block / sub * sub);

  ObsLoopStats stats;
  stats.block_size = block;
  const Vector u_diag = u.diagonal();
  Matrix err(rows, std::min(block, cols));
  const int64_t num_chunks = (rows + kRowChunk - 1) / kRowChunk;

  for (int64_t c0 = 0; c0 < cols; c0 += block) {
    const int64_t n = std::min(block, cols - c0);
    target.BeginBlock(c0, w.middleCols(c0, n), u_diag.segment(c0, n));
    double block_loss = 0.0;

#pragma omp parallel for schedule(static) reduction(+ : block_loss)
    for (int64_t chunk = 0; chunk < num_chunks; ++chunk) {
      const int64_t r0 = chunk * kRowChunk;
      const int64_t nr = std::min(kRowChunk, rows - r0);
      auto wc = w.block(r0, c0, nr, n);
      auto ec = err.block(r0, 0, nr, n);
      Vector t(nr);
      for (int64_t s0 = 0; s0 < n; s0 += sub) {
        const int64_t s1 = std::min(s0 + sub, n);
        for (int64_t j = s0; j < s1; ++j) {
          target.ColumnTarget(c0 + j, r0, wc.rightCols(n - j), u_diag.segment(c0 + j, n - j), t);
          const Scalar d = u(c0 + j, c0 + j);
          ec.col(j) = (wc.col(j) - t) / d;
          block_loss += static_cast<double>(ec.col(j).squaredNorm());
          wc.col(j) = t;
          if (j + 1 < s1) {
            wc.middleCols(j + 1, s1 - j - 1).noalias() -=
                ec.col(j) * u.row(c0 + j).segment(c0 + j + 1, s1 - j - 1);
          }
        }
        if (s1 < n) {
          wc.rightCols(n - s1).noalias() -=
              ec.middleCols(s0, s1 - s0) * u.block(c0 + s0, c0 + s1, s1 - s0, n - s1);
        }
      }
    }
    stats.predicted_loss += block_loss / 2.0;

    const int64_t rest = cols - c0 - n;
    if (rest > 0) {
      const auto start = std::chrono::steady_clock::now();
      w.rightCols(rest).noalias() -= err.leftCols(n) * u.block(c0, c0 + n, n, rest);
      stats.gemm_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      stats.gemm_flops +=
          2.0 * static_cast<double>(rows) * static_cast<double>(n) * static_cast<double>(rest);
    }
  }
  return stats;
}

template ObsLoopStats RunObsLoop<float>(Eigen::MatrixXf&, const Eigen::MatrixXf&, int64_t,
                                        ObsTarget<float>&);
template ObsLoopStats RunObsLoop<double>(Eigen::MatrixXd&, const Eigen::MatrixXd&, int64_t,
                                         ObsTarget<double>&);

}  // namespace modelpress
