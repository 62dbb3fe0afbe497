// The AssumeRole decision (see assume_role_decision.h), in the order STS checks: the role, MFA,
// the policies, the duration (a denied caller learns nothing about the role's limits).
#include "iam/assume_role_decision.h"
#include "iam/totp.h"

#include <algorithm>
#include <chrono>

#include "core/strings.h"
#include "policy/assume_role.h"

namespace hubspoke::iam {
namespace {

// The groups EvaluateAssumeRole gives the SCPs of `account` ("<prefix> <scp_group>").
void IndexScpNodes(const Model& model, const std::string& account, const std::string& prefix,
                   ScpNodeIndex& index) {
  for (const ScpAttachment& node : model.ScpNodesFor(account)) {
    for (const policy::NamedPolicy& p : node.scps) {
      const std::string group = prefix + (p.scp_group.empty() ? "" : " " + p.scp_group);
      bool known = false;
      for (const auto& [g, ref] : index) known = known || g == group;
      if (!known) index.emplace_back(group, ScpNodeRef{node.node, account});
    }
  }
}

// aws:PrincipalOrgPaths / aws:ResourceOrgPaths: "o-…/r-…/ou-…/…/" down to the account's parent.
std::string OrgPathOf(const Model& model, const std::string& account) {
  std::string path = model.organization_id + "/" + model.root_id + "/";
  for (const OrganizationalUnit* ou : model.OrganizationalUnitsOf(account)) path += ou->id + "/";
  return path;
}

// The organization keys of the caller's and the role's accounts [GKEYS]: aws:ResourceAccount
// always; aws:ResourceOrgID and aws:ResourceOrgPaths "only if the account that owns the
// resource is a member of an organization", likewise aws:PrincipalOrgPaths for the caller. The
// role is the resource of sts:AssumeRole, so a hub policy that must keep its spoke calls inside
// the organization names aws:ResourceOrgID (aws:PrincipalOrgID there is the hub's own org).
void SetOrganizationKeys(const Model& model, const std::string& caller_account,
                         const std::string& role_account, policy::ContextKeys& keys) {
  auto set = [&keys](const char* key, std::string value) {
    if (!keys.Find(key)) keys.Set(key, std::move(value));
  };
  set("aws:ResourceAccount", role_account);
  if (const std::string org = model.OrgIdOf(role_account); !org.empty()) {
    set("aws:ResourceOrgID", org);
    set("aws:ResourceOrgPaths", OrgPathOf(model, role_account));
  }
  if (!caller_account.empty() && !model.OrgIdOf(caller_account).empty() && !keys.Find("aws:PrincipalOrgPaths")) {
    keys.SetMulti("aws:PrincipalOrgPaths", {OrgPathOf(model, caller_account)});
  }
}

}  // namespace

HopDecision DecideAssumeRole(const Model& model, const Caller& caller,
                             const AssumeRoleInput& input) {
  HopDecision d;
  d.action = "sts:AssumeRole";
  d.chained = caller.is_session();
  d.duration_seconds = input.duration_seconds.value_or(3600);
  const std::string& caller_arn = caller.principal.arn;

  d.role = model.FindRole(input.role_arn);
  if (!d.role) {
    return Refuse(std::move(d), Refusal::kNoSuchRole, Side::kRole,
                  "the model has no role " + Printable(input.role_arn));
  }
  const Role& role = *d.role;

  // MFA: SerialNumber + TokenCode satisfy "aws:MultiFactorAuthPresent" when the device is the
  // calling user's.
  if (input.serial_number || input.token_code) {
    const bool known = caller.user && input.serial_number && input.token_code &&
                       std::find(caller.mfa_devices.begin(), caller.mfa_devices.end(),
                                 *input.serial_number) != caller.mfa_devices.end();
    if (!known) {
      return Refuse(std::move(d), Refusal::kMfaFailed, Side::kRequest,
                    caller_arn + ": SerialNumber and TokenCode must both be given, for an MFA "
                                 "device the model lists for the calling user");
    }
    // A virtual device whose seed the model knows: the code of the time (±30 s), as STS checks
    // it. The lab refuses a code used before (it keeps the steps used; DecideAssumeRole is pure).
    // Without a time (explain, offline) there is no code to check.
    if (auto seed = caller.user->mfa_seeds.find(*input.serial_number);
        seed != caller.user->mfa_seeds.end() && input.time) {
      const auto unix_seconds =
          std::chrono::duration_cast<std::chrono::seconds>(input.time->time_since_epoch()).count();
      auto step = MatchTotp(seed->second, *input.token_code, unix_seconds);
      if (!step) {
        return Refuse(std::move(d), Refusal::kMfaFailed, Side::kRequest,
                      caller_arn + ": the TokenCode is not the code of " + *input.serial_number +
                          " for this time (±30 s)");
      }
      d.mfa_step = *step;
    }
    d.mfa_authenticated = true;
  }

  // Source identity in a role chain. "After the source identity is set, the value cannot be
  // changed. [...] The value persists into subsequent role sessions when you use the session
  // credentials to assume another role" (IAM User Guide, reference_policies_iam-condition-keys,
  // sts:SourceIdentity; likewise id_credentials_temp_control-access_monitor: "The value that is
  // set cannot be changed during the role session"). So a chained call may repeat the caller's
  // source identity but not replace it: the lab refuses a different one (AccessDenied; the
  // documentation names no error code). The inherited value is set on the new session, and that
  // needs sts:SetSourceIdentity in the target's trust policy whether or not the call repeats it
  // (policy::RequiredActions with the caller; the documentation's role-chaining trust policies
  // allow "sts:AssumeRole" with "sts:SetSourceIdentity").
  if (input.source_identity && !caller.principal.source_identity.empty() &&
      *input.source_identity != caller.principal.source_identity) {
    return Refuse(std::move(d), Refusal::kSourceIdentityChanged, Side::kRequest,
                  caller_arn + " carries the source identity " +
                      Printable(caller.principal.source_identity) +
                      ", which cannot be changed in a role chain; the request passed " +
                      Printable(*input.source_identity));
  }

  policy::AssumeRoleCall call{.role_arn = role.arn,
                              .role_session_name = input.session_name,
                              .external_id = input.external_id,
                              .source_identity = input.source_identity,
                              .tags = input.tags,
                              .transitive_tag_keys = input.transitive_tag_keys,
                              .mfa_authenticated = d.mfa_authenticated};
  policy::AssumeRolePolicies policies;
  policies.trust_policy = role.trust_policy;
  policies.identity_policies = caller.identity_policies;
  policies.permissions_boundary = caller.permissions_boundary;
  policies.session_policies = caller.session_policies;
  policies.caller_scps = model.ScpsFor(caller.principal.account);
  policies.role_account_scps = model.ScpsFor(role.account);
  ScpNodeIndex scp_nodes;
  IndexScpNodes(model, caller.principal.account, "caller account", scp_nodes);
  IndexScpNodes(model, role.account, "role account", scp_nodes);

  policy::RequestContext context;
  context.principal = caller.principal;
  context.time = input.time;
  context.keys = input.keys;
  SetOrganizationKeys(model, caller.principal.account, role.account, context.keys);
  policy::AssumeRoleEvaluation ev = policy::EvaluateAssumeRole(policies, call, context);
  d.decision = ev.decision;
  d.policy_reasons = ev.reasons;
  d.message = ev.message;
  // The reasons come from the deciding action: an explicit deny of any action, else the first
  // action not allowed (EvaluateAssumeRole); the message names the first action not allowed.
  std::string deciding = ev.actions.empty() ? d.action : ev.actions.front().action;
  bool found = false;
  for (const policy::ActionEvaluation& a : ev.actions) {
    if (!found && a.evaluation.decision == policy::Decision::kExplicitDeny) {
      deciding = a.action;
      found = true;
    }
  }
  for (const policy::ActionEvaluation& a : ev.actions) {
    if (!found && a.evaluation.decision == policy::Decision::kImplicitDeny) {
      deciding = a.action;
      found = true;
    }
  }
  d.reasons = ResolveReasons(ev.reasons, deciding, scp_nodes);
  if (ev.decision != policy::Decision::kAllow) {
    for (const policy::ActionEvaluation& a : ev.actions) {
      if (a.evaluation.decision != policy::Decision::kAllow) {
        d.action = a.action;
        break;
      }
    }
    d.refusal = Refusal::kPolicy;
    d.side = d.reasons.empty() ? Side::kNone : d.reasons.front().side;
    return d;
  }

  if (d.chained && d.duration_seconds > 3600) {
    return Refuse(std::move(d), Refusal::kRoleChainingLimit, Side::kRequest,
                  caller_arn + " → " + role.arn + ": role chaining caps sessions at 3600 s, " +
                      std::to_string(d.duration_seconds) + " s requested");
  }
  return CheckMaxSessionDuration(std::move(d), role);
}

}  // namespace hubspoke::iam
