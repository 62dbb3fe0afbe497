#include "chain/hints.h"

namespace hubspoke {

const char* HopName(Hop hop) {
  switch (hop) {
    case Hop::kBase: return "base";
    case Hop::kHub: return "hub";
    case Hop::kSpoke: return "spoke";
  }
  return "?";
}

std::string HintFor(Hop hop, const Error& error, const std::string& region) {
  // A base source that explains itself (a profile's role hop, SSO, a container endpoint)
  // knows better than a hop-level guess.
  if (hop == Hop::kBase && !error.hint().empty()) return error.hint();
  if (hop == Hop::kBase && error.code() == ErrorCode::kNotConfigured) {
    return "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or run "
           "under a credential helper such as `aws-vault exec PROFILE --`";
  }
  const std::string code = error.aws() ? error.aws()->code : "";
  const std::string message = error.aws() ? error.aws()->message : "";
  if (code == "SignatureDoesNotMatch") {
    return hop == Hop::kHub
               ? "the base secret access key does not match its access key id; check "
                 "AWS_SECRET_ACCESS_KEY (or the profile's key)"
               : "the request signature was refused; check the system clock and any proxy "
                 "that rewrites requests";
  }
  if (code == "InvalidClientTokenId" || code == "UnrecognizedClientException") {
    return hop == Hop::kHub
               ? "STS does not know the base access key id: it was deleted or mistyped, belongs "
                 "to another partition, or needs its AWS_SESSION_TOKEN"
               : "STS refused the hub session's key; the hub session may be from another "
                 "partition or endpoint";
  }
  if (code == "ExpiredToken" || code == "ExpiredTokenException") {
    return hop == Hop::kHub
               ? "the base session has expired; renew the base credentials (aws-vault exec, "
                 "aws sso login, …)"
               : "the hub session expired before the spoke call; retry";
  }
  if (code == "RequestExpired") {
    return "the local clock differs from AWS's by more than 15 minutes; sync the clock (NTP)";
  }
  if (code == "AccessDenied" || code == "AccessDeniedException") {
    // STS names the action it refused ("… is not authorized to perform: sts:TagSession on
    // resource: …"): tags and a source identity need their own actions, in the trust policy for
    // the same principal as sts:AssumeRole and, across accounts, in the caller's policy too.
    const char* role = hop == Hop::kHub ? "hub" : "spoke";
    const char* caller = hop == Hop::kHub ? "base identity" : "hub role";
    if (message.find("cannot be changed by role chaining") != std::string::npos) {
      return "the calling session already carries a source identity, which a role chain keeps: "
             "pass no source identity, or the same one";
    }
    if (message.find("sts:TagSession") != std::string::npos) {
      return std::string("session tags are passed, so the ") + role +
             " role's trust policy must also allow sts:TagSession for the " + caller +
             " (beside sts:AssumeRole), and the " + caller +
             "'s policy must allow it on the role when it is in another account";
    }
    if (message.find("sts:SetSourceIdentity") != std::string::npos) {
      return std::string("a source identity is set (or carried from the calling session), so "
                         "the ") +
             role + " role's trust policy must also allow sts:SetSourceIdentity for the " +
             caller + " (beside sts:AssumeRole), and the " + caller +
             "'s policy must allow it on the role when it is in another account";
    }
    if (hop == Hop::kHub) {
      return "the base identity's policy must allow sts:AssumeRole on the hub role, and the hub "
             "role's trust policy must name the base identity; check the external id";
    }
    return "the spoke role's trust policy must name the hub role; check the external id, and "
           "that the hub role's policy allows sts:AssumeRole on the spoke role";
  }
  if (code == "ValidationError" && message.find("1 hour") != std::string::npos) {
    return "sessions assumed by role chaining are capped at 1 hour; ask for 1 h or less";
  }
  if (code == "ValidationError" && message.find("MaxSessionDuration") != std::string::npos) {
    return "the role's maximum session duration is lower than requested; ask for less or "
           "raise the role's MaxSessionDuration";
  }
  if (code == "RegionDisabledException") {
    return "STS is not activated in " + region +
           " for this account; activate it in IAM account settings or use another region";
  }
  if (code == "MalformedPolicyDocument") {
    return "the session policy is not a valid IAM policy document";
  }
  if (code == "PackedPolicyTooLarge") {
    return "session policies and tags are too large once packed; shorten the session policy "
           "or pass fewer session tags or policy ARNs";
  }
  switch (error.code()) {
    case ErrorCode::kThrottled:
      return "STS allows 600 requests per second per account and region; lower concurrency or "
             "allow more retries";
    case ErrorCode::kNetwork:
    case ErrorCode::kTimeout:
      return "check the STS endpoint (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the region), network "
             "and proxy settings";
    default:
      break;
  }
  return "";
}

}  // namespace hubspoke
