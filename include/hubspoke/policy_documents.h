// The least-privilege IAM documents of the hub-and-spoke chain, generated from the same input
// as the chain itself (`assume-spoke-role policy`): the base identity's policy, the hub role's
// trust and permission policies, and the spoke role's trust policy, as JSON, Terraform or
// CloudFormation. Only the AssumeRole calls the chain makes are allowed, with the conditions
// that fit each side: aws:PrincipalOrgID in trust policies (it describes the caller),
// aws:ResourceOrgID in the hub's permission policy (it describes the target spoke role).
#pragma once

#include <string>
#include <vector>

#include "hubspoke/hubspoke.h"
#include "hubspoke/result.h"

namespace hubspoke {

// What the chain's input does not say. Errors name these by their CLI flags.
struct PolicyOptions {
  // The chain's resolved region (ResolveSpokeEndpoint); it selects the partition of every ARN.
  // Empty: the input's region, else us-east-1.
  std::string region;
  std::string org_id;  // --org-id: "o-" and 10–32 of [a-z0-9]; empty: no organization conditions
  // --principal: the base identities (IAM user or role ARNs of the chain's partition, no
  // wildcards) named in the hub role's trust policy.
  std::vector<std::string> principals;
  // --sso-permission-set: IAM Identity Center permission-set names (1–32 of [\w+=,.@-]) whose
  // roles in sso_account_id may assume the hub role.
  std::vector<std::string> sso_permission_sets;
  // --sso-account: the account the permission sets are assigned in (where Identity Center
  // creates their roles). Empty: the hub account.
  std::string sso_account_id;
  // --sso-region: the region of the Identity Center instance (its roles' path has a region
  // segment except for us-east-1). Required with sso_permission_sets.
  std::string sso_region;
  bool mfa = false;  // --mfa: the hub trust requires a recent MFA sign-in
  // --spoke-account: when given, the hub may assume the spoke role only in these accounts;
  // empty: in every account (narrowed by --org-id).
  std::vector<std::string> spoke_accounts;
};

enum class PolicyDocumentKind { kBase, kHubTrust, kHub, kSpokeTrust };

// One generated document and where it goes.
struct PolicyDocument {
  PolicyDocumentKind kind = PolicyDocumentKind::kBase;
  std::string name;         // "base", "hub-trust", "hub", "spoke-trust" (the CLI's names)
  std::string purpose;      // one sentence: what it allows
  std::string account;      // the account it goes into ("999999999999", "every spoke account")
  std::string attaches_to;  // the identity or role it is attached to, and as what
  // The policy: 2-space indented JSON, keys in IAM's usual order (Version, Statement; Sid,
  // Effect, Principal, Action, Resource, Condition), a Sid on every statement, a final newline.
  std::string json;
};

struct ChainPolicies {
  std::string partition;       // "aws", "aws-cn", "aws-us-gov", …
  std::string hub_account_id;  // the hub role's account
  std::string hub_role_arn;    // arn:PARTITION:iam::HUB:role/PATH/NAME
  std::string hub_role_name;   // NAME
  std::string hub_role_path;   // "/" or "/a/b/"
  std::string spoke_role_name;
  std::string spoke_role_path;
  PolicyDocument base, hub_trust, hub, spoke_trust;

  const PolicyDocument& Get(PolicyDocumentKind kind) const;
};

// Validates `input` (ValidateSpokeInput; the spoke account is not needed) and `options`, then
// builds the four documents. Errors are kInvalidArgument, one line naming the flag
// ("--org-id: invalid value 'x': …"). Without principals or permission sets hub_trust.json is
// empty (see CheckHubTrustPrincipals).
Result<ChainPolicies> GenerateChainPolicies(const SpokeCredentialsInput& input,
                                            const PolicyOptions& options);

// The hub trust needs at least one base identity: the error (naming --principal) when `options`
// has neither principals nor permission sets. GenerateChainPolicies leaves hub_trust.json empty
// then; callers that need that document check this first.
Status CheckHubTrustPrincipals(const PolicyOptions& options);

// Terraform (HCL) for the given documents: one `data "aws_iam_policy_document"` per document
// (statement / principals / condition blocks equal to the JSON) and the resources that use it
// (aws_iam_policy for the base identity, aws_iam_role for the hub and spoke roles,
// aws_iam_role_policy for the hub's permissions), each with a `#` comment saying what it is for
// and in which account it goes.
std::string RenderTerraform(const ChainPolicies& policies,
                            const std::vector<PolicyDocumentKind>& kinds);

// CloudFormation templates (YAML, long-form intrinsics only, so any YAML parser reads them).
// The base identity's managed policy (AWS::IAM::ManagedPolicy).
std::string RenderCloudFormationBase(const ChainPolicies& policies);
// The hub role with its trust and permission policies (AWS::IAM::Role).
std::string RenderCloudFormationHub(const ChainPolicies& policies);
// The spoke role for a StackSet (one role in every account): nothing account-specific but the
// hub, which is a Parameter whose default is this hub.
std::string RenderCloudFormationSpokeStackSet(const ChainPolicies& policies);

}  // namespace hubspoke
