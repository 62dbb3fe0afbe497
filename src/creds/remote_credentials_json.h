// The JSON document that credential endpoints on the local link return: the container
// credentials endpoint (ECS agent, EKS Pod Identity agent, CodeBuild) and the EC2 instance
// metadata service's iam/security-credentials/<role>. Both use the same field names:
//   {"Code": "Success", "AccessKeyId": "ASIA…", "SecretAccessKey": "…", "Token": "…",
//    "Expiration": "2026-01-02T03:04:05Z", …}
// ("Code" only from IMDS). Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"

namespace hubspoke {

struct RemoteCredentialsRequirements {
  // IMDS always sends a session token and an expiration (botocore and the JS SDK require both);
  // container endpoints may serve long-term keys without them (the Go SDK accepts that).
  bool require_session_token = false;
  bool require_expiration = false;
};

// Parses a 200 response body. `source` names the endpoint for messages ("EC2 instance metadata
// http://169.254.169.254 role web"). Errors: kParse for a body that is not a JSON object or
// lacks a required string field; kMisconfigured when a "Code" field is present and is not
// "Success" (IMDS answers 200 with {"Code": "AssumeRoleUnauthorizedAccess", "Message": …} when
// EC2 may not assume the instance profile's role), with the Code and Message in the error.
// Security: messages name fields, never their values (the body holds the secret key and token);
// the parser's own diagnostics are dropped because they quote the input.
Result<Credentials> ParseRemoteCredentialsJson(std::string_view source, std::string_view body,
                                               RemoteCredentialsRequirements requirements);

// The error a credential endpoint sent with a non-200 status, when its body is a JSON object with
// a Code/code and/or Message/message string (ECS and EKS agents answer {"code": …,
// "message": …}). nullopt for any other body. Both strings are made printable and bounded.
struct RemoteErrorDetails {
  std::string code;
  std::string message;
};
std::optional<RemoteErrorDetails> ParseRemoteErrorJson(std::string_view body);

// "HTTP 403: AccessDenied: message" or "HTTP 500 (body not shown)": the one-line description of
// a non-200 answer used by both providers. Security: a body that is not a JSON error document is
// never echoed (it could be anything, credentials included).
std::string DescribeRemoteFailure(int status, std::string_view body);

}  // namespace hubspoke
