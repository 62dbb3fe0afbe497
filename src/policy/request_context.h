// The request context a policy is evaluated against [EVAL "Processing the request context"]:
// who calls (the principal), what (action), on what (resource), and the condition keys.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"

namespace hubspoke::policy {

enum class PrincipalType {
  kUser,           // arn:aws:iam::A:user/path/name
  kRoleSession,    // arn:aws:sts::A:assumed-role/ROLE/SESSION
  kRoot,           // arn:aws:iam::A:root (the account root user)
  kFederatedUser,  // arn:aws:sts::A:federated-user/NAME (GetFederationToken)
  kService,        // `arn` is the service principal, e.g. "ec2.amazonaws.com"
  kWebIdentity,    // `arn` is the provider: "accounts.google.com", a saml-provider ARN, …
  kAnonymous,
};
const char* PrincipalTypeName(PrincipalType type);  // "user", "role session", …

struct Principal {
  PrincipalType type = PrincipalType::kUser;
  std::string arn;        // see PrincipalType; for sessions the session ARN
  std::string account;    // 12 digits; empty for services, web identities and anonymous
  std::string role_arn;   // kRoleSession: the role behind it, with its path (arn:…:role/p/R)
  std::string unique_id;  // optional: AIDA… (user) or AROA… (the role of a session)
  std::map<std::string, std::string> tags;  // principal tags (user/role tags, session tags)
  std::string org_id;                       // empty when the account is in no organization
  // aws:MultiFactorAuthPresent; absent for long-term credentials [GKEYS].
  std::optional<bool> mfa_present;
  // When the MFA code was checked: aws:MultiFactorAuthAge is the request's time minus this, in
  // seconds (set only with a request time) [GKEYS].
  std::optional<TimePoint> mfa_time;
  std::string source_identity;  // aws:SourceIdentity already set on the calling session
};

// Builds a principal from its ARN: user, root, assumed-role session or federated user. The
// session ARN does not carry the role's path, so `role_path` ("/" or "/a/b/") completes
// role_arn. kInvalidArgument for anything else.
Result<Principal> PrincipalFromArn(std::string_view arn, std::string_view role_path = "/");

// Condition keys → values. Key names are case-insensitive [COND]; a key may have several values
// (aws:TagKeys) or an empty list (a present but empty multi-valued key).
class ContextKeys {
 public:
  void Set(std::string_view key, std::string value);
  void SetMulti(std::string_view key, std::vector<std::string> values);
  void Erase(std::string_view key);
  // nullptr when the key is absent.
  const std::vector<std::string>* Find(std::string_view key) const;
  // Adds or replaces every key of `other`.
  void Merge(const ContextKeys& other);
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string name;
    std::vector<std::string> values;
  };
  std::map<std::string, Entry> entries_;  // by lower-case name
};

struct RequestContext {
  Principal principal;
  std::string action;    // "sts:AssumeRole"
  std::string resource;  // "arn:aws:iam::888888888888:role/automation-spoke-role"
  // The account owning the resource. Empty: the account in `resource`'s ARN, or the principal's
  // own account when the ARN has none (arn:aws:s3:::bucket).
  std::string resource_account;
  // The time of the request: aws:CurrentTime and aws:EpochTime. Pure: never read from a clock.
  std::optional<TimePoint> time;
  // Request keys (sts:ExternalId, aws:RequestTag/…, aws:SecureTransport, …) and overrides of the
  // keys derived from the principal.
  ContextKeys keys;
};

// The keys a policy sees: derived from the principal and time, then `context.keys` on top.
// Derived: aws:PrincipalArn (the role ARN for a role session, [GKEYS]), aws:PrincipalAccount,
// aws:PrincipalOrgID (only in an organization), aws:PrincipalTag/K, aws:PrincipalType,
// aws:username (IAM users only), aws:userid, aws:MultiFactorAuthPresent (when known),
// aws:SourceIdentity, aws:CurrentTime, aws:EpochTime, aws:PrincipalServiceName.
ContextKeys EffectiveKeys(const RequestContext& context);

// The account of a resource ARN ("arn:aws:iam::888888888888:role/x" → "888888888888"), or "".
std::string ArnAccount(std::string_view arn);
// The partition of an ARN ("aws"), or "".
std::string ArnPartition(std::string_view arn);

}  // namespace hubspoke::policy
