// ModelFromExports, the IAM half: one `aws iam get-account-authorization-details` document per
// account (users with their groups' policies, roles, managed policies at their default
// version), then the Organizations half (iam_export_organization.cc) when given.
#include "iam/iam_export.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "core/strings.h"
#include "core/validate.h"
#include "iam/iam_export_reader.h"
#include "iam/model_reader.h"

namespace hubspoke::iam {
namespace {

using export_reader::ArnAccount;
using export_reader::ExpectObject;
using export_reader::OptionalArray;
using export_reader::OptionalObject;
using export_reader::ParseExportDocument;
using model_reader::GetString;
using model_reader::ModelError;
using nlohmann::json;

// A managed policy from some file's "Policies": its default version's document, parsed on first
// use for each kind it is attached as (identity policy, permissions boundary).
struct ManagedSource {
  std::size_t file = 0;
  std::string path;  // "$.Policies[2].PolicyVersionList[1].Document"
  const json* document = nullptr;
  std::map<policy::PolicyKind, policy::NamedPolicy> parsed;
};

// A group of one account: its inline policies and attached managed policy ARNs, with the JSON
// path of each attachment for errors.
struct Group {
  std::vector<policy::NamedPolicy> inline_policies;
  std::vector<std::pair<std::string, std::string>> attached;  // (ARN, path)
};

bool IsBareAccountFileName(std::string_view name) {
  if (std::size_t slash = name.rfind('/'); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  return name.size() == 17 && name.ends_with(".json") &&
         std::all_of(name.begin(), name.begin() + 12, [](char c) { return c >= '0' && c <= '9'; });
}

bool IsOrganizationFile(std::string_view name) { return name == "organization.json"; }

// Every file's JSON, in file order. Parsing is most of the cost of a large export (1,000
// accounts are ~20 MiB): above kParallelFiles files it is spread over the cores, each thread
// taking every n-th file; the files are independent and the results land in their own slots.
constexpr std::size_t kParallelFiles = 64;

// (nlohmann's json converts from nearly anything, Result<json> among them: plain vectors of
// documents and errors keep it from wrapping one in the other.)
struct ParsedFiles {
  std::vector<json> docs;
  std::vector<std::optional<Error>> errors;
};

// Runs work(i) for every i < n, spread over the cores as above when n is large.
template <typename Work>
void ForEachIndex(std::size_t n, Work work) {
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = n < kParallelFiles ? 1 : std::min<std::size_t>(cores, 8);
  auto stride = [&](std::size_t first) {
    for (std::size_t i = first; i < n; i += threads) work(i);
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(stride, t);
  stride(0);
  for (std::thread& t : pool) t.join();
}

ParsedFiles ParseAll(const std::vector<ExportFile>& files) {
  ParsedFiles out{std::vector<json>(files.size()),
                  std::vector<std::optional<Error>>(files.size())};
  ForEachIndex(files.size(), [&](std::size_t i) {
    auto parsed = export_reader::ParseExportJson(files[i]);
    if (parsed) {
      out.docs[i] = std::move(*parsed);
    } else {
      out.errors[i] = parsed.error();
    }
  });
  return out;
}

// Freeing 1,000 documents' DOMs (millions of nodes) is a tenth of the load: the same workers do
// it. Only once nothing points into them any more (the model holds copies).
void DestroyAll(std::vector<json>& docs) {
  ForEachIndex(docs.size(), [&](std::size_t i) { json().swap(docs[i]); });
}

class Builder {
 public:
  Builder(const std::vector<ExportFile>& files, std::string_view source)
      : files_(files), source_(source) {}

  Result<Model> Build(const std::vector<ExportFile>& scp_files, std::string_view scp_source) {
    ParsedFiles parsed = ParseAll(files_);
    std::vector<json>& docs = parsed.docs;
    std::optional<export_reader::OrganizationExport> organization;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (parsed.errors[i]) return Fail(i, *parsed.errors[i]);
      if (auto s = ExpectObject(docs[i], "$"); !s) return Fail(i, s.error());
      if (IsOrganizationFile(files_[i].name)) {
        auto org = export_reader::ParseDescribeOrganization(docs[i]);
        if (!org) return Fail(i, org.error());
        organization = *org;
        continue;
      }
      if (auto s = CollectManagedPolicies(i, docs[i]); !s) return Fail(i, s.error());
    }
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (IsOrganizationFile(files_[i].name)) continue;
      if (auto s = AddAccount(i, docs[i]); !s) return Fail(i, s.error());
    }
    if (files_.empty() || model_.accounts.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(source_) + ": no account export (*.json written by aws iam "
                                          "get-account-authorization-details) in it");
    }
    if (auto s = AddManagedPolicies(); !s) {
      return complete_error_ ? s.error() : s.error().Wrap(std::string(source_));
    }
    if (organization) {
      model_.organization_id = organization->organization_id;
      model_.root_id = "r-" + organization->organization_id.substr(2, 4);
      model_.management_account = organization->management_account;
      if (!model_.management_account.empty() && !model_.FindAccount(model_.management_account)) {
        Account management;
        management.id = model_.management_account;
        management.name = management.id;
        management.email = "aws+" + management.id + "@example.com";
        model_.accounts.push_back(std::move(management));
      }
    } else {
      for (Account& a : model_.accounts) a.in_organization = false;
    }
    if (!scp_files.empty()) {
      if (auto s = export_reader::ApplyOrganizationExport(scp_files, scp_source, model_); !s) {
        return s.error();
      }
    }
    DestroyAll(docs);
    return std::move(model_);
  }

