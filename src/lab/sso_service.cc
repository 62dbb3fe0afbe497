// The lab's IAM Identity Center endpoints (sso_service.h).
#include "lab/sso_service.h"

#include <array>
#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/json_wipe.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/time.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
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

std::int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::optional<TimePoint> ParseUnix(const std::string& text) {
  if (text.empty() || text.size() > 15 || !std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return std::nullopt;
  }
  return TimePoint(std::chrono::seconds(std::stoll(text)));
}

std::string RandomHex(std::size_t bytes) {
  std::array<unsigned char, 32> b{};
  if (!crypto::RandomBytes(std::span(b.data(), std::min(bytes, b.size())))) {
    throw std::runtime_error("lab: no random bytes");
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(b.data()),
                                    std::min(bytes, b.size())));
}

// A request id like AWS's (a UUID).
std::string RequestId() {
  const std::string h = RandomHex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

ServerResponse Json(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"x-amzn-RequestId", RequestId()});
  r.body = std::move(body);
  return r;
}

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

SsoService::SsoService(StsService& sts, Logger& log) : sts_(sts), log_(log) {
  std::array<unsigned char, 32> key{};
  if (!crypto::RandomBytes(key)) {
    // A fixed key would let anyone forge tokens: fail loudly rather than serve one.
    throw std::runtime_error("lab: no random bytes for the SSO key");
  }
  key_.assign(reinterpret_cast<const char*>(key.data()), key.size());
  crypto::SecureWipe(key);
}

bool SsoService::Handles(const ServerRequest& request) {
  return request.path == "/client/register" || request.path == "/device_authorization" ||
         request.path == "/token" || request.path == "/federation/credentials";
}

void SsoService::Log(const std::string& message) {
  if (log_.Enabled(LogLevel::kInfo)) log_.Log(LogLevel::kInfo, "lab: sso: " + message);
}

std::string SsoService::Seal(std::string_view prefix, const Fields& fields) const {
  std::string payload;
  for (const std::string& f : fields) payload += f + "\n";
  const std::string encoded = Base64UrlEncode(payload);
  const crypto::Digest mac = crypto::HmacSha256(key_, std::string(prefix) + encoded);
  return std::string(prefix) + encoded + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::optional<SsoService::Fields> SsoService::Open(std::string_view prefix, std::string_view token,
                                                   std::size_t count) const {
  if (!token.starts_with(prefix) || token.size() > 4096) return std::nullopt;
  const std::size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || dot < prefix.size()) return std::nullopt;
  const crypto::Digest mac = crypto::HmacSha256(key_, token.substr(0, dot));
  if (!crypto::ConstantTimeEquals(
          Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size())),
          token.substr(dot + 1))) {
    return std::nullopt;
  }
  auto payload = Base64UrlDecode(token.substr(prefix.size(), dot - prefix.size()));
  if (!payload || payload->empty() || payload->back() != '\n') return std::nullopt;
  Fields fields = Split(payload->substr(0, payload->size() - 1), '\n');
  if (fields.size() != count) return std::nullopt;
  return fields;
}

bool SsoService::ClientIsValid(const std::string& client_id, const std::string& secret,
                               TimePoint now) const {
  auto client = Open(kClientSecretPrefix, secret, 3);
  return client && (*client)[0] == "client" && (*client)[1] == client_id &&
         ParseUnix((*client)[2]).value_or(TimePoint{}) > now;
}

ServerResponse SsoService::OidcError(int status, const char* type, const char* error,
                                     const std::string& description, const std::string& reason) {
  Log(std::string(type) + ": " + reason);
  ServerResponse r = Json(status, "{\"error\":" + JsonQuote(error) +
                                      ",\"error_description\":" + JsonQuote(description) + "}");
  r.headers.push_back({"x-amzn-ErrorType", std::string(type) + ":"});
  return r;
}

