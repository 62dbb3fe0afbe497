// The IAM world: an AWS organization described by a JSON model file (docs/lab.md,
// docs/lab-model.schema.json): the organization tree (root, organizational units, accounts),
// IAM users with access keys, roles with trust and identity policies, SCPs at every node of the
// tree and OIDC providers. Immutable once loaded; the lab's STS service reads it from many
// threads without locking, and offline tools (explain) read it without any STS at all.
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

namespace hubspoke::iam {

struct AccessKey {
  std::string id;        // AKIA… (16–128 word characters)
  SecretString secret;  // Security: never logged
};

// Organizations' AccountStatus. A SUSPENDED account is still listed by ListAccounts (with its
// Status), as AWS does: skipping it is the client's job.
enum class AccountStatus { kActive, kSuspended };
const char* AccountStatusName(AccountStatus status);  // "ACTIVE", "SUSPENDED"

struct Account {
  std::string id;  // 12 digits
  std::string name;
  std::string email;  // Organizations' Email; default "aws+ID@example.com"
  AccountStatus status = AccountStatus::kActive;
  bool in_organization = true;  // false: aws:PrincipalOrgID is absent for its principals
  std::string parent_ou;  // the OU holding the account ("ou-…"); empty: directly under the root
  std::vector<policy::NamedPolicy> scps;  // attached to the account itself
};

// An organizational unit: a node of the organization tree between the root and the accounts.
struct OrganizationalUnit {
  std::string id;      // "ou-" 4–32 [0-9a-z] "-" 8–32 [0-9a-z], e.g. "ou-ab12-cdefgh12"
  std::string name;
  std::string parent;  // the parent OU's id; empty: directly under the root
  std::vector<policy::NamedPolicy> scps;  // attached to this OU
};

// A node of the organization tree that SCPs attach to.
struct ScpNode {
  enum class Level { kRoot, kOrganizationalUnit, kAccount };
  Level level = Level::kRoot;
  std::string id;    // "root", the OU id, or the account id
  std::string name;  // the OU's or account's name; "root" for the root
};
const char* ScpLevelName(ScpNode::Level level);  // "root", "OU", "account"

// The SCPs attached at one node.
struct ScpAttachment {
  ScpNode node;
  std::vector<policy::NamedPolicy> scps;  // each with scp_group naming the node
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
  // A virtual device's TOTP seed (decoded from base 32), by serial: its TokenCode must be the
  // code of the time (iam/totp.h). A device without one accepts any 6-digit code.
  std::map<std::string, std::string> mfa_seeds;
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

// IAM Identity Center, as the lab's SSO OIDC and portal endpoints serve it (lab/sso_service.h):
// users who sign in (the lab approves a device authorization at once, as `login_user`), and the
// roles each may get credentials for (the roles Identity Center provisions for permission sets,
// AWSReservedSSO_…, which must be in the model).
struct IdentityCenterAssignment {
  std::string account;
  std::string role_name;  // a role of the model in `account`
};
struct IdentityCenterUser {
  std::string name;  // the session name of its role sessions
  std::vector<IdentityCenterAssignment> assignments;
};
struct IdentityCenter {
  std::string start_url;  // what StartDeviceAuthorization must be given
  std::vector<IdentityCenterUser> users;
  std::string login_user;  // who approves device authorizations; default the first user
  // The sign-in session (refresh tokens die with it) and each access token.
  std::chrono::seconds session_duration{8 * 3600};
  std::chrono::seconds access_token_duration{3600};
  const IdentityCenterUser* FindUser(std::string_view name) const;
};

struct Model {
  std::string organization_id;  // "o-a1b2c3d4e5"; empty: no organization
  // The organization root's id: "r-" + 4–32 [0-9a-z]; default "r-" + the first 4 characters
  // after "o-" of the organization id ("r-a1b2").
  std::string root_id;
  // The organization's management account (Organizations' MasterAccountId); empty: the model
  // names none, and the Organizations API refuses every listing.
  std::string management_account;
  // Member accounts registered as delegated administrators: they may list the organization
  // like the management account (their principals still need the identity policy).
  std::vector<std::string> delegated_administrators;
  // How many accounts "spokes" / `lab --spokes` generated (iam/generated_spokes.h); 0: none.
  std::size_t generated_spokes = 0;
  std::vector<policy::NamedPolicy> organization_scps;  // attached at the organization root
  std::vector<OrganizationalUnit> organizational_units;  // any order; parents may come later
  std::vector<Account> accounts;
  std::vector<User> users;
  std::vector<Role> roles;
  std::vector<OidcProvider> oidc_providers;
  std::vector<ManagedPolicy> managed_policies;
  std::optional<IdentityCenter> identity_center;  // none: the lab serves no SSO endpoints

  const Account* FindAccount(std::string_view id) const;
  bool IsDelegatedAdministrator(std::string_view account) const;
  const OrganizationalUnit* FindOrganizationalUnit(std::string_view id) const;
  const User* FindUser(std::string_view arn) const;  // exact user ARN (path included)
  const Role* FindRole(std::string_view arn) const;  // exact role ARN (path included)
  // By account and name (role names are unique per account, whatever the path).
  const Role* FindRoleByName(std::string_view account, std::string_view name) const;
  // The user owning `access_key_id`, and the key itself through `key`.
  const User* FindUserByAccessKey(std::string_view access_key_id, const AccessKey** key) const;
  const OidcProvider* FindOidcProvider(std::string_view account, std::string_view url) const;
  const ManagedPolicy* FindManagedPolicy(std::string_view arn) const;
  // The organization id for principals of `account`, or "" outside the organization.
  std::string OrgIdOf(std::string_view account) const;
  // The OUs from the root down to the account's parent (empty: under the root, unknown account
  // or outside the organization).
  std::vector<const OrganizationalUnit*> OrganizationalUnitsOf(std::string_view account) const;
  // The nodes governing principals of `account` with the SCPs attached at each: the root, the
  // OUs top-down, the account; empty outside the organization. Every node with SCPs must allow
  // (AWS semantics); a node without any is left out (AWS attaches FullAWSAccess at every node by
  // default; a model that lists SCPs at a node must include the Allow it wants, the built-in
  // model does).
  std::vector<ScpAttachment> ScpNodesFor(std::string_view account) const;
  // ScpNodesFor, flattened in the same order (root, OUs top-down, account); each policy's
  // scp_group names its node ("root", "OU ou-…", "account 1111…").
  std::vector<policy::NamedPolicy> ScpsFor(std::string_view account) const;
};

// Parses and checks a model: unknown members, wrong types, duplicate ids/keys/ARNs, bad account
// ids, names and paths, the organization tree (OU id format, duplicate OUs, unknown parents,
// cycles) and every policy (parsed for its kind). kInvalidArgument errors read
// "<source>: $.roles[1].trust_policy: <problem>".
Result<Model> ParseModel(std::string_view json_text, std::string_view source);

// The built-in model: the seed README's example organization (sys-automation →
// automation-hub-role in 999999999999 → automation-spoke-role in 888888888888 and
// 777777777777, external id "this-is-my-automation", organization o-a1b2c3d4e5 with the hub
// account as its management account; the hub role and org-reader-role may list it).
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
inline constexpr char kBuiltinOrgReaderRole[] = "org-reader-role";  // in the hub (management) account

}  // namespace hubspoke::iam
