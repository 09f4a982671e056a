#include "server/metrics.h"

#include <cmath>
#include <exception>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace modelpress::server {
namespace {

// 100 us .. ~100 s, roughly x2.5 apart: tensor RPCs sit at the low end, uploads at the top.
const prometheus::Histogram::BucketBoundaries kHandlingSecondsBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25,   0.5,     1,      2.5,   5,      10,    25,   50,    100};
const prometheus::Histogram::BucketBoundaries kSqnrDbBuckets = {0,  5,  10, 15, 20, 25, 30,
                                                                35, 40, 45, 50, 60, 80};
const prometheus::Histogram::BucketBoundaries kFractionBuckets = {
    0, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 1};

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("modelpress_build_info")
      .Help("Always 1; labels carry the build's version.")
      .Register(*registry_)
      .Add({{"version", MODELPRESS_VERSION}})
      .Set(1);
  handled_total_ = &prometheus::BuildCounter()
                        .Name("grpc_server_handled_total")
                        .Help("RPCs completed on the server, regardless of success or failure.")
                        .Register(*registry_);
  handling_seconds_ = &prometheus::BuildHistogram()
                           .Name("grpc_server_handling_seconds")
                           .Help("Time from receiving an RPC to sending its status.")
                           .Register(*registry_);
  quantization_sqnr_db_ = &prometheus::BuildHistogram()
                               .Name("modelpress_quantization_sqnr_db")
                               .Help("SQNR of each quantized tensor, in dB.")
                               .Register(*registry_)
                               .Add({}, kSqnrDbBuckets);
  quantization_clipped_fraction_ =
      &prometheus::BuildHistogram()
           .Name("modelpress_quantization_clipped_fraction")
           .Help("Fraction of values outside the clipping range, per quantized tensor.")
           .Register(*registry_)
           .Add({}, kFractionBuckets);
  pruning_sparsity_ratio_ = &prometheus::BuildHistogram()
                                 .Name("modelpress_pruning_sparsity_ratio")
                                 .Help("Fraction of zero weights after each pruning.")
                                 .Register(*registry_)
                                 .Add({}, prometheus::Histogram::BucketBoundaries{
                                              0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1});
  bytes_received_ = &prometheus::BuildCounter()
                         .Name("modelpress_bytes_received_total")
                         .Help("Tensor and model payload bytes received.")
                         .Register(*registry_)
                         .Add({});
  bytes_sent_ = &prometheus::BuildCounter()
                     .Name("modelpress_bytes_sent_total")
                     .Help("Tensor and artifact payload bytes sent.")
                     .Register(*registry_)
                     .Add({});
}

absl::Status Metrics::StartExposer(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    // civetweb reports bind failures by throwing; keep the exception inside this module.
    return absl::FailedPreconditionError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  return absl::OkStatus();
}

int Metrics::exposer_port() const {
  if (exposer_ == nullptr) return 0;
  const std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::RecordRpc(const std::string& full_method, const std::string& grpc_type,
                        const std::string& grpc_code, double handling_seconds) {
  // "/modelpress.v1.CompressionService/QuantizeTensor" -> service, method.
  std::vector<std::string> parts = absl::StrSplit(full_method, '/', absl::SkipEmpty());
  const std::string service = parts.size() == 2 ? parts[0] : "unknown";
  const std::string method = parts.size() == 2 ? parts[1] : full_method;
  handled_total_
      ->Add({{"grpc_service", service},
             {"grpc_method", method},
             {"grpc_type", grpc_type},
             {"grpc_code", grpc_code}})
      .Increment();
  handling_seconds_
      ->Add({{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", grpc_type}},
            kHandlingSecondsBuckets)
      .Observe(handling_seconds);
}

void Metrics::RecordQuantization(const ErrorStats& stats) {
  // +inf SQNR (exact reconstruction) lands in the +Inf bucket, which is what it means.
  quantization_sqnr_db_->Observe(stats.sqnr_db);
  quantization_clipped_fraction_->Observe(stats.clipped_fraction);
}

}  // namespace modelpress::server
