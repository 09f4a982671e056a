// The one place where core's absl::Status becomes a gRPC status. The canonical codes are
// numerically identical in both libraries; the message is passed through unchanged.
#ifndef MODELPRESS_SERVER_STATUS_CONVERT_H_
#define MODELPRESS_SERVER_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace modelpress::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_STATUS_CONVERT_H_
