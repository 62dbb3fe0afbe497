// The AWS Organizations authorization decision as a pure function of the world, the caller and
// the action, as AWS makes it for the read actions the lab serves:
// 1. the caller's account must be in an organization (else AWSOrganizationsNotInUseException);
// 2. ListAccounts, ListAccountsForParent, ListChildren and ListRoots may be called only from the
//    management account or a delegated administrator (else AccessDeniedException);
//    DescribeOrganization from any account of the organization;
// 3. the caller's identity policies must allow "organizations:<Action>" on the resource, within
//    its permissions boundary and session policies, and the SCPs of its account must allow it
//    (SCPs never restrict the management account) — else AccessDeniedException.
// The lab's Organizations API is one user; `explain`-like tools may be others.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iam/caller.h"
#include "iam/model.h"
#include "policy/evaluate.h"

namespace hubspoke::iam {

enum class OrganizationsRefusal {
  kNone,              // allowed
  kNotInUse,          // the caller's account is in no organization
  kNotAdministrator,  // neither the management account nor a delegated administrator
  kPolicy,            // the policies (identity, boundary, session, SCPs) do not allow
};
const char* OrganizationsRefusalName(OrganizationsRefusal refusal);  // "NotInUse", …

struct OrganizationsDecision {
  OrganizationsRefusal refusal = OrganizationsRefusal::kNone;
  std::string action;  // "organizations:ListAccounts"
  // The policy engine's verdict; reasons[0] decides. Empty when steps 1–2 refused first.
  policy::Evaluation evaluation;
  std::string explanation;  // one line for the lab's log: who, what, why; never a secret

  bool allowed() const { return refusal == OrganizationsRefusal::kNone; }
};

// Whether the operation ("ListAccounts") is restricted to the management account and delegated
// administrators (every read action the lab serves except DescribeOrganization).
bool OrganizationsNeedsAdministrator(std::string_view operation);

// Decides `caller` calling Organizations `operation` ("ListAccounts", …) on `resource` (the ARN
// the action is authorized against, e.g. the parent OU's; "*" for the account-wide lists) at
// `time` (aws:CurrentTime; absent: no time keys). Never fails.
OrganizationsDecision DecideOrganizations(const Model& model, const Caller& caller,
                                          std::string_view operation, std::string_view resource,
                                          std::optional<TimePoint> time = std::nullopt);

}  // namespace hubspoke::iam
