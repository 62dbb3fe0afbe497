// The IAM world: lookups over the organization tree, accounts, users, roles and policies.
// Loading it from JSON is in model_parse.cc.
#include "iam/model.h"

#include <algorithm>

namespace hubspoke::iam {

const Account* Model::FindAccount(std::string_view id) const {
  for (const Account& a : accounts) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const char* AccountStatusName(AccountStatus status) {
  return status == AccountStatus::kSuspended ? "SUSPENDED" : "ACTIVE";
}

bool Model::IsDelegatedAdministrator(std::string_view account) const {
  return std::find(delegated_administrators.begin(), delegated_administrators.end(), account) !=
         delegated_administrators.end();
}

const OrganizationalUnit* Model::FindOrganizationalUnit(std::string_view id) const {
  for (const OrganizationalUnit& ou : organizational_units) {
    if (ou.id == id) return &ou;
  }
  return nullptr;
}

const User* Model::FindUser(std::string_view arn) const {
  for (const User& u : users) {
    if (u.arn == arn) return &u;
  }
  return nullptr;
}

const Role* Model::FindRole(std::string_view arn) const {
  for (const Role& r : roles) {
    if (r.arn == arn) return &r;
  }
  return nullptr;
}

const IdentityCenterUser* IdentityCenter::FindUser(std::string_view name) const {
  for (const IdentityCenterUser& u : users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

const Role* Model::FindRoleByName(std::string_view account, std::string_view name) const {
  for (const Role& r : roles) {
    if (r.account == account && r.name == name) return &r;
  }
  return nullptr;
}

const User* Model::FindUserByAccessKey(std::string_view access_key_id,
                                       const AccessKey** key) const {
  for (const User& u : users) {
    for (const AccessKey& k : u.access_keys) {
      if (k.id == access_key_id) {
        if (key) *key = &k;
        return &u;
      }
    }
  }
  return nullptr;
}

const OidcProvider* Model::FindOidcProvider(std::string_view account, std::string_view url) const {
  for (const OidcProvider& o : oidc_providers) {
    if (o.account == account && o.url == url) return &o;
  }
  return nullptr;
}

const ManagedPolicy* Model::FindManagedPolicy(std::string_view arn) const {
  for (const ManagedPolicy& p : managed_policies) {
    if (p.arn == arn) return &p;
  }
  return nullptr;
}

std::string Model::OrgIdOf(std::string_view account) const {
  const Account* a = FindAccount(account);
  return a && a->in_organization ? organization_id : "";
}

std::vector<const OrganizationalUnit*> Model::OrganizationalUnitsOf(
    std::string_view account) const {
  std::vector<const OrganizationalUnit*> path;
  const Account* a = FindAccount(account);
  if (!a || !a->in_organization || organization_id.empty()) return path;
  // The parser refuses cycles; the bound keeps a hand-built model from looping anyway.
  for (const OrganizationalUnit* ou = FindOrganizationalUnit(a->parent_ou);
       ou && path.size() <= organizational_units.size(); ou = FindOrganizationalUnit(ou->parent)) {
    path.push_back(ou);
    if (ou->parent.empty()) break;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

const char* ScpLevelName(ScpNode::Level level) {
  switch (level) {
    case ScpNode::Level::kRoot:
      return "root";
    case ScpNode::Level::kOrganizationalUnit:
      return "OU";
    case ScpNode::Level::kAccount:
      return "account";
  }
  return "";
}

std::vector<ScpAttachment> Model::ScpNodesFor(std::string_view account) const {
  std::vector<ScpAttachment> out;
  const Account* a = FindAccount(account);
  if (!a || !a->in_organization || organization_id.empty()) return out;
  if (!organization_scps.empty()) {
    out.push_back(ScpAttachment{ScpNode{ScpNode::Level::kRoot, "root", "root"},
                                organization_scps});
  }
  for (const OrganizationalUnit* ou : OrganizationalUnitsOf(account)) {
    if (ou->scps.empty()) continue;
    out.push_back(
        ScpAttachment{ScpNode{ScpNode::Level::kOrganizationalUnit, ou->id, ou->name}, ou->scps});
  }
  if (!a->scps.empty()) {
    out.push_back(ScpAttachment{ScpNode{ScpNode::Level::kAccount, a->id, a->name}, a->scps});
  }
  return out;
}

std::vector<policy::NamedPolicy> Model::ScpsFor(std::string_view account) const {
  std::vector<policy::NamedPolicy> out;
  for (ScpAttachment& node : ScpNodesFor(account)) {
    for (policy::NamedPolicy& p : node.scps) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace hubspoke::iam
