// Exports of a real organization's IAM as a Model, so explain and the lab evaluate real
// policies: per account, the JSON that `aws iam get-account-authorization-details` prints
// (users with their groups' policies, roles, customer managed policies; instance profiles are
// ignored), and the Organizations exports for SCPs (`aws organizations list-policies`,
// `describe-policy`, `list-targets-for-policy`, and the organization tree). The file layout is
// described in docs/policies.md. Pure: the caller reads the files (trust/iam_world.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"
#include "iam/model.h"

namespace hubspoke::iam {

struct ExportFile {
  std::string name;  // path relative to its export directory, '/'-separated
  std::string text;  // the file's bytes
};

// `iam_source` / `scp_source` name the directories in errors ("--iam-export DIR: FILE: …").
// Errors are kInvalidArgument, one line, naming the file and the JSON path.
Result<Model> ModelFromExports(const std::vector<ExportFile>& iam_files,
                               const std::vector<ExportFile>& scp_files,
                               std::string_view iam_source, std::string_view scp_source);

}  // namespace hubspoke::iam
