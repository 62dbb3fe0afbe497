#include "awsquery/query_errors.h"

#include <pugixml.hpp>

#include <array>

#include "core/strings.h"

namespace hubspoke::awsquery {
namespace {

// The throttling and transient codes the AWS SDKs' standard retry mode retries.
constexpr std::array<std::string_view, 15> kThrottling = {
    "Throttling",          "ThrottlingException",     "ThrottledException",
    "RequestThrottledException", "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled",     "SlowDown",
    "PriorRequestNotComplete", "EC2ThrottledException", "ThrottlingError"};
constexpr std::array<std::string_view, 7> kTransient = {
    "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
    "ServiceUnavailable", "IDPCommunicationError", "InternalServerError"};
// ExpiredTokenException is also AssumeRoleWithWebIdentity's "the web identity token expired";
// InvalidIdentityToken and IDPRejectedClaim are its refusals of the token. (The Go SDK retries
// InvalidIdentityToken, for an IdP whose keys STS briefly cannot fetch; we do not: a wrong
// issuer or audience is by far the common cause and retrying it only delays the message.)
constexpr std::array<std::string_view, 11> kDenied = {
    "AccessDenied",          "AccessDeniedException", "SignatureDoesNotMatch",
    "InvalidClientTokenId",  "ExpiredToken",          "ExpiredTokenException",
    "MissingAuthenticationToken", "IncompleteSignature", "UnrecognizedClientException",
    "InvalidIdentityToken",  "IDPRejectedClaim"};

template <std::size_t N>
bool In(const std::array<std::string_view, N>& set, std::string_view code) {
  for (auto c : set)
    if (c == code) return true;
  return false;
}

// The first descendant element with local name `name` (namespace prefixes ignored), trimmed.
std::string Text(pugi::xml_node node, std::string_view name) {
  pugi::xml_node n = node.find_node([&](pugi::xml_node e) {
    if (e.type() != pugi::node_element) return false;
    std::string_view full = e.name();
    std::size_t colon = full.find(':');
    return (colon == std::string_view::npos ? full : full.substr(colon + 1)) == name;
  });
  return n ? Trim(n.child_value()) : std::string();
}

}  // namespace

AwsErrorDetails ParseErrorResponse(std::string_view body, int http_status) {
  AwsErrorDetails out;
  out.http_status = http_status;
  pugi::xml_document doc;
  if (doc.load_buffer(body.data(), body.size())) {
    pugi::xml_node error = doc.find_node([](pugi::xml_node e) {
      std::string_view full = e.name();
      std::size_t colon = full.find(':');
      return e.type() == pugi::node_element &&
             (colon == std::string_view::npos ? full : full.substr(colon + 1)) == "Error";
    });
    out.code = Printable(Text(error, "Code"), 100);
    out.message = Printable(Text(error, "Message"), 500);
    out.request_id = Printable(Text(doc, "RequestId"), 100);
  }
  return out;
}

ErrorClass ClassifyAwsError(std::string_view code, int status) {
  if (In(kThrottling, code)) return {ErrorCode::kThrottled, true};
  if (In(kTransient, code)) return {ErrorCode::kRemote, true};
  if (In(kDenied, code)) return {ErrorCode::kAccessDenied, false};
  if (code.empty() && status == 429) return {ErrorCode::kThrottled, true};
  if (status == 500 || status == 502 || status == 503 || status == 504)
    return {ErrorCode::kRemote, true};
  return {ErrorCode::kRemote, false};
}

}  // namespace hubspoke::awsquery
