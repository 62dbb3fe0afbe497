// The lab's IAM Identity Center endpoints (sso_service.h).
#include "lab/sso_service.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json.h"
#include "core/json_wipe.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/time.h"
#include "hubspoke/http.h"
#include "lab/sts_validation.h"

namespace hubspoke::lab {
namespace {

constexpr char kDeviceGrant[] = "urn:ietf:params:oauth:grant-type:device_code";
constexpr std::chrono::seconds kClientLifetime{90LL * 24 * 3600};  // AWS: 90 days
constexpr std::chrono::seconds kDeviceCodeLifetime{600};
constexpr std::size_t kMaxBodyBytes = 16 * 1024;

// Token prefixes: access and refresh tokens look like AWS's ("aoa…", "aor…").
constexpr std::string_view kAccessPrefix = "aoa";
constexpr std::string_view kRefreshPrefix = "aor";
constexpr std::string_view kClientSecretPrefix = "lab-client-secret.";
constexpr std::string_view kDeviceCodePrefix = "lab-device-code.";

// The string members of a JSON object body; nullopt when it is not one.
struct Body {
  nlohmann::json json;
  std::string Get(const char* key) const {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
};

std::optional<Body> ParseBody(const std::string& text) {
  if (text.size() > kMaxBodyBytes) return std::nullopt;
  Body b{nlohmann::json::parse(text, nullptr, false)};
  if (!b.json.is_object()) return std::nullopt;
  return b;
}

}  // namespace

SsoService::SsoService(StsService& sts, Logger& log)
    : sts_(sts), log_(log), sealer_("SSO") {}

bool SsoService::Handles(const ServerRequest& request) {
  return request.path == "/client/register" || request.path == "/device_authorization" ||
         request.path == "/token" || request.path == "/federation/credentials";
}

void SsoService::Log(const std::string& message) {
  if (log_.Enabled(LogLevel::kInfo)) log_.Log(LogLevel::kInfo, "lab: sso: " + message);
}

bool SsoService::ClientIsValid(const std::string& client_id, const std::string& secret,
                               TimePoint now) const {
  auto client = sealer_.Open(kClientSecretPrefix, secret, 3);
  return client && (*client)[0] == "client" && (*client)[1] == client_id &&
         ParseTimeField((*client)[2]).value_or(TimePoint{}) > now;
}

ServerResponse SsoService::Answer(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"x-amzn-RequestId", sts_.NewRequestId()});
  r.body = std::move(body);
  return r;
}

ServerResponse SsoService::OidcError(int status, const char* type, const char* error,
                                     const std::string& description, const std::string& reason) {
  Log(std::string(type) + ": " + reason);
  ServerResponse r = Answer(status, "{\"error\":" + JsonQuote(error) +
                                      ",\"error_description\":" + JsonQuote(description) + "}");
  r.headers.push_back({"x-amzn-ErrorType", std::string(type) + ":"});
  return r;
}

ServerResponse SsoService::PortalError(int status, const char* type, const std::string& message,
                                       const std::string& reason) {
  Log(std::string(type) + ": " + reason);
  ServerResponse r = Answer(status, "{\"message\":" + JsonQuote(message) + "}");
  r.headers.push_back({"x-amzn-ErrorType", std::string(type) + ":"});
  return r;
}

ServerResponse SsoService::Handle(const ServerRequest& request) {
  try {
    const TimePoint now = sts_.Now();
    if (!sts_.model().identity_center) {
      return PortalError(404, "ResourceNotFoundException", "Not found",
                         "the model has no identity_center: " + request.path);
    }
    const bool get = request.path == "/federation/credentials";
    if (request.method != (get ? "GET" : "POST")) {
      return PortalError(405, "InvalidRequestException", "Method not allowed",
                         Printable(request.method, 10) + " " + request.path);
    }
    if (request.path == "/client/register") return RegisterClient(request.body, now);
    if (request.path == "/device_authorization") return StartDeviceAuthorization(request.body, now);
    if (request.path == "/token") return CreateToken(request.body, now);
    return GetRoleCredentials(request, now);
  } catch (const std::exception& e) {
    return PortalError(500, "InternalServerException", "Internal error",
                       std::string("exception: ") + e.what());
  }
}

ServerResponse SsoService::RegisterClient(const std::string& text, TimePoint now) {
  auto body = ParseBody(text);
  if (!body) {
    return OidcError(400, "InvalidRequestException", "invalid_request", "Invalid request",
                     "RegisterClient: the body is not a JSON object");
  }
  const std::string name = body->Get("clientName");
  const std::string type = body->Get("clientType");
  if (name.empty() || type != "public") {
    return OidcError(400, "InvalidRequestException", "invalid_request",
                     "clientName and clientType (public) are required",
                     "RegisterClient without clientName or with clientType " + Printable(type, 20));
  }
  const std::string client_id = "lab" + sts_.RandomString("0123456789abcdef", 24);
  const TimePoint expires =
      std::chrono::time_point_cast<std::chrono::seconds>(now) + kClientLifetime;
  const std::string secret =
      sealer_.Seal(kClientSecretPrefix, {"client", client_id, TimeField(expires)});
  clients_.fetch_add(1);
  Log("RegisterClient " + Printable(name, 64) + ": " + client_id);
  return Answer(200, "{\"clientId\":" + JsonQuote(client_id) + ",\"clientSecret\":" +
                       JsonQuote(secret) + ",\"clientIdIssuedAt\":" +
                       std::to_string(UnixSeconds(now)) + ",\"clientSecretExpiresAt\":" +
                       std::to_string(UnixSeconds(expires)) + "}");
}

