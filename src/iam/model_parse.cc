// Loading the model file: its sections (organization and its tree of OUs, accounts, users,
// roles, OIDC providers, managed policies), checked member by member, with derived unique ids.
#include <algorithm>
#include <cassert>
#include <set>

#include "core/validate.h"
#include "iam/generated_spokes.h"
#include "iam/model.h"
#include "iam/model_reader.h"
#include "iam/totp.h"

namespace hubspoke::iam {
namespace {

using namespace model_reader;  // NOLINT(google-build-using-namespace): the file's vocabulary

bool IsWordString(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Status CheckAccountRef(const Model& m, const std::string& path, const std::string& account) {
  if (auto s = ValidateAccountId(path + ".account", account); !s) return std::move(s).error();
  if (!m.FindAccount(account)) {
    return ModelError(path + ".account", "account " + account + " is not listed in $.accounts");
  }
  return Ok();
}

// Organizations: "ou-" 4–32 lower-case letters or digits (the root's), "-", 8–32 more.
bool IsOrganizationalUnitId(std::string_view id) {
  auto alnum = [](std::string_view part, std::size_t min, std::size_t max) {
    return part.size() >= min && part.size() <= max &&
           std::all_of(part.begin(), part.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
           });
  };
  if (!id.starts_with("ou-")) return false;
  id.remove_prefix(3);
  const std::size_t dash = id.find('-');
  if (dash == std::string_view::npos) return false;
  return alnum(id.substr(0, dash), 4, 32) && alnum(id.substr(dash + 1), 8, 32);
}

// $.organization.organizational_units: [{"id", "name", "parent", "scps"}, …], parents given by
// id (absent: the root), in any order; every parent must exist and the tree has no cycles.
Status ParseOrganizationalUnits(const json& organization, Model& m) {
  const json* list = GetArray(organization, "organizational_units");
  if (!list) return Ok();
  const std::string list_path = "$.organization.organizational_units";
  if (!list->is_array()) return ModelError(list_path, "expected an array");
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = list_path + "[" + std::to_string(i) + "]";
    const json& o = (*list)[i];
    if (auto s = CheckObject(o, p, {"id", "name", "parent", "scps"}); !s) return s;
    OrganizationalUnit ou;
    auto id = GetString(o, p, "id", true);
    if (!id) return std::move(id).error();
    if (!IsOrganizationalUnitId(*id)) {
      return ModelError(p + ".id", "\"" + *id + "\" is not an OU id (ou- followed by 4–32 "
                                   "lower-case letters or digits, '-', and 8–32 more, e.g. "
                                   "ou-ab12-cdefgh12)");
    }
    if (m.FindOrganizationalUnit(*id)) return ModelError(p + ".id", "duplicate OU " + *id);
    ou.id = *id;
    auto name = GetString(o, p, "name", false, *id);
    if (!name) return std::move(name).error();
    ou.name = *name;
    auto parent = GetString(o, p, "parent", false);
    if (!parent) return std::move(parent).error();
    ou.parent = *parent;
    auto scps = ParsePolicyList(o, p, "scps", policy::PolicyKind::kScp,
                                "OU " + ou.id + " (" + ou.name + ")", "OU " + ou.id);
    if (!scps) return std::move(scps).error();
    ou.scps = std::move(*scps);
    m.organizational_units.push_back(std::move(ou));
    paths.push_back(p);
  }
  for (std::size_t i = 0; i < m.organizational_units.size(); ++i) {
    const OrganizationalUnit& ou = m.organizational_units[i];
    if (!ou.parent.empty() && !m.FindOrganizationalUnit(ou.parent)) {
      return ModelError(paths[i] + ".parent",
                        "unknown parent OU \"" + ou.parent + "\" (not listed in " + list_path + ")");
    }
  }
  for (std::size_t i = 0; i < m.organizational_units.size(); ++i) {
    // Walk up: reaching the root ends it, meeting this OU again is a cycle. An OU below a cycle
    // walks on until the bound; the cycle's own members report it.
    const OrganizationalUnit& ou = m.organizational_units[i];
    const OrganizationalUnit* up = &ou;
    for (std::size_t steps = 0; !up->parent.empty() && steps <= m.organizational_units.size();
         ++steps) {
      up = m.FindOrganizationalUnit(up->parent);
      if (up == &ou) {
        return ModelError(paths[i] + ".parent",
                          "OU " + ou.id + " is its own ancestor (a cycle of parents)");
      }
    }
  }
  return Ok();
}

Status ParseAccounts(const json& root, Model& m) {
  const json* list = GetArray(root, "accounts");
  if (!list) return ModelError("$", "missing required member \"accounts\"");
  if (!list->is_array()) return ModelError("$.accounts", "expected an array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = "$.accounts[" + std::to_string(i) + "]";
    const json& a = (*list)[i];
    if (auto s = CheckObject(a, p, {"id", "name", "email", "status", "organization", "parent",
                                    "scps"});
        !s) {
      return s;
    }
    Account account;
    auto id = GetString(a, p, "id", true);
    if (!id) return std::move(id).error();
    if (auto s = ValidateAccountId(p + ".id", *id); !s) return s;
    if (m.FindAccount(*id)) return ModelError(p + ".id", "duplicate account " + *id);
    account.id = *id;
    auto name = GetString(a, p, "name", false, *id);
    if (!name) return std::move(name).error();
    account.name = *name;
    auto email = GetString(a, p, "email", false, "aws+" + *id + "@example.com");
    if (!email) return std::move(email).error();
    if (email->size() < 6 || email->find('@') == std::string::npos) {
      return ModelError(p + ".email", "\"" + *email + "\" is not an email address");
    }
    account.email = *email;
    auto status = GetString(a, p, "status", false, "ACTIVE");
    if (!status) return std::move(status).error();
    if (*status != "ACTIVE" && *status != "SUSPENDED") {
      return ModelError(p + ".status", "\"" + *status + "\" is not ACTIVE or SUSPENDED");
    }
    account.status = *status == "SUSPENDED" ? AccountStatus::kSuspended : AccountStatus::kActive;
    if (auto it = a.find("organization"); it != a.end()) {
      if (!it->is_boolean()) return ModelError(p + ".organization", "expected true or false");
      account.in_organization = it->get<bool>();
    }
    auto parent = GetString(a, p, "parent", false);
    if (!parent) return std::move(parent).error();
    if (!parent->empty()) {
      if (m.organization_id.empty() || !account.in_organization) {
        return ModelError(p + ".parent", "an account outside the organization has no parent OU");
      }
      if (!m.FindOrganizationalUnit(*parent)) {
        return ModelError(p + ".parent", "unknown parent OU \"" + *parent +
                                             "\" (not listed in $.organization.organizational_units)");
      }
    }
    account.parent_ou = *parent;
    auto scps = ParsePolicyList(a, p, "scps", policy::PolicyKind::kScp, "account " + *id,
                                "account " + *id);
    if (!scps) return std::move(scps).error();
    account.scps = std::move(*scps);
    m.accounts.push_back(std::move(account));
  }
  return Ok();
}

// $.organization.management_account and .delegated_administrators: accounts of the model in
// the organization; the management account is no delegated administrator of its own.
Status ParseOrganizationAdministrators(const json& organization, Model& m) {
  const std::string p = "$.organization";
  auto in_org = [&m](const std::string& path, const std::string& id) -> Status {
    if (auto s = ValidateAccountId(path, id); !s) return std::move(s).error();
    const Account* a = m.FindAccount(id);
    if (!a) return ModelError(path, "account " + id + " is not listed in $.accounts");
    if (!a->in_organization) {
      return ModelError(path, "account " + id + " is outside the organization");
    }
    return Ok();
  };
  auto management = GetString(organization, p, "management_account", false);
  if (!management) return std::move(management).error();
  if (!management->empty()) {
    if (auto s = in_org(p + ".management_account", *management); !s) return s;
    m.management_account = *management;
  }
  auto delegated = GetStrings(organization, p, "delegated_administrators");
  if (!delegated) return std::move(delegated).error();
  if (!delegated->empty() && m.management_account.empty()) {
    return ModelError(p + ".delegated_administrators",
                      "delegated administrators need a management account "
                      "($.organization.management_account)");
  }
  for (std::size_t i = 0; i < delegated->size(); ++i) {
    const std::string dp = p + ".delegated_administrators[" + std::to_string(i) + "]";
    const std::string& id = (*delegated)[i];
    if (auto s = in_org(dp, id); !s) return s;
    if (id == m.management_account) {
      return ModelError(dp, "the management account cannot be a delegated administrator");
    }
    if (m.IsDelegatedAdministrator(id)) return ModelError(dp, "duplicate account " + id);
    m.delegated_administrators.push_back(id);
  }
  return Ok();
}

Status ParsePath(const json& object, const std::string& p, std::string& path) {
  auto value = GetString(object, p, "path", false, "/");
  if (!value) return std::move(value).error();
  if (auto s = ValidateRolePath(p + ".path", *value); !s) return s;
  path = *value;
  return Ok();
}

Status ParseUsers(const json& root, Model& m) {
  const json* list = GetArray(root, "users");
  if (!list) return Ok();
  if (!list->is_array()) return ModelError("$.users", "expected an array");
  std::set<std::string> keys;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = "$.users[" + std::to_string(i) + "]";
    const json& u = (*list)[i];
    if (auto s = CheckObject(u, p, {"account", "name", "path", "id", "access_keys", "policies",
                                    "permissions_boundary", "tags", "mfa_devices",
                                    "mfa_seeds"});
        !s) {
      return s;
    }
    User user;
    auto account = GetString(u, p, "account", true);
    if (!account) return std::move(account).error();
    if (auto s = CheckAccountRef(m, p, *account); !s) return s;
    user.account = *account;
    auto name = GetString(u, p, "name", true);
    if (!name) return std::move(name).error();
    if (auto s = ValidateRoleName(p + ".name", *name); !s) return s;
    user.name = *name;
    if (auto s = ParsePath(u, p, user.path); !s) return s;
    user.arn = "arn:aws:iam::" + user.account + ":user" + user.path + user.name;
    for (const User& other : m.users) {
      if (other.arn == user.arn) return ModelError(p, "duplicate user " + user.arn);
    }
    auto id = GetString(u, p, "id", false, DerivedUniqueId("AIDA", user.arn));
    if (!id) return std::move(id).error();
    user.unique_id = *id;
    if (const json* ks = GetArray(u, "access_keys")) {
      if (!ks->is_array()) return ModelError(p + ".access_keys", "expected an array");
      for (std::size_t k = 0; k < ks->size(); ++k) {
        const std::string kp = p + ".access_keys[" + std::to_string(k) + "]";
        if (auto s = CheckObject((*ks)[k], kp, {"id", "secret"}); !s) return s;
        auto kid = GetString((*ks)[k], kp, "id", true);
        if (!kid) return std::move(kid).error();
        if (kid->size() < 16 || kid->size() > 128 || !IsWordString(*kid) ||
            kid->rfind("AKIA", 0) != 0) {
          return ModelError(kp + ".id", "an access key id is AKIA followed by word characters, "
                                        "16–128 in all (e.g. AKIAIOSFODNN7EXAMPLE)");
        }
        if (!keys.insert(*kid).second) return ModelError(kp + ".id", "duplicate key " + *kid);
        auto secret = GetString((*ks)[k], kp, "secret", true);
        if (!secret) return std::move(secret).error();
        if (secret->size() < 16) return ModelError(kp + ".secret", "at least 16 characters");
        user.access_keys.push_back(AccessKey{*kid, SecretString(*secret)});
      }
    }
    auto policies = ParsePolicyList(u, p, "policies", policy::PolicyKind::kIdentity,
                                    "user " + user.name);
    if (!policies) return std::move(policies).error();
    user.policies = std::move(*policies);
    if (auto it = u.find("permissions_boundary"); it != u.end()) {
      auto b = ParseDocument(*it, p + ".permissions_boundary",
                             "permissions boundary of user " + user.name,
                             policy::PolicyKind::kPermissionsBoundary);
      if (!b) return std::move(b).error();
      user.permissions_boundary = std::move(*b);
    }
    auto tags = GetTags(u, p);
    if (!tags) return std::move(tags).error();
    user.tags = std::move(*tags);
    auto mfa = GetStrings(u, p, "mfa_devices");
    if (!mfa) return std::move(mfa).error();
    user.mfa_devices = std::move(*mfa);
    // {"<serial>": "<base 32 seed>"}: TOTP codes checked for that device.
    if (auto it = u.find("mfa_seeds"); it != u.end()) {
      if (!it->is_object()) return ModelError(p + ".mfa_seeds", "expected an object");
      for (const auto& [serial, seed] : it->items()) {
        const std::string where = p + ".mfa_seeds." + serial;
        if (std::find(user.mfa_devices.begin(), user.mfa_devices.end(), serial) ==
            user.mfa_devices.end()) {
          return ModelError(where, "not one of the user's mfa_devices");
        }
        auto key = seed.is_string() ? DecodeBase32(seed.get<std::string>()) : std::nullopt;
        if (!key) return ModelError(where, "expected a base 32 TOTP seed (A-Z, 2-7)");
        user.mfa_seeds[serial] = std::move(*key);
      }
    }
    m.users.push_back(std::move(user));
  }
  return Ok();
}

