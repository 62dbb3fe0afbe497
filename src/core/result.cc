#include "hubspoke/result.h"

namespace hubspoke {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotConfigured: return "not configured";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kMisconfigured: return "misconfigured";
    case ErrorCode::kAccessDenied: return "access denied";
    case ErrorCode::kThrottled: return "throttled";
    case ErrorCode::kNetwork: return "network";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kParse: return "parse";
    case ErrorCode::kRemote: return "remote";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string AwsErrorDetails::Summary() const {
  const std::string id = request_id.empty() ? "no request id" : "request id " + request_id;
  std::string text = code.empty() ? "HTTP " + std::to_string(http_status) + " (" + id + ")"
                                  : code + " (HTTP " + std::to_string(http_status) + ", " + id + ")";
  if (!message.empty()) text += ": " + message;
  return text;
}

std::string Error::ToString() const {
  if (hint_.empty()) return message_;
  return message_ + " — " + hint_;
}

}  // namespace hubspoke
