// CompressionService: the gRPC callback service. Each method checks that the server is
// not draining, then hands the tensor RPCs to a WorkerPool that runs TensorHandlers and
// finishes the call, so gRPC's threads never wait on compression work (a full pool queue
// answers RESOURCE_EXHAUSTED). Job RPCs answer UNIMPLEMENTED until the job manager lands.
#ifndef MODELPRESS_SERVER_COMPRESSION_SERVICE_H_
#define MODELPRESS_SERVER_COMPRESSION_SERVICE_H_

#include <atomic>

#include "modelpress/v1/service.grpc.pb.h"
#include "server/tensor_handlers.h"
#include "server/worker_pool.h"

namespace modelpress::server {

class CompressionService final : public v1::CompressionService::CallbackService {
 public:
  CompressionService(const TensorHandlers* tensor_handlers, WorkerPool* tensor_pool)
      : tensor_handlers_(tensor_handlers), tensor_pool_(tensor_pool) {}

  // After this, new calls get UNAVAILABLE.
  void StartDraining() { draining_.store(true); }

  grpc::ServerUnaryReactor* QuantizeTensor(grpc::CallbackServerContext* context,
                                           const v1::QuantizeTensorRequest* request,
                                           v1::QuantizeTensorResponse* response) override;
  grpc::ServerUnaryReactor* DequantizeTensor(grpc::CallbackServerContext* context,
                                             const v1::DequantizeTensorRequest* request,
                                             v1::DequantizeTensorResponse* response) override;
  grpc::ServerUnaryReactor* PruneTensor(grpc::CallbackServerContext* context,
                                        const v1::PruneTensorRequest* request,
                                        v1::PruneTensorResponse* response) override;
  grpc::ServerReadReactor<v1::CreateJobRequest>* CreateJob(grpc::CallbackServerContext* context,
                                                           v1::Job* response) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext* context,
                                   const v1::GetJobRequest* request, v1::Job* response) override;
  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext* context,
                                     const v1::ListJobsRequest* request,
                                     v1::ListJobsResponse* response) override;
  grpc::ServerWriteReactor<v1::Job>* WatchJob(grpc::CallbackServerContext* context,
                                              const v1::WatchJobRequest* request) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* context,
                                      const v1::CancelJobRequest* request,
                                      v1::Job* response) override;
  grpc::ServerUnaryReactor* DeleteJob(grpc::CallbackServerContext* context,
                                      const v1::DeleteJobRequest* request,
                                      v1::DeleteJobResponse* response) override;
  grpc::ServerWriteReactor<v1::DownloadArtifactResponse>* DownloadArtifact(
      grpc::CallbackServerContext* context, const v1::DownloadArtifactRequest* request) override;

 private:
  grpc::Status Admit() const;
  // Runs `body` (returning absl::Status) on the tensor pool and finishes the call with it.
  template <typename Body>
  grpc::ServerUnaryReactor* RunOnTensorPool(grpc::CallbackServerContext* context, Body body);

  const TensorHandlers* tensor_handlers_;
  WorkerPool* tensor_pool_;
  std::atomic<bool> draining_{false};
};

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_COMPRESSION_SERVICE_H_