// One role of $.roles[i] in `account` (called once per account of "accounts").
Status ParseRole(const json& r, const std::string& p, const std::string& account, Model& m) {
  if (auto s = CheckAccountRef(m, p, account); !s) return s;
  Role role;
  role.account = account;
  auto name = GetString(r, p, "name", true);
  if (!name) return std::move(name).error();
  if (auto s = ValidateRoleName(p + ".name", *name); !s) return s;
  role.name = *name;
  if (auto s = ParsePath(r, p, role.path); !s) return s;
  role.arn = "arn:aws:iam::" + role.account + ":role" + role.path + role.name;
  for (const Role& other : m.roles) {
    // IAM: role names are unique per account, whatever the path.
    if (other.account == role.account && other.name == role.name) {
      return ModelError(p, "duplicate role " + role.name + " in account " + role.account);
    }
  }
  auto id = GetString(r, p, "id", false, DerivedUniqueId("AROA", role.arn));
  if (!id) return std::move(id).error();
  role.unique_id = *id;
  auto trust = r.find("trust_policy");
  if (trust == r.end()) return ModelError(p, "missing required member \"trust_policy\"");
  auto parsed = ParseDocument(*trust, p + ".trust_policy", "trust policy of " + role.arn,
                              policy::PolicyKind::kTrust);
  if (!parsed) return std::move(parsed).error();
  role.trust_policy = std::move(*parsed);
  auto policies = ParsePolicyList(r, p, "policies", policy::PolicyKind::kIdentity,
                                  "role " + role.name);
  if (!policies) return std::move(policies).error();
  role.policies = std::move(*policies);
  if (auto it = r.find("permissions_boundary"); it != r.end()) {
    auto b = ParseDocument(*it, p + ".permissions_boundary",
                           "permissions boundary of role " + role.name,
                           policy::PolicyKind::kPermissionsBoundary);
    if (!b) return std::move(b).error();
    role.permissions_boundary = std::move(*b);
  }
  auto tags = GetTags(r, p);
  if (!tags) return std::move(tags).error();
  role.tags = std::move(*tags);
  auto max_session = GetWholeNumber(r, p, "max_session_duration", 3600, 43200,
                                    role.max_session_duration.count(),
                                    "an integer number of seconds from 3600 to 43200 (IAM: 1–12 h)");
  if (!max_session) return std::move(max_session).error();
  role.max_session_duration = std::chrono::seconds(*max_session);
  m.roles.push_back(std::move(role));
  return Ok();
}

