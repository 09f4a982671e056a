// TensorHandlers: the bodies of the immediate tensor RPCs (QuantizeTensor,
// DequantizeTensor, PruneTensor), kept free of gRPC types so that they are unit-tested
// without a network: validate the request, convert to core types, call core, convert back,
// record metrics. The gRPC service (compression_service.h) only forwards to these.
#ifndef MODELPRESS_SERVER_TENSOR_HANDLERS_H_
#define MODELPRESS_SERVER_TENSOR_HANDLERS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/tensor/tensor.h"
#include "modelpress/v1/service.pb.h"
#include "server/metrics.h"

namespace modelpress::server {

class TensorHandlers {
 public:
  // `max_tensor_elements` bounds any declared shape; `metrics` may be null in tests.
  TensorHandlers(Metrics* metrics, int64_t max_tensor_elements)
      : metrics_(metrics), max_tensor_elements_(max_tensor_elements) {}

  absl::Status QuantizeTensor(const v1::QuantizeTensorRequest& request,
                              v1::QuantizeTensorResponse* response) const;
  absl::Status DequantizeTensor(const v1::DequantizeTensorRequest& request,
                                v1::DequantizeTensorResponse* response) const;
  absl::Status PruneTensor(const v1::PruneTensorRequest& request,
                           v1::PruneTensorResponse* response) const;

 private:
  // The request's `activations` as a core tensor, or nullopt when absent.
  template <typename Request>
  absl::StatusOr<std::optional<Tensor>> OptionalActivations(const Request& request) const;

  Metrics* metrics_;
  int64_t max_tensor_elements_;
};

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_TENSOR_HANDLERS_H_
