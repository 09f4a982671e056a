#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/server.h"

namespace modelpress::server {
namespace {

using ::testing::HasSubstr;

TEST(ValidateServerOptions, AcceptsTheDefaults) {
  EXPECT_TRUE(ValidateServerOptions(ServerOptions{}).ok());
}

TEST(ValidateServerOptions, NamesTheFlagAndItsLimit) {
  struct Case {
    void (*mutate)(ServerOptions*);
    const char* message;
  };
  const Case cases[] = {
      {[](ServerOptions* o) { o->port = 70000; }, "--port is 70000; must be in [0, 65535]"},
      {[](ServerOptions* o) { o->workers = 0; }, "--workers is 0; must be in [1, 64]"},
      {[](ServerOptions* o) { o->queue_capacity = 0; }, "--queue_capacity is 0"},
      {[](ServerOptions* o) { o->max_message_bytes = 100; }, "--max_message_bytes is 100"},
      {[](ServerOptions* o) { o->drain_seconds = -1; }, "--drain_seconds is -1"},
      {[](ServerOptions* o) { o->data_dir = ""; }, "--data_dir is empty"},
      {[](ServerOptions* o) { o->memory_cache_mib = -1; },
       "--memory_cache_mib is -1; must be in [0, 65536]"},
      {[](ServerOptions* o) { o->memory_cache_mib = 65537; }, "--memory_cache_mib is 65537"},
  };
  for (const Case& c : cases) {
    ServerOptions options;
    c.mutate(&options);
    const absl::Status status = ValidateServerOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.message));
  }
  ServerOptions no_cache;
  no_cache.memory_cache_mib = 0;
  EXPECT_TRUE(ValidateServerOptions(no_cache).ok());
}

}  // namespace
}  // namespace modelpress::server