Status ParseRoles(const json& root, Model& m) {
  const json* list = GetArray(root, "roles");
  if (!list) return Ok();
  if (!list->is_array()) return ModelError("$.roles", "expected an array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = "$.roles[" + std::to_string(i) + "]";
    const json& r = (*list)[i];
    if (auto s = CheckObject(r, p, {"account", "accounts", "name", "path", "id", "trust_policy",
                                    "policies", "permissions_boundary", "tags",
                                    "max_session_duration"});
        !s) {
      return s;
    }
    // "account", or "accounts" for the same role deployed in several (as a StackSet does).
    auto accounts = GetStrings(r, p, "accounts");
    if (!accounts) return std::move(accounts).error();
    if (r.contains("account") == r.contains("accounts")) {
      return ModelError(p, "give either \"account\" or \"accounts\" (a role in several accounts)");
    }
    if (r.contains("account")) {
      auto account = GetString(r, p, "account", true);
      if (!account) return std::move(account).error();
      accounts->push_back(*account);
    } else if (accounts->empty()) {
      return ModelError(p + ".accounts", "expected at least one account id");
    } else if (r.contains("id") && accounts->size() > 1) {
      return ModelError(p + ".id", "a role in several accounts has one unique id per account: "
                                   "leave \"id\" out and the lab derives them");
    }
    for (const std::string& account : *accounts) {
      if (auto s = ParseRole(r, p, account, m); !s) return s;
    }
  }
  return Ok();
}

