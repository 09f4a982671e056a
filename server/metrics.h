// Metrics: the Prometheus registry of modelpressd and the HTTP exposer serving /metrics.
//
// Owns every metric family named in ARCHITECTURE.md section 5 so that names live in one
// place. Label values stay few: gRPC method and code, job state, rejection reason; never a
// job id or a model name. Thread-safe (prometheus-cpp metrics are).
#ifndef MODELPRESS_SERVER_METRICS_H_
#define MODELPRESS_SERVER_METRICS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/quant/error_report.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace modelpress::server {

class Metrics {
 public:
  Metrics();

  // Serves /metrics on `address` ("0.0.0.0:9464"). FAILED_PRECONDITION if it cannot bind.
  absl::Status StartExposer(const std::string& address);
  // The port actually bound (useful with port 0); 0 before StartExposer.
  int exposer_port() const;

  // One finished RPC, go-grpc-prometheus style. `full_method` is "/pkg.Service/Method".
  void RecordRpc(const std::string& full_method, const std::string& grpc_type,
                 const std::string& grpc_code, double handling_seconds);

  // Quality of one tensor quantization.
  void RecordQuantization(const ErrorStats& stats);

  // Sparsity achieved by one pruning.
  void RecordPruning(double sparsity_ratio) { pruning_sparsity_ratio_->Observe(sparsity_ratio); }

  void AddBytesReceived(double bytes) { bytes_received_->Increment(bytes); }
  void AddBytesSent(double bytes) { bytes_sent_->Increment(bytes); }

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  prometheus::Family<prometheus::Counter>* handled_total_;
  prometheus::Family<prometheus::Histogram>* handling_seconds_;
  prometheus::Histogram* quantization_sqnr_db_;
  prometheus::Histogram* quantization_clipped_fraction_;
  prometheus::Histogram* pruning_sparsity_ratio_;
  prometheus::Counter* bytes_received_;
  prometheus::Counter* bytes_sent_;
};

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_METRICS_H_