ServerResponse SsoService::PortalError(int status, const char* type, const std::string& message,
                                       const std::string& reason) {
  Log(std::string(type) + ": " + reason);
  ServerResponse r = Json(status, "{\"message\":" + JsonQuote(message) + "}");
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
  const std::string client_id = "lab" + RandomHex(12);
  const TimePoint expires = std::chrono::time_point_cast<std::chrono::seconds>(now) + kClientLifetime;
  const std::string secret =
      Seal(kClientSecretPrefix, {"client", client_id, std::to_string(UnixSeconds(expires))});
  clients_.fetch_add(1);
  Log("RegisterClient " + Printable(name, 64) + ": " + client_id);
  return Json(200, "{\"clientId\":" + JsonQuote(client_id) + ",\"clientSecret\":" +
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
      Seal(kDeviceCodePrefix, {"device", client_id, ic.login_user,
                               std::to_string(UnixSeconds(expires))});
  std::string user_code = RandomHex(4);
  std::transform(user_code.begin(), user_code.end(), user_code.begin(),
                 [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  user_code.insert(4, "-");
  Log("StartDeviceAuthorization for " + client_id + ": approved at once as " + ic.login_user);
  return Json(200, "{\"deviceCode\":" + JsonQuote(device_code) + ",\"userCode\":" +
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
    auto device = Open(kDeviceCodePrefix, body->Get("deviceCode"), 4);
    if (!device || (*device)[0] != "device" || (*device)[1] != client_id) {
      return OidcError(400, "InvalidGrantException", "invalid_grant", "Invalid device code provided",
                       "CreateToken (device code): not a device code of " + client_id);
    }
    if (ParseUnix((*device)[3]).value_or(TimePoint{}) <= now) {
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
    auto refresh = Open(kRefreshPrefix, body->Get("refreshToken"), 4);
    if (!refresh || (*refresh)[0] != "refresh" || (*refresh)[1] != client_id) {
      return OidcError(400, "InvalidGrantException", "invalid_grant",
                       "Invalid refresh token provided",
                       "CreateToken (refresh token): not a refresh token of " + client_id);
    }
    const std::string& user = (*refresh)[2];
    const TimePoint session_end = ParseUnix((*refresh)[3]).value_or(TimePoint{});
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
  const std::string access = Seal(kAccessPrefix, {"access", user, std::to_string(number),
                                                  std::to_string(UnixSeconds(access_end))});
  // A new refresh token each time, for the same sign-in session.
  const std::string refresh =
      Seal(kRefreshPrefix, {"refresh", client_id, user, std::to_string(UnixSeconds(session_end))});
  Log("CreateToken (" + std::string(grant) + ") for " + user + " by " + client_id +
      ": access token #" + std::to_string(number) + ", expires " + FormatRfc3339(access_end) +
      "; the sign-in session ends " + FormatRfc3339(session_end));
  return Json(200, "{\"accessToken\":" + JsonQuote(access) + ",\"tokenType\":\"Bearer\"," +
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
  auto access = bearer ? Open(kAccessPrefix, *bearer, 4) : std::nullopt;
  if (!access || (*access)[0] != "access") {
    return PortalError(401, "UnauthorizedException", "Session token not found or invalid",
                       "GetRoleCredentials: no access token of this lab");
  }
  const std::string& user_name = (*access)[1];
  const std::string label = user_name + " (access token #" + (*access)[2] + ")";
  if (ParseUnix((*access)[3]).value_or(TimePoint{}) <= now) {
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
  ServerResponse r = Json(200, "{\"roleCredentials\":{\"accessKeyId\":" +
                                   JsonQuote(session.access_key_id) + ",\"secretAccessKey\":" +
                                   JsonQuote(session.secret_access_key) + ",\"sessionToken\":" +
                                   JsonQuote(session.session_token) + ",\"expiration\":" +
                                   std::to_string(expiration_ms) + "}}");
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

}  // namespace hubspoke::lab
