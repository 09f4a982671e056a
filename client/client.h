// ModelpressClient: a thin C++ client for modelpressd over one gRPC channel.
//
// Errors come back as absl::Status with the server's code and message. Every call carries
// the deadline given at construction.
#ifndef MODELPRESS_CLIENT_CLIENT_H_
#define MODELPRESS_CLIENT_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "modelpress/v1/service.grpc.pb.h"

namespace modelpress::client {

class ModelpressClient {
 public:
  // `target` is "host:port"; plaintext. `bearer_token`, when non-empty, is sent as
  // "authorization: Bearer <token>".
  ModelpressClient(const std::string& target, std::chrono::milliseconds deadline,
                   std::string bearer_token = "");

  // SERVING / NOT_SERVING / SERVICE_UNKNOWN of a health service ("" is liveness).
  absl::StatusOr<std::string> CheckHealth(const std::string& service);

  absl::StatusOr<v1::QuantizeTensorResponse> QuantizeTensor(
      const v1::QuantizeTensorRequest& request);
  absl::StatusOr<v1::DequantizeTensorResponse> DequantizeTensor(
      const v1::DequantizeTensorRequest& request);

 private:
  void Prepare(grpc::ClientContext* context) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CompressionService::Stub> stub_;
  std::chrono::milliseconds deadline_;
  std::string bearer_token_;
};

}  // namespace modelpress::client

#endif  // MODELPRESS_CLIENT_CLIENT_H_
