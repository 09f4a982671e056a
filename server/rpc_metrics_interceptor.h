// RpcMetricsInterceptorFactory: records grpc_server_handled_total and
// grpc_server_handling_seconds for every RPC the server finishes, on every service
// (CompressionService, health, reflection), the way go-grpc-prometheus does.
//
// gRPC 1.51 interceptors can observe a call but cannot reject it, so this only measures.
#ifndef MODELPRESS_SERVER_RPC_METRICS_INTERCEPTOR_H_
#define MODELPRESS_SERVER_RPC_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include "server/metrics.h"

namespace modelpress::server {

class RpcMetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics* metrics_;
};

// "OK", "InvalidArgument", ... exactly as go-grpc-prometheus labels codes.
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_RPC_METRICS_INTERCEPTOR_H_
