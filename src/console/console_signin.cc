// Console sign-in through the federation endpoint (hubspoke/console.h).
#include "hubspoke/console.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json.h"
#include "core/partition.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/url.h"

namespace hubspoke {
namespace {

Error Invalid(std::string_view what, std::string_view value, const std::string& rule) {
  return Error(ErrorCode::kInvalidArgument,
               std::string(what) + ": " + Printable(value, 200) + ": " + rule);
}

// Security: the federation exchange carries the session's secret key and token, and the
// destination receives the signed-in browser, so plain http is allowed to this machine only.
Result<Url> ParseSafeUrl(std::string_view what, std::string_view value, bool allow_query) {
  auto url = ParseUrl(value);
  if (!url) return Invalid(what, value, "an https URL is required: " + url.error().message());
  if (!url->is_https() && !IsLoopbackHost(url->host)) {
    return Invalid(what, value, "https is required (plain http only to a loopback address)");
  }
  if (!allow_query && url->target.find('?') != std::string::npos) {
    return Invalid(what, value, "the federation endpoint URL must not have a query string");
  }
  return url;
}

}  // namespace

bool IsLoopbackHost(std::string_view host_view) {
  const std::string host(host_view);
  if (host == "localhost") return true;
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
  in6_addr a6{};
  if (inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
  }
  return false;
}

Result<ConsoleEndpoints> ResolveConsoleEndpoints(const ConsoleOptions& options,
                                                 std::string_view federation_what,
                                                 std::string_view destination_what) {
  Partition partition = options.partition.empty() ? PartitionForRegion(options.region)
                                                  : PartitionById(options.partition);
  const std::string partition_id =
      options.partition.empty() ? std::string(partition.id) : options.partition;
  ConsoleEndpoints out;
  if (!options.federation_url.empty()) {
    auto url = ParseSafeUrl(federation_what, options.federation_url, /*allow_query=*/false);
    if (!url) return std::move(url).error();
    out.federation_url = options.federation_url;
  } else if (partition.signin_host.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "partition " + Printable(partition_id, 40) +
                     " has no console sign-in endpoint known to assume-spoke-role")
        .WithHint("sign in through your partition's own portal");
  } else {
    out.federation_url = "https://" + std::string(partition.signin_host) + "/federation";
  }
  if (!options.destination.empty()) {
    auto url = ParseSafeUrl(destination_what, options.destination, /*allow_query=*/true);
    if (!url) return std::move(url).error();
    out.destination = options.destination;
  } else if (partition.console_url.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "partition " + Printable(partition_id, 40) + " has no known console home page")
        .WithHint("give the page to open as the destination");
  } else {
    out.destination = std::string(partition.console_url);
    // As aws-vault: the console opens in the session's region rather than the last one used.
    if (!options.region.empty()) out.destination += "?region=" + UriEncode(options.region, true);
  }
  return out;
}

Result<SecretString> ConsoleSigninUrl(const Credentials& session, const ConsoleOptions& options,
                                      HttpTransport& http) {
  auto endpoints = ResolveConsoleEndpoints(options);
  if (!endpoints) return std::move(endpoints).error();
  if (session.session_token.empty()) {
    // AWS answers getSigninToken for temporary credentials only.
    return Error(ErrorCode::kInvalidArgument,
                 "console sign-in needs temporary credentials (a session token); long-term "
                 "access keys cannot sign in to the console through the federation endpoint");
  }
  // Security: the Session JSON holds the secret key and the token; it lives in these buffers,
  // the request URL and the transport's copy only, and is wiped here once sent.
  std::string session_json = "{\"sessionId\":" + JsonQuote(session.access_key_id) +
                             ",\"sessionKey\":" + JsonQuote(session.secret_access_key.reveal()) +
                             ",\"sessionToken\":" + JsonQuote(session.session_token.reveal()) + "}";
  // No SessionDuration: it is refused for role-chained sessions ("not supported for role
  // chaining" in AWS's doc), and the spoke session is always chained (hub session → spoke role).
  // The console session then lasts as long as the spoke session itself, which is what we want.
  HttpRequest request;
  request.method = "GET";
  request.url = endpoints->federation_url + "?Action=getSigninToken&Session=" +
                UriEncode(session_json, true);
  request.timeout = options.timeout;
  SecretString wipe_json(std::move(session_json));
  auto response = http.Send(request);
  SecretString wipe_url(std::move(request.url));
  if (!response) {
    return std::move(response).error().Wrap("console sign-in: getSigninToken at " +
                                            ParseUrl(endpoints->federation_url)->Origin());
  }
  const std::string where = "console sign-in: getSigninToken";
  if (response->status == 400 || response->status == 401 || response->status == 403) {
    // AWS says no more than the status here: the body is an HTML page or empty.
    return Error(ErrorCode::kAccessDenied,
                 where + ": the federation endpoint refused the session (HTTP " +
                     std::to_string(response->status) + ")")
        .WithHint("the spoke session may have expired, or the endpoint is in another partition");
  }
  if (response->status != 200) {
    return Error(ErrorCode::kRemote,
                 where + ": HTTP " + std::to_string(response->status) + " from the federation endpoint");
  }
  nlohmann::json body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  SecretString token;
  if (body.is_object()) {
    auto it = body.find("SigninToken");
    if (it != body.end() && it->is_string()) token = SecretString(it->get<std::string>());
  }
  std::fill(response->body.begin(), response->body.end(), '\0');
  if (token.empty()) {
    return Error(ErrorCode::kParse, where + ": the answer has no SigninToken");
  }
  std::string url = endpoints->federation_url + "?Action=login&Issuer=" +
                    UriEncode(options.issuer, true) +
                    "&Destination=" + UriEncode(endpoints->destination, true) +
                    "&SigninToken=" + UriEncode(token.reveal(), true);
  return SecretString(std::move(url));
}

}  // namespace hubspoke
