#include "server/logging.h"

#include <atomic>
#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace modelpress::server {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kJson};

spdlog::logger& Logger() {
  // stderr, unbuffered and thread-safe; timestamps are ours so the json stays valid.
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto created = spdlog::stderr_logger_mt("modelpressd");
    created->set_pattern("%v");
    created->flush_on(spdlog::level::info);
    return created;
  }();
  return *logger;
}

void Log(spdlog::level::level_enum level, std::string_view event, const nlohmann::json& fields) {
  const std::string timestamp =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  const spdlog::string_view_t level_name = spdlog::level::to_string_view(level);
  std::string line;
  if (g_format.load() == LogFormat::kJson) {
    nlohmann::json record = {{"ts", timestamp},
                             {"level", std::string(level_name.data(), level_name.size())},
                             {"event", event}};
    if (fields.is_object()) record.update(fields);
    line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = absl::StrCat(timestamp, " ", absl::string_view(level_name.data(), level_name.size()),
                        " ", absl::string_view(event.data(), event.size()));
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        absl::StrAppend(&line, " ", key, "=",
                        value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
  }
  Logger().log(level, line);
}

}  // namespace

absl::Status ConfigureLogging(std::string_view format) {
  if (format == "json") {
    g_format.store(LogFormat::kJson);
  } else if (format == "text") {
    g_format.store(LogFormat::kText);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_format is '", std::string(format), "'; must be json or text"));
  }
  return absl::OkStatus();
}

void LogInfo(std::string_view event, const nlohmann::json& fields) {
  Log(spdlog::level::info, event, fields);
}
void LogWarning(std::string_view event, const nlohmann::json& fields) {
  Log(spdlog::level::warn, event, fields);
}
void LogError(std::string_view event, const nlohmann::json& fields) {
  Log(spdlog::level::err, event, fields);
}

}  // namespace modelpress::server
