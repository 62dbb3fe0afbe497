// ModelFromExports, the Organizations half and the readers both halves share
// (iam_export_reader.h). The SCP export's layout (docs/policies.md, "Exporting a real
// organization"), each file exactly what one AWS CLI command prints:
//   organization.json          aws organizations describe-organization
//   roots.json                 aws organizations list-roots
//   policies.json              aws organizations list-policies --filter SERVICE_CONTROL_POLICY
//   policies/<policy-id>.json  aws organizations describe-policy --policy-id <policy-id>
//   targets/<policy-id>.json   aws organizations list-targets-for-policy --policy-id <policy-id>
//   ous/<parent-id>.json       aws organizations list-organizational-units-for-parent --parent-id
//   accounts/<parent-id>.json  aws organizations list-accounts-for-parent --parent-id
// The outputs carry neither the policy id nor the parent id they answer for: the file name does.
#include <algorithm>
#include <map>
#include <set>

#include "core/strings.h"
#include "core/validate.h"
#include "iam/iam_export_reader.h"
#include "iam/model_reader.h"

namespace hubspoke::iam::export_reader {

using model_reader::GetString;
using model_reader::ModelError;

Error InFile(const Error& error, std::string_view source, const ExportFile& file) {
  // File names come from a directory listing: made printable, so the error stays one line.
  Error e = error.Wrap(Printable(file.name));
  return source.empty() ? e : e.Wrap(std::string(source));
}

Result<json> ParseExportJson(const ExportFile& file) {
  try {
    return json::parse(file.text);
  } catch (const json::parse_error& e) {
    return Error(ErrorCode::kInvalidArgument,
                 "not valid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const json::exception& e) {  // out_of_range: a number too large (1E800)
    return Error(ErrorCode::kInvalidArgument, std::string("not valid JSON: ") + e.what());
  }
}

Status ExpectObject(const json& value, const std::string& path) {
  if (value.is_object()) return Ok();
  return ModelError(path, std::string("expected an object, got ") + value.type_name());
}

Result<const json*> OptionalArray(const json& object, const std::string& path, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (!it->is_array()) {
    return ModelError(path + "." + key, std::string("expected an array, got ") + it->type_name());
  }
  return &*it;
}

Result<const json*> OptionalObject(const json& object, const std::string& path, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (!it->is_object()) {
    return ModelError(path + "." + key, std::string("expected an object, got ") + it->type_name());
  }
  return &*it;
}

Result<std::string> UrlDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return Error(ErrorCode::kInvalidArgument,
                   "a cut percent escape at character " + std::to_string(i));
    }
    const int hi = hex(text[i + 1]);
    const int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "a bad percent escape at character " + std::to_string(i));
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<policy::NamedPolicy> ParseExportDocument(const json& doc, const std::string& path,
                                                std::string name, policy::PolicyKind kind,
                                                std::string scp_group) {
  if (!doc.is_string()) {
    return model_reader::ParseDocument(doc, path, std::move(name), kind, std::move(scp_group));
  }
  // The raw IAM API returns documents URL-encoded (RFC 3986); the AWS CLI decodes them. A JSON
  // document starts with '{' and an encoded one with "%7B", so the first character tells.
  const std::string& text = doc.get_ref<const std::string&>();
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '%') {
    auto decoded = UrlDecode(text);
    if (!decoded) {
      return ModelError(path, "a URL-encoded policy document with " + decoded.error().message());
    }
    return model_reader::ParseDocument(json(*decoded), path, std::move(name), kind,
                                       std::move(scp_group));
  }
  return model_reader::ParseDocument(doc, path, std::move(name), kind, std::move(scp_group));
}

std::string ArnAccount(std::string_view arn) {
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
  std::size_t start = 0;
  for (int field = 0; field < 4; ++field) {
    start = arn.find(':', start);
    if (start == std::string_view::npos) return "";
    ++start;
  }
  const std::size_t end = arn.find(':', start);
  if (!arn.starts_with("arn:") || end == std::string_view::npos) return "";
  return std::string(arn.substr(start, end - start));
}

