// modelpress: command-line client for modelpressd.
//
//   modelpress [--target=localhost:50051] health [SERVICE]
//   modelpress quantize   '<QuantizeTensorRequest as JSON>'   (or @file.json)
//   modelpress dequantize '<DequantizeTensorRequest as JSON>' (or @file.json)
//
// Responses are printed as JSON (proto3 JSON mapping). Exit status: 0 on success, 1 on an
// RPC error (printed as "CODE: message" on stderr), 2 on usage errors.
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/client.h"

ABSL_FLAG(std::string, target, "localhost:50051", "modelpressd address, host:port.");
ABSL_FLAG(double, deadline_seconds, 60, "Deadline of each call.");
ABSL_FLAG(std::string, token_file, "", "File holding a bearer token to send.");

namespace {

using modelpress::client::ModelpressClient;

absl::StatusOr<std::string> ReadArgument(const std::string& argument) {
  if (argument.empty() || argument[0] != '@') return argument;
  std::ifstream file(argument.substr(1));
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", argument.substr(1)));
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

template <typename Message>
absl::StatusOr<Message> ParseJson(const std::string& argument) {
  absl::StatusOr<std::string> json = ReadArgument(argument);
  if (!json.ok()) return json.status();
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(*json, &message);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("request JSON: ", status.ToString()));
  }
  return message;
}

void PrintError(const absl::Status& status) {
  std::cerr << absl::StatusCodeToString(status.code()) << ": " << status.message() << "\n";
}

template <typename Message>
int PrintOrFail(const absl::StatusOr<Message>& response) {
  if (!response.ok()) {
    PrintError(response.status());
    return 1;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  (void)google::protobuf::util::MessageToJsonString(*response, &json, options);
  std::cout << json;
  return 0;
}

std::string ReadToken() {
  const std::string path = absl::GetFlag(FLAGS_token_file);
  if (path.empty()) return "";
  std::ifstream file(path);
  std::string token;
  std::getline(file, token);
  return token;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "modelpress [flags] health [SERVICE] | quantize JSON|@FILE | dequantize JSON|@FILE");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  const std::string command = args[1];
  ModelpressClient client(
      absl::GetFlag(FLAGS_target),
      std::chrono::milliseconds(static_cast<int64_t>(absl::GetFlag(FLAGS_deadline_seconds) * 1000)),
      ReadToken());

  if (command == "health") {
    absl::StatusOr<std::string> status = client.CheckHealth(args.size() > 2 ? args[2] : "");
    if (!status.ok()) {
      PrintError(status.status());
      return 1;
    }
    std::cout << *status << "\n";
    return *status == "SERVING" ? 0 : 1;
  }
  if (args.size() < 3) {
    std::cerr << "usage: modelpress " << command << " JSON|@FILE\n";
    return 2;
  }
  if (command == "quantize") {
    auto request = ParseJson<modelpress::v1::QuantizeTensorRequest>(args[2]);
    if (!request.ok()) {
      PrintError(request.status());
      return 2;
    }
    return PrintOrFail(client.QuantizeTensor(*request));
  }
  if (command == "dequantize") {
    auto request = ParseJson<modelpress::v1::DequantizeTensorRequest>(args[2]);
    if (!request.ok()) {
      PrintError(request.status());
      return 2;
    }
    return PrintOrFail(client.DequantizeTensor(*request));
  }
  std::cerr << "unknown command '" << command << "'\n" << absl::ProgramUsageMessage() << "\n";
  return 2;
}
