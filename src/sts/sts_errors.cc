#include "sts/sts_errors.h"

#include <array>

namespace hubspoke::sts {
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

}  // namespace

ErrorClass ClassifyAwsError(std::string_view code, int status) {
  if (In(kThrottling, code)) return {ErrorCode::kThrottled, true};
  if (In(kTransient, code)) return {ErrorCode::kRemote, true};
  if (In(kDenied, code)) return {ErrorCode::kAccessDenied, false};
  if (code.empty() && status == 429) return {ErrorCode::kThrottled, true};
  if (status == 500 || status == 502 || status == 503 || status == 504)
    return {ErrorCode::kRemote, true};
  return {ErrorCode::kRemote, false};
}

}  // namespace hubspoke::sts