 private:
  Error Fail(std::size_t file, const Error& e) const {
    if (complete_error_) return e;
    return export_reader::InFile(e, source_, files_[file]);
  }

  // $.Policies[i]: {PolicyName, Arn, DefaultVersionId, PolicyVersionList: [{Document, VersionId,
  // IsDefaultVersion}]}. AWS managed policies appear in every file: the first one is kept.
  Status CollectManagedPolicies(std::size_t file, const json& doc) {
    auto list = OptionalArray(doc, "$", "Policies");
    if (!list) return list.error();
    if (!*list) return Ok();
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const std::string p = "$.Policies[" + std::to_string(i) + "]";
      const json& item = (**list)[i];
      if (auto s = ExpectObject(item, p); !s) return s;
      auto arn = GetString(item, p, "Arn", true);
      if (!arn) return arn.error();
      if (auto s = ValidatePolicyArn(p + ".Arn", *arn); !s) return s;
      auto default_id = GetString(item, p, "DefaultVersionId", false);
      if (!default_id) return default_id.error();
      auto versions = OptionalArray(item, p, "PolicyVersionList");
      if (!versions) return versions.error();
      if (!*versions) return ModelError(p, "missing required member \"PolicyVersionList\"");
      // DefaultVersionId names the version IAM applies; IsDefaultVersion says the same per
      // version, so either finds it (a file missing DefaultVersionId still works).
      const json* chosen = nullptr;
      std::string chosen_path;
      for (std::size_t v = 0; v < (*versions)->size(); ++v) {
        const std::string vp = p + ".PolicyVersionList[" + std::to_string(v) + "]";
        const json& version = (**versions)[v];
        if (auto s = ExpectObject(version, vp); !s) return s;
        auto id = GetString(version, vp, "VersionId", false);
        if (!id) return id.error();
        bool is_default = false;
        if (auto it = version.find("IsDefaultVersion"); it != version.end()) {
          if (!it->is_boolean()) {
            return ModelError(vp + ".IsDefaultVersion",
                              std::string("expected true or false, got ") + it->type_name());
          }
          is_default = it->get<bool>();
        }
        const bool by_id = !default_id->empty() && *id == *default_id;
        if (by_id || (default_id->empty() && is_default)) {
          auto d = version.find("Document");
          if (d == version.end()) return ModelError(vp, "missing required member \"Document\"");
          chosen = &*d;
          chosen_path = vp + ".Document";
        }
      }
      if (!chosen) {
        return ModelError(p + ".PolicyVersionList",
                          default_id->empty()
                              ? "no version has IsDefaultVersion true"
                              : "the default version " + *default_id + " is not in the list");
      }
      if (managed_.count(*arn)) {
        if (ArnAccount(*arn) != "aws" && managed_[*arn].file != file) {
          return ModelError(p + ".Arn", "customer managed policy " + *arn + " is also in " +
                                            files_[managed_[*arn].file].name);
        }
        continue;
      }
      managed_order_.push_back(*arn);
      managed_[*arn] = ManagedSource{file, chosen_path, chosen, {}};
    }
    return Ok();
  }