namespace {

bool IsLowerAlnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// Organizations: "o-" and 10–32 lower-case letters or digits.
bool IsOrganizationId(std::string_view id) {
  return id.size() >= 12 && id.size() <= 34 && id.starts_with("o-") && IsLowerAlnum(id.substr(2));
}

}  // namespace

Result<OrganizationExport> ParseDescribeOrganization(const json& root) {
  auto org = OptionalObject(root, "$", "Organization");
  if (!org) return org.error();
  if (!*org) return ModelError("$", "missing required member \"Organization\" (the output of "
                                    "aws organizations describe-organization)");
  const std::string p = "$.Organization";
  OrganizationExport out;
  auto id = GetString(**org, p, "Id", true);
  if (!id) return id.error();
  if (!IsOrganizationId(*id)) {
    return ModelError(p + ".Id", "\"" + *id + "\" is not an organization id (o- followed by "
                                              "10–32 lower-case letters or digits)");
  }
  out.organization_id = *id;
  auto master = GetString(**org, p, "MasterAccountId", false);
  if (!master) return master.error();
  if (!master->empty()) {
    if (auto s = ValidateAccountId(p + ".MasterAccountId", *master); !s) return s.error();
  }
  out.management_account = *master;
  return out;
}

namespace {

class OrganizationReader {
 public:
  OrganizationReader(const std::vector<ExportFile>& files, std::string_view source, Model& m)
      : files_(files), source_(source), m_(m) {}

  Status Apply() {
    for (std::size_t i = 0; i < files_.size(); ++i) by_name_[files_[i].name] = i;
    std::set<std::string> in_tree;
    std::map<std::string, Account> tree_accounts;  // from accounts/<parent>.json

    // organization.json and roots.json: the organization and its root.
    auto org_doc = Required("organization.json", "aws organizations describe-organization");
    if (!org_doc) return org_doc.error();
    auto org = ParseDescribeOrganization(org_doc->second);
    if (!org) return Fail(org_doc->first, org.error());
    m_.organization_id = org->organization_id;
    m_.management_account = org->management_account;
    auto roots_doc = Required("roots.json", "aws organizations list-roots");
    if (!roots_doc) return roots_doc.error();
    if (auto s = ReadRoot(roots_doc->second); !s) return Fail(roots_doc->first, s.error());

    // The tree: ous/<parent>.json and accounts/<parent>.json, any order (parents checked after).
    std::vector<std::pair<std::size_t, std::string>> ou_parent_refs;  // (file, parent)
    for (std::size_t i = 0; i < files_.size(); ++i) {
      const std::string& name = files_[i].name;
      if (auto parent = IdInDirectory(name, "ous/")) {
        auto doc = Parse(i);
        if (!doc) return doc.error();
        if (auto s = ReadOrganizationalUnits(*doc, *parent); !s) return Fail(i, s.error());
        if (*parent != m_.root_id) ou_parent_refs.emplace_back(i, *parent);
      } else if (auto account_parent = IdInDirectory(name, "accounts/")) {
        auto doc = Parse(i);
        if (!doc) return doc.error();
        if (auto s = ReadAccounts(*doc, *account_parent, tree_accounts); !s) {
          return Fail(i, s.error());
        }
        if (*account_parent != m_.root_id) ou_parent_refs.emplace_back(i, *account_parent);
      }
    }
    for (const auto& [file, parent] : ou_parent_refs) {
      if (!m_.FindOrganizationalUnit(parent)) {
        return Fail(file, ModelError("$", "parent " + parent + " (from the file name) is neither "
                                          "the root " + m_.root_id + " nor an OU listed in ous/"));
      }
    }
    // Accounts: the tree's are members (with their names, emails and status); exported accounts
    // outside it are not, so aws:PrincipalOrgID is absent for their principals.
    for (Account& a : m_.accounts) {
      auto it = tree_accounts.find(a.id);
      if (it == tree_accounts.end()) {
        a.in_organization = false;
        continue;
      }
      a.name = it->second.name;
      a.email = it->second.email;
      a.status = it->second.status;
      a.parent_ou = it->second.parent_ou;
      a.in_organization = true;
      tree_accounts.erase(it);
    }
    for (auto& [id, account] : tree_accounts) m_.accounts.push_back(std::move(account));
    if (!m_.management_account.empty() && !m_.FindAccount(m_.management_account)) {
      Account management;
      management.id = m_.management_account;
      management.name = management.id;
      management.email = "aws+" + management.id + "@example.com";
      m_.accounts.push_back(std::move(management));
    }

    // policies.json, then policies/<id>.json and targets/<id>.json for each SCP in it.
    auto policies_doc = Required("policies.json",
                                 "aws organizations list-policies --filter SERVICE_CONTROL_POLICY");
    if (!policies_doc) return policies_doc.error();
    auto ids = ReadPolicyList(policies_doc->second);
    if (!ids) return Fail(policies_doc->first, ids.error());
    for (std::size_t i = 0; i < files_.size(); ++i) {
      for (const char* dir : {"policies/", "targets/"}) {
        auto id = IdInDirectory(files_[i].name, dir);
        if (id && !std::count(ids->begin(), ids->end(), *id)) {
          return Fail(i, ModelError("$", "policy " + *id + " (from the file name) is not a "
                                         "SERVICE_CONTROL_POLICY listed in policies.json"));
        }
      }
    }
    for (const std::string& id : *ids) {
      if (auto s = AttachPolicy(id); !s) return s;
    }
    return Ok();
  }

