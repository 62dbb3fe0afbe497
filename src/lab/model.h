// The lab's world: an AWS organization described by a JSON model file (docs/lab.md,
// docs/lab-model.schema.json): accounts, IAM users with access keys, roles with trust and
// identity policies, SCPs and OIDC providers. Immutable once loaded; the STS service reads it
// from many threads without locking.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"
#include "hubspoke/secret.h"
#include "policy/evaluate.h"

namespace hubspoke::lab {

struct AccessKey {
  std::string id;        // AKIA… (16–128 word characters)
  SecretString secret;  // Security: never logged
};

struct Account {
  std::string id;  // 12 digits
  std::string name;
  bool in_organization = true;  // false: aws:PrincipalOrgID is absent for its principals
  std::vector<policy::NamedPolicy> scps;  // attached to the account itself
};

struct User {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;        // arn:aws:iam::ACCOUNT:user/PATH/NAME
  std::string unique_id;  // AIDA… (21 characters), derived from the ARN unless given
  std::vector<AccessKey> access_keys;
  std::vector<policy::NamedPolicy> policies;
  std::optional<policy::NamedPolicy> permissions_boundary;
  std::map<std::string, std::string> tags;
  std::vector<std::string> mfa_devices;  // serial numbers / virtual MFA ARNs it may present
};

struct Role {
  std::string account;
  std::string name;
  std::string path = "/";
  std::string arn;        // arn:aws:iam::ACCOUNT:role/PATH/NAME
  std::string unique_id;  // AROA… (21 characters), derived from the ARN unless given
  policy::NamedPolicy trust_policy;
  std::vector<policy::NamedPolicy> policies;
  std::optional<policy::NamedPolicy> permissions_boundary;
  std::map<std::string, std::string> tags;
  std::chrono::seconds max_session_duration{3600};  // IAM: 1–12 h
};

struct OidcProvider {
  std::string account;
  std::string url;  // issuer without "https://": "token.actions.githubusercontent.com"
  std::string arn;  // arn:aws:iam::ACCOUNT:oidc-provider/URL
  std::vector<std::string> client_ids;  // accepted "aud" values
};

struct ManagedPolicy {
  std::string arn;  // arn:aws:iam::ACCOUNT:policy/NAME, usable in PolicyArns
  policy::NamedPolicy policy;
};

struct Model {
  std::string organization_id;  // "o-a1b2c3d4e5"; empty: no organization
  std::vector<policy::NamedPolicy> organization_scps;  // attached at the organization root
  std::vector<Account> accounts;
  std::vector<User> users;
  std::vector<Role> roles;
  std::vector<OidcProvider> oidc_providers;
  std::vector<ManagedPolicy> managed_policies;

  const Account* FindAccount(std::string_view id) const;
  const Role* FindRole(std::string_view arn) const;  // exact role ARN (path included)
  // The user owning `access_key_id`, and the key itself through `key`.
  const User* FindUserByAccessKey(std::string_view access_key_id, const AccessKey** key) const;
  const OidcProvider* FindOidcProvider(std::string_view account, std::string_view url) const;
  const ManagedPolicy* FindManagedPolicy(std::string_view arn) const;
  // The organization id for principals of `account`, or "" outside the organization.
  std::string OrgIdOf(std::string_view account) const;
  // The SCPs governing principals of `account` (root node, then the account's own node); empty
  // outside the organization. AWS attaches FullAWSAccess at every node by default; a model that
  // lists SCPs must include the Allow it wants (the built-in model does).
  std::vector<policy::NamedPolicy> ScpsFor(std::string_view account) const;
};

// Parses and checks a model: unknown members, wrong types, duplicate ids/keys/ARNs, bad account
// ids, names and paths, and every policy (parsed for its kind). kInvalidArgument errors read
// "<source>: $.roles[1].trust_policy: <problem>".
Result<Model> ParseModel(std::string_view json_text, std::string_view source);

// The built-in model: the seed README's example organization (sys-automation →
// automation-hub-role in 999999999999 → automation-spoke-role in 888888888888 and
// 777777777777, external id "this-is-my-automation", organization o-a1b2c3d4e5).
std::string_view BuiltinModelJson();
Model BuiltinModel();  // parses BuiltinModelJson(); it is checked by tests, so never fails

// The seed's names, for the demo and tests.
inline constexpr char kBuiltinUserAccount[] = "111111111111";
inline constexpr char kBuiltinHubAccount[] = "999999999999";
inline constexpr char kBuiltinSpokeAccount[] = "888888888888";
inline constexpr char kBuiltinSpokeAccount2[] = "777777777777";
inline constexpr char kBuiltinUser[] = "sys-automation";
inline constexpr char kBuiltinHubRole[] = "automation-hub-role";
inline constexpr char kBuiltinSpokeRole[] = "automation-spoke-role";
inline constexpr char kBuiltinExternalId[] = "this-is-my-automation";
inline constexpr char kBuiltinOrgId[] = "o-a1b2c3d4e5";
inline constexpr char kBuiltinAccessKeyId[] = "AKIALABEXAMPLE000001";
inline constexpr char kBuiltinSecretAccessKey[] = "labSecretKey/sysAutomation/EXAMPLEKEY001";
inline constexpr char kBuiltinOidcProvider[] = "token.actions.githubusercontent.com";
inline constexpr char kBuiltinWebIdentityRole[] = "github-deploy-role";

}  // namespace hubspoke::lab
