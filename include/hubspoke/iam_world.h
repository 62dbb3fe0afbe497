// An IAM world for offline evaluation: an organization's accounts, IAM users and roles with
// their trust, identity and boundary policies, and its service control policies. `explain`
// (explain.h) evaluates the chain's hops in it without any network call, and the lab serves
// it. Two sources: the lab's model file (docs/lab.md), or exports of a real organization
// (docs/policies.md): per account, what `aws iam get-account-authorization-details` prints,
// and for the SCPs what `aws organizations list-policies`, `describe-policy` and
// `list-targets-for-policy` print.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "hubspoke/file_system.h"
#include "hubspoke/result.h"

namespace hubspoke {

namespace iam {
struct Model;  // src/iam/model.h
}

// Immutable and cheap to copy (shared); safe to use from many threads.
class IamWorld {
 public:
  explicit IamWorld(std::shared_ptr<const iam::Model> model);

  std::size_t accounts() const;
  std::size_t users() const;
  std::size_t roles() const;
  std::size_t service_control_policies() const;  // attachments, at every node of the tree
  const std::string& organization_id() const;    // "" when the world has no organization
  // The ARN of the IAM user holding access key `id`, or "" (exports carry no keys).
  std::string UserWithAccessKey(const std::string& id) const;

  // The model behind it, for the library's own modules (the type is internal).
  const iam::Model& model() const { return *model_; }

 private:
  std::shared_ptr<const iam::Model> model_;
};

// The lab's model file (JSON, docs/lab-model.schema.json), at most 64 MiB. Errors are
// kInvalidArgument and name the file and, for a bad model, the JSON path.
Result<IamWorld> LoadIamModelFile(const FileSystem& files, const std::string& path);

// Exports of a real organization (docs/policies.md has the commands that make them):
// `iam_dir` holds one get-account-authorization-details JSON per account; `scp_dir` (optional,
// "" for none) the Organizations exports. Both are read through `files`: "*.json" in the
// directory and one level of subdirectories, sorted, at most 100000 entries, 64 MiB a file and
// 1 GiB in all; symbolic links, FIFOs and devices are refused. Errors are kInvalidArgument, one
// line, and name the directory, the file and the JSON path:
//   "--iam-export DIR: 999999999999.json: $.RoleDetailList[3].AssumeRolePolicyDocument: …"
Result<IamWorld> LoadIamExport(const FileSystem& files, const std::string& iam_dir,
                               const std::string& scp_dir = "");

}  // namespace hubspoke