 private:
  Error Fail(std::size_t file, const Error& e) const { return InFile(e, source_, files_[file]); }

  Result<json> Parse(std::size_t i) {
    auto doc = ParseExportJson(files_[i]);
    if (!doc) return Fail(i, doc.error());
    if (auto s = ExpectObject(*doc, "$"); !s) return Fail(i, s.error());
    return doc;
  }

  Result<std::pair<std::size_t, json>> Required(const std::string& name, const char* command) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(source_) + ": " + name + ": missing (the output of " + command +
                       "; docs/policies.md, \"Exporting a real organization\")");
    }
    auto doc = Parse(it->second);
    if (!doc) return doc.error();
    return std::make_pair(it->second, std::move(*doc));
  }

  // "ous/ou-ab12-cdefgh12.json" in "ous/" → "ou-ab12-cdefgh12".
  static std::optional<std::string> IdInDirectory(const std::string& name, std::string_view dir) {
    if (!name.starts_with(dir) || !name.ends_with(".json")) return std::nullopt;
    std::string id = name.substr(dir.size(), name.size() - dir.size() - 5);
    if (id.empty() || id.find('/') != std::string::npos) return std::nullopt;
    return id;
  }

  Status ReadRoot(const json& doc) {
    auto roots = OptionalArray(doc, "$", "Roots");
    if (!roots) return roots.error();
    if (!*roots || (*roots)->size() != 1) {
      return ModelError("$.Roots", "expected exactly one root (an organization has one)");
    }
    if (auto s = ExpectObject((**roots)[0], "$.Roots[0]"); !s) return s;
    auto id = GetString((**roots)[0], "$.Roots[0]", "Id", true);
    if (!id) return id.error();
    if (id->size() < 6 || id->size() > 34 || !id->starts_with("r-") ||
        !IsLowerAlnum(id->substr(2))) {
      return ModelError("$.Roots[0].Id", "\"" + *id + "\" is not a root id (r- followed by 4–32 "
                                                      "lower-case letters or digits)");
    }
    m_.root_id = *id;
    return Ok();
  }

  Status ReadOrganizationalUnits(const json& doc, const std::string& parent) {
    auto list = OptionalArray(doc, "$", "OrganizationalUnits");
    if (!list) return list.error();
    if (!*list) return ModelError("$", "missing required member \"OrganizationalUnits\"");
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const std::string p = "$.OrganizationalUnits[" + std::to_string(i) + "]";
      if (auto s = ExpectObject((**list)[i], p); !s) return s;
      auto id = GetString((**list)[i], p, "Id", true);
      if (!id) return id.error();
      if (!id->starts_with("ou-")) return ModelError(p + ".Id", "\"" + *id + "\" is not an OU id");
      if (m_.FindOrganizationalUnit(*id)) return ModelError(p + ".Id", "duplicate OU " + *id);
      auto name = GetString((**list)[i], p, "Name", false, *id);
      if (!name) return name.error();
      m_.organizational_units.push_back(
          OrganizationalUnit{*id, *name, parent == m_.root_id ? "" : parent, {}});
    }
    return Ok();
  }

  Status ReadAccounts(const json& doc, const std::string& parent,
                      std::map<std::string, Account>& out) {
    auto list = OptionalArray(doc, "$", "Accounts");
    if (!list) return list.error();
    if (!*list) return ModelError("$", "missing required member \"Accounts\"");
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const std::string p = "$.Accounts[" + std::to_string(i) + "]";
      const json& item = (**list)[i];
      if (auto s = ExpectObject(item, p); !s) return s;
      Account a;
      auto id = GetString(item, p, "Id", true);
      if (!id) return id.error();
      if (auto s = ValidateAccountId(p + ".Id", *id); !s) return s;
      if (out.count(*id)) return ModelError(p + ".Id", "account " + *id + " is listed twice");
      a.id = *id;
      auto name = GetString(item, p, "Name", false, *id);
      if (!name) return name.error();
      a.name = *name;
      auto email = GetString(item, p, "Email", false, "aws+" + *id + "@example.com");
      if (!email) return email.error();
      a.email = *email;
      // Status (ACTIVE, SUSPENDED, PENDING_CLOSURE) is being replaced by State; either serves.
      auto status = GetString(item, p, "Status", false);
      if (!status) return status.error();
      auto state = GetString(item, p, "State", false);
      if (!state) return state.error();
      a.status = (*status == "SUSPENDED" || *state == "SUSPENDED")
                     ? AccountStatus::kSuspended
                     : AccountStatus::kActive;
      a.parent_ou = parent == m_.root_id ? "" : parent;
      out.emplace(a.id, std::move(a));
    }
    return Ok();
  }

  // The SCP ids in list-policies' output (other policy types are skipped: the command may have
  // been run without --filter).
  Result<std::vector<std::string>> ReadPolicyList(const json& doc) {
    std::vector<std::string> ids;
    auto list = OptionalArray(doc, "$", "Policies");
    if (!list) return list.error();
    if (!*list) return ModelError("$", "missing required member \"Policies\"");
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
      const std::string p = "$.Policies[" + std::to_string(i) + "]";
      if (auto s = ExpectObject((**list)[i], p); !s) return s.error();
      auto id = GetString((**list)[i], p, "Id", true);
      if (!id) return id.error();
      auto type = GetString((**list)[i], p, "Type", false, "SERVICE_CONTROL_POLICY");
      if (!type) return type.error();
      if (*type != "SERVICE_CONTROL_POLICY") continue;
      if (id->empty() || id->find('/') != std::string::npos) {
        return ModelError(p + ".Id", "\"" + *id + "\" is not a policy id");
      }
      ids.push_back(*id);
    }
    return ids;
  }

  // policies/<id>.json (describe-policy: {"Policy": {"PolicySummary": {…}, "Content": "…"}}) and
  // targets/<id>.json (list-targets-for-policy: {"Targets": [{TargetId, Type, …}]}).
  Status AttachPolicy(const std::string& id) {
    auto policy_doc = Required("policies/" + id + ".json",
                               ("aws organizations describe-policy --policy-id " + id).c_str());
    if (!policy_doc) return policy_doc.error();
    const std::size_t pf = policy_doc->first;
    auto policy = OptionalObject(policy_doc->second, "$", "Policy");
    if (!policy) return Fail(pf, policy.error());
    if (!*policy) return Fail(pf, ModelError("$", "missing required member \"Policy\""));
    std::string name = id;
    auto summary = OptionalObject(**policy, "$.Policy", "PolicySummary");
    if (!summary) return Fail(pf, summary.error());
    if (*summary) {
      auto summary_id = GetString(**summary, "$.Policy.PolicySummary", "Id", false, id);
      if (!summary_id) return Fail(pf, summary_id.error());
      if (*summary_id != id) {
        return Fail(pf, ModelError("$.Policy.PolicySummary.Id",
                                   "policy " + *summary_id + " in the file for policy " + id));
      }
      auto n = GetString(**summary, "$.Policy.PolicySummary", "Name", false, id);
      if (!n) return Fail(pf, n.error());
      name = *n;
    }
    auto content = (*policy)->find("Content");
    if (content == (*policy)->end() || !content->is_string()) {
      return Fail(pf, ModelError("$.Policy.Content", "expected the policy's JSON as a string"));
    }

    auto targets_doc = Required("targets/" + id + ".json",
                                ("aws organizations list-targets-for-policy --policy-id " + id)
                                    .c_str());
    if (!targets_doc) return targets_doc.error();
    const std::size_t tf = targets_doc->first;
    auto targets = OptionalArray(targets_doc->second, "$", "Targets");
    if (!targets) return Fail(tf, targets.error());
    if (!*targets) return Fail(tf, ModelError("$", "missing required member \"Targets\""));
    for (std::size_t i = 0; i < (*targets)->size(); ++i) {
      const std::string p = "$.Targets[" + std::to_string(i) + "]";
      const json& t = (**targets)[i];
      if (auto s = ExpectObject(t, p); !s) return Fail(tf, s.error());
      auto target = GetString(t, p, "TargetId", true);
      if (!target) return Fail(tf, target.error());
      auto type = GetString(t, p, "Type", true);
      if (!type) return Fail(tf, type.error());
      std::vector<policy::NamedPolicy>* scps = nullptr;
      std::string owner;
      std::string group;
      if (*type == "ROOT") {
        if (*target != m_.root_id) {
          return Fail(tf, ModelError(p + ".TargetId", "unknown target: root " + *target +
                                                          " is not " + m_.root_id +
                                                          " (roots.json)"));
        }
        scps = &m_.organization_scps;
        owner = "the organization root";
        group = "root";
      } else if (*type == "ORGANIZATIONAL_UNIT") {
        auto* ou = const_cast<OrganizationalUnit*>(m_.FindOrganizationalUnit(*target));
        if (!ou) {
          return Fail(tf, ModelError(p + ".TargetId", "unknown target: OU " + *target +
                                                          " is in no ous/<parent>.json"));
        }
        scps = &ou->scps;
        owner = "OU " + ou->id + " (" + ou->name + ")";
        group = "OU " + ou->id;
      } else if (*type == "ACCOUNT") {
        auto* account = const_cast<Account*>(m_.FindAccount(*target));
        if (!account || !account->in_organization) {
          return Fail(tf, ModelError(p + ".TargetId", "unknown target: account " + *target +
                                                          " is in no accounts/<parent>.json"));
        }
        scps = &account->scps;
        owner = "account " + account->id;
        group = "account " + account->id;
      } else {
        return Fail(tf, ModelError(p + ".Type", "\"" + *type + "\" is not ROOT, "
                                                               "ORGANIZATIONAL_UNIT or ACCOUNT"));
      }
      auto parsed = ParseExportDocument(*content, "$.Policy.Content",
                                        "SCP '" + name + "' of " + owner,
                                        policy::PolicyKind::kScp, group);
      if (!parsed) return Fail(pf, parsed.error());
      scps->push_back(std::move(*parsed));
    }
    return Ok();
  }

  const std::vector<ExportFile>& files_;
  std::string_view source_;
  Model& m_;
  std::map<std::string, std::size_t> by_name_;
};

}  // namespace

Status ApplyOrganizationExport(const std::vector<ExportFile>& files, std::string_view source,
                               Model& m) {
  return OrganizationReader(files, source, m).Apply();
}

}  // namespace hubspoke::iam::export_reader
