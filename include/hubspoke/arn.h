#pragma once

#include <string>
#include <string_view>

#include "hubspoke/result.h"

namespace hubspoke {

// An IAM role: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME.
struct RoleArn {
  std::string partition;  // "aws", "aws-cn", …
  std::string account_id;
  std::string path = "/";  // "/" or "/a/b/"
  std::string name;

  std::string ToString() const;  // arn:aws:iam::999999999999:role/path/name
};

// Resolves a role given as a name ("automation-hub-role"), a path and name
// ("team/automation-hub-role" or "/team/automation-hub-role"), or a full role ARN.
// `account_id` (may be empty when `role` is an ARN) and `partition` complete a name; an ARN
// whose account or partition disagrees with them is an error (STS cannot delegate across
// partitions). `what` names the flag or env var for error messages.
Result<RoleArn> ResolveRole(std::string_view what, std::string_view role,
                            std::string_view account_what, std::string_view account_id,
                            std::string_view partition);

}  // namespace hubspoke
