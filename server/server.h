// ModelpressServer: one running modelpressd: the gRPC server (CompressionService, health,
// reflection), the /metrics exposer and the data directory. main() and the integration
// tests both start it through Start().
//
// Health: service "" (liveness) is SERVING while the process runs; the readiness service
// "modelpress.v1.CompressionService" is SERVING until Shutdown() begins.
#ifndef MODELPRESS_SERVER_SERVER_H_
#define MODELPRESS_SERVER_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace modelpress::server {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 50051;  // 0 picks a free port
  std::string metrics_host = "0.0.0.0";
  int metrics_port = 9464;  // 0 picks a free port
  std::string data_dir = "./var/modelpress";
  int workers = 1;
  int queue_capacity = 64;
  int64_t max_message_bytes = int64_t{64} << 20;
  double drain_seconds = 30;
  // Freed tensor buffers and heap memory kept for reuse, so repeated requests do not fault
  // fresh pages in (see core/tensor/block_cache.h and server/malloc_tuning.h).
  int64_t memory_cache_mib = 1024;
};

// INVALID_ARGUMENT naming the flag when an option is out of range.
absl::Status ValidateServerOptions(const ServerOptions& options);

class ModelpressServer {
 public:
  static absl::StatusOr<std::unique_ptr<ModelpressServer>> Start(const ServerOptions& options);
  ~ModelpressServer();

  int port() const;
  int metrics_port() const;

  // Readiness NOT_SERVING, new calls UNAVAILABLE, in-flight calls get up to drain_seconds,
  // then the server stops. Idempotent.
  void Shutdown();
  // Blocks until the gRPC server has stopped.
  void Wait();

 private:
  struct State;
  explicit ModelpressServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_SERVER_H_
