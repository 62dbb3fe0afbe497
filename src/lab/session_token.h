// Stateless lab sessions. A session's token carries the session itself (role, name, expiry,
// tags, source identity, session policies), authenticated with the lab's key (HMAC-SHA256), as
// AWS's opaque tokens carry theirs; its secret access key is derived from the key and the token.
// So the lab keeps nothing per session: its memory stays flat however many sessions it issues
// (a table of them cost ~1.5 KB each and, at 10,000 AssumeRole calls a second, tens of ms
// stalls), and an expired session answers ExpiredToken for ever, as on AWS.
//
// Not encryption: the token's contents are readable (base 64) by whoever holds it, and a lab
// started with a known --seed has a known key. The lab is a test double, not a vault.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/credentials.h"

namespace hubspoke::lab {

// What a session token says about its session.
struct SessionClaims {
  std::string access_key_id;  // ASIA… (the token belongs to this key only)
  TimePoint expiration;       // whole seconds
  std::string role_arn;
  std::string session_name;
  std::string source_identity;                   // empty: none
  std::map<std::string, std::string> tags;       // session tags, inherited transitive ones too
  std::vector<std::string> transitive_tag_keys;  // passed on to the next session of a chain
  std::optional<std::string> session_policy;     // the Policy parameter, as sent
  std::vector<std::string> policy_arns;          // the PolicyArns parameter
  bool mfa = false;                              // aws:MultiFactorAuthPresent
  // When the MFA code was checked (whole seconds): aws:MultiFactorAuthAge is the time since.
  std::optional<TimePoint> mfa_time;
};

class SessionSealer {
 public:
  // `key`: any length; 32 random bytes are right. Security: never logged.
  explicit SessionSealer(std::string key);

  struct Sealed {
    std::string session_token;      // "IQoJb3JpZ2luX2VjE…", like AWS's
    std::string secret_access_key;  // 40 characters of base 64, like AWS's
  };
  Sealed Seal(const SessionClaims& claims) const;

  struct Opened {
    SessionClaims claims;
    std::string secret_access_key;
  };
  // The claims of a token this sealer (or one with the same key) made, and its secret; nullopt
  // for anything else: malformed, truncated, altered, or sealed under another key.
  std::optional<Opened> Open(std::string_view session_token) const;

 private:
  std::string SecretFor(std::string_view tag) const;

  std::string key_;
};

}  // namespace hubspoke::lab