  // The default version of managed policy `arn` as a policy of `kind`; `path` is where it is
  // attached (for the error when no file has it).
  Result<policy::NamedPolicy> Managed(const std::string& arn, const std::string& path,
                                      policy::PolicyKind kind) {
    auto it = managed_.find(arn);
    if (it == managed_.end()) {
      return ModelError(path, "managed policy " + arn +
                                  " is in no export file's Policies (AWS managed policies are "
                                  "exported only without --filter: run aws iam "
                                  "get-account-authorization-details with no --filter)");
    }
    ManagedSource& source = it->second;
    if (auto done = source.parsed.find(kind); done != source.parsed.end()) return done->second;
    const char* what = kind == policy::PolicyKind::kPermissionsBoundary ? "permissions boundary"
                       : kind == policy::PolicyKind::kSession         ? "managed session policy"
                                                                      : "managed policy";
    auto parsed = ParseExportDocument(*source.document, source.path, std::string(what) + " " + arn,
                                      kind);
    if (!parsed) {
      // The fault is in the file defining the policy, not the one attaching it: the error is
      // complete here and Fail passes it on unchanged.
      complete_error_ = true;
      return export_reader::InFile(parsed.error(), source_, files_[source.file]);
    }
    source.parsed.emplace(kind, *parsed);
    return std::move(*parsed);
  }

