// The Organizations authorization decision (see organizations_decision.h).
#include "iam/organizations_decision.h"

#include "iam/explain.h"

namespace hubspoke::iam {

const char* OrganizationsRefusalName(OrganizationsRefusal refusal) {
  switch (refusal) {
    case OrganizationsRefusal::kNone:
      return "None";
    case OrganizationsRefusal::kNotInUse:
      return "NotInUse";
    case OrganizationsRefusal::kNotAdministrator:
      return "NotAdministrator";
    case OrganizationsRefusal::kPolicy:
      return "Policy";
  }
  return "";
}

bool OrganizationsNeedsAdministrator(std::string_view operation) {
  return operation != "DescribeOrganization";
}

OrganizationsDecision DecideOrganizations(const Model& model, const Caller& caller,
                                          std::string_view operation, std::string_view resource,
                                          std::optional<TimePoint> time) {
  OrganizationsDecision d;
  d.action = "organizations:" + std::string(operation);
  const std::string& account = caller.principal.account;
  const std::string who = caller.principal.arn + " (account " + account + ")";
  const Account* a = model.FindAccount(account);
  if (model.organization_id.empty() || !a || !a->in_organization) {
    d.refusal = OrganizationsRefusal::kNotInUse;
    d.explanation = d.action + " by " + who + ": the account is in no organization" +
                    (model.organization_id.empty() ? " (the model has none)" : "");
    return d;
  }
  const bool management = !model.management_account.empty() && account == model.management_account;
  if (model.management_account.empty() ||
      (OrganizationsNeedsAdministrator(operation) && !management &&
       !model.IsDelegatedAdministrator(account))) {
    d.refusal = OrganizationsRefusal::kNotAdministrator;
    d.explanation =
        d.action + " by " + who + ": only the management account (" +
        (model.management_account.empty() ? std::string("none in the model")
                                          : model.management_account) +
        ") and delegated administrators ($.organization.delegated_administrators) may call it";
    return d;
  }
  std::vector<policy::NamedPolicy> policies = caller.identity_policies;
  if (caller.permissions_boundary) policies.push_back(*caller.permissions_boundary);
  policies.insert(policies.end(), caller.session_policies.begin(), caller.session_policies.end());
  // SCPs do not restrict principals of the management account (AWS: "SCPs don't affect users
  // or roles in the management account").
  if (!management) {
    std::vector<policy::NamedPolicy> scps = model.ScpsFor(account);
    policies.insert(policies.end(), scps.begin(), scps.end());
  }
  policy::RequestContext context;
  context.principal = caller.principal;
  context.action = d.action;
  context.resource = std::string(resource);
  // Organizations resources belong to the organization, not to another account: the caller's
  // identity policies decide, as for any resource of its own account.
  context.resource_account = account;
  context.time = time;
  d.evaluation = policy::Evaluate(policies, context);
  if (d.evaluation.decision != policy::Decision::kAllow) {
    d.refusal = OrganizationsRefusal::kPolicy;
    d.explanation = d.action + " by " + who + ": " + d.evaluation.message + " (" +
                    ExplainReasons(d.evaluation.reasons) + ")";
    return d;
  }
  d.explanation = d.action + " by " + who + ": allowed";
  return d;
}

}  // namespace hubspoke::iam
