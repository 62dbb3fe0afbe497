#include "policy/assume_role.h"

#include "core/strings.h"

namespace hubspoke::policy {
namespace {

NamedPolicy WithKind(NamedPolicy policy, PolicyKind kind, std::string_view scp_prefix = "") {
  policy.kind = kind;
  if (kind == PolicyKind::kScp) {
    policy.scp_group =
        std::string(scp_prefix) + (policy.scp_group.empty() ? "" : " " + policy.scp_group);
  }
  return policy;
}

std::string ExtraActionWhy(std::string_view action) {
  if (action == "sts:TagSession") {
    return "session tags were passed, so sts:TagSession must be allowed too: ";
  }
  if (action == "sts:SetSourceIdentity") {
    return "a source identity was passed or carried by the calling session (role chaining), so "
           "sts:SetSourceIdentity must be allowed too: ";
  }
  return "";
}

}  // namespace

std::vector<std::string> RequiredActions(const AssumeRoleCall& request) {
  std::vector<std::string> actions = {"sts:AssumeRole"};
  if (!request.tags.empty() || !request.transitive_tag_keys.empty()) {
    actions.push_back("sts:TagSession");
  }
  if (request.source_identity) actions.push_back("sts:SetSourceIdentity");
  return actions;
}

std::vector<std::string> RequiredActions(const AssumeRoleCall& request,
                                         const RequestContext& caller) {
  std::vector<std::string> actions = RequiredActions(request);
  if (!request.source_identity && !caller.principal.source_identity.empty()) {
    actions.push_back("sts:SetSourceIdentity");
  }
  return actions;
}

RequestContext AssumeRoleContext(const RequestContext& caller, const AssumeRoleCall& request,
                                 std::string_view action) {
  RequestContext ctx = caller;
  ctx.action = std::string(action);
  ctx.resource = request.role_arn;
  ctx.resource_account.clear();
  ContextKeys request_keys;
  if (!request.role_session_name.empty()) {
    request_keys.Set("sts:RoleSessionName", request.role_session_name);
  }
  if (request.external_id) request_keys.Set("sts:ExternalId", *request.external_id);
  if (request.source_identity) request_keys.Set("sts:SourceIdentity", *request.source_identity);
  if (!request.tags.empty()) {
    std::vector<std::string> tag_keys;
    for (const auto& [key, value] : request.tags) {
      request_keys.Set("aws:RequestTag/" + key, value);
      tag_keys.push_back(key);
    }
    request_keys.SetMulti("aws:TagKeys", std::move(tag_keys));
  }
  if (!request.transitive_tag_keys.empty()) {
    request_keys.SetMulti("sts:TransitiveTagKeys", request.transitive_tag_keys);
  }
  if (request.mfa_authenticated) {
    // The code was checked by this very request: no time has passed since.
    request_keys.Set("aws:MultiFactorAuthPresent", "true");
    request_keys.Set("aws:MultiFactorAuthAge", "0");
  }
  ctx.keys.Merge(request_keys);
  return ctx;
}

AssumeRoleEvaluation EvaluateAssumeRole(const AssumeRolePolicies& policies,
                                        const AssumeRoleCall& request,
                                        const RequestContext& caller) {
  AssumeRoleEvaluation result;
  const Principal& p = caller.principal;
  if (p.type == PrincipalType::kRoot) {
    Reason r;
    r.code = ReasonCode::kRootCannotAssumeRole;
    r.message =
        "Roles may not be assumed by root accounts (call AssumeRole as an IAM user or "
        "role session)";
    result.reasons.push_back(std::move(r));
    result.message = "User: " + Printable(p.arn, 200) +
                     " is not authorized to perform: "
                     "sts:AssumeRole on resource: " +
                     Printable(request.role_arn, 200) +
                     ": Roles may not be assumed by root accounts";
    return result;
  }

  const std::string role_account = ArnAccount(request.role_arn);
  const bool same_account = !role_account.empty() && role_account == p.account;
  std::vector<NamedPolicy> all;
  all.push_back(WithKind(policies.trust_policy, PolicyKind::kTrust));
  for (const NamedPolicy& np : policies.identity_policies) {
    all.push_back(WithKind(np, PolicyKind::kIdentity));
  }
  if (policies.permissions_boundary) {
    all.push_back(WithKind(*policies.permissions_boundary, PolicyKind::kPermissionsBoundary));
  }
  for (const NamedPolicy& np : policies.session_policies) {
    all.push_back(WithKind(np, PolicyKind::kSession));
  }
  for (const NamedPolicy& np : policies.caller_scps) {
    all.push_back(WithKind(np, PolicyKind::kScp, "caller account"));
  }
  std::vector<Reason> notes;
  for (const NamedPolicy& np : policies.role_account_scps) {
    if (same_account) {
      all.push_back(WithKind(np, PolicyKind::kScp, "role account"));
      continue;
    }
    Reason r;
    r.code = ReasonCode::kNotApplicable;
    r.policy = np.name;
    r.kind = PolicyKind::kScp;
    r.message = "SCPs of the role's account " + role_account +
                " do not apply to a caller from account " + p.account;
    notes.push_back(std::move(r));
  }

  const ActionEvaluation* deciding = nullptr;
  for (const std::string& action : RequiredActions(request, caller)) {
    RequestContext ctx = AssumeRoleContext(caller, request, action);
    result.actions.push_back(ActionEvaluation{action, Evaluate(all, ctx)});
  }
  for (const ActionEvaluation& a : result.actions) {  // an explicit deny anywhere wins
    if (a.evaluation.decision == Decision::kExplicitDeny) {
      deciding = &a;
      break;
    }
  }
  for (const ActionEvaluation& a : result.actions) {
    if (deciding == nullptr && a.evaluation.decision == Decision::kImplicitDeny) deciding = &a;
  }
  if (deciding == nullptr) deciding = &result.actions.front();

  result.decision = deciding->evaluation.decision;
  result.reasons = deciding->evaluation.reasons;
  result.message = deciding->evaluation.message;
  if (result.decision == Decision::kImplicitDeny && !result.reasons.empty()) {
    result.reasons.front().message =
        ExtraActionWhy(deciding->action) + result.reasons.front().message;
  }
  for (Reason& r : notes) result.reasons.push_back(std::move(r));
  return result;
}

}  // namespace hubspoke::policy
