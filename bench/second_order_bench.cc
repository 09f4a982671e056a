// SparseGPT and GPTQ on a 4096 x 4096 layer with 2048 calibration rows, at 1 and 2
// threads, split into Hessian build, factorisation and column-loop updates; the block
// GEMM rate is set against a plain FP32 GEMM of the same shape measured in the same run.
//
// BM_SecondOrderSparseGptFromNpy is the C++ side of bench/compare_sparsegpt.sh: with
// MODELPRESS_SPARSEGPT_DIR set it reads w.npy and x.npy there, writes w_cpp.npy and
// reports its time; without it the benchmark skips.
#include <omp.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>

#include "benchmark/benchmark.h"
#include "core/model/npy.h"
#include "core/second_order/eigen.h"
#include "core/second_order/gptq.h"
#include "core/second_order/hessian_accumulator.h"
#include "core/second_order/sparse_gpt.h"

namespace modelpress {
namespace {

constexpr int64_t kRows = 4096;
constexpr int64_t kCols = 4096;
constexpr int64_t kCalibrationRows = 2048;

Tensor Random(int64_t rows, int64_t cols, uint32_t seed) {
  Tensor t = Tensor::Create("w", DType::kFloat32, {rows, cols});
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : t.values<float>()) v = normal(rng);
  return t;
}

const Tensor& Weight() {
  static const Tensor* w = new Tensor(Random(kRows, kCols, 1));
  return *w;
}
const Tensor& Activations() {
  static const Tensor* x = new Tensor(Random(kCalibrationRows, kCols, 2));
  return *x;
}

void SetThreads(int threads) {
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// 1 and 2 threads, the median of 3 repetitions, wall time.
void ThreadSweep(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(2)->ArgName("threads")->Repetitions(3)->ReportAggregatesOnly(true)->UseRealTime();
}

// ThreadSweep for whole-layer solves: one iteration per repetition, reported in seconds.
void LayerSolveSweep(benchmark::internal::Benchmark* b) {
  ThreadSweep(b);
  b->Iterations(1)->Unit(benchmark::kSecond);
}

void ReportCounters(benchmark::State& state, double hessian_s, const ObsReport& r) {
  state.counters["hessian_s"] = hessian_s;
  state.counters["factor_s"] = r.factorization_seconds;
  state.counters["update_s"] = r.update_seconds;
  state.counters["gemm_s"] = r.gemm_seconds;
  state.counters["gemm_gflops"] = r.gemm_gflops_per_second;
}

template <typename Run>
void RunObsBenchmark(benchmark::State& state, Run run) {
  SetThreads(static_cast<int>(state.range(0)));
  const Tensor& w = Weight();
  const Tensor& x = Activations();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    HessianAccumulator acc(kCols);
    if (!acc.AddBatch(x).ok()) state.SkipWithError("AddBatch failed");
    absl::StatusOr<Eigen::MatrixXd> h = acc.Hessian();
    const double hessian_s = Seconds(start);
    absl::StatusOr<ObsReport> report = run(w, *h);
    if (!report.ok()) {
      state.SkipWithError(std::string(report.status().message()).c_str());
      break;
    }
    ReportCounters(state, hessian_s, *report);
  }
}

void BM_SecondOrderSparseGpt4096(benchmark::State& state) {
  RunObsBenchmark(state,
                  [](const Tensor& w, const Eigen::MatrixXd& h) -> absl::StatusOr<ObsReport> {
                    SparseGptOptions o;
                    o.sparsity = 0.5;
                    o.compute_layer_loss = false;
                    absl::StatusOr<SparseGptResult> r = SparseGpt(w, h, o);
                    if (!r.ok()) return r.status();
                    return r->report;
                  });
}
BENCHMARK(BM_SecondOrderSparseGpt4096)->Apply(LayerSolveSweep);

void BM_SecondOrderGptq4096(benchmark::State& state) {
  RunObsBenchmark(state,
                  [](const Tensor& w, const Eigen::MatrixXd& h) -> absl::StatusOr<ObsReport> {
                    GptqOptions o;
                    o.scheme.bits = 4;
                    o.scheme.granularity = Granularity::kPerChannel;
                    o.scheme.axis = 0;
                    o.compute_layer_loss = false;
                    absl::StatusOr<GptqResult> r = Gptq(w, h, o);
                    if (!r.ok()) return r.status();
                    return r->report;
                  });
}
BENCHMARK(BM_SecondOrderGptq4096)->Apply(LayerSolveSweep);

// The lazy-update GEMM shape (4096 x 128 times 128 x n) as a plain Eigen FP32 GEMM, n = 4096.
void BM_SecondOrderPlainSgemmBlockShape(benchmark::State& state) {
  SetThreads(static_cast<int>(state.range(0)));
  Eigen::MatrixXf err = Eigen::MatrixXf::Random(kRows, 128);
  Eigen::MatrixXf u = Eigen::MatrixXf::Random(128, kCols);
  Eigen::MatrixXf w = Eigen::MatrixXf::Random(kRows, kCols);
  for (auto _ : state) {
    w.noalias() -= err * u;
    benchmark::DoNotOptimize(w.data());
  }
  state.counters["gemm_gflops"] = benchmark::Counter(
      2.0 * kRows * 128 * kCols * state.iterations() * 1e-9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SecondOrderPlainSgemmBlockShape)->Apply(ThreadSweep);

void BM_SecondOrderSparseGptFromNpy(benchmark::State& state) {
  const char* dir = std::getenv("MODELPRESS_SPARSEGPT_DIR");
  if (dir == nullptr) {
    state.SkipWithError("MODELPRESS_SPARSEGPT_DIR not set (run bench/compare_sparsegpt.sh)");
    for (auto _ : state) {
    }
    return;
  }
  SetThreads(static_cast<int>(state.range(0)));
  absl::StatusOr<Tensor> w = ReadNpy(std::string(dir) + "/w.npy");
  absl::StatusOr<Tensor> x = ReadNpy(std::string(dir) + "/x.npy");
  if (!w.ok() || !x.ok()) {
    state.SkipWithError("cannot read w.npy / x.npy");
    for (auto _ : state) {
    }
    return;
  }
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    HessianAccumulator acc(w->shape()[1]);
    if (!acc.AddBatch(*x).ok()) state.SkipWithError("AddBatch failed");
    SparseGptOptions o;
    o.sparsity = 0.5;
    o.compute_layer_loss = false;
    absl::StatusOr<SparseGptResult> r = SparseGpt(*w, acc, o);
    const double total_s = Seconds(start);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
    state.counters["total_s"] = total_s;
    state.counters["factor_s"] = r->report.factorization_seconds;
    state.counters["update_s"] = r->report.update_seconds;
    if (!WriteNpy(r->weight,
                  std::string(dir) + "/w_cpp_t" + std::to_string(state.range(0)) + ".npy")
             .ok()) {
      state.SkipWithError("cannot write the result");
    }
  }
}
BENCHMARK(BM_SecondOrderSparseGptFromNpy)->Apply(LayerSolveSweep);

}  // namespace
}  // namespace modelpress