Status ParseOidcProviders(const json& root, Model& m) {
  const json* list = GetArray(root, "oidc_providers");
  if (!list) return Ok();
  if (!list->is_array()) return ModelError("$.oidc_providers", "expected an array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = "$.oidc_providers[" + std::to_string(i) + "]";
    const json& o = (*list)[i];
    if (auto s = CheckObject(o, p, {"account", "url", "client_ids"}); !s) return s;
    OidcProvider provider;
    auto account = GetString(o, p, "account", true);
    if (!account) return std::move(account).error();
    if (auto s = CheckAccountRef(m, p, *account); !s) return s;
    provider.account = *account;
    auto url = GetString(o, p, "url", true);
    if (!url) return std::move(url).error();
    std::string u = *url;
    if (u.rfind("https://", 0) == 0) u = u.substr(8);
    while (!u.empty() && u.back() == '/') u.pop_back();
    if (u.empty()) return ModelError(p + ".url", "an issuer URL such as https://example.com");
    provider.url = u;
    provider.arn = "arn:aws:iam::" + provider.account + ":oidc-provider/" + u;
    auto ids = GetStrings(o, p, "client_ids");
    if (!ids) return std::move(ids).error();
    provider.client_ids = std::move(*ids);
    m.oidc_providers.push_back(std::move(provider));
  }
  return Ok();
}

