// Server-side SigV4 verification of an STS request, with AWS's error codes (FACTS.md §5): the
// lab's first gate for every signed action. Pure: the time and the key store come in as
// arguments.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "http_server/http_server.h"

namespace hubspoke::lab {

// What the key store knows about an access key id (and, for a temporary key, the session token
// that came with it).
struct KeyInfo {
  std::string secret;                   // Security: compared via HMAC only, never logged
  std::optional<TimePoint> expiration;  // temporary credentials only
};
// Looks up the request's access key id with its X-Amz-Security-Token header (nullptr when
// absent). Refuses a key it does not know, a token sent with a long-term key, a temporary key
// without its token or with a token that is not its own: InvalidClientToken(reason).
using KeyLookup =
    std::function<Result<KeyInfo>(std::string_view access_key_id, const std::string* token)>;

struct VerifiedSignature {
  std::string access_key_id;
  std::string region;  // from the credential scope
};

struct VerifyOptions {
  // Empty: any well-formed region (clients sign with their configured region; a loopback
  // endpoint has none of its own). Otherwise the only accepted region.
  std::string region;
  std::chrono::minutes max_skew{15};  // AWS: 15 minutes either way
  std::string service = "sts";  // the credential scope's service: "sts", "organizations"
};

// Checks, in order: an Authorization header (MissingAuthenticationToken 403), its syntax and
// X-Amz-Date (IncompleteSignature 400), the credential scope's date, region and service
// (options.service)
// (SignatureDoesNotMatch 403), the key and its session token (`lookup`: InvalidClientTokenId
// 403; expired: ExpiredToken 400), the signature over the request as received
// (SignatureDoesNotMatch 403, compared in constant time), and the clock skew (RequestExpired 400).
// Errors carry AwsErrorDetails{code, wire message, status}; message() explains for the log
// (never with secrets).
Result<VerifiedSignature> VerifySigV4(const ServerRequest& request, TimePoint now,
                                      const KeyLookup& lookup, const VerifyOptions& options = {});

// "ASIA…WXYZ": enough of an access key id to recognise it in the lab's log.
std::string MaskKeyId(std::string_view access_key_id);

// InvalidClientTokenId (403, "The security token included in the request is invalid."), with
// the lab's reason for the log.
Error InvalidClientToken(std::string log_detail);

// An AWS-style error: Error(kAccessDenied/…, log_detail).WithAws({code, wire_message, "", status}).
Error StsError(int status, std::string code, std::string wire_message,
               std::string log_detail = "");

}  // namespace hubspoke::lab