  // [{PolicyName, PolicyDocument}, …] (UserPolicyList, GroupPolicyList, RolePolicyList).
  Status InlinePolicies(const json& object, const std::string& path, const char* key,
                        const std::string& owner, std::vector<policy::NamedPolicy>& out) {
    auto list = OptionalArray(object, path, key);
    if (!list) return list.error();
    if (!*list) return Ok();
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const std::string p = path + "." + key + "[" + std::to_string(i) + "]";
      const json& item = (**list)[i];
      if (auto s = ExpectObject(item, p); !s) return s;
      auto name = GetString(item, p, "PolicyName", true);
      if (!name) return name.error();
      auto doc = item.find("PolicyDocument");
      if (doc == item.end()) return ModelError(p, "missing required member \"PolicyDocument\"");
      auto parsed = ParseExportDocument(*doc, p + ".PolicyDocument",
                                        "identity policy '" + *name + "' of " + owner,
                                        policy::PolicyKind::kIdentity);
      if (!parsed) return parsed.error();
      out.push_back(std::move(*parsed));
    }
    return Ok();
  }

  // AttachedManagedPolicies: [{PolicyName, PolicyArn}, …] → (ARN, path) pairs.
  Result<std::vector<std::pair<std::string, std::string>>> Attached(const json& object,
                                                                    const std::string& path) {
    std::vector<std::pair<std::string, std::string>> out;
    auto list = OptionalArray(object, path, "AttachedManagedPolicies");
    if (!list) return list.error();
    if (!*list) return out;
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const std::string p = path + ".AttachedManagedPolicies[" + std::to_string(i) + "]";
      if (auto s = ExpectObject((**list)[i], p); !s) return s.error();
      auto arn = GetString((**list)[i], p, "PolicyArn", true);
      if (!arn) return arn.error();
      out.emplace_back(*arn, p + ".PolicyArn");
    }
    return out;
  }

  Status AttachManaged(const std::vector<std::pair<std::string, std::string>>& attached,
                       std::vector<policy::NamedPolicy>& out) {
    for (const auto& [arn, path] : attached) {
      auto parsed = Managed(arn, path, policy::PolicyKind::kIdentity);
      if (!parsed) return parsed.error();
      out.push_back(std::move(*parsed));
    }
    return Ok();
  }

  // PermissionsBoundary: {PermissionsBoundaryType: "Policy", PermissionsBoundaryArn}.
  Status Boundary(const json& object, const std::string& path,
                  std::optional<policy::NamedPolicy>& out) {
    auto b = OptionalObject(object, path, "PermissionsBoundary");
    if (!b) return b.error();
    if (!*b) return Ok();
    auto arn = GetString(**b, path + ".PermissionsBoundary", "PermissionsBoundaryArn", true);
    if (!arn) return arn.error();
    auto parsed = Managed(*arn, path + ".PermissionsBoundary.PermissionsBoundaryArn",
                          policy::PolicyKind::kPermissionsBoundary);
    if (!parsed) return parsed.error();
    out = std::move(*parsed);
    return Ok();
  }

  // Tags: [{Key, Value}, …].
  Status Tags(const json& object, const std::string& path, std::map<std::string, std::string>& out) {
    auto list = OptionalArray(object, path, "Tags");
    if (!list) return list.error();
    if (!*list) return Ok();
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const std::string p = path + ".Tags[" + std::to_string(i) + "]";
      if (auto s = ExpectObject((**list)[i], p); !s) return s;
      auto key = GetString((**list)[i], p, "Key", true);
      if (!key) return key.error();
      auto value = GetString((**list)[i], p, "Value", false);
      if (!value) return value.error();
      out[*key] = *value;
    }
    return Ok();
  }

  // The account of file `file`: every ARN in it must name the same one (AWS managed policies,
  // "arn:aws:iam::aws:policy/…", name none); without any, a "<12 digits>.json" file name.
  Result<std::string> AccountOf(std::size_t file, const json& doc) {
    std::string account;
    std::string first_path;
    for (const char* list_key : {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}) {
      auto list = OptionalArray(doc, "$", list_key);
      if (!list) return list.error();
      if (!*list) continue;
      for (std::size_t i = 0; i < (*list)->size(); ++i) {
        const std::string p = std::string("$.") + list_key + "[" + std::to_string(i) + "]";
        if (auto s = ExpectObject((**list)[i], p); !s) return s.error();
        auto arn = GetString((**list)[i], p, "Arn", false);
        if (!arn) return arn.error();
        if (arn->empty()) continue;
        const std::string a = ArnAccount(*arn);
        if (a == "aws" && std::string_view(list_key) == "Policies") continue;
        if (auto s = ValidateAccountId(p + ".Arn", a); !s) {
          return ModelError(p + ".Arn", "\"" + *arn + "\" is not an IAM ARN with an account id");
        }
        if (account.empty()) {
          account = a;
          first_path = p + ".Arn";
        } else if (a != account) {
          return ModelError(p + ".Arn", "account " + a + " differs from account " + account +
                                            " of " + first_path +
                                            " (one file per account, as exported)");
        }
      }
    }
    if (!account.empty()) return account;
    if (IsBareAccountFileName(files_[file].name)) {
      std::string_view name = files_[file].name;
      return std::string(name.substr(name.size() - 17, 12));
    }
    return ModelError("$", "no ARN names the account, and the file name is not "
                           "<12-digit account id>.json");
  }

  Status AddAccount(std::size_t file, const json& doc) {
    auto account = AccountOf(file, doc);
    if (!account) return account.error();
    if (model_.FindAccount(*account)) {
      return ModelError("$", "account " + *account + " is also exported in " +
                                 files_[account_files_[*account]].name);
    }
    account_files_[*account] = file;
    Account a;
    a.id = *account;
    a.name = *account;
    a.email = "aws+" + *account + "@example.com";
    model_.accounts.push_back(std::move(a));

    std::map<std::string, Group> groups;
    auto group_list = OptionalArray(doc, "$", "GroupDetailList");
    if (!group_list) return group_list.error();
    for (std::size_t i = 0; *group_list && i < (*group_list)->size(); ++i) {
      const std::string p = "$.GroupDetailList[" + std::to_string(i) + "]";
      const json& g = (**group_list)[i];
      auto name = GetString(g, p, "GroupName", true);
      if (!name) return name.error();
      Group group;
      if (auto s = InlinePolicies(g, p, "GroupPolicyList", "group " + *name, group.inline_policies);
          !s) {
        return s;
      }
      auto attached = Attached(g, p);
      if (!attached) return attached.error();
      group.attached = std::move(*attached);
      if (!groups.emplace(*name, std::move(group)).second) {
        return ModelError(p + ".GroupName", "duplicate group " + *name);
      }
    }

    auto users = OptionalArray(doc, "$", "UserDetailList");
    if (!users) return users.error();
    for (std::size_t i = 0; *users && i < (*users)->size(); ++i) {
      if (auto s = AddUser((**users)[i], "$.UserDetailList[" + std::to_string(i) + "]", *account,
                           groups);
          !s) {
        return s;
      }
    }
    auto roles = OptionalArray(doc, "$", "RoleDetailList");
    if (!roles) return roles.error();
    for (std::size_t i = 0; *roles && i < (*roles)->size(); ++i) {
      if (auto s = AddRole((**roles)[i], "$.RoleDetailList[" + std::to_string(i) + "]", *account);
          !s) {
        return s;
      }
    }
    return Ok();
  }

  Status NameAndPath(const json& object, const std::string& p, const char* name_key,
                     std::string& name, std::string& path) {
    auto n = GetString(object, p, name_key, true);
    if (!n) return n.error();
    if (auto s = ValidateRoleName(p + "." + name_key, *n); !s) return s;
    auto value = GetString(object, p, "Path", false, "/");
    if (!value) return value.error();
    if (auto s = ValidateRolePath(p + ".Path", *value); !s) return s;
    name = *n;
    path = *value;
    return Ok();
  }

  Status AddUser(const json& u, const std::string& p, const std::string& account,
                 const std::map<std::string, Group>& groups) {
    User user;
    user.account = account;
    if (auto s = NameAndPath(u, p, "UserName", user.name, user.path); !s) return s;
    user.arn = "arn:aws:iam::" + account + ":user" + user.path + user.name;
    auto id = GetString(u, p, "UserId", false, model_reader::DerivedUniqueId("AIDA", user.arn));
    if (!id) return id.error();
    user.unique_id = *id;
    if (auto s = InlinePolicies(u, p, "UserPolicyList", "user " + user.name, user.policies); !s) {
      return s;
    }
    auto attached = Attached(u, p);
    if (!attached) return attached.error();
    if (auto s = AttachManaged(*attached, user.policies); !s) return s;
    // A user's effective identity policies include those of every group it is in (IAM).
    auto group_names = model_reader::GetStrings(u, p, "GroupList");
    if (!group_names) return group_names.error();
    for (std::size_t i = 0; i < group_names->size(); ++i) {
      auto g = groups.find((*group_names)[i]);
      if (g == groups.end()) {
        return ModelError(p + ".GroupList[" + std::to_string(i) + "]",
                          "group " + (*group_names)[i] + " is not in $.GroupDetailList");
      }
      for (const policy::NamedPolicy& inline_policy : g->second.inline_policies) {
        user.policies.push_back(inline_policy);
      }
      if (auto s = AttachManaged(g->second.attached, user.policies); !s) return s;
    }
    if (auto s = Boundary(u, p, user.permissions_boundary); !s) return s;
    if (auto s = Tags(u, p, user.tags); !s) return s;
    model_.users.push_back(std::move(user));
    return Ok();
  }

  Status AddRole(const json& r, const std::string& p, const std::string& account) {
    if (auto s = ExpectObject(r, p); !s) return s;
    Role role;
    role.account = account;
    if (auto s = NameAndPath(r, p, "RoleName", role.name, role.path); !s) return s;
    if (model_.FindRoleByName(account, role.name)) {
      return ModelError(p + ".RoleName", "duplicate role " + role.name);
    }
    role.arn = "arn:aws:iam::" + account + ":role" + role.path + role.name;
    auto id = GetString(r, p, "RoleId", false, model_reader::DerivedUniqueId("AROA", role.arn));
    if (!id) return id.error();
    role.unique_id = *id;
    auto trust = r.find("AssumeRolePolicyDocument");
    if (trust == r.end()) return ModelError(p, "missing required member \"AssumeRolePolicyDocument\"");
    auto parsed = ParseExportDocument(*trust, p + ".AssumeRolePolicyDocument",
                                      "trust policy of " + role.arn, policy::PolicyKind::kTrust);
    if (!parsed) return parsed.error();
    role.trust_policy = std::move(*parsed);
    if (auto s = InlinePolicies(r, p, "RolePolicyList", "role " + role.name, role.policies); !s) {
      return s;
    }
    auto attached = Attached(r, p);
    if (!attached) return attached.error();
    if (auto s = AttachManaged(*attached, role.policies); !s) return s;
    if (auto s = Boundary(r, p, role.permissions_boundary); !s) return s;
    if (auto s = Tags(r, p, role.tags); !s) return s;
    // RoleDetail carries no MaxSessionDuration (botocore's IAM model): IAM's default, 1 h.
    model_.roles.push_back(std::move(role));
    return Ok();
  }

  // Every exported managed policy is usable in AssumeRole's PolicyArns, as in AWS.
  Status AddManagedPolicies() {
    for (const std::string& arn : managed_order_) {
      auto parsed = Managed(arn, "$.Policies", policy::PolicyKind::kSession);
      if (!parsed) return parsed.error();
      model_.managed_policies.push_back(ManagedPolicy{arn, std::move(*parsed)});
    }
    return Ok();
  }

  const std::vector<ExportFile>& files_;
  std::string_view source_;
  Model model_;
  std::map<std::string, ManagedSource> managed_;
  std::vector<std::string> managed_order_;
  std::map<std::string, std::size_t> account_files_;
  bool complete_error_ = false;  // the last error already names its source and file
};

}  // namespace

Result<Model> ModelFromExports(const std::vector<ExportFile>& iam_files,
                               const std::vector<ExportFile>& scp_files,
                               std::string_view iam_source, std::string_view scp_source) {
  auto model = Builder(iam_files, iam_source).Build(scp_files, scp_source);
  if (model) return model;
  // Messages quote names and values from the files: control characters must not break the
  // one-line error or reach the terminal.
  return Error(model.error().code(), Printable(model.error().message(), 4096));
}

}  // namespace hubspoke::iam