Status ParseManagedPolicies(const json& root, Model& m) {
  const json* list = GetArray(root, "managed_policies");
  if (!list) return Ok();
  if (!list->is_array()) return ModelError("$.managed_policies", "expected an array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = "$.managed_policies[" + std::to_string(i) + "]";
    const json& o = (*list)[i];
    if (auto s = CheckObject(o, p, {"arn", "document"}); !s) return s;
    auto arn = GetString(o, p, "arn", true);
    if (!arn) return std::move(arn).error();
    if (auto s = ValidatePolicyArn(p + ".arn", *arn); !s) return s;
    auto doc = o.find("document");
    if (doc == o.end()) return ModelError(p, "missing required member \"document\"");
    auto parsed = ParseDocument(*doc, p + ".document", "managed session policy " + *arn,
                                policy::PolicyKind::kSession);
    if (!parsed) return std::move(parsed).error();
    m.managed_policies.push_back(ManagedPolicy{*arn, std::move(*parsed)});
  }
  return Ok();
}

// $.identity_center: after the roles, which its assignments name.
Status ParseIdentityCenter(const json& root, Model& m) {
  auto it = root.find("identity_center");
  if (it == root.end()) return Ok();
  const std::string p = "$.identity_center";
  if (auto s = CheckObject(*it, p, {"start_url", "users", "login_user", "session_seconds",
                                    "access_token_seconds"});
      !s) {
    return s;
  }
  IdentityCenter ic;
  auto start_url = GetString(*it, p, "start_url", true);
  if (!start_url) return std::move(start_url).error();
  if (!start_url->starts_with("https://") || start_url->size() > 1024) {
    return ModelError(p + ".start_url", "an https:// URL (e.g. https://my-sso.awsapps.com/start)");
  }
  ic.start_url = *start_url;
  auto seconds = [&](const char* key, std::chrono::seconds fallback,
                     std::uint64_t high) -> Result<std::chrono::seconds> {
    auto n = GetWholeNumber(*it, p, key, 1, high, fallback.count(),
                            "whole seconds from 1 to " + std::to_string(high));
    if (!n) return std::move(n).error();
    return std::chrono::seconds(*n);
  };
  // Identity Center sessions last 15 minutes to 90 days on AWS; the lab allows shorter ones
  // (from 1 s) so that an expired session can be tested in seconds.
  auto session = seconds("session_seconds", ic.session_duration, 90ULL * 24 * 3600);
  if (!session) return std::move(session).error();
  ic.session_duration = *session;
  auto access = seconds("access_token_seconds", ic.access_token_duration, 24 * 3600);
  if (!access) return std::move(access).error();
  ic.access_token_duration = *access;
  const json* users = GetArray(*it, "users");
  if (!users || !users->is_array() || users->empty()) {
    return ModelError(p + ".users", "expected a non-empty array of users");
  }
  for (std::size_t i = 0; i < users->size(); ++i) {
    const std::string up = p + ".users[" + std::to_string(i) + "]";
    const json& u = (*users)[i];
    if (auto s = CheckObject(u, up, {"name", "assignments"}); !s) return s;
    IdentityCenterUser user;
    auto name = GetString(u, up, "name", true);
    if (!name) return std::move(name).error();
    // It becomes a role session name: 2–64 of [\w+=,.@-].
    if (auto s = ValidateSessionName(up + ".name", *name); !s) return s;
    if (ic.FindUser(*name)) return ModelError(up + ".name", "duplicate user " + *name);
    user.name = *name;
    if (const json* list = GetArray(u, "assignments")) {
      if (!list->is_array()) return ModelError(up + ".assignments", "expected an array");
      for (std::size_t k = 0; k < list->size(); ++k) {
        const std::string ap = up + ".assignments[" + std::to_string(k) + "]";
        if (auto s = CheckObject((*list)[k], ap, {"account", "role"}); !s) return s;
        auto account = GetString((*list)[k], ap, "account", true);
        if (!account) return std::move(account).error();
        auto role = GetString((*list)[k], ap, "role", true);
        if (!role) return std::move(role).error();
        if (!m.FindRoleByName(*account, *role)) {
          return ModelError(ap, "the model has no role " + *role + " in account " + *account);
        }
        user.assignments.push_back({.account = *account, .role_name = *role});
      }
    }
    ic.users.push_back(std::move(user));
  }
  auto login = GetString(*it, p, "login_user", false, ic.users.front().name);
  if (!login) return std::move(login).error();
  if (!ic.FindUser(*login)) return ModelError(p + ".login_user", "not one of the users");
  ic.login_user = *login;
  m.identity_center = std::move(ic);
  return Ok();
}

}  // namespace

