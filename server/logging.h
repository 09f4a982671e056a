// Structured logs for modelpressd, through spdlog to stderr.
//
// Every line is one event with fields. In json format (the default, for log shippers) a
// line is {"ts": ..., "level": ..., "event": ..., <fields>}; in text format it is
// "<ts> <level> <event> key=value ...". Thread-safe.
#ifndef MODELPRESS_SERVER_LOGGING_H_
#define MODELPRESS_SERVER_LOGGING_H_

#include <string_view>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace modelpress::server {

enum class LogFormat { kJson, kText };

// Parses "json" or "text"; INVALID_ARGUMENT naming --log_format otherwise.
absl::Status ConfigureLogging(std::string_view format);

void LogInfo(std::string_view event, const nlohmann::json& fields);
void LogWarning(std::string_view event, const nlohmann::json& fields);
void LogError(std::string_view event, const nlohmann::json& fields);

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_LOGGING_H_