ServerResponse SsoService::StartDeviceAuthorization(const std::string& text, TimePoint now) {
  const iam::IdentityCenter& ic = *sts_.model().identity_center;
  auto body = ParseBody(text);
  if (!body) {
    return OidcError(400, "InvalidRequestException", "invalid_request", "Invalid request",
                     "StartDeviceAuthorization: the body is not a JSON object");
  }
  const std::string client_id = body->Get("clientId");
  if (!ClientIsValid(client_id, body->Get("clientSecret"), now)) {
    return OidcError(401, "InvalidClientException", "invalid_client", "Invalid client",
                     "StartDeviceAuthorization: unknown client, wrong or expired client secret");
  }
  if (body->Get("startUrl") != ic.start_url) {
    return OidcError(400, "InvalidRequestException", "invalid_request", "Invalid start URL",
                     "StartDeviceAuthorization: the startUrl is not " + ic.start_url);
  }
  const TimePoint expires =
      std::chrono::time_point_cast<std::chrono::seconds>(now) + kDeviceCodeLifetime;
  // No browser here: approved at once as login_user, whose sign-in session starts now.
  const std::string device_code =
      sealer_.Seal(kDeviceCodePrefix, {"device", client_id, ic.login_user, TimeField(expires)});
  std::string user_code = sts_.RandomString("0123456789ABCDEF", 8);  // "1A2B-3C4D"
  user_code.insert(4, "-");
  Log("StartDeviceAuthorization for " + client_id + ": approved at once as " + ic.login_user);
  return Answer(200, "{\"deviceCode\":" + JsonQuote(device_code) + ",\"userCode\":" +
                       JsonQuote(user_code) + ",\"verificationUri\":" +
                       JsonQuote(ic.start_url + "#/device") + ",\"verificationUriComplete\":" +
                       JsonQuote(ic.start_url + "#/device?user_code=" + user_code) +
                       ",\"expiresIn\":" + std::to_string(kDeviceCodeLifetime.count()) +
                       ",\"interval\":1}");
}

ServerResponse SsoService::CreateToken(const std::string& text, TimePoint now) {
  auto body = ParseBody(text);
  if (!body) {
    return OidcError(400, "InvalidRequestException", "invalid_request", "Invalid request",
                     "CreateToken: the body is not a JSON object");
  }
  JsonWiper wiper{body->json};
  const std::string client_id = body->Get("clientId");
  if (!ClientIsValid(client_id, body->Get("clientSecret"), now)) {
    return OidcError(401, "InvalidClientException", "invalid_client", "Invalid client",
                     "CreateToken: unknown client, wrong or expired client secret");
  }
  const std::string grant = body->Get("grantType");
  const iam::IdentityCenter& ic = *sts_.model().identity_center;
  if (grant == kDeviceGrant) {
    auto device = sealer_.Open(kDeviceCodePrefix, body->Get("deviceCode"), 4);
    if (!device || (*device)[0] != "device" || (*device)[1] != client_id) {
      return OidcError(400, "InvalidGrantException", "invalid_grant", "Invalid device code provided",
                       "CreateToken (device code): not a device code of " + client_id);
    }
    if (ParseTimeField((*device)[3]).value_or(TimePoint{}) <= now) {
      return OidcError(400, "ExpiredTokenException", "expired_token", "Device code has expired",
                       "CreateToken (device code): the device code has expired");
    }
    const std::string& user = (*device)[2];
    if (!ic.FindUser(user)) {
      return OidcError(400, "InvalidGrantException", "invalid_grant", "Invalid device code provided",
                       "CreateToken (device code): " + Printable(user, 64) +
                           " is no longer a user of the model");
    }
    device_grants_.fetch_add(1);
    return IssueTokens(client_id, user,
                       std::chrono::time_point_cast<std::chrono::seconds>(now) + ic.session_duration,
                       now, "device code");
  }
  if (grant == "refresh_token") {
    auto refresh = sealer_.Open(kRefreshPrefix, body->Get("refreshToken"), 4);
    if (!refresh || (*refresh)[0] != "refresh" || (*refresh)[1] != client_id) {
      return OidcError(400, "InvalidGrantException", "invalid_grant",
                       "Invalid refresh token provided",
                       "CreateToken (refresh token): not a refresh token of " + client_id);
    }
    const std::string& user = (*refresh)[2];
    const TimePoint session_end = ParseTimeField((*refresh)[3]).value_or(TimePoint{});
    if (session_end <= now) {
      return OidcError(400, "InvalidGrantException", "invalid_grant",
                       "Invalid refresh token provided",
                       "CreateToken (refresh token): the sign-in session of " + user +
                           " ended at " + FormatRfc3339(session_end) + " (the refresh token "
                           "has expired)");
    }
    if (!ic.FindUser(user)) {
      return OidcError(400, "InvalidGrantException", "invalid_grant",
                       "Invalid refresh token provided",
                       "CreateToken (refresh token): " + Printable(user, 64) +
                           " is no longer a user of the model");
    }
    refresh_grants_.fetch_add(1);
    return IssueTokens(client_id, user, session_end, now, "refresh token");
  }
  return OidcError(400, "UnsupportedGrantTypeException", "unsupported_grant_type",
                   "Unsupported grant type",
                   "CreateToken: grantType " + Printable(grant, 80) + " is not supported");
}

