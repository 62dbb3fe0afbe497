#include "organizations/json_errors.h"

#include <nlohmann/json.hpp>

#include <string>

#include "core/strings.h"

namespace hubspoke::organizations {
namespace {

// "aws.protocoltests#FooError:http://internal.amazon.com/…" → "FooError".
std::string SanitizeCode(std::string_view code) {
  if (const std::size_t colon = code.find(':'); colon != std::string_view::npos) {
    code = code.substr(0, colon);
  }
  if (const std::size_t hash = code.rfind('#'); hash != std::string_view::npos) {
    code = code.substr(hash + 1);
  }
  return Printable(TrimView(code), 100);
}

std::string StringMember(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

AwsErrorDetails ParseJsonError(const HttpResponse& response) {
  AwsErrorDetails out;
  out.http_status = response.status;
  if (const std::string* id = FindHeader(response.headers, "x-amzn-RequestId")) {
    out.request_id = Printable(*id, 100);
  }
  // Without exceptions: a parser diagnostic would quote the body.
  nlohmann::json doc = nlohmann::json::parse(response.body.begin(), response.body.end(),
                                             /*cb=*/nullptr, /*allow_exceptions=*/false);
  const bool object = !doc.is_discarded() && doc.is_object();
  std::string code;
  if (const std::string* header = FindHeader(response.headers, "x-amzn-ErrorType")) {
    code = *header;
  }
  if (code.empty() && object) code = StringMember(doc, "__type");
  if (code.empty() && object) code = StringMember(doc, "code");
  out.code = SanitizeCode(code);
  if (object) {
    std::string message = StringMember(doc, "Message");
    if (message.empty()) message = StringMember(doc, "message");
    out.message = Printable(message, 500);
  }
  return out;
}

awsquery::ErrorClass ClassifyJsonError(std::string_view code, int status) {
  if (code == "ServiceException") return {ErrorCode::kRemote, true};
  if (code == "AWSOrganizationsNotInUseException") return {ErrorCode::kMisconfigured, false};
  if (code == "ParentNotFoundException" || code == "InvalidInputException") {
    return {ErrorCode::kInvalidArgument, false};
  }
  return awsquery::ClassifyAwsError(code, status);
}

}  // namespace hubspoke::organizations
