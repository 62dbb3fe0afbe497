#include "hubspoke/arn.h"

#include <string>
#include <vector>

#include "core/partition.h"
#include "core/strings.h"
#include "core/validate.h"

namespace hubspoke {

std::string RoleArn::ToString() const {
  return "arn:" + partition + ":iam::" + account_id + ":role" + path + name;
}

Result<RoleArn> ResolveRole(std::string_view what, std::string_view role,
                            std::string_view account_what, std::string_view account_id,
                            std::string_view partition) {
  RoleArn out;
  std::string_view path_and_name;
  if (role.rfind("arn:", 0) == 0) {
    // arn:PARTITION:iam::ACCOUNT:role/PATH/NAME. Only the first five colons separate fields: a
    // role path may itself hold colons (IAM allows U+0021–U+007E between its slashes), and
    // such a role's own ARN must resolve (found by fuzz/arn_fuzz.cc).
    std::vector<std::string> parts;
    std::string_view rest = role;
    for (int i = 0; i < 5; ++i) {
      std::size_t colon = rest.find(':');
      if (colon == std::string_view::npos) break;
      parts.emplace_back(rest.substr(0, colon));
      rest.remove_prefix(colon + 1);
    }
    parts.emplace_back(rest);
    if (parts.size() != 6 || parts[2] != "iam" || !parts[3].empty() ||
        parts[5].rfind("role/", 0) != 0 || PartitionById(parts[1]).id.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(what) + ": invalid value '" + Printable(role, 120) +
                       "': a role ARN looks like arn:aws:iam::123456789012:role/NAME or "
                       "arn:aws:iam::123456789012:role/PATH/NAME");
    }
    if (auto s = ValidateAccountId(what, parts[4]); !s) return std::move(s).error();
    if (!account_id.empty() && parts[4] != account_id) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(what) + ": the role ARN is in account " + parts[4] + " but " +
                       std::string(account_what) + " is " + std::string(account_id) +
                       "; give one or make them agree");
    }
    if (parts[1] != partition) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(what) + ": the role ARN is in partition " + parts[1] +
                       " but the region is in partition " + std::string(partition) +
                       "; roles cannot be assumed across partitions (the region decides the partition)");
    }
    out.partition = parts[1];
    out.account_id = parts[4];
    path_and_name = std::string_view(role).substr(role.find(":role/") + 5);  // "/path/name"
  } else {
    if (account_id.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(account_what) + " is required when " + std::string(what) +
                       " is a role name rather than a role ARN");
    }
    out.partition = std::string(partition);
    out.account_id = std::string(account_id);
    path_and_name = role;
  }
  std::size_t slash = path_and_name.rfind('/');
  if (slash == std::string_view::npos) {
    out.name = std::string(path_and_name);
  } else {
    out.name = std::string(path_and_name.substr(slash + 1));
    std::string path(path_and_name.substr(0, slash + 1));
    if (path.front() != '/') path.insert(path.begin(), '/');
    if (auto s = ValidateRolePath(what, path); !s) return std::move(s).error();
    out.path = std::move(path);
  }
  if (!ValidateRoleName(what, out.name)) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + ": invalid value '" + Printable(role, 120) +
                     "': a role name is 1–64 characters of letters, digits and +=,.@_- "
                     "(after an optional path/)");
  }
  if (out.ToString().size() > 2048) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + ": the role ARN is longer than STS's 2048 characters");
  }
  return out;
}

}  // namespace hubspoke