ServerResponse SsoService::IssueTokens(const std::string& client_id, const std::string& user,
                                       TimePoint session_end, TimePoint now, const char* grant) {
  const iam::IdentityCenter& ic = *sts_.model().identity_center;
  const TimePoint whole_now = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const TimePoint access_end = std::min(whole_now + ic.access_token_duration, session_end);
  const std::uint64_t number = access_tokens_.fetch_add(1) + 1;
  const std::string access =
      sealer_.Seal(kAccessPrefix, {"access", user, std::to_string(number), TimeField(access_end)});
  // A new refresh token each time, for the same sign-in session.
  const std::string refresh =
      sealer_.Seal(kRefreshPrefix, {"refresh", client_id, user, TimeField(session_end)});
  Log("CreateToken (" + std::string(grant) + ") for " + user + " by " + client_id +
      ": access token #" + std::to_string(number) + ", expires " + FormatRfc3339(access_end) +
      "; the sign-in session ends " + FormatRfc3339(session_end));
  return Answer(200, "{\"accessToken\":" + JsonQuote(access) + ",\"tokenType\":\"Bearer\"," +
                       "\"expiresIn\":" + std::to_string(UnixSeconds(access_end) -
                                                         UnixSeconds(whole_now)) +
                       ",\"refreshToken\":" + JsonQuote(refresh) + "}");
}

ServerResponse SsoService::GetRoleCredentials(const ServerRequest& request, TimePoint now) {
  const iam::IdentityCenter& ic = *sts_.model().identity_center;
  auto params = FormDecode(request.query);
  if (!params) {
    return PortalError(400, "InvalidRequestException", "Invalid request",
                       "GetRoleCredentials: malformed query string");
  }
  const std::string* account = FindParam(*params, "account_id");
  const std::string* role_name = FindParam(*params, "role_name");
  if (!account || !role_name) {
    return PortalError(400, "InvalidRequestException", "account_id and role_name are required",
                       "GetRoleCredentials without account_id or role_name");
  }
  const std::string* bearer = FindHeader(request.headers, "x-amz-sso_bearer_token");
  auto access = bearer ? sealer_.Open(kAccessPrefix, *bearer, 4) : std::nullopt;
  if (!access || (*access)[0] != "access") {
    return PortalError(401, "UnauthorizedException", "Session token not found or invalid",
                       "GetRoleCredentials: no access token of this lab");
  }
  const std::string& user_name = (*access)[1];
  const std::string label = user_name + " (access token #" + (*access)[2] + ")";
  if (ParseTimeField((*access)[3]).value_or(TimePoint{}) <= now) {
    return PortalError(401, "UnauthorizedException", "Session token not found or invalid",
                       "GetRoleCredentials: the access token of " + label + " has expired");
  }
  const iam::IdentityCenterUser* user = ic.FindUser(user_name);
  const bool assigned =
      user && std::any_of(user->assignments.begin(), user->assignments.end(),
                          [&](const iam::IdentityCenterAssignment& a) {
                            return a.account == *account && a.role_name == *role_name;
                          });
  const iam::Role* role = sts_.model().FindRoleByName(*account, *role_name);
  if (!assigned || !role) {
    return PortalError(403, "ForbiddenException", "No access",
                       "GetRoleCredentials: " + label + " has no assignment to role " +
                           Printable(*role_name, 64) + " in account " + Printable(*account, 12));
  }
  // A permission set's session lasts up to the role's maximum (1 h unless the model says more).
  LabSession session = sts_.IssueRoleSession(*role, user_name, role->max_session_duration);
  role_credentials_.fetch_add(1);
  Log("GetRoleCredentials " + role->arn + " for " + label + " → " + session.arn + ", expires " +
      FormatRfc3339(session.expiration));
  const auto expiration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 session.expiration.time_since_epoch())
                                 .count();
  ServerResponse r = Answer(200, "{\"roleCredentials\":{\"accessKeyId\":" +
                                   JsonQuote(session.access_key_id) + ",\"secretAccessKey\":" +
                                   JsonQuote(session.secret_access_key) + ",\"sessionToken\":" +
                                   JsonQuote(session.session_token) + ",\"expiration\":" +
                                   std::to_string(expiration_ms) + "}}");
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

}  // namespace hubspoke::lab
