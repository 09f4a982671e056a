// modelpressd: the modelpress gRPC server. Flags are documented in docs/OPERATIONS.md and
// by --help.
#include <signal.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "server/logging.h"
#include "server/malloc_tuning.h"
#include "server/server.h"

ABSL_FLAG(std::string, host, "0.0.0.0", "Address to listen on for gRPC.");
ABSL_FLAG(int, port, 50051, "gRPC port; 0 picks a free one.");
ABSL_FLAG(std::string, metrics_host, "0.0.0.0", "Address to serve Prometheus /metrics on.");
ABSL_FLAG(int, metrics_port, 9464, "Prometheus /metrics port; 0 picks a free one.");
ABSL_FLAG(std::string, data_dir, "./var/modelpress", "Directory for jobs, inputs, artifacts.");
ABSL_FLAG(int, workers, 1, "Jobs run concurrently.");
ABSL_FLAG(int, queue_capacity, 64, "Jobs waiting beyond this are rejected (RESOURCE_EXHAUSTED).");
ABSL_FLAG(int64_t, max_message_bytes, int64_t{64} << 20,
          "Largest gRPC message accepted or sent; bounds tensor RPCs.");
ABSL_FLAG(double, drain_seconds, 30, "On SIGTERM, time given to in-flight calls before exit.");
ABSL_FLAG(int64_t, memory_cache_mib, 1024,
          "Freed tensor buffers and heap memory kept for reuse by later requests, in MiB.");
ABSL_FLAG(std::string, log_format, "json", "json or text.");

namespace {

// Blocks SIGTERM and SIGINT in every thread (called before any thread starts) so that one
// thread can wait for them synchronously instead of doing work in a signal handler.
sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  modelpress::server::RestartWithHugePageMalloc(argv);
  absl::SetProgramUsageMessage("modelpressd: model compression gRPC service");
  absl::ParseCommandLine(argc, argv);
  namespace mp = modelpress::server;
  if (absl::Status status = mp::ConfigureLogging(absl::GetFlag(FLAGS_log_format)); !status.ok()) {
    mp::LogError("bad_flag", {{"error", std::string(status.message())}});
    return 2;
  }
  const sigset_t signals = BlockShutdownSignals();

  mp::ServerOptions options;
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  options.metrics_host = absl::GetFlag(FLAGS_metrics_host);
  options.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.queue_capacity = absl::GetFlag(FLAGS_queue_capacity);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.drain_seconds = absl::GetFlag(FLAGS_drain_seconds);
  options.memory_cache_mib = absl::GetFlag(FLAGS_memory_cache_mib);

  absl::StatusOr<std::unique_ptr<mp::ModelpressServer>> server =
      mp::ModelpressServer::Start(options);
  if (!server.ok()) {
    mp::LogError("start_failed", {{"error", std::string(server.status().message())}});
    return 1;
  }

  int received = 0;
  sigwait(&signals, &received);
  mp::LogInfo("signal_received", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Shutdown();
  (*server)->Wait();
  server->reset();
  mp::LogInfo("exit", {{"code", 0}});
  return 0;
}