Result<Model> ParseModel(std::string_view json_text, std::string_view source) {
  auto wrap = [&](Error e) { return e.Wrap(std::string(source)); };
  json root;
  try {
    root = json::parse(json_text.begin(), json_text.end());
  } catch (const json::parse_error& e) {
    return wrap(Error(ErrorCode::kInvalidArgument,
                      "not valid JSON at byte " + std::to_string(e.byte) + ": " + e.what()));
  } catch (const json::exception& e) {
    // out_of_range: a number too large for a double (1E800), which escaped as an exception
    // (found by fuzz/model_fuzz.cc).
    return wrap(Error(ErrorCode::kInvalidArgument, std::string("not valid JSON: ") + e.what()));
  }
  if (auto s = CheckObject(root, "$", {"$schema", "description", "organization", "accounts",
                                       "users", "roles", "oidc_providers", "managed_policies",
                                       "identity_center"});
      !s) {
    return wrap(std::move(s).error());
  }
  Model m;
  if (auto it = root.find("organization"); it != root.end()) {
    if (auto s = CheckObject(*it, "$.organization",
                             {"id", "root_id", "management_account", "delegated_administrators",
                              "spokes", "scps", "organizational_units"});
        !s) {
      return wrap(std::move(s).error());
    }
    auto id = GetString(*it, "$.organization", "id", true);
    if (!id) return wrap(std::move(id).error());
    // Organizations: "o-" followed by 10 to 32 lower-case letters or digits.
    bool ok = id->size() >= 12 && id->size() <= 34 && id->rfind("o-", 0) == 0 &&
              std::all_of(id->begin() + 2, id->end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
              });
    if (!ok) {
      return wrap(ModelError("$.organization.id",
                             "\"" + *id + "\" is not an organization id (o- followed by 10–32 "
                                          "lower-case letters or digits, e.g. o-a1b2c3d4e5)"));
    }
    m.organization_id = *id;
    auto root_id = GetString(*it, "$.organization", "root_id", false, "r-" + id->substr(2, 4));
    if (!root_id) return wrap(std::move(root_id).error());
    const bool root_ok = root_id->size() >= 6 && root_id->size() <= 34 &&
                         root_id->starts_with("r-") &&
                         std::all_of(root_id->begin() + 2, root_id->end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                         });
    if (!root_ok) {
      return wrap(ModelError("$.organization.root_id",
                             "\"" + *root_id + "\" is not a root id (r- followed by 4–32 "
                                                "lower-case letters or digits, e.g. r-a1b2)"));
    }
    m.root_id = *root_id;
    auto scps = ParsePolicyList(*it, "$.organization", "scps", policy::PolicyKind::kScp,
                                "the organization root", "root");
    if (!scps) return wrap(std::move(scps).error());
    m.organization_scps = std::move(*scps);
    if (auto s = ParseOrganizationalUnits(*it, m); !s) return wrap(std::move(s).error());
  }
  if (auto s = ParseAccounts(root, m); !s) return wrap(std::move(s).error());
  if (m.organization_id.empty()) {
    for (Account& a : m.accounts) a.in_organization = false;
  }
  std::size_t spokes = 0;
  if (auto it = root.find("organization"); it != root.end()) {
    if (auto s = ParseOrganizationAdministrators(*it, m); !s) return wrap(std::move(s).error());
    auto n = GetWholeNumber(*it, "$.organization", "spokes", 1, kMaxGeneratedSpokes, 0,
                            "an integer number of generated spoke accounts from 1 to " +
                                std::to_string(kMaxGeneratedSpokes));
    if (!n) return wrap(std::move(n).error());
    spokes = *n;
  }
  if (auto s = ParseUsers(root, m); !s) return wrap(std::move(s).error());
  if (auto s = ParseRoles(root, m); !s) return wrap(std::move(s).error());
  if (auto s = ParseOidcProviders(root, m); !s) return wrap(std::move(s).error());
  if (auto s = ParseManagedPolicies(root, m); !s) return wrap(std::move(s).error());
  if (auto s = ParseIdentityCenter(root, m); !s) return wrap(std::move(s).error());
  // Last: the generated roles are new by construction, so no duplicate checks run over them.
  if (spokes > 0) {
    if (auto s = AddGeneratedSpokes(m, spokes, "$.organization.spokes"); !s) {
      return wrap(std::move(s).error());
    }
  }
  return m;
}

Model BuiltinModel() {
  auto m = ParseModel(BuiltinModelJson(), "built-in model");
  assert(m.has_value());
  return std::move(m).value();
}

}  // namespace hubspoke::iam
