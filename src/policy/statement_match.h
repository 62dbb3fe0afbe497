// Whether one statement applies to a request, and why not when it does not.
#pragma once

#include <optional>

#include "policy/evaluate.h"
#include "policy/matching.h"

namespace hubspoke::policy {

struct StatementResult {
  bool applies = false;
  // Resource-based statements that apply: how the Principal named the caller.
  std::optional<PrincipalMatch> principal;
  // kStatementAllows or kExplicitDeny when it applies; otherwise kActionNotMatched,
  // kPrincipalNotMatched, kResourceNotMatched, kConditionNotMet or kStatementIgnored.
  Reason reason;
};

// Checks, in this order, Action/NotAction, Principal/NotPrincipal (resource-based policies only),
// Resource/NotResource (absent: the resource the policy is attached to, for resource-based
// policies) and Condition; the first mismatch is the reason. `keys` are EffectiveKeys(context).
StatementResult MatchStatement(const NamedPolicy& policy, const Statement& statement,
                               const RequestContext& context, const ContextKeys& keys);

}  // namespace hubspoke::policy
