// Signing in to the AWS Management Console as a session (the spoke's), through the federation
// endpoint as AWS documents it (IAM user guide, id_roles_providers_enable-console-custom-url)
// and aws-vault does it: GET https://<signin host>/federation?Action=getSigninToken&Session=
// {"sessionId","sessionKey","sessionToken"} answers {"SigninToken": "…"}; the login URL
// https://<signin host>/federation?Action=login&Issuer=…&Destination=…&SigninToken=… then signs
// the browser in. The partition picks the host (signin.aws.amazon.com,
// signin.amazonaws-us-gov.com, signin.amazonaws.cn).
//
// Security: the login URL is a bearer credential for the console session (about 15 minutes to
// use it, then the session's own lifetime): it is returned as a SecretString, never logged, and
// whoever hands it to a browser puts it on that process's command line.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "hubspoke/credentials.h"
#include "hubspoke/http.h"
#include "hubspoke/result.h"
#include "hubspoke/secret.h"

namespace hubspoke {

struct ConsoleOptions {
  // The session's partition ("aws", "aws-us-gov", "aws-cn"); empty: the region's.
  std::string partition;
  // The session's region: the partition when `partition` is empty, and "?region=" on the
  // default destination (as aws-vault adds it). May be empty (then partition "aws").
  std::string region;
  // Where the browser lands: an https URL (or http to a loopback address, for tests). Empty:
  // the partition's console home page.
  std::string destination;
  // The federation endpoint, for a test double (the lab): an https URL, or http to a loopback
  // address, with a path and no query. Empty: https://<the partition's signin host>/federation.
  // The login URL is built on the same endpoint, so a test can follow it.
  std::string federation_url;
  // The Issuer parameter (the console links to it when the sign-in session ends); a name, as
  // aws-vault sends its own.
  std::string issuer = "assume-spoke-role";
  std::chrono::milliseconds timeout{10000};  // the getSigninToken exchange
};

// The federation endpoint and destination `options` resolve to, checked, without any network
// call: kInvalidArgument for a bad override or destination (naming `federation_what` or
// `destination_what`, the flag or variable it came from), or a partition without console
// sign-in.
struct ConsoleEndpoints {
  std::string federation_url;  // https://signin.aws.amazon.com/federation
  std::string destination;     // https://console.aws.amazon.com/?region=eu-west-1
};
Result<ConsoleEndpoints> ResolveConsoleEndpoints(const ConsoleOptions& options,
                                                 std::string_view federation_what = "federation_url",
                                                 std::string_view destination_what = "destination");

// Asks the federation endpoint for a sign-in token for `session` (temporary credentials: a
// session token is required, as AWS refuses long-term keys) and returns the login URL.
// Errors: those of ResolveConsoleEndpoints; kInvalidArgument for credentials without a session
// token; the transport's kNetwork/kTimeout; kAccessDenied when the endpoint refuses the session
// (HTTP 400/401/403: expired, or not a session); kParse for an answer without a SigninToken;
// kRemote for any other status. Messages never hold a credential, the token or the URL.
Result<SecretString> ConsoleSigninUrl(const Credentials& session, const ConsoleOptions& options,
                                      HttpTransport& http);

// Whether plain http may carry a federation exchange or a destination to `host` (an address or
// name as in a URL, IPv6 without brackets): the loopback addresses and "localhost" only.
bool IsLoopbackHost(std::string_view host);

}  // namespace hubspoke
