// Starts ModelpressServer in-process on loopback ports and talks to it through a real
// gRPC channel and a real HTTP connection to /metrics.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "modelpress/v1/service.grpc.pb.h"
#include "server/server.h"

namespace modelpress::server {
namespace {

using ::testing::HasSubstr;

// Plain HTTP/1.0 GET on 127.0.0.1; returns the whole response (headers and body).
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  close(fd);
  return response;
}

class ServerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = std::filesystem::temp_directory_path() /
                absl::StrCat("modelpress_it_", getpid(), "_", reinterpret_cast<uintptr_t>(this));
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.metrics_host = "127.0.0.1";
    options.metrics_port = 0;
    options.data_dir = data_dir_.string();
    options.max_message_bytes = 1 << 20;
    options.drain_seconds = 1;
    absl::StatusOr<std::unique_ptr<ModelpressServer>> server = ModelpressServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::CompressionService::NewStub(channel_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus Health(const std::string& service) {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    if (!status.ok()) return grpc::health::v1::HealthCheckResponse::SERVICE_UNKNOWN;
    return response.status();
  }

  std::filesystem::path data_dir_;
  std::unique_ptr<ModelpressServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CompressionService::Stub> stub_;
};

TEST_F(ServerIntegrationTest, LivenessAndReadinessAreServing) {
  EXPECT_EQ(Health(""), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Health("modelpress.v1.CompressionService"),
            grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(ServerIntegrationTest, QuantizeTensorOverTheWireAndCounted) {
  v1::QuantizeTensorRequest request;
  request.mutable_tensor()->set_dtype(v1::DATA_TYPE_FLOAT32);
  request.mutable_tensor()->add_shape(3);
  for (float v : {-1.27f, 0.0f, 0.5f}) request.mutable_tensor()->add_float_data(v);
  v1::QuantizeTensorResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->QuantizeTensor(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.scales_size(), 1);
  EXPECT_FLOAT_EQ(response.scales(0), 0.01f);
  EXPECT_EQ(response.quantized().raw_data(), std::string("\x81\x00\x32", 3));

  const std::string metrics = HttpGet(server_->metrics_port(), "/metrics");
  EXPECT_THAT(metrics, HasSubstr("modelpress_build_info"));
  EXPECT_THAT(
      metrics,
      HasSubstr("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"QuantizeTensor\","
                "grpc_service=\"modelpress.v1.CompressionService\",grpc_type=\"unary\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("modelpress_quantization_sqnr_db_count 1"));
}

TEST_F(ServerIntegrationTest, BadRequestIsInvalidArgumentAndServerKeepsServing) {
  v1::QuantizeTensorRequest request;
  request.mutable_tensor()->set_dtype(v1::DATA_TYPE_FLOAT32);
  request.mutable_tensor()->add_shape(4);
  request.mutable_tensor()->add_float_data(1.0f);
  v1::QuantizeTensorResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->QuantizeTensor(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("tensor.float_data"));
  EXPECT_EQ(Health(""), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_THAT(HttpGet(server_->metrics_port(), "/metrics"),
              HasSubstr("grpc_code=\"InvalidArgument\",grpc_method=\"QuantizeTensor\""));
}

TEST_F(ServerIntegrationTest, MessageOverTheLimitIsResourceExhausted) {
  v1::QuantizeTensorRequest request;
  request.mutable_tensor()->set_dtype(v1::DATA_TYPE_FLOAT32);
  request.mutable_tensor()->add_shape(1 << 19);
  request.mutable_tensor()->set_raw_data(std::string(size_t{1} << 21, '\0'));  // 2 MiB > 1 MiB
  v1::QuantizeTensorResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->QuantizeTensor(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(ServerIntegrationTest, JobRpcsSayTheyAreUnimplemented) {
  v1::GetJobRequest request;
  request.set_name("jobs/00");
  v1::Job job;
  grpc::ClientContext context;
  grpc::Status status = stub_->GetJob(&context, request, &job);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(status.error_message(), HasSubstr("not implemented yet"));

  grpc::ClientContext stream_context;
  v1::Job created;
  auto writer = stub_->CreateJob(&stream_context, &created);
  writer->WritesDone();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

// Many clients at once, good and bad requests interleaved: every good call gets its own
// answer (no cross-talk between calls on the worker pool), every bad one its own error, or
// RESOURCE_EXHAUSTED when the tensor queue is momentarily full.
TEST_F(ServerIntegrationTest, ConcurrentGoodAndBadCallsDoNotInterfere) {
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 25;
  std::atomic<int> wrong{0}, good{0}, rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const bool bad = (t + i) % 3 == 0;
        const float peak = 1.27f * static_cast<float>(1 + t * kCallsPerThread + i);
        v1::QuantizeTensorRequest request;
        request.mutable_tensor()->set_dtype(v1::DATA_TYPE_FLOAT32);
        request.mutable_tensor()->add_shape(bad ? 5 : 4096);
        for (int k = 0; k < 4096; ++k) {
          request.mutable_tensor()->add_float_data(peak * static_cast<float>(k % 255 - 127) / 127);
        }
        v1::QuantizeTensorResponse response;
        grpc::ClientContext context;
        const grpc::Status status = stub_->QuantizeTensor(&context, request, &response);
        if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
          ++rejected;
        } else if (bad) {
          if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) ++wrong;
        } else if (!status.ok() || response.scales_size() != 1 ||
                   std::abs(response.scales(0) - peak / 127) > 1e-6f * peak) {
          ++wrong;
        } else {
          ++good;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(good.load(), 0);
  EXPECT_EQ(Health(""), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(ServerIntegrationTest, WatchersSeeReadinessTurnNotServingOnShutdown) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("modelpress.v1.CompressionService");
  auto watch = health->Watch(&context, request);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  std::thread shutdown([this] { server_->Shutdown(); });
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  shutdown.join();
  context.TryCancel();
  watch->Finish().IgnoreError();
}

TEST_F(ServerIntegrationTest, ShutdownTurnsReadinessOff) {
  server_->Shutdown();
  // After shutdown the server no longer answers; a fresh call must fail, not hang.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::QuantizeTensorRequest request;
  v1::QuantizeTensorResponse response;
  EXPECT_FALSE(stub_->QuantizeTensor(&context, request, &response).ok());
}

}  // namespace
}  // namespace modelpress::server
