#include "server/compression_service.h"

#include "absl/strings/str_cat.h"
#include "server/status_convert.h"

namespace modelpress::server {
namespace {

const char kJobsUnimplemented[] =
    "model compression jobs are not implemented yet in this build; the tensor RPCs "
    "(QuantizeTensor, DequantizeTensor, PruneTensor) are";

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

template <typename Body>
grpc::ServerUnaryReactor* CompressionService::RunOnTensorPool(grpc::CallbackServerContext* context,
                                                              Body body) {
  if (grpc::Status admitted = Admit(); !admitted.ok()) return FinishUnary(context, admitted);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The request and response stay valid until Finish, so the task may use them.
  const bool accepted = tensor_pool_->TrySubmit([context, reactor, body = std::move(body)] {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled before it ran"));
      return;
    }
    reactor->Finish(ToGrpcStatus(body()));
  });
  if (!accepted) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrCat("tensor work queue is full (", tensor_pool_->queue_capacity(),
                                  " calls waiting); retry with backoff")));
  }
  return reactor;
}

grpc::ServerUnaryReactor* CompressionService::QuantizeTensor(
    grpc::CallbackServerContext* context, const v1::QuantizeTensorRequest* request,
    v1::QuantizeTensorResponse* response) {
  return RunOnTensorPool(context, [this, request, response] {
    return tensor_handlers_->QuantizeTensor(*request, response);
  });
}

grpc::ServerUnaryReactor* CompressionService::DequantizeTensor(
    grpc::CallbackServerContext* context, const v1::DequantizeTensorRequest* request,
    v1::DequantizeTensorResponse* response) {
  return RunOnTensorPool(context, [this, request, response] {
    return tensor_handlers_->DequantizeTensor(*request, response);
  });
}

grpc::ServerUnaryReactor* CompressionService::PruneTensor(grpc::CallbackServerContext* context,
                                                          const v1::PruneTensorRequest* request,
                                                          v1::PruneTensorResponse* response) {
  return RunOnTensorPool(context, [this, request, response] {
    return tensor_handlers_->PruneTensor(*request, response);
  });
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
