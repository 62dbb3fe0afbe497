#include "policy/statement_match.h"

#include "core/strings.h"

namespace hubspoke::policy {
namespace {

std::string List(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += Printable(values[i], 200);
  }
  return out + "]";
}

std::string DescribeCaller(const Principal& p) {
  std::string out = Printable(p.arn, 200) + " (" + PrincipalTypeName(p.type);
  if (p.type == PrincipalType::kRoleSession && !p.role_arn.empty()) {
    out += " of role " + Printable(p.role_arn, 200);
  }
  return out + ")";
}

bool AnyActionMatches(const Statement& st, std::string_view action) {
  for (const std::string& pattern : st.actions) {
    if (ActionMatches(pattern, action)) return true;
  }
  return false;
}

bool AnyResourceMatches(const Statement& st, std::string_view resource, const ContextKeys& keys,
                        bool variables_enabled) {
  for (const std::string& raw : *st.resources) {
    std::optional<Pattern> pattern = ExpandResourceVariables(raw, keys, variables_enabled);
    // "the resource that includes a policy variable with no value will not match any
    // resource" [VARS].
    if (pattern && ArnMatches(*pattern, resource)) return true;
  }
  return false;
}

}  // namespace

StatementResult MatchStatement(const NamedPolicy& policy, const Statement& st,
                               const RequestContext& context, const ContextKeys& keys) {
  StatementResult result;
  Reason& reason = result.reason;
  reason.policy = policy.name;
  reason.kind = policy.kind;
  reason.statement = st.Label();
  reason.statement_index = st.index;
  reason.sid = st.sid;
  reason.scp_group = policy.scp_group;
  const std::string effect = EffectName(st.effect);

  // 1. Action / NotAction: case-insensitive with wildcards.
  const bool action_listed = AnyActionMatches(st, context.action);
  if (action_listed == st.not_action) {
    reason.code = ReasonCode::kActionNotMatched;
    reason.message = st.not_action
                         ? "NotAction " + List(st.actions) + " excludes " + context.action
                         : "Action " + List(st.actions) + " does not match " + context.action;
    return result;
  }

  // 2. Principal / NotPrincipal, in resource-based policies only: in the others the principal
  // is the identity the policy is attached to.
  if (IsResourceBased(policy.kind)) {
    if (!st.principal) {
      reason.code = ReasonCode::kPrincipalNotMatched;
      reason.message = "the statement has no Principal";
      return result;
    }
    if (st.not_principal) {
      // Choice: [NOTPRIN] forbids NotPrincipal in role trust policies; ValidatePolicyForKind
      // rejects it, and a trust statement that has it anyway is ignored (it never allows or
      // denies). Elsewhere it applies to every principal it does not name.
      if (policy.kind == PolicyKind::kTrust) {
        reason.code = ReasonCode::kStatementIgnored;
        reason.message = "NotPrincipal cannot be used in a role trust policy; statement ignored";
        return result;
      }
      if (auto named = MatchPrincipal(*st.principal, context.principal)) {
        reason.code = ReasonCode::kPrincipalNotMatched;
        reason.message = "NotPrincipal " + DescribePrincipalElement(*st.principal) + " names " +
                         DescribeCaller(context.principal) + " (" + named->entry + ")";
        return result;
      }
      result.principal = PrincipalMatch{PrincipalGrant::kEveryone, "NotPrincipal"};
    } else {
      result.principal = MatchPrincipal(*st.principal, context.principal);
      if (!result.principal) {
        reason.code = ReasonCode::kPrincipalNotMatched;
        reason.message = "Principal " + DescribePrincipalElement(*st.principal) +
                         " does not name " + DescribeCaller(context.principal);
        return result;
      }
    }
  }

  // 3. Resource / NotResource.
  if (!st.resources) {
    if (!IsResourceBased(policy.kind)) {
      reason.code = ReasonCode::kResourceNotMatched;
      reason.message = "the statement has no Resource";
      return result;
    }
  } else {
    const bool listed =
        AnyResourceMatches(st, context.resource, keys, policy.document.VariablesEnabled());
    if (listed == st.not_resource) {
      reason.code = ReasonCode::kResourceNotMatched;
      reason.message = st.not_resource ? "NotResource " + List(*st.resources) + " excludes " +
                                             Printable(context.resource, 200)
                                       : "Resource " + List(*st.resources) + " does not match " +
                                             Printable(context.resource, 200);
      return result;
    }
  }

  // 4. Condition: every clause must hold.
  std::vector<ConditionFailure> failures =
      EvaluateConditions(st.conditions, keys, policy.document.VariablesEnabled());
  if (!failures.empty()) {
    reason.code = ReasonCode::kConditionNotMet;
    reason.message = "condition not met: ";
    for (std::size_t i = 0; i < failures.size(); ++i) {
      reason.message += (i > 0 ? "; " : "") + failures[i].ToString();
    }
    reason.conditions = std::move(failures);
    return result;
  }

  result.applies = true;
  reason.code =
      st.effect == Effect::kAllow ? ReasonCode::kStatementAllows : ReasonCode::kExplicitDeny;
  reason.message = effect + " " + context.action;
  if (result.principal) {
    reason.message += " for " + DescribeCaller(context.principal) + " (Principal " +
                      result.principal->entry + ", " + PrincipalGrantName(result.principal->grant) +
                      ")";
  }
  return result;
}

}  // namespace hubspoke::policy
