// Exports of a real organization's IAM as a Model, so explain and the lab evaluate real
// policies: per account, the JSON that `aws iam get-account-authorization-details` prints
// (users with their groups' policies, roles, customer managed policies; instance profiles are
// ignored), and the Organizations exports for SCPs (`aws organizations list-policies`,
// `describe-policy`, `list-targets-for-policy`, and the organization tree). The file layout is
// described in docs/policies.md. Pure: the caller reads the files (trust/iam_export_loader.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"
#include "hubspoke/secret.h"
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

// Exports carry no access keys, so exported users cannot sign in to the lab until they get some:
// gives every user without a key one pair derived from `seed` (HMAC-SHA256 of the user's ARN;
// the lab passes 32 random bytes, or its --seed so a restarted lab keeps the keys) and returns
// an AWS shared credentials file with one profile per such user, named "<account>-<user-name>",
// in the model's order. Security: the returned text holds the secret keys.
SecretString AddExportedUserKeys(Model& model, std::string_view seed);

}  // namespace hubspoke::iam
