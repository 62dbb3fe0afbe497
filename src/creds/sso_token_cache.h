// The SSO token cache file (~/.aws/sso/cache/<sha1>.json) as botocore's SSOTokenLoader reads it
// and SSOTokenProvider rewrites it after a refresh, and the decision to refresh: pure, no I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/secret.h"

namespace hubspoke {

// botocore SSOTokenProvider._REFRESH_WINDOW: a token with less than this left is refreshed.
inline constexpr std::chrono::seconds kSsoRefreshWindow{15 * 60};

// The fields of a cache file. Security: the tokens and the client secret are secrets.
struct SsoCachedToken {
  SecretString access_token;
  TimePoint expires_at;
  // The refresh material `aws sso login` caches for an sso-session; empty when absent.
  std::string client_id;
  SecretString client_secret;
  SecretString refresh_token;
  std::optional<TimePoint> registration_expires_at;  // nullopt: absent or unreadable
};

// Parses a cache file. kParse naming what is wrong (never a value) when it is not a JSON object,
// or accessToken or expiresAt is missing or malformed; the refresh fields are optional.
Result<SsoCachedToken> ParseSsoCachedToken(std::string_view text);

enum class SsoTokenAction {
  kUse,      // valid for 15 minutes or more, or cannot be refreshed but still valid
  kRefresh,  // within the window (or expired) and refreshable: CreateToken, then use the new one
  kLogin,    // expired and not refreshable: the user must run `aws sso login`
};
// As botocore's SSOTokenProvider._refresher and _refresh_access_token: refresh inside the
// window when the token comes from an sso-session (legacy profiles are never refreshed), the
// refresh material is complete and the client registration has not expired.
SsoTokenAction DecideSsoTokenAction(const SsoCachedToken& token, TimePoint now, bool sso_session);

// What CreateToken answered.
struct SsoRefreshedToken {
  SecretString access_token;
  std::chrono::seconds expires_in{0};
  SecretString refresh_token;  // empty: the old one stays
};
// Parses CreateToken's 200 answer ({"accessToken","expiresIn","refreshToken","tokenType"}).
Result<SsoRefreshedToken> ParseCreateTokenResponse(std::string_view body);

// The cache file rewritten with `fresh`, as botocore writes it (accessToken, expiresAt =
// now + expiresIn as "YYYY-MM-DDTHH:MM:SSZ", refreshToken when a new one came, startUrl and
// region), every other field of `original` kept as it was. Security: the result holds secrets.
Result<std::string> RewriteSsoCachedToken(std::string_view original, const SsoRefreshedToken& fresh,
                                          TimePoint now, std::string_view start_url,
                                          std::string_view region);

}  // namespace hubspoke
