#include "creds/sso_token_cache.h"

#include <nlohmann/json.hpp>

#include "core/json_wipe.h"
#include "core/strings.h"
#include "core/time.h"

namespace hubspoke {
namespace {

// "2026-01-01T00:00:00Z"; older AWS CLI v2 releases wrote "2026-01-01T00:00:00UTC".
Result<TimePoint> ParseCacheTime(std::string text) {
  text = Trim(text);
  if (text.size() > 3 && text.compare(text.size() - 3, 3, "UTC") == 0) {
    text.replace(text.size() - 3, 3, "Z");
  }
  return ParseTimestamp(text);
}

std::string StringField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<SsoCachedToken> ParseSsoCachedToken(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  JsonWiper wiper{j};
  if (!j.is_object()) return Error(ErrorCode::kParse, "it is not a JSON object");
  SsoCachedToken t;
  t.access_token = SecretString(StringField(j, "accessToken"));
  if (t.access_token.empty()) return Error(ErrorCode::kParse, "it has no accessToken");
  const std::string expires = StringField(j, "expiresAt");
  if (expires.empty()) return Error(ErrorCode::kParse, "it has no expiresAt");
  auto at = ParseCacheTime(expires);
  if (!at) return Error(ErrorCode::kParse, "its expiresAt is not an ISO 8601 time");
  t.expires_at = *at;
  t.client_id = StringField(j, "clientId");
  t.client_secret = SecretString(StringField(j, "clientSecret"));
  t.refresh_token = SecretString(StringField(j, "refreshToken"));
  if (auto reg = ParseCacheTime(StringField(j, "registrationExpiresAt"))) {
    t.registration_expires_at = *reg;
  }
  return t;
}

SsoTokenAction DecideSsoTokenAction(const SsoCachedToken& token, TimePoint now, bool sso_session) {
  if (token.expires_at - now >= kSsoRefreshWindow) return SsoTokenAction::kUse;
  const bool refreshable = sso_session && !token.client_id.empty() &&
                           !token.client_secret.empty() && !token.refresh_token.empty() &&
                           token.registration_expires_at && *token.registration_expires_at > now;
  if (refreshable) return SsoTokenAction::kRefresh;
  return token.expires_at > now ? SsoTokenAction::kUse : SsoTokenAction::kLogin;
}

Result<SsoRefreshedToken> ParseCreateTokenResponse(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  JsonWiper wiper{j};
  if (!j.is_object()) return Error(ErrorCode::kParse, "the answer is not a JSON object");
  SsoRefreshedToken t;
  t.access_token = SecretString(StringField(j, "accessToken"));
  if (t.access_token.empty()) return Error(ErrorCode::kParse, "the answer has no accessToken");
  auto in = j.find("expiresIn");
  if (in == j.end() || !in->is_number_integer() || in->get<long long>() <= 0) {
    return Error(ErrorCode::kParse, "the answer has no positive expiresIn");
  }
  t.expires_in = std::chrono::seconds(in->get<long long>());
  t.refresh_token = SecretString(StringField(j, "refreshToken"));
  return t;
}

Result<std::string> RewriteSsoCachedToken(std::string_view original, const SsoRefreshedToken& fresh,
                                          TimePoint now, std::string_view start_url,
                                          std::string_view region) {
  nlohmann::json j = nlohmann::json::parse(original, nullptr, /*allow_exceptions=*/false);
  JsonWiper wiper{j};
  if (!j.is_object()) return Error(ErrorCode::kParse, "the cache file is not a JSON object");
  if (!start_url.empty()) j["startUrl"] = std::string(start_url);
  if (!region.empty()) j["region"] = std::string(region);
  j["accessToken"] = std::string(fresh.access_token.reveal());
  // Whole seconds, as botocore's _serialize_utc_timestamp writes them.
  j["expiresAt"] = FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(
      now + fresh.expires_in));
  if (!fresh.refresh_token.empty()) j["refreshToken"] = std::string(fresh.refresh_token.reveal());
  return j.dump();
}

}  // namespace hubspoke
