// The decision STS makes on sts:AssumeRole, as in ../shared/testdata/iam/FACTS.md §1–2: the
// role's trust policy, the caller's identity policies (with its permissions boundary and the
// session policies of the calling session), and the SCPs, same-account and cross-account.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/evaluate.h"
#include "policy/request_context.h"

namespace hubspoke::policy {

// The parameters of an AssumeRole call that policies can see (the STS client sends a
// hubspoke::AssumeRoleRequest; this is what the IAM engine evaluates).
struct AssumeRoleCall {
  std::string role_arn;                        // the resource: arn:aws:iam::B:role/path/NAME
  std::string role_session_name;               // sts:RoleSessionName
  std::optional<std::string> external_id;      // sts:ExternalId
  std::optional<std::string> source_identity;  // sts:SourceIdentity (needs sts:SetSourceIdentity)
  std::vector<std::pair<std::string, std::string>> tags;  // aws:RequestTag/K, aws:TagKeys
  std::vector<std::string> transitive_tag_keys;           // sts:TransitiveTagKeys
  // SerialNumber + TokenCode were passed and verified: they satisfy a trust policy's
  // "Bool": {"aws:MultiFactorAuthPresent": true} [AR via FACTS §5].
  bool mfa_authenticated = false;
};

struct AssumeRolePolicies {
  NamedPolicy trust_policy;                         // evaluated as PolicyKind::kTrust
  std::vector<NamedPolicy> identity_policies;       // the caller's
  std::optional<NamedPolicy> permissions_boundary;  // the caller's, if any
  std::vector<NamedPolicy> session_policies;        // of the calling session, if any
  std::vector<NamedPolicy> caller_scps;             // SCPs governing the caller's account
  // SCPs of the role's account. SCPs restrict only principals of their own accounts, so these
  // apply when the caller is in the role's account and are reported NotApplicable otherwise.
  std::vector<NamedPolicy> role_account_scps;
};

struct ActionEvaluation {
  std::string action;
  Evaluation evaluation;
};

struct AssumeRoleEvaluation {
  Decision decision = Decision::kImplicitDeny;
  std::vector<Reason> reasons;            // reasons[0] decides
  std::string message;                    // AWS-style, from the deciding action
  std::vector<ActionEvaluation> actions;  // sts:AssumeRole first, then the extra actions
};

// sts:AssumeRole, plus sts:TagSession when session tags or transitive tag keys are passed
// ("In addition to the action that matches the API operation, you must have the following
// permissions-only action", id_session-tags.md) and sts:SetSourceIdentity when a source
// identity is passed [STSKEYS]. A caller whose session already carries a source identity also
// needs sts:SetSourceIdentity (role chaining), which RequiredActions(request, caller) adds:
// "When you assume a role with another role, called role chaining, permissions for
// sts:SetSourceIdentity are required in both the permissions policy of the principal who is
// assuming the role and in the role trust policy of the target role. Otherwise, the assume role
// operation will fail." (IAM User Guide, id_credentials_temp_control-access_monitor.md,
// "Permissions required to set source identity").
std::vector<std::string> RequiredActions(const AssumeRoleCall& request);
std::vector<std::string> RequiredActions(const AssumeRoleCall& request,
                                         const RequestContext& caller);

// The request context of the call for `action`: the caller's principal, time and keys (e.g.
// aws:SecureTransport), the role as resource, and the request keys sts:RoleSessionName,
// sts:ExternalId, sts:SourceIdentity, aws:RequestTag/K, aws:TagKeys, sts:TransitiveTagKeys
// (each only when passed) and aws:MultiFactorAuthPresent=true after MFA.
RequestContext AssumeRoleContext(const RequestContext& caller, const AssumeRoleCall& request,
                                 std::string_view action);

// Evaluates every required action with Evaluate() over all the policies; all must be allowed.
// An explicit deny of any action wins; otherwise the first action not allowed decides. The root
// user is refused outright ("Roles may not be assumed by root accounts").
AssumeRoleEvaluation EvaluateAssumeRole(const AssumeRolePolicies& policies,
                                        const AssumeRoleCall& request,
                                        const RequestContext& caller);

}  // namespace hubspoke::policy
