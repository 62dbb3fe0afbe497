// GenerateChainPolicies: the four documents of the chain, statement for statement what the
// seed's README intends, corrected (docs/policies.md, "Generating the policies"):
// - the spoke trust requires the external id the prose asks for (the seed's JSON has none);
// - the hub's permission policy narrows the target with aws:ResourceOrgID: aws:PrincipalOrgID
//   there would describe the hub role itself, which is always in the organization;
// - Identity Center roles are matched with ArnLike on aws:PrincipalArn, because a Principal
//   cannot hold a wildcard, and with the region segment of their path.
#include "hubspoke/policy_documents.h"

#include <algorithm>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "core/partition.h"
#include "core/strings.h"
#include "core/validate.h"
#include "hubspoke/arn.h"

namespace hubspoke {
namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kSsoPath = "aws-reserved/sso.amazonaws.com/";
// The newest MFA sign-in the hub trust accepts with --mfa: the IAM User Guide's example for
// MFA-protected API access uses one hour (aws:MultiFactorAuthAge is in seconds).
constexpr const char* kMfaMaxAgeSeconds = "3600";
// A placeholder account for resolving a role name that is the same in every spoke account.
constexpr const char* kAnyAccount = "000000000000";

Error Invalid(std::string message) { return Error(ErrorCode::kInvalidArgument, std::move(message)); }

// A single value as a string, several as an array: IAM's own compact form.
ojson OneOrMany(const std::vector<std::string>& values) {
  if (values.size() == 1) return values.front();
  ojson array = ojson::array();
  for (const auto& v : values) array.push_back(v);
  return array;
}

std::string Dump(const ojson& document) { return document.dump(2) + "\n"; }

ojson Document(std::vector<ojson> statements) {
  ojson doc;
  doc["Version"] = "2012-10-17";
  doc["Statement"] = ojson::array();
  for (auto& s : statements) doc["Statement"].push_back(std::move(s));
  return doc;
}

// The actions of one AssumeRole hop: sts:SetSourceIdentity when a source identity is set,
// sts:TagSession when the hop passes tags (the chain passes them on the spoke hop only).
std::vector<std::string> HopActions(bool source_identity, bool tags) {
  std::vector<std::string> actions = {"sts:AssumeRole"};
  if (source_identity) actions.push_back("sts:SetSourceIdentity");
  if (tags) actions.push_back("sts:TagSession");
  return actions;
}

Status ValidateOrgId(const std::string& org_id) {
  static const std::regex kOrgId("o-[a-z0-9]{10,32}");
  if (!std::regex_match(org_id, kOrgId))
    return Invalid("--org-id: invalid value '" + Printable(org_id, 80) +
                   "': an organization id is o- and 10–32 lower-case letters or digits");
  return {};
}

// An IAM user or role ARN of `partition`: arn:P:iam::ACCOUNT:user|role/[PATH/]NAME, no wildcard
// (a Principal cannot hold one).
Status ValidatePrincipal(const std::string& arn, const std::string& partition) {
  static const std::regex kArn(
      R"(arn:([a-z0-9-]+):iam::([0-9]{12}):(user|role)/((?:[\x21-\x7e]+/)?)([\w+=,.@-]{1,64}))");
  const std::string shown = "--principal: invalid value '" + Printable(arn, 200) + "': ";
  if (arn.find_first_of("*?") != std::string::npos)
    return Invalid(shown + "a Principal cannot hold wildcards (use --sso-permission-set for "
                           "Identity Center roles)");
  std::smatch m;
  if (!std::regex_match(arn, m, kArn))
    return Invalid(shown + "an IAM user or role ARN is required "
                           "(arn:aws:iam::111111111111:user/NAME or …:role/NAME)");
  if (m[1].str() != partition)
    return Invalid(shown + "the partition is " + m[1].str() + ", the chain's is " + partition +
                   " (roles cannot be assumed across partitions)");
  return {};
}

// IAM Identity Center permission-set names: 1–32 of [\w+=,.@-].
Status ValidatePermissionSet(const std::string& name) {
  static const std::regex kName(R"([\w+=,.@-]{1,32})");
  if (!std::regex_match(name, kName))
    return Invalid("--sso-permission-set: invalid value '" + Printable(name, 80) +
                   "': a permission-set name is 1–32 characters of letters, digits and _+=,.@-");
  return {};
}

// The Identity Center role of a permission set: AWSReservedSSO_<name>_<16 hex> under
// /aws-reserved/sso.amazonaws.com/, plus the instance's region unless it is us-east-1
// (IAM User Guide, "Service-linked roles" and the Identity Center guide, "Referencing
// permission sets in resource policies").
std::string SsoRolePattern(const std::string& partition, const std::string& account,
                           const std::string& region, const std::string& name) {
  std::string path = kSsoPath;
  if (region != "us-east-1") path += region + "/";
  return "arn:" + partition + ":iam::" + account + ":role/" + path + "AWSReservedSSO_" + name +
         "_*";
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

const PolicyDocument& ChainPolicies::Get(PolicyDocumentKind kind) const {
  switch (kind) {
    case PolicyDocumentKind::kBase: return base;
    case PolicyDocumentKind::kHubTrust: return hub_trust;
    case PolicyDocumentKind::kHub: return hub;
    case PolicyDocumentKind::kSpokeTrust: return spoke_trust;
  }
  return base;
}

Status CheckHubTrustPrincipals(const PolicyOptions& options) {
  if (options.principals.empty() && options.sso_permission_sets.empty())
    return Invalid("--principal: missing: the hub trust needs the base identities "
                   "(--principal ARN for IAM users or roles, --sso-permission-set NAME for "
                   "Identity Center)");
  return {};
}

Result<ChainPolicies> GenerateChainPolicies(const SpokeCredentialsInput& input,
                                            const PolicyOptions& options) {
  const std::string region =
      !options.region.empty() ? options.region : (!input.region.empty() ? input.region : "us-east-1");
  if (auto s = ValidateRegion("--region", region); !s) return std::move(s).error();
  const std::string partition(PartitionForRegion(region).id);

  // The chain's own fields, as `run` checks them; the spoke account is not part of a policy.
  SpokeCredentialsInput checked = input;
  const bool spoke_role_is_arn = input.spoke_role_name.rfind("arn:", 0) == 0;
  if (checked.spoke_account_id.empty() && !spoke_role_is_arn) checked.spoke_account_id = kAnyAccount;
  if (auto s = ValidateSpokeInput(checked, partition); !s) return std::move(s).error();

  if (!options.org_id.empty())
    if (auto s = ValidateOrgId(options.org_id); !s) return std::move(s).error();
  std::set<std::string> seen;
  for (const auto& p : options.principals) {
    if (auto s = ValidatePrincipal(p, partition); !s) return std::move(s).error();
    if (!seen.insert(p).second)
      return Invalid("--principal: '" + Printable(p, 200) + "' is given twice");
  }
  for (const auto& n : options.sso_permission_sets) {
    if (auto s = ValidatePermissionSet(n); !s) return std::move(s).error();
    if (!seen.insert("sso:" + n).second)
      return Invalid("--sso-permission-set: '" + n + "' is given twice");
  }
  if (!options.sso_permission_sets.empty() && options.sso_region.empty())
    return Invalid("--sso-region: missing: --sso-permission-set needs the region of the IAM "
                   "Identity Center instance (its roles' path names it)");
  if (!options.sso_account_id.empty()) {
    if (options.sso_permission_sets.empty())
      return Invalid("--sso-account: given without --sso-permission-set (it names the account "
                     "of the permission sets' roles)");
    if (auto s = ValidateAccountId("--sso-account", options.sso_account_id); !s)
      return std::move(s).error();
  }
  if (!options.sso_region.empty()) {
    if (auto s = ValidateRegion("--sso-region", options.sso_region); !s)
      return std::move(s).error();
    if (PartitionForRegion(options.sso_region).id != partition)
      return Invalid("--sso-region: '" + options.sso_region + "' is in partition " +
                     std::string(PartitionForRegion(options.sso_region).id) +
                     ", the chain's is " + partition);
  }
  for (const auto& a : options.spoke_accounts) {
    if (auto s = ValidateAccountId("--spoke-account", a); !s) return std::move(s).error();
    if (!seen.insert("acct:" + a).second)
      return Invalid("--spoke-account: '" + a + "' is given twice");
  }

  auto hub = ResolveRole("--hub-role", input.hub_role_name, "--hub-account", input.hub_account_id,
                         partition);
  if (!hub) return std::move(hub).error();
  auto spoke = ResolveRole("--spoke-role", input.spoke_role_name, "--spoke-account",
                           spoke_role_is_arn ? input.spoke_account_id : checked.spoke_account_id,
                           partition);
  if (!spoke) return std::move(spoke).error();

  // The accounts whose spoke role the hub may assume: the list, else the input's one account
  // (or the spoke role ARN's), else every account.
  std::vector<std::string> spoke_accounts = options.spoke_accounts;
  if (spoke_accounts.empty() && spoke->account_id != kAnyAccount)
    spoke_accounts.push_back(spoke->account_id);
  if (spoke_accounts.empty() && !input.spoke_account_id.empty())
    spoke_accounts.push_back(input.spoke_account_id);

  const std::string hub_external_id =
      input.hub_external_id.empty() ? input.external_id : input.hub_external_id;
  const std::string spoke_external_id =
      input.spoke_external_id.empty() ? input.external_id : input.spoke_external_id;
  const bool source_identity = !input.source_identity.empty();
  const bool tags = !input.tags.empty();
  // The spoke role as people name it: "automation-spoke-role", or "/team/name" with a path.
  const std::string spoke_shown =
      spoke->path == "/" ? spoke->name : spoke->path + spoke->name;

  ChainPolicies out;
  out.partition = partition;
  out.hub_account_id = hub->account_id;
  out.hub_role_arn = hub->ToString();
  out.hub_role_name = hub->name;
  out.hub_role_path = hub->path;
  out.spoke_role_name = spoke->name;
  out.spoke_role_path = spoke->path;

  // Base identity → hub role. The chain sets the source identity on this hop (so the caller's
  // identity policy must allow sts:SetSourceIdentity) and passes tags only on the spoke hop.
  {
    ojson s;
    s["Sid"] = "AssumeHubRole";
    s["Effect"] = "Allow";
    s["Action"] = OneOrMany(HopActions(source_identity, false));
    s["Resource"] = out.hub_role_arn;
    PolicyDocument& d = out.base;
    d.kind = PolicyDocumentKind::kBase;
    d.name = "base";
    d.purpose = "lets the base identity assume the hub role " + out.hub_role_arn;
    std::vector<std::string> accounts, where;
    for (const auto& p : options.principals) {
      std::string acct = p.substr(p.find("::") + 2, 12);
      if (std::find(accounts.begin(), accounts.end(), acct) == accounts.end())
        accounts.push_back(acct);
      where.push_back(p);
    }
    for (const auto& n : options.sso_permission_sets) where.push_back("permission set " + n);
    if (!options.sso_permission_sets.empty()) {
      const std::string& a =
          options.sso_account_id.empty() ? out.hub_account_id : options.sso_account_id;
      if (std::find(accounts.begin(), accounts.end(), a) == accounts.end()) accounts.push_back(a);
    }
    d.account = accounts.empty() ? "the base identity's account" : Join(accounts, ", ");
    d.attaches_to = where.empty()
                        ? "an identity policy of the base IAM user or role"
                        : "an identity policy of " + Join(where, ", ") +
                              (options.sso_permission_sets.empty()
                                   ? ""
                                   : " (for a permission set: its inline policy)");
    d.json = Dump(Document({s}));
  }

  // Who may assume the hub role: the named base identities, or Identity Center roles.
  {
    ojson conditions;
    ojson string_equals;
    if (!options.org_id.empty()) string_equals["aws:PrincipalOrgID"] = options.org_id;
    if (!hub_external_id.empty()) string_equals["sts:ExternalId"] = hub_external_id;
    auto add_conditions = [&](ojson& c, const ojson* arn_like) {
      if (!string_equals.empty()) c["StringEquals"] = string_equals;
      if (arn_like != nullptr) c["ArnLike"] = *arn_like;
      if (options.mfa) {
        // Present only in requests signed with temporary credentials made with MFA (or with
        // SerialNumber and TokenCode on this call): Bool (not BoolIfExists) refuses long-term
        // keys. The age bounds how long one MFA sign-in keeps opening the hub; IfExists because
        // the key describes the calling session's MFA, which an AssumeRole that proves MFA
        // itself with SerialNumber and TokenCode (MFA of this very moment) does not have: the
        // lab (src/iam/assume_role_decision.cc) sets only aws:MultiFactorAuthPresent then, and
        // a plain NumericLessThan on an absent key never matches. The Bool keeps MFA required.
        c["Bool"] = ojson{{"aws:MultiFactorAuthPresent", "true"}};
        c["NumericLessThanIfExists"] = ojson{{"aws:MultiFactorAuthAge", kMfaMaxAgeSeconds}};
      }
    };
    std::vector<ojson> statements;
    const std::vector<std::string> actions = HopActions(source_identity, false);
    if (!options.principals.empty()) {
      ojson s;
      s["Sid"] = "TrustBasePrincipals";
      s["Effect"] = "Allow";
      s["Principal"] = ojson{{"AWS", OneOrMany(options.principals)}};
      s["Action"] = OneOrMany(actions);
      ojson c = ojson::object();
      add_conditions(c, nullptr);
      if (!c.empty()) s["Condition"] = c;
      statements.push_back(std::move(s));
    }
    if (!options.sso_permission_sets.empty()) {
      const std::string& sso_account =
          options.sso_account_id.empty() ? out.hub_account_id : options.sso_account_id;
      std::vector<std::string> patterns;
      for (const auto& n : options.sso_permission_sets)
        patterns.push_back(SsoRolePattern(partition, sso_account, options.sso_region, n));
      ojson s;
      s["Sid"] = "TrustIdentityCenterPermissionSets";
      s["Effect"] = "Allow";
      // The account, narrowed to its Identity Center roles by the ArnLike below: a Principal
      // cannot hold the wildcard the roles' random suffix needs.
      s["Principal"] = ojson{{"AWS", "arn:" + partition + ":iam::" + sso_account + ":root"}};
      s["Action"] = OneOrMany(actions);
      ojson arn_like = {{"aws:PrincipalArn", OneOrMany(patterns)}};
      ojson c = ojson::object();
      add_conditions(c, &arn_like);
      s["Condition"] = c;
      statements.push_back(std::move(s));
    }
    PolicyDocument& d = out.hub_trust;
    d.kind = PolicyDocumentKind::kHubTrust;
    d.name = "hub-trust";
    d.purpose = "lets the base identities assume the hub role";
    d.account = out.hub_account_id;
    d.attaches_to = "the trust policy (AssumeRolePolicyDocument) of the hub role " +
                    out.hub_role_arn;
    if (!statements.empty()) d.json = Dump(Document(std::move(statements)));
  }

  // Hub role → spoke role. The spoke hop passes the session tags (sts:TagSession). The source
  // identity set on the hub hop is carried into the spoke call by role chaining, and then "permissions
  // for sts:SetSourceIdentity are required in both the permissions policy of the principal who
  // is assuming the role and in the role trust policy of the target role" (IAM User Guide,
  // id_credentials_temp_control-access_monitor.md, "Permissions required to set source
  // identity"): so it is allowed here and in the spoke trust. The lab requires the same
  // (src/policy/assume_role.cc, RequiredActions with the caller).
  {
    std::vector<std::string> resources;
    const std::string tail = ":role" + out.spoke_role_path + out.spoke_role_name;
    if (spoke_accounts.empty()) {
      resources.push_back("arn:" + partition + ":iam::*" + tail);
    } else {
      for (const auto& a : spoke_accounts) resources.push_back("arn:" + partition + ":iam::" + a + tail);
    }
    ojson s;
    s["Sid"] = "AssumeSpokeRole";
    s["Effect"] = "Allow";
    s["Action"] = OneOrMany(HopActions(source_identity, tags));
    s["Resource"] = OneOrMany(resources);
    // aws:ResourceOrgID is the organization of the role being assumed: the target.
    if (!options.org_id.empty())
      s["Condition"] = ojson{{"StringEquals", ojson{{"aws:ResourceOrgID", options.org_id}}}};
    PolicyDocument& d = out.hub;
    d.kind = PolicyDocumentKind::kHub;
    d.name = "hub";
    d.purpose = "lets the hub role assume the spoke role " + spoke_shown + " in the spoke accounts";
    d.account = out.hub_account_id;
    d.attaches_to = "the permission policy (inline) of the hub role " + out.hub_role_arn;
    d.json = Dump(Document({s}));
  }

  // Who may assume the spoke role: the hub role only, with the spoke hop's external id.
  {
    ojson s;
    s["Sid"] = "TrustHubRole";
    s["Effect"] = "Allow";
    s["Principal"] = ojson{{"AWS", out.hub_role_arn}};
    s["Action"] = OneOrMany(HopActions(source_identity, tags));
    ojson string_equals = ojson::object();
    if (!options.org_id.empty()) string_equals["aws:PrincipalOrgID"] = options.org_id;
    if (!spoke_external_id.empty()) string_equals["sts:ExternalId"] = spoke_external_id;
    if (!string_equals.empty()) s["Condition"] = ojson{{"StringEquals", string_equals}};
    PolicyDocument& d = out.spoke_trust;
    d.kind = PolicyDocumentKind::kSpokeTrust;
    d.name = "spoke-trust";
    d.purpose = "lets the hub role assume the spoke role";
    d.account = spoke_accounts.empty() ? "every spoke account" : Join(spoke_accounts, ", ");
    d.attaches_to = "the trust policy (AssumeRolePolicyDocument) of the role " + spoke_shown +
                    " in each spoke account";
    d.json = Dump(Document({s}));
  }
  return out;
}

}  // namespace hubspoke
