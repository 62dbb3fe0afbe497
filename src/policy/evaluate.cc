#include "policy/evaluate.h"

#include <map>

#include "core/strings.h"
#include "policy/statement_match.h"

namespace hubspoke::policy {
namespace {

struct Outcome {
  const NamedPolicy* policy;
  StatementResult result;
};

// A decisive failure: its reason, the statements that explain it, and the tail of the AWS-style
// message ("because no … allows the … action").
struct Failure {
  Reason decisive;
  std::vector<Reason> supporting;
  std::string because;
};

template <typename Pred>
std::vector<const Outcome*> AllowsOf(const std::vector<Outcome>& outcomes, Pred pred) {
  std::vector<const Outcome*> out;
  for (const Outcome& o : outcomes) {
    if (pred(*o.policy) && o.result.applies &&
        o.result.reason.code == ReasonCode::kStatementAllows) {
      out.push_back(&o);
    }
  }
  return out;
}

// Why the statements of the selected policies did not allow.
template <typename Pred>
std::vector<Reason> MissesOf(const std::vector<Outcome>& outcomes, Pred pred) {
  std::vector<Reason> out;
  for (const Outcome& o : outcomes) {
    if (pred(*o.policy) && !o.result.applies) out.push_back(o.result.reason);
  }
  return out;
}

template <typename Pred>
bool AnyPolicy(std::span<const NamedPolicy> policies, Pred pred) {
  for (const NamedPolicy& p : policies) {
    if (pred(p)) return true;
  }
  return false;
}

// Names of the policies of one kind, for messages: "trust policy of arn:…".
template <typename Pred>
std::string PolicyNames(std::span<const NamedPolicy> policies, Pred pred) {
  std::string out;
  for (const NamedPolicy& p : policies) {
    if (!pred(p)) continue;
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

auto KindIs(PolicyKind kind) {
  return [kind](const NamedPolicy& p) { return p.kind == kind; };
}
bool ResourceBasedPolicy(const NamedPolicy& p) { return IsResourceBased(p.kind); }

Failure NoAllow(ReasonCode code, PolicyKind kind, std::string message,
                std::vector<Reason> supporting) {
  Failure f;
  f.decisive.code = code;
  f.decisive.kind = kind;
  f.decisive.message = std::move(message);
  f.supporting = std::move(supporting);
  f.because = std::string("because no ") + PolicyKindName(kind) + " allows the ";
  return f;
}

std::string Subject(const RequestContext& context) {
  return "User: " + Printable(context.principal.arn, 200) + " is ";
}

// The caller's own side: identity policies, permissions boundary and session policies, the
// chain an identity-based grant must pass [EVAL steps 5–7].
std::optional<Failure> CheckPrincipalSide(std::span<const NamedPolicy> policies,
                                          const std::vector<Outcome>& outcomes,
                                          const RequestContext& context, bool need_identity) {
  const Principal& p = context.principal;
  const std::string& action = context.action;
  // "all requests are implicitly denied with the exception of the AWS account root user".
  if (p.type == PrincipalType::kRoot) return std::nullopt;
  if (need_identity && AllowsOf(outcomes, KindIs(PolicyKind::kIdentity)).empty()) {
    std::string names = PolicyNames(policies, KindIs(PolicyKind::kIdentity));
    return NoAllow(ReasonCode::kNoIdentityAllow, PolicyKind::kIdentity,
                   "no identity-based policy of " + Printable(p.arn, 200) + " allows " + action +
                       " on " + Printable(context.resource, 200) +
                       (names.empty() ? " (it has none)" : " (checked: " + names + ")"),
                   MissesOf(outcomes, KindIs(PolicyKind::kIdentity)));
  }
  if (AnyPolicy(policies, KindIs(PolicyKind::kPermissionsBoundary)) &&
      AllowsOf(outcomes, KindIs(PolicyKind::kPermissionsBoundary)).empty()) {
    return NoAllow(ReasonCode::kNoBoundaryAllow, PolicyKind::kPermissionsBoundary,
                   "the permissions boundary does not allow " + action,
                   MissesOf(outcomes, KindIs(PolicyKind::kPermissionsBoundary)));
  }
  const bool has_session = AnyPolicy(policies, KindIs(PolicyKind::kSession));
  if (has_session && AllowsOf(outcomes, KindIs(PolicyKind::kSession)).empty()) {
    return NoAllow(ReasonCode::kNoSessionPolicyAllow, PolicyKind::kSession,
                   "the session policies of the calling session do not allow " + action,
                   MissesOf(outcomes, KindIs(PolicyKind::kSession)));
  }
  // [EVAL step 7]: with no session policy only a role session is allowed; a federated user
  // session is implicitly denied.
  if (!has_session && p.type == PrincipalType::kFederatedUser) {
    return NoAllow(ReasonCode::kNoSessionPolicyAllow, PolicyKind::kSession,
                   "a federated user session without a session policy has no permissions", {});
  }
  return std::nullopt;
}

// A second failure reported after the decisive one: its reason, then its statements.
std::vector<Reason> AlsoFailing(const std::optional<Failure>& failure) {
  std::vector<Reason> out;
  if (!failure) return out;
  out.push_back(failure->decisive);
  out.insert(out.end(), failure->supporting.begin(), failure->supporting.end());
  return out;
}

Evaluation Finish(const RequestContext& context, Failure failure,
                  const std::vector<Reason>& extra) {
  Evaluation ev;
  ev.decision = Decision::kImplicitDeny;
  ev.reasons.push_back(std::move(failure.decisive));
  for (Reason& r : failure.supporting) ev.reasons.push_back(std::move(r));
  for (const Reason& r : extra) ev.reasons.push_back(r);
  ev.message = Subject(context) + "not authorized to perform: " + context.action +
               " on resource: " + Printable(context.resource, 200) + " " + failure.because +
               context.action + " action";
  return ev;
}

}  // namespace

const char* DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAllow:
      return "Allow";
    case Decision::kExplicitDeny:
      return "ExplicitDeny";
    case Decision::kImplicitDeny:
      return "ImplicitDeny";
  }
  return "";
}

const char* ReasonCodeName(ReasonCode code) {
  switch (code) {
    case ReasonCode::kAllowed:
      return "Allowed";
    case ReasonCode::kExplicitDeny:
      return "ExplicitDeny";
    case ReasonCode::kNoScpAllow:
      return "NoScpAllow";
    case ReasonCode::kNoResourcePolicyAllow:
      return "NoResourcePolicyAllow";
    case ReasonCode::kNoIdentityAllow:
      return "NoIdentityAllow";
    case ReasonCode::kNoBoundaryAllow:
      return "NoBoundaryAllow";
    case ReasonCode::kNoSessionPolicyAllow:
      return "NoSessionPolicyAllow";
    case ReasonCode::kRootCannotAssumeRole:
      return "RootCannotAssumeRole";
    case ReasonCode::kStatementAllows:
      return "StatementAllows";
    case ReasonCode::kActionNotMatched:
      return "ActionNotMatched";
    case ReasonCode::kPrincipalNotMatched:
      return "PrincipalNotMatched";
    case ReasonCode::kResourceNotMatched:
      return "ResourceNotMatched";
    case ReasonCode::kConditionNotMet:
      return "ConditionNotMet";
    case ReasonCode::kStatementIgnored:
      return "StatementIgnored";
    case ReasonCode::kNotApplicable:
      return "NotApplicable";
  }
  return "";
}

std::string Reason::ToString() const {
  std::string out;
  if (!policy.empty()) out += policy;
  if (!statement.empty()) out += (out.empty() ? "" : ", ") + statement;
  if (!out.empty()) out += ": ";
  return out + message;
}

Result<NamedPolicy> ParseNamedPolicy(std::string name, PolicyKind kind, std::string_view json_text,
                                     std::string scp_group) {
  auto document = ParsePolicy(json_text);
  if (!document) return std::move(document).error().Wrap(name);
  if (Status s = ValidatePolicyForKind(*document, kind); !s) {
    return std::move(s).error().Wrap(name);
  }
  return NamedPolicy{.name = std::move(name),
                     .kind = kind,
                     .document = std::move(*document),
                     .scp_group = std::move(scp_group)};
}

Evaluation Evaluate(std::span<const NamedPolicy> policies, const RequestContext& context) {
  const ContextKeys keys = EffectiveKeys(context);
  std::vector<Outcome> outcomes;
  for (const NamedPolicy& policy : policies) {
    for (const Statement& st : policy.document.statements) {
      outcomes.push_back(Outcome{&policy, MatchStatement(policy, st, context, keys)});
    }
  }
  const Principal& p = context.principal;
  const std::string& action = context.action;

  // 1. "An explicit deny in any policy overrides any allows."
  {
    Evaluation ev;
    for (const Outcome& o : outcomes) {
      if (o.result.applies && o.result.reason.code == ReasonCode::kExplicitDeny) {
        if (ev.reasons.empty()) {
          ev.message = Subject(context) + "not authorized to perform: " + action +
                       " on resource: " + Printable(context.resource, 200) +
                       " with an explicit deny in a " + PolicyKindName(o.policy->kind);
        }
        ev.reasons.push_back(o.result.reason);
      }
    }
    if (!ev.reasons.empty()) {
      ev.decision = Decision::kExplicitDeny;
      return ev;
    }
  }

  // 2. SCPs: "If the enforcement code does not find any applicable Allow statements in the
  // SCPs, the request is … denied" — at every node of the organization.
  std::map<std::string, bool> scp_nodes;
  for (const Outcome& o : outcomes) {
    if (o.policy->kind != PolicyKind::kScp) continue;
    bool& allowed = scp_nodes[o.policy->scp_group];
    allowed = allowed || (o.result.applies && o.result.reason.code == ReasonCode::kStatementAllows);
  }
  for (const NamedPolicy& policy : policies) {  // an SCP without statements still counts
    if (policy.kind == PolicyKind::kScp) scp_nodes.try_emplace(policy.scp_group, false);
  }
  for (const auto& [node, allowed] : scp_nodes) {
    if (allowed) continue;
    // An init-capture: clang before 16 cannot capture a structured binding (the fuzz build).
    auto in_node = [&group = node](const NamedPolicy& np) {
      return np.kind == PolicyKind::kScp && np.scp_group == group;
    };
    Failure failure =
        NoAllow(ReasonCode::kNoScpAllow, PolicyKind::kScp,
                "no service control policy" +
                    (node.empty() ? std::string() : " attached at '" + node + "'") + " allows " +
                    action + " (checked: " + PolicyNames(policies, in_node) + ")",
                MissesOf(outcomes, in_node));
    failure.decisive.scp_group = node;
    return Finish(context, std::move(failure), {});
  }

  const std::vector<const Outcome*> resource_allows = AllowsOf(outcomes, ResourceBasedPolicy);
  std::vector<Reason> allow_reasons;
  for (const Outcome& o : outcomes) {
    if (o.result.applies) allow_reasons.push_back(o.result.reason);
  }
  auto allow = [&](std::string how) {
    Evaluation ev;
    ev.decision = Decision::kAllow;
    Reason decisive;
    decisive.code = ReasonCode::kAllowed;
    decisive.message = std::move(how);
    ev.reasons.push_back(std::move(decisive));
    for (const Reason& r : allow_reasons) ev.reasons.push_back(r);
    ev.message = Subject(context) + "authorized to perform: " + action +
                 " on resource: " + Printable(context.resource, 200);
    return ev;
  };
  auto no_resource_allow = [&](const std::string& why) {
    std::string names = PolicyNames(policies, ResourceBasedPolicy);
    PolicyKind kind = AnyPolicy(policies, KindIs(PolicyKind::kTrust)) ? PolicyKind::kTrust
                                                                      : PolicyKind::kResource;
    return NoAllow(ReasonCode::kNoResourcePolicyAllow, kind,
                   names.empty() ? why + "; none was given"
                                 : "no statement of " + names + " allows " + action + " for " +
                                       Printable(p.arn, 200) + " (" + why + ")",
                   MissesOf(outcomes, ResourceBasedPolicy));
  };

  // Services, web identities and anonymous callers have no identity policies here: only a
  // resource-based policy can grant.
  if (p.type == PrincipalType::kService || p.type == PrincipalType::kWebIdentity ||
      p.type == PrincipalType::kAnonymous) {
    if (!resource_allows.empty()) {
      return allow("a resource-based policy allows the " + std::string(PrincipalTypeName(p.type)));
    }
    return Finish(context,
                  no_resource_allow("only a resource-based policy can grant a " +
                                    std::string(PrincipalTypeName(p.type))),
                  {});
  }

  std::string resource_account =
      context.resource_account.empty() ? ArnAccount(context.resource) : context.resource_account;
  if (resource_account.empty()) resource_account = p.account;
  const bool cross_account = resource_account != p.account;

  if (cross_account) {
    // [XACCT]: "The request is allowed only if both evaluations return a decision of Allow."
    if (resource_allows.empty()) {
      std::optional<Failure> own = CheckPrincipalSide(policies, outcomes, context, true);
      return Finish(context,
                    no_resource_allow("cross-account: account " + resource_account +
                                      " must allow the caller from " + p.account),
                    AlsoFailing(own));
    }
    if (auto own = CheckPrincipalSide(policies, outcomes, context, true)) {
      own->decisive.message += " (cross-account: account " + p.account +
                               " must allow its principal as well as account " + resource_account +
                               " trusting it)";
      return Finish(context, std::move(*own), allow_reasons);
    }
    return allow("cross-account: allowed by a resource-based policy of account " +
                 resource_account + " and by the caller's policies in account " + p.account);
  }

  // Same account [EVAL step 3]: how the resource-based policy named the caller matters.
  std::optional<PrincipalGrant> best;
  for (const Outcome* o : resource_allows) {
    const PrincipalGrant g = o->result.principal->grant;
    if (g != PrincipalGrant::kAccount && g != PrincipalGrant::kRole) {
      best = g;
      break;
    }
    if (!best || g == PrincipalGrant::kRole) best = g;
  }
  if (best && *best != PrincipalGrant::kAccount && *best != PrincipalGrant::kRole) {
    // Granted to the user, the exact session or "*": implicit denies in identity policies,
    // boundaries and session policies do not matter.
    return allow("a resource-based policy names the caller directly (" +
                 std::string(PrincipalGrantName(*best)) + "); no identity policy needed");
  }
  if (best && *best == PrincipalGrant::kRole) {
    // "Resource-based policies that grant permissions to an IAM role ARN are limited by an
    // implicit deny in a permissions boundary or session policy."
    if (auto own = CheckPrincipalSide(policies, outcomes, context, false)) {
      return Finish(context, std::move(*own), allow_reasons);
    }
    return allow(
        "a resource-based policy names the caller's role; boundary and session "
        "policies allow");
  }
  // Nothing grants directly: identity policies must allow. A role trust policy must also allow
  // (naming the account delegates to identity policies) [EVAL step 3, FACTS §1].
  const bool has_trust = AnyPolicy(policies, KindIs(PolicyKind::kTrust));
  if (has_trust && !best) {
    std::optional<Failure> own = CheckPrincipalSide(policies, outcomes, context, true);
    return Finish(context,
                  no_resource_allow("role trust policies must explicitly allow the principal, "
                                    "even in the same account"),
                  AlsoFailing(own));
  }
  if (auto own = CheckPrincipalSide(policies, outcomes, context, true)) {
    if (best) {
      own->decisive.message +=
          " (the resource-based policy names only the account, which "
          "delegates to identity policies)";
    }
    return Finish(context, std::move(*own), allow_reasons);
  }
  if (p.type == PrincipalType::kRoot) {
    return allow("the account root user has full access within its own account");
  }
  return allow(best ? "the resource-based policy trusts the account and an identity-based "
                      "policy allows"
                    : "an identity-based policy allows");
}

}  // namespace hubspoke::policy
