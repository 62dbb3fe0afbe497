// The lab's model: lookups over the organization, accounts, users, roles and policies.
// Loading it from JSON is in model_parse.cc.
#include "lab/model.h"

namespace hubspoke::lab {

const Account* Model::FindAccount(std::string_view id) const {
  for (const Account& a : accounts) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const Role* Model::FindRole(std::string_view arn) const {
  for (const Role& r : roles) {
    if (r.arn == arn) return &r;
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

std::vector<policy::NamedPolicy> Model::ScpsFor(std::string_view account) const {
  std::vector<policy::NamedPolicy> out;
  const Account* a = FindAccount(account);
  if (!a || !a->in_organization || organization_id.empty()) return out;
  out = organization_scps;
  out.insert(out.end(), a->scps.begin(), a->scps.end());
  return out;
}

}  // namespace hubspoke::lab
