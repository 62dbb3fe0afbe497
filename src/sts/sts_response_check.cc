#include "sts/sts_response_check.h"

#include <optional>
#include <string>
#include <vector>

#include "core/strings.h"
#include "core/time.h"

namespace hubspoke::sts {
namespace {

constexpr std::size_t kShown = 160;  // cap for echoed (non-secret) response text

bool IsUpperOrDigit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsUpperOrDigit(c) || (c >= 'a' && c <= 'z'); }

Error Refused(std::string_view action, const std::string& why, ErrorCode code) {
  return Error(code, "STS " + std::string(action) + " response refused: " + why);
}

// "it has 41 characters, one outside that set at position 7": the position only for fields
// that are not secret.
std::string Shape(std::string_view value, bool (*ok)(char), bool show_position) {
  std::string out = "it has " + std::to_string(value.size()) + " characters";
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (ok(value[i])) continue;
    out += show_position ? ", one outside that set at position " + std::to_string(i + 1)
                         : ", some outside that set";
    break;
  }
  return out;
}

bool AllOf(std::string_view value, bool (*ok)(char)) {
  for (char c : value)
    if (!ok(c)) return false;
  return true;
}

// A credential field: `min`–`max` characters, each `ok`. Secrets are described, never shown.
Status CheckField(std::string_view action, std::string_view field, std::string_view value,
                  std::size_t min, std::size_t max, bool (*ok)(char), std::string_view set,
                  bool secret) {
  if (value.size() >= min && value.size() <= max && AllOf(value, ok)) return Ok();
  return Refused(action,
                 std::string(field) + " must be " + std::to_string(min) + "–" +
                     std::to_string(max) + " characters of " + std::string(set) + " (" +
                     Shape(value, ok, !secret) + (secret ? "; the value is not shown)" : ")"),
                 ErrorCode::kParse);
}

struct ArnParts {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;
};

// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (the resource may hold further colons).
std::optional<ArnParts> SplitArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return std::nullopt;
  std::string_view rest = arn.substr(4);
  std::string fields[4];
  for (std::string& f : fields) {
    std::size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    f = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  return ArnParts{fields[0], fields[1], fields[2], fields[3], std::string(rest)};
}

Status CheckAssumedRoleUser(std::string_view action, const AssumeRoleResponse& response,
                            std::string_view role_arn, std::string_view session_name) {
  // The request: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME (validated before it was sent).
  std::optional<ArnParts> role = SplitArn(role_arn);
  if (!role || role->service != "iam" || !role->region.empty() ||
      !role->resource.starts_with("role/")) {
    return Refused(action,
                   "cannot check AssumedRoleUser against the requested RoleArn '" +
                       Printable(role_arn, kShown) + "', which is not a role ARN",
                   ErrorCode::kRemote);
  }
  const std::string role_name = role->resource.substr(role->resource.rfind('/') + 1);
  const std::string expected = "arn:" + role->partition + ":sts::" + role->account +
                               ":assumed-role/" + role_name + "/" + std::string(session_name);

  const std::string& got = response.assumed_role_arn;
  const std::string shown = "AssumedRoleUser Arn '" + Printable(got, kShown) + "'";
  auto names = [&](std::string_view what, std::string_view value, std::string_view wanted) {
    return Refused(action,
                   shown + " names " + std::string(what) + " " + Printable(value, 80) +
                       ", not the requested " + std::string(wanted),
                   ErrorCode::kRemote);
  };
  std::optional<ArnParts> parts = SplitArn(got);
  std::vector<std::string> resource;
  if (parts) resource = Split(parts->resource, '/');
  if (!parts || parts->service != "sts" || !parts->region.empty() || resource.size() != 3 ||
      resource[0] != "assumed-role") {
    return Refused(action, shown + " is not an assumed-role ARN (expected " + expected + ")",
                   ErrorCode::kRemote);
  }
  if (parts->partition != role->partition) {
    return names("partition", parts->partition, role->partition);
  }
  if (parts->account != role->account) return names("account", parts->account, role->account);
  // IAM role names are unique regardless of case: another case is the same role.
  if (!EqualsIgnoreCase(resource[1], role_name)) return names("role", resource[1], role_name);
  if (resource[2] != session_name) return names("session", resource[2], session_name);

  // AROA…:SESSION, when the response has one (real STS, moto and the lab always do).
  const std::string& id = response.assumed_role_id;
  if (!id.empty()) {
    const std::size_t colon = id.find(':');
    const std::string_view unique =
        std::string_view(id).substr(0, colon == std::string::npos ? id.size() : colon);
    if (colon == std::string::npos || unique.empty() || unique.size() > 128 ||
        !AllOf(unique, IsAlnum) || std::string_view(id).substr(colon + 1) != session_name) {
      return Refused(action,
                     "AssumedRoleUser AssumedRoleId '" + Printable(id, kShown) +
                         "' is not a role id (1–128 letters and digits), ':' and the requested "
                         "session " + std::string(session_name),
                     ErrorCode::kParse);
    }
  }
  return Ok();
}

}  // namespace

bool IsAccessKeyIdChar(char c) { return IsUpperOrDigit(c); }
bool IsSecretAccessKeyChar(char c) { return IsAlnum(c) || c == '+' || c == '/' || c == '='; }
bool IsSessionTokenChar(char c) {
  return IsSecretAccessKeyChar(c) || c == '.' || c == '_' || c == '-';
}

Status CheckRoleCredentials(std::string_view action, const AssumeRoleResponse& response,
                            std::string_view role_arn, std::string_view session_name,
                            TimePoint now) {
  const Credentials& c = response.credentials;
  if (auto s = CheckField(action, "AccessKeyId", c.access_key_id, 16, 128, IsAccessKeyIdChar,
                          "A-Z 0-9", false);
      !s) {
    return s;
  }
  if (auto s = CheckField(action, "SecretAccessKey", c.secret_access_key.reveal(), 1, 1024,
                          IsSecretAccessKeyChar, "A-Z a-z 0-9 + / =", true);
      !s) {
    return s;
  }
  if (auto s = CheckField(action, "SessionToken", c.session_token.reveal(), 1, 65536,
                          IsSessionTokenChar, "A-Z a-z 0-9 + / = . _ -", true);
      !s) {
    return s;
  }
  if (!c.expiration) return Refused(action, "Expiration is missing", ErrorCode::kParse);
  if (*c.expiration <= now) {
    return Refused(action,
                   "Expiration " + FormatRfc3339(*c.expiration) +
                       " is not in the future (local clock: " + FormatRfc3339(now) +
                       "): the credentials have already expired; if the local clock is wrong "
                       "(clock skew), sync it (NTP)",
                   ErrorCode::kRemote);
  }
  return CheckAssumedRoleUser(action, response, role_arn, session_name);
}

}  // namespace hubspoke::sts
