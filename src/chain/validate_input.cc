#include <cctype>
#include <set>
#include <string_view>

#include "core/json.h"
#include "core/strings.h"
#include "core/validate.h"
#include "hubspoke/arn.h"
#include "hubspoke/config.h"
#include "chain/input_fields.h"

namespace hubspoke {
namespace {

struct RoleRef {
  const std::string& role;
  const std::string& role_what;
  const std::string& account;
  const std::string& account_what;
};

Error Bad(const std::string& what, const std::string& rule) {
  return Error(ErrorCode::kInvalidArgument, what + ": " + rule);
}

}  // namespace

Result<StsEndpoint> ResolveSpokeEndpoint(const SpokeCredentialsInput& input,
                                         const Environment& env, const ProfileSet& profiles,
                                         const InputFieldNames& names) {
  const SharedConfig config = SelectSharedConfig(env, profiles, input.profile);
  if (!input.profile.empty() && config.profile == nullptr) {
    return Bad(names.profile, "no profile '" + Printable(input.profile, 80) + "' in " +
                                  profiles.config_path + " or " + profiles.credentials_path);
  }
  return ResolveStsEndpoint(env, config, input.region, input.endpoint_url, names.region,
                            names.endpoint_url);
}

Status ValidateSpokeInput(const SpokeCredentialsInput& in, const InputFieldNames& n,
                          const std::string& partition) {
  // Accounts: required unless the role is given as an ARN (ResolveRole checks that pairing).
  if (!in.hub_account_id.empty()) {
    if (auto s = ValidateAccountId(n.hub_account_id, in.hub_account_id); !s) return s;
  }
  if (!in.spoke_account_id.empty()) {
    if (auto s = ValidateAccountId(n.spoke_account_id, in.spoke_account_id); !s) return s;
  }
  if (in.hub_role_name.empty())
    return Bad(n.hub_role_name, "the hub role is required (a role name, path/name, or role ARN)");
  if (in.spoke_role_name.empty())
    return Bad(n.spoke_role_name,
               "the spoke role is required (a role name, path/name, or role ARN)");
  if (in.spoke_account_id.empty() && in.spoke_role_name.rfind("arn:", 0) != 0)
    return Bad(n.spoke_account_id,
               "the spoke account is required (12 digits), unless the spoke role is a role ARN");
  if (in.hub_account_id.empty() && in.hub_role_name.rfind("arn:", 0) != 0)
    return Bad(n.hub_account_id,
               "the hub account is required (12 digits), unless the hub role is a role ARN");
  // Role names, paths and ARNs (and ARN accounts against the account flags).
  const RoleRef roles[] = {
      {in.hub_role_name, n.hub_role_name, in.hub_account_id, n.hub_account_id},
      {in.spoke_role_name, n.spoke_role_name, in.spoke_account_id, n.spoke_account_id}};
  for (const RoleRef& r : roles) {
    // Without a known partition, accept the ARN's own; GetSpokeCredentials checks it against
    // the region's.
    std::string p = partition;
    if (p.empty() && r.role.rfind("arn:", 0) == 0) {
      auto parts = Split(r.role, ':');
      if (parts.size() > 1) p = parts[1];
    }
    if (p.empty()) p = "aws";
    auto resolved = ResolveRole(r.role_what, r.role, r.account_what, r.account, p);
    if (!resolved) return std::move(resolved).error();
  }
  if (!in.external_id.empty()) {
    if (auto s = ValidateExternalId(n.external_id, in.external_id); !s) return s;
  }
  if (!in.hub_external_id.empty()) {
    if (auto s = ValidateExternalId(n.hub_external_id, in.hub_external_id); !s) return s;
  }
  if (!in.spoke_external_id.empty()) {
    if (auto s = ValidateExternalId(n.spoke_external_id, in.spoke_external_id); !s) return s;
  }
  // The session string is sanitized into valid names, but control characters and absurd
  // lengths are refused rather than silently mangled.
  for (char c : in.session_string) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Bad(n.session_string, "the session string must not contain control characters");
  }
  if (in.session_string.size() > 64)
    return Bad(n.session_string, "the session string is at most 64 characters (got " +
                                     std::to_string(in.session_string.size()) + ")");
  if (auto s = ValidateDuration(n.duration, in.duration, /*chained=*/true); !s) return s;
  if (auto s = ValidateDuration(n.hub_duration, in.hub_duration, /*chained=*/false); !s) return s;
  if (!in.source_identity.empty()) {
    if (auto s = ValidateSourceIdentity(n.source_identity, in.source_identity); !s) return s;
  }
  // MFA (STS AssumeRole: SerialNumber 9–256 of [\w+=/:,.@-], TokenCode exactly 6 digits).
  if (!in.mfa_serial.empty()) {
    if (in.mfa_serial.size() < 9 || in.mfa_serial.size() > 256)
      return Bad(n.mfa_serial, "'" + Printable(in.mfa_serial, 80) +
                                   "': an MFA serial is 9 to 256 characters (the device's ARN, "
                                   "arn:aws:iam::ACCOUNT:mfa/NAME, or a hardware serial)");
    for (char c : in.mfa_serial) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) ||
            std::string_view("_+=/:,.@-").find(c) != std::string_view::npos))
        return Bad(n.mfa_serial, "'" + Printable(in.mfa_serial, 80) +
                                     "': an MFA serial holds only letters, digits and _+=/:,.@-");
    }
  }
  if (!in.mfa_code.empty()) {
    // The code is a one-time secret: never quoted.
    if (in.mfa_code.size() != 6 || in.mfa_code.find_first_not_of("0123456789") != std::string::npos)
      return Bad(n.mfa_code, "an MFA code is exactly 6 digits");
    if (in.mfa_serial.empty())
      return Bad(n.mfa_code, "an MFA code needs the device: give " + n.mfa_serial + " too");
  }
  if (in.tags.size() > 50)
    return Bad(n.tags, "at most 50 session tags (got " + std::to_string(in.tags.size()) + ")");
  std::set<std::string> keys;
  for (const auto& tag : in.tags) {
    if (auto s = ValidateTagKey(n.tags, tag.key); !s) return s;
    if (auto s = ValidateTagValue(n.tags, tag.key, tag.value); !s) return s;
    if (!keys.insert(ToLower(tag.key)).second)
      return Bad(n.tags, "session tag key '" + Printable(tag.key, 128) +
                             "' is given twice (tag keys are case-insensitive)");
  }
  if (!in.policy.empty()) {
    auto compact = CompactJson(n.policy, in.policy);
    if (!compact) return std::move(compact).error();
    if (compact->size() > 2048)
      return Bad(n.policy, "a session policy is at most 2048 characters once minified (got " +
                               std::to_string(compact->size()) + ")");
  }
  if (in.policy_arns.size() > 10)
    return Bad(n.policy_arns, "at most 10 managed session policies (got " +
                                  std::to_string(in.policy_arns.size()) + ")");
  for (const auto& arn : in.policy_arns) {
    if (auto s = ValidatePolicyArn(n.policy_arns, arn); !s) return s;
  }
  // A day: far above any chain (each call is bounded by timeout × (retries + 1) and the waits).
  if (in.chain_timeout.count() < 0 || in.chain_timeout > std::chrono::hours(24))
    return Bad(n.chain_timeout,
               "invalid value '" + std::to_string(in.chain_timeout.count() / 1000) +
                   "s': the chain's timeout is 0 (none) to 24h");
  if (in.retries < 0 || in.retries > 20)
    return Bad(n.retries, "invalid value '" + std::to_string(in.retries) +
                              "': retries are 0–20");
  if (!in.region.empty()) {
    if (auto s = ValidateRegion(n.region, in.region); !s) return s;
  }
  if (!in.endpoint_url.empty()) {
    if (auto s = ValidateEndpointUrl(n.endpoint_url, in.endpoint_url); !s) return s;
  }
  return Ok();
}

Status ValidateSpokeInput(const SpokeCredentialsInput& input, const std::string& partition) {
  return ValidateSpokeInput(input, InputFieldNames{}, partition);
}

Result<StsEndpoint> ResolveSpokeEndpoint(const SpokeCredentialsInput& input,
                                         const Environment& env, const ProfileSet& profiles) {
  return ResolveSpokeEndpoint(input, env, profiles, InputFieldNames{});
}

}  // namespace hubspoke
