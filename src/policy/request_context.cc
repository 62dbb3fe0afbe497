#include "policy/request_context.h"

#include <algorithm>
#include <chrono>

#include "core/strings.h"
#include "core/time.h"

namespace hubspoke::policy {
namespace {

// The six colon-separated components of an ARN; the last keeps any further colons.
std::vector<std::string> ArnParts(std::string_view arn) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (parts.size() < 5) {
    std::size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    parts.emplace_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  parts.emplace_back(arn.substr(start));
  return parts;
}

std::string LastSegment(std::string_view s) {
  std::size_t slash = s.rfind('/');
  return std::string(slash == std::string_view::npos ? s : s.substr(slash + 1));
}

const char* AwsPrincipalType(PrincipalType type) {
  // aws:PrincipalType values [VARS "Principal key values"].
  switch (type) {
    case PrincipalType::kUser:
      return "User";
    case PrincipalType::kRoleSession:
      return "AssumedRole";
    case PrincipalType::kRoot:
      return "Account";
    case PrincipalType::kFederatedUser:
      return "FederatedUser";
    case PrincipalType::kService:
      return "AWSService";
    case PrincipalType::kWebIdentity:
      return "WebIdentityUser";
    case PrincipalType::kAnonymous:
      return "Anonymous";
  }
  return "";
}

}  // namespace

const char* PrincipalTypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kUser:
      return "IAM user";
    case PrincipalType::kRoleSession:
      return "role session";
    case PrincipalType::kRoot:
      return "account root user";
    case PrincipalType::kFederatedUser:
      return "federated user session";
    case PrincipalType::kService:
      return "service principal";
    case PrincipalType::kWebIdentity:
      return "web identity";
    case PrincipalType::kAnonymous:
      return "anonymous";
  }
  return "principal";
}

std::string ArnAccount(std::string_view arn) {
  std::vector<std::string> parts = ArnParts(arn);
  return parts.size() == 6 && parts[0] == "arn" ? parts[4] : "";
}

std::string ArnPartition(std::string_view arn) {
  std::vector<std::string> parts = ArnParts(arn);
  return parts.size() == 6 && parts[0] == "arn" ? parts[1] : "";
}

Result<Principal> PrincipalFromArn(std::string_view arn, std::string_view role_path) {
  std::vector<std::string> parts = ArnParts(arn);
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument,
                 "principal ARN '" + Printable(arn, 200) + "': " + why);
  };
  if (parts.size() != 6 || parts[0] != "arn" || parts[4].size() != 12) {
    return bad("not an ARN of the form arn:PARTITION:SERVICE::ACCOUNT:RESOURCE");
  }
  Principal p;
  p.arn = std::string(arn);
  p.account = parts[4];
  const std::string& service = parts[2];
  const std::string& resource = parts[5];
  if (service == "iam" && resource == "root") {
    p.type = PrincipalType::kRoot;
  } else if (service == "iam" && resource.starts_with("user/")) {
    p.type = PrincipalType::kUser;
  } else if (service == "sts" && resource.starts_with("assumed-role/")) {
    std::vector<std::string> segments = Split(resource, '/');
    if (segments.size() != 3 || segments[1].empty() || segments[2].empty()) {
      return bad("an assumed-role ARN is arn:…:sts::ACCOUNT:assumed-role/ROLE/SESSION");
    }
    if (role_path.empty() || role_path.front() != '/' || role_path.back() != '/') {
      return bad("role path must start and end with '/'");
    }
    p.type = PrincipalType::kRoleSession;
    p.role_arn =
        "arn:" + parts[1] + ":iam::" + p.account + ":role" + std::string(role_path) + segments[1];
  } else if (service == "sts" && resource.starts_with("federated-user/")) {
    p.type = PrincipalType::kFederatedUser;
  } else {
    return bad("not a user, root, assumed-role or federated-user ARN");
  }
  return p;
}

void ContextKeys::Set(std::string_view key, std::string value) {
  SetMulti(key, std::vector<std::string>{std::move(value)});
}

void ContextKeys::SetMulti(std::string_view key, std::vector<std::string> values) {
  entries_[ToLower(key)] = Entry{.name = std::string(key), .values = std::move(values)};
}

void ContextKeys::Erase(std::string_view key) { entries_.erase(ToLower(key)); }

const std::vector<std::string>* ContextKeys::Find(std::string_view key) const {
  auto it = entries_.find(ToLower(key));
  return it == entries_.end() ? nullptr : &it->second.values;
}

void ContextKeys::Merge(const ContextKeys& other) {
  for (const auto& [lower, entry] : other.entries_) entries_[lower] = entry;
}

ContextKeys EffectiveKeys(const RequestContext& context) {
  ContextKeys keys;
  const Principal& p = context.principal;
  switch (p.type) {
    case PrincipalType::kUser:
      keys.Set("aws:PrincipalArn", p.arn);
      keys.Set("aws:username", LastSegment(p.arn));  // "present for IAM users" only [GKEYS]
      if (!p.unique_id.empty()) keys.Set("aws:userid", p.unique_id);
      break;
    case PrincipalType::kRoleSession:
      // [GKEYS]: for a role session aws:PrincipalArn is the role's ARN, not the session's.
      keys.Set("aws:PrincipalArn", p.role_arn.empty() ? p.arn : p.role_arn);
      // aws:userid of a role session is ROLE-ID:SESSION-NAME [GKEYS].
      if (!p.unique_id.empty()) keys.Set("aws:userid", p.unique_id + ":" + LastSegment(p.arn));
      break;
    case PrincipalType::kRoot:
      keys.Set("aws:PrincipalArn", p.arn);  // arn:aws:iam::A:root
      keys.Set("aws:userid", p.account);
      break;
    case PrincipalType::kFederatedUser:
      keys.Set("aws:PrincipalArn", p.arn);
      break;
    case PrincipalType::kService:
      keys.Set("aws:PrincipalServiceName", p.arn);
      break;
    case PrincipalType::kWebIdentity:
    case PrincipalType::kAnonymous:
      break;
  }
  if (!p.account.empty()) {
    keys.Set("aws:PrincipalAccount", p.account);
  } else if (p.type == PrincipalType::kAnonymous) {
    keys.Set("aws:PrincipalAccount", "anonymous");  // [FACTS §5]
  }
  keys.Set("aws:PrincipalType", AwsPrincipalType(p.type));
  if (!p.org_id.empty()) keys.Set("aws:PrincipalOrgID", p.org_id);
  for (const auto& [tag, value] : p.tags) keys.Set("aws:PrincipalTag/" + tag, value);
  if (p.mfa_present) keys.Set("aws:MultiFactorAuthPresent", *p.mfa_present ? "true" : "false");
  if (p.mfa_time && context.time) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(*context.time - *p.mfa_time);
    keys.Set("aws:MultiFactorAuthAge", std::to_string(std::max<long long>(0, age.count())));
  }
  if (!p.source_identity.empty()) keys.Set("aws:SourceIdentity", p.source_identity);
  if (context.time) {
    keys.Set("aws:CurrentTime", FormatRfc3339(*context.time));
    const auto epoch =
        std::chrono::duration_cast<std::chrono::seconds>(context.time->time_since_epoch());
    keys.Set("aws:EpochTime", std::to_string(epoch.count()));
  }
  keys.Merge(context.keys);
  return keys;
}

}  // namespace hubspoke::policy
