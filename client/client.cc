#include "client/client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace modelpress::client {
namespace {

absl::Status ToAbslStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace

ModelpressClient::ModelpressClient(const std::string& target, std::chrono::milliseconds deadline,
                                   std::string bearer_token)
    : channel_(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
      stub_(v1::CompressionService::NewStub(channel_)),
      deadline_(deadline),
      bearer_token_(std::move(bearer_token)) {}

void ModelpressClient::Prepare(grpc::ClientContext* context) const {
  context->set_deadline(std::chrono::system_clock::now() + deadline_);
  if (!bearer_token_.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", bearer_token_));
  }
}

absl::StatusOr<std::string> ModelpressClient::CheckHealth(const std::string& service) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  Prepare(&context);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health->Check(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return std::string("SERVICE_UNKNOWN");
  if (!status.ok()) return ToAbslStatus(status);
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

absl::StatusOr<v1::QuantizeTensorResponse> ModelpressClient::QuantizeTensor(
    const v1::QuantizeTensorRequest& request) {
  grpc::ClientContext context;
  Prepare(&context);
  v1::QuantizeTensorResponse response;
  if (absl::Status status = ToAbslStatus(stub_->QuantizeTensor(&context, request, &response));
      !status.ok()) {
    return status;
  }
  return response;
}

absl::StatusOr<v1::DequantizeTensorResponse> ModelpressClient::DequantizeTensor(
    const v1::DequantizeTensorRequest& request) {
  grpc::ClientContext context;
  Prepare(&context);
  v1::DequantizeTensorResponse response;
  if (absl::Status status = ToAbslStatus(stub_->DequantizeTensor(&context, request, &response));
      !status.ok()) {
    return status;
  }
  return response;
}

}  // namespace modelpress::client
