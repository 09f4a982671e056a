#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <mutex>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/tensor/block_cache.h"
#include "grpc/health/v1/health.pb.h"
#include "server/compression_service.h"
#include "server/logging.h"
#include "server/malloc_tuning.h"
#include "server/metrics.h"
#include "server/rpc_metrics_interceptor.h"
#include "server/tensor_handlers.h"
#include "server/worker_pool.h"

namespace modelpress::server {
namespace {

constexpr char kReadinessService[] = "modelpress.v1.CompressionService";
// Tensor calls allowed to wait per pool thread before RESOURCE_EXHAUSTED; each holds its
// request (up to --max_message_bytes) in memory.
constexpr int kTensorQueuePerThread = 8;

absl::Status CheckPort(int port, absl::string_view flag) {
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " is ", port, "; must be in [0, 65535]"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateServerOptions(const ServerOptions& options) {
  if (absl::Status status = CheckPort(options.port, "port"); !status.ok()) return status;
  if (absl::Status status = CheckPort(options.metrics_port, "metrics_port"); !status.ok()) {
    return status;
  }
  if (options.workers < 1 || options.workers > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("--workers is ", options.workers, "; must be in [1, 64]"));
  }
  if (options.queue_capacity < 1 || options.queue_capacity > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--queue_capacity is ", options.queue_capacity, "; must be in [1, 100000]"));
  }
  constexpr int64_t kMinMessageBytes = 4096;
  constexpr int64_t kMaxMessageBytes = std::numeric_limits<int32_t>::max();
  if (options.max_message_bytes < kMinMessageBytes ||
      options.max_message_bytes > kMaxMessageBytes) {
    return absl::InvalidArgumentError(absl::StrCat("--max_message_bytes is ",
                                                   options.max_message_bytes, "; must be in [",
                                                   kMinMessageBytes, ", ", kMaxMessageBytes, "]"));
  }
  if (!(options.drain_seconds >= 0 && options.drain_seconds <= 3600)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--drain_seconds is ", options.drain_seconds, "; must be in [0, 3600]"));
  }
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data_dir is empty");
  constexpr int64_t kMaxMemoryCacheMib = int64_t{64} << 10;
  if (options.memory_cache_mib < 0 || options.memory_cache_mib > kMaxMemoryCacheMib) {
    return absl::InvalidArgumentError(absl::StrCat("--memory_cache_mib is ",
                                                   options.memory_cache_mib, "; must be in [0, ",
                                                   kMaxMemoryCacheMib, "]"));
  }
  return absl::OkStatus();
}

struct ModelpressServer::State {
  ServerOptions options;
  Metrics metrics;
  std::unique_ptr<TensorHandlers> tensor_handlers;
  std::unique_ptr<WorkerPool> tensor_pool;
  std::unique_ptr<CompressionService> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::once_flag shutdown_once;
};

absl::StatusOr<std::unique_ptr<ModelpressServer>> ModelpressServer::Start(
    const ServerOptions& options) {
  if (absl::Status status = ValidateServerOptions(options); !status.ok()) return status;
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("--data_dir ", options.data_dir, " cannot be created: ", error.message()));
  }

  const size_t memory_cache_bytes = static_cast<size_t>(options.memory_cache_mib) << 20;
  BlockCache::Global().SetLimitBytes(memory_cache_bytes);
  if (!ConfigureMallocForLargeMessages(memory_cache_bytes)) {
    LogWarning("malloc_tuning_refused", {{"memory_cache_mib", options.memory_cache_mib}});
  }

  auto state = std::make_unique<State>();
  state->options = options;
  if (absl::Status status = state->metrics.StartExposer(
          absl::StrCat(options.metrics_host, ":", options.metrics_port));
      !status.ok()) {
    return status;
  }
  state->tensor_handlers = std::make_unique<TensorHandlers>(
      &state->metrics, options.max_message_bytes / static_cast<int64_t>(sizeof(float)));
  // One thread per core: tensor RPCs are compute-bound, more threads only add contention.
  const int tensor_threads = std::max(1u, std::thread::hardware_concurrency());
  state->tensor_pool =
      std::make_unique<WorkerPool>(tensor_threads, kTensorQueuePerThread * tensor_threads);
  state->service =
      std::make_unique<CompressionService>(state->tensor_handlers.get(), state->tensor_pool.get());

  // Touching the health descriptor links grpc/health/v1/health.proto into the binary, so
  // reflection can describe the built-in health service to grpcurl and buf curl.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(options.host, ":", options.port),
                           grpc::InsecureServerCredentials(), &state->port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
  builder.RegisterService(state->service.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<RpcMetricsInterceptorFactory>(&state->metrics));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  state->server = builder.BuildAndStart();
  if (state->server == nullptr || state->port == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen for gRPC on ", options.host, ":", options.port));
  }
  state->server->GetHealthCheckService()->SetServingStatus("", true);
  state->server->GetHealthCheckService()->SetServingStatus(kReadinessService, true);
  LogInfo("server_started", {{"grpc_port", state->port},
                             {"metrics_port", state->metrics.exposer_port()},
                             {"data_dir", options.data_dir},
                             {"workers", options.workers},
                             {"max_message_bytes", options.max_message_bytes}});
  return std::unique_ptr<ModelpressServer>(new ModelpressServer(std::move(state)));
}

ModelpressServer::ModelpressServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

ModelpressServer::~ModelpressServer() {
  Shutdown();
  Wait();
}

int ModelpressServer::port() const { return state_->port; }
int ModelpressServer::metrics_port() const { return state_->metrics.exposer_port(); }

void ModelpressServer::Shutdown() {
  std::call_once(state_->shutdown_once, [this] {
    LogInfo("drain_started", {{"drain_seconds", state_->options.drain_seconds}});
    state_->server->GetHealthCheckService()->SetServingStatus(kReadinessService, false);
    state_->service->StartDraining();
    const auto deadline =
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(static_cast<int64_t>(state_->options.drain_seconds * 1000));
    state_->server->Shutdown(deadline);
    LogInfo("server_stopped", {});
  });
}

void ModelpressServer::Wait() {
  state_->server->Wait();
  // Every accepted tensor call has finished once the server has stopped.
  state_->tensor_pool->Stop();
}

}  // namespace modelpress::server
