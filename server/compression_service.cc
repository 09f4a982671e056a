#include "server/compression_service.h"

#include "server/status_convert.h"

namespace modelpress::server {
namespace {

const char kJobsUnimplemented[] =
    "model compression jobs are not implemented yet in this build; the tensor RPCs "
    "(QuantizeTensor, DequantizeTensor) are";

grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                      const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

// Streaming reactors that end the call at once with a fixed status.
template <typename Request>
class FinishedReadReactor : public grpc::ServerReadReactor<Request> {
 public:
  explicit FinishedReadReactor(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

template <typename Response>
class FinishedWriteReactor : public grpc::ServerWriteReactor<Response> {
 public:
  explicit FinishedWriteReactor(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

grpc::Status JobsUnimplemented() {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, kJobsUnimplemented);
}

}  // namespace

grpc::Status CompressionService::Admit() const {
  if (draining_.load()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "server is shutting down; retry on another replica");
  }
  return grpc::Status::OK;
}

// Tensor RPCs run on the callback thread: they are bounded by --max_message_bytes and take
// milliseconds, less than a hand-off to the job pool would cost.
grpc::ServerUnaryReactor* CompressionService::QuantizeTensor(
    grpc::CallbackServerContext* context, const v1::QuantizeTensorRequest* request,
    v1::QuantizeTensorResponse* response) {
  if (grpc::Status admitted = Admit(); !admitted.ok()) return FinishUnary(context, admitted);
  return FinishUnary(context, ToGrpcStatus(tensor_handlers_->QuantizeTensor(*request, response)));
}

grpc::ServerUnaryReactor* CompressionService::DequantizeTensor(
    grpc::CallbackServerContext* context, const v1::DequantizeTensorRequest* request,
    v1::DequantizeTensorResponse* response) {
  if (grpc::Status admitted = Admit(); !admitted.ok()) return FinishUnary(context, admitted);
  return FinishUnary(context,
                     ToGrpcStatus(tensor_handlers_->DequantizeTensor(*request, response)));
}

grpc::ServerUnaryReactor* CompressionService::PruneTensor(grpc::CallbackServerContext* context,
                                                          const v1::PruneTensorRequest*,
                                                          v1::PruneTensorResponse*) {
  if (grpc::Status admitted = Admit(); !admitted.ok()) return FinishUnary(context, admitted);
  return FinishUnary(context, grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                           "PruneTensor is not implemented yet in this build"));
}

grpc::ServerReadReactor<v1::CreateJobRequest>* CompressionService::CreateJob(
    grpc::CallbackServerContext*, v1::Job*) {
  return new FinishedReadReactor<v1::CreateJobRequest>(JobsUnimplemented());
}

grpc::ServerUnaryReactor* CompressionService::GetJob(grpc::CallbackServerContext* context,
                                                     const v1::GetJobRequest*, v1::Job*) {
  return FinishUnary(context, JobsUnimplemented());
}

grpc::ServerUnaryReactor* CompressionService::ListJobs(grpc::CallbackServerContext* context,
                                                       const v1::ListJobsRequest*,
                                                       v1::ListJobsResponse*) {
  return FinishUnary(context, JobsUnimplemented());
}

grpc::ServerWriteReactor<v1::Job>* CompressionService::WatchJob(grpc::CallbackServerContext*,
                                                                const v1::WatchJobRequest*) {
  return new FinishedWriteReactor<v1::Job>(JobsUnimplemented());
}

grpc::ServerUnaryReactor* CompressionService::CancelJob(grpc::CallbackServerContext* context,
                                                        const v1::CancelJobRequest*, v1::Job*) {
  return FinishUnary(context, JobsUnimplemented());
}

grpc::ServerUnaryReactor* CompressionService::DeleteJob(grpc::CallbackServerContext* context,
                                                        const v1::DeleteJobRequest*,
                                                        v1::DeleteJobResponse*) {
  return FinishUnary(context, JobsUnimplemented());
}

grpc::ServerWriteReactor<v1::DownloadArtifactResponse>* CompressionService::DownloadArtifact(
    grpc::CallbackServerContext*, const v1::DownloadArtifactRequest*) {
  return new FinishedWriteReactor<v1::DownloadArtifactResponse>(JobsUnimplemented());
}

}  // namespace modelpress::server
