// The lab's console federation endpoint (federation_service.h).
#include "lab/federation_service.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/url.h"
#include "crypto/sha256.h"
#include "lab/sts_validation.h"

namespace hubspoke::lab {
namespace {

// AWS: "the sign-in token is valid for 15 minutes after it is issued".
constexpr std::chrono::seconds kSigninTokenLifetime{15 * 60};

ServerResponse Text(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.body = std::move(body);
  return r;
}

}  // namespace

FederationService::FederationService(const StsService& sts, Logger& log)
    : sts_(sts), log_(log), sealer_("federation") {}

bool FederationService::Handles(const ServerRequest& request) {
  return request.path == "/federation";
}

ServerResponse FederationService::Refuse(int status, const std::string& public_text,
                                         const std::string& reason) {
  if (log_.Enabled(LogLevel::kInfo)) log_.Log(LogLevel::kInfo, "lab: federation: " + reason);
  return Text(status, public_text + "\n");
}

ServerResponse FederationService::Handle(const ServerRequest& request) {
  try {
    if (request.method != "GET") return Refuse(405, "Method not allowed", "not a GET");
    auto params = FormDecode(request.query);
    if (!params) return Refuse(400, "Bad request", "malformed query string");
    const std::string* action = FindParam(*params, "Action");
    const TimePoint now = sts_.Now();
    if (action && *action == "getSigninToken") return GetSigninToken(*params, now);
    if (action && *action == "login") return Login(*params, now);
    return Refuse(400, "Bad request",
                  "unknown Action " + (action ? Printable(*action, 40) : std::string("(none)")));
  } catch (const std::exception& e) {
    return Refuse(500, "Internal error", std::string("exception: ") + e.what());
  }
}

ServerResponse FederationService::GetSigninToken(const FormParams& params, TimePoint now) {
  if (FindParam(params, "SessionDuration") != nullptr) {
    return Refuse(400, "SessionDuration is not supported for role chaining",
                  "getSigninToken with SessionDuration for a chained session");
  }
  const std::string* session_param = FindParam(params, "Session");
  if (!session_param) return Refuse(400, "Bad request", "getSigninToken without Session");
  nlohmann::json session = nlohmann::json::parse(*session_param, nullptr, false);
  auto field = [&](const char* name) -> std::string {
    if (!session.is_object()) return "";
    auto it = session.find(name);
    return it != session.end() && it->is_string() ? it->get<std::string>() : "";
  };
  const std::string key_id = field("sessionId");
  const std::string secret = field("sessionKey");
  const std::string token = field("sessionToken");
  if (key_id.empty() || secret.empty()) {
    return Refuse(400, "Bad request", "getSigninToken: Session lacks sessionId or sessionKey");
  }
  if (token.empty()) {
    // AWS signs in temporary credentials only.
    return Refuse(400, "Bad request",
                  "getSigninToken: no sessionToken (long-term keys of " + Printable(key_id, 24) +
                      "?)");
  }
  auto opened = sts_.sealer().Open(token);
  if (!opened) return Refuse(400, "Bad request", "getSigninToken: the sessionToken is not this lab's");
  if (opened->claims.access_key_id != key_id) {
    return Refuse(400, "Bad request", "getSigninToken: sessionId does not match the sessionToken");
  }
  if (!crypto::ConstantTimeEquals(opened->secret_access_key, secret)) {
    return Refuse(400, "Bad request",
                  "getSigninToken: wrong sessionKey for " + Printable(key_id, 24));
  }
  if (opened->claims.expiration <= now) {
    return Refuse(400, "Bad request",
                  "getSigninToken: the session of " + opened->claims.role_arn + " has expired");
  }
  const TimePoint expires = std::min(now + kSigninTokenLifetime, opened->claims.expiration);
  const std::string signin_token = sealer_.Seal(
      "", {opened->claims.role_arn, opened->claims.session_name, TimeField(expires)});
  tokens_issued_.fetch_add(1);
  if (log_.Enabled(LogLevel::kInfo)) {
    log_.Log(LogLevel::kInfo, "lab: federation: sign-in token for " + opened->claims.role_arn);
  }
  ServerResponse r;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = "{\"SigninToken\":" + JsonQuote(signin_token) + "}";
  return r;
}

ServerResponse FederationService::Login(const FormParams& params, TimePoint now) {
  const std::string* token = FindParam(params, "SigninToken");
  const std::string* destination = FindParam(params, "Destination");
  if (!token || !destination) {
    return Refuse(400, "Bad request", "login without SigninToken or Destination");
  }
  if (!ParseUrl(*destination)) {
    return Refuse(400, "Bad request", "login: the Destination is not an http(s) URL");
  }
  auto fields = sealer_.Open("", *token, 3);
  if (!fields) return Refuse(400, "Bad request", "login: the SigninToken is not this lab's");
  if (ParseTimeField((*fields)[2]).value_or(TimePoint{}) <= now) {
    return Refuse(400, "Bad request", "login: the SigninToken of " + (*fields)[0] + " has expired");
  }
  logins_.fetch_add(1);
  if (log_.Enabled(LogLevel::kInfo)) {
    log_.Log(LogLevel::kInfo,
             "lab: federation: console login as " + (*fields)[0] + "/" + (*fields)[1]);
  }
  ServerResponse r;
  r.status = 302;
  r.headers.push_back({"Location", *destination});
  return r;
}

}  // namespace hubspoke::lab
