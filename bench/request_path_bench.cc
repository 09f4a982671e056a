// What one QuantizeTensor request costs beyond the kernel: the core entry point
// (validation, quantize, error report; per-channel on axis 0 and on the last axis, int4
// groups along axis 0; and DequantizeTensor on the last axis), the server's handler path
// (proto -> Tensor view, QuantizeTensor, codes -> proto) on a fresh response as gRPC gives
// one per call, and the wire path (parse the request bytes, handler, serialize the
// response), with glibc configured as modelpressd configures it. Run with
// GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (as modelpressd runs; compare_quantize.sh does) or
// requests over 32 MiB fault 4 KiB pages; the hugetlb_malloc counter says which. Besides elem_per_s
// every benchmark reports minor_faults_per_call (getrusage): a fresh 4 KiB page costs ~14 us on
// these VMs, so a path that allocates new output memory per request spends more time faulting than
// quantizing.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/quant/quantize_tensor.h"
#include "core/tensor/tensor.h"
#include "modelpress/v1/service.pb.h"
#include "server/malloc_tuning.h"
#include "server/tensor_handlers.h"

namespace modelpress {
namespace {

int64_t MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

Tensor MakeWeights(int64_t rows, int64_t cols) {
  Tensor tensor = Tensor::Create("w", DType::kFloat32, {rows, cols});
  std::span<float> values = tensor.values<float>();
  for (int64_t i = 0; i < rows * cols; ++i) {
    values[i] = std::sin(0.001f * static_cast<float>(i)) * static_cast<float>(1 + (i / cols) % 7);
  }
  return tensor;
}

// Runs `call` once per iteration and sets elem_per_s and minor_faults_per_call.
template <typename Fn>
void RunCalls(benchmark::State& state, int64_t elements, Fn call) {
  omp_set_num_threads(static_cast<int>(state.range(1)));
  call();  // warm-up: the first call may grow caches and pools
  const int64_t faults_before = MinorFaults();
  for (auto _ : state) call();
  const int64_t faults = MinorFaults() - faults_before;
  state.counters["elem_per_s"] = benchmark::Counter(static_cast<double>(elements),
                                                    benchmark::Counter::kIsIterationInvariantRate);
  state.counters["minor_faults_per_call"] =
      static_cast<double>(faults) / static_cast<double>(state.iterations());
  state.counters["threads"] = static_cast<double>(state.range(1));
  // modelpressd runs with huge-page malloc (server/malloc_tuning.h); say whether this did.
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  state.counters["hugetlb_malloc"] =
      tunables != nullptr && std::strstr(tunables, "glibc.malloc.hugetlb=1") != nullptr ? 1 : 0;
}

QuantizeOptions PerChannelInt8() {
  QuantizeOptions options;
  options.scheme.granularity = Granularity::kPerChannel;
  return options;
}

// core QuantizeTensor on a [rows, 4096] tensor: the kernels plus the error report.
void RunQuantizeTensorCalls(benchmark::State& state, const QuantizeOptions& options) {
  const int64_t rows = state.range(0);
  const Tensor input = MakeWeights(rows, 4096);
  RunCalls(state, input.num_elements(), [&] {
    absl::StatusOr<QuantizeResult> result = QuantizeTensor(input, options);
    if (!result.ok()) state.SkipWithError(std::string(result.status().message()).c_str());
    benchmark::DoNotOptimize(result);
  });
}

// Per-channel on axis 0: the fused per-row kernel.
void BM_QuantizeTensorCall(benchmark::State& state) {
  RunQuantizeTensorCalls(state, PerChannelInt8());
}

// Per-channel on the last axis (a [K, N] MatMul weight, one scale per output column): the
// scale varies along every contiguous run (min-max pass, then quantize with per-element
// params, then the report).
void BM_QuantizeTensorCallLastAxis(benchmark::State& state) {
  QuantizeOptions options = PerChannelInt8();
  options.scheme.axis = 1;
  RunQuantizeTensorCalls(state, options);
}

// Int4 groups of 128 along axis 0 (GPTQ's layout for a [K, N] weight): params vary along
// every contiguous run, as above, plus the nibble packing.
void BM_QuantizeTensorCallGroupsAxis0(benchmark::State& state) {
  QuantizeOptions options;
  options.scheme.bits = 4;
  options.scheme.granularity = Granularity::kPerGroup;
  options.scheme.axis = 0;
  options.scheme.group_size = 128;
  RunQuantizeTensorCalls(state, options);
}

// core DequantizeTensor of int8 codes per channel on the last axis ([K, N] layout): the code
// range check, then S * (q - Z) with the params varying along every run.
void BM_DequantizeTensorCallLastAxis(benchmark::State& state) {
  QuantizeOptions options = PerChannelInt8();
  options.scheme.axis = 1;
  const absl::StatusOr<QuantizeResult> quantized =
      QuantizeTensor(MakeWeights(state.range(0), 4096), options);
  if (!quantized.ok()) {
    state.SkipWithError(std::string(quantized.status().message()).c_str());
    return;
  }
  RunCalls(state, quantized->codes.num_elements(), [&] {
    absl::StatusOr<Tensor> values =
        DequantizeTensor(quantized->codes, options.scheme, quantized->params);
    if (!values.ok()) state.SkipWithError(std::string(values.status().message()).c_str());
    benchmark::DoNotOptimize(values);
  });
}

v1::QuantizeTensorRequest MakeRequest(const Tensor& input) {
  v1::QuantizeTensorRequest request;
  v1::Tensor* tensor = request.mutable_tensor();
  tensor->set_name("w");
  tensor->set_dtype(v1::DATA_TYPE_FLOAT32);
  tensor->mutable_shape()->Assign(input.shape().begin(), input.shape().end());
  tensor->set_raw_data(input.bytes(), input.size_bytes());
  request.mutable_spec()->set_granularity(v1::GRANULARITY_PER_CHANNEL);
  return request;
}

constexpr int64_t kMaxElements = int64_t{1} << 31;
constexpr size_t kServerMemoryCacheBytes = size_t{1} << 30;  // modelpressd's default

// The server's QuantizeTensor handler, request already parsed (as gRPC hands it over).
void BM_QuantizeTensorHandler(benchmark::State& state) {
  server::ConfigureMallocForLargeMessages(kServerMemoryCacheBytes);
  const Tensor input = MakeWeights(state.range(0), 4096);
  const v1::QuantizeTensorRequest request = MakeRequest(input);
  const server::TensorHandlers handlers(nullptr, kMaxElements);
  RunCalls(state, input.num_elements(), [&] {
    v1::QuantizeTensorResponse response;
    const absl::Status status = handlers.QuantizeTensor(request, &response);
    if (!status.ok()) state.SkipWithError(std::string(status.message()).c_str());
    benchmark::DoNotOptimize(response);
  });
}

// What gRPC adds around the handler, minus the network: parse the request bytes into a
// fresh message, run the handler, serialize the response.
void BM_QuantizeTensorWire(benchmark::State& state) {
  server::ConfigureMallocForLargeMessages(kServerMemoryCacheBytes);
  const Tensor input = MakeWeights(state.range(0), 4096);
  const std::string wire = MakeRequest(input).SerializeAsString();
  const server::TensorHandlers handlers(nullptr, kMaxElements);
  RunCalls(state, input.num_elements(), [&] {
    v1::QuantizeTensorRequest request;
    if (!request.ParseFromString(wire)) state.SkipWithError("request does not parse");
    v1::QuantizeTensorResponse response;
    const absl::Status status = handlers.QuantizeTensor(request, &response);
    if (!status.ok()) state.SkipWithError(std::string(status.message()).c_str());
    std::string out = response.SerializeAsString();
    benchmark::DoNotOptimize(out);
  });
}

// rows x 4096 floats: 4 MiB, 16 MiB and 64 MiB inputs; 1 and 2 threads.
#define MODELPRESS_REQUEST_BENCH(fn)             \
  BENCHMARK(fn)                                  \
      ->ArgsProduct({{256, 1024, 4096}, {1, 2}}) \
      ->ArgNames({"rows", "threads"})            \
      ->UseRealTime()                            \
      ->Unit(benchmark::kMillisecond)

MODELPRESS_REQUEST_BENCH(BM_QuantizeTensorCall);
MODELPRESS_REQUEST_BENCH(BM_QuantizeTensorCallLastAxis);
MODELPRESS_REQUEST_BENCH(BM_QuantizeTensorCallGroupsAxis0);
MODELPRESS_REQUEST_BENCH(BM_DequantizeTensorCallLastAxis);
MODELPRESS_REQUEST_BENCH(BM_QuantizeTensorHandler);
MODELPRESS_REQUEST_BENCH(BM_QuantizeTensorWire);

}  // namespace
}  // namespace modelpress
