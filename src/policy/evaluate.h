// Policy evaluation: the decision AWS makes for one request against every applicable policy,
// with reasons that explain it [EVAL, XACCT]. Pure: everything, the time included, comes in
// through the arguments.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"
#include "policy/conditions.h"
#include "policy/policy.h"
#include "policy/request_context.h"

namespace hubspoke::policy {

enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };
const char* DecisionName(Decision decision);  // "Allow", "ExplicitDeny", "ImplicitDeny"

// A policy with the name reasons should use and its kind.
struct NamedPolicy {
  // "trust policy of arn:aws:iam::888888888888:role/automation-spoke-role",
  // "identity policy 'hub-access' of user sys-automation", "SCP 'deny-leave-org'", ….
  std::string name;
  PolicyKind kind = PolicyKind::kIdentity;
  PolicyDocument document;
  // SCPs only: the organization node the SCP is attached to (root, an OU, the account). Every
  // node needs an applicable Allow; policies at one node are OR'ed. Empty: one shared node.
  std::string scp_group;
};

// Parses `json_text`, checks it for `kind` (ValidatePolicyForKind) and names it. Errors are
// wrapped with `name`.
Result<NamedPolicy> ParseNamedPolicy(std::string name, PolicyKind kind, std::string_view json_text,
                                     std::string scp_group = "");

enum class ReasonCode {
  // Decisive (reasons[0]):
  kAllowed,                // allowed; supporting reasons name the statements
  kExplicitDeny,           // a Deny statement applies
  kNoScpAllow,             // an SCP node has no applicable Allow
  kNoResourcePolicyAllow,  // no resource-based (trust) policy allows: needed cross-account, and
                           // always for a role trust policy
  kNoIdentityAllow,        // no identity-based policy allows (and no resource policy grants
                           // directly)
  kNoBoundaryAllow,        // the permissions boundary does not allow
  kNoSessionPolicyAllow,   // the session policies do not allow
  kRootCannotAssumeRole,   // STS: "Roles may not be assumed by root accounts"
  // About one statement:
  kStatementAllows,
  kActionNotMatched,
  kPrincipalNotMatched,
  kResourceNotMatched,
  kConditionNotMet,
  kStatementIgnored,  // e.g. NotPrincipal in a role trust policy
  kNotApplicable,     // e.g. the role account's SCPs for a caller from another account
};
const char* ReasonCodeName(ReasonCode code);  // "ConditionNotMet", …

struct Reason {
  ReasonCode code = ReasonCode::kNoIdentityAllow;
  std::string policy;  // NamedPolicy::name; empty when the reason is not about one policy
  std::optional<PolicyKind> kind;
  std::string statement;  // Statement::Label(); empty for policy-level reasons
  // About one statement: its 0-based position in the document and its Sid (may be empty).
  std::optional<std::size_t> statement_index;
  std::string sid;
  // SCPs: the organization node (NamedPolicy::scp_group) of the policy, or of the node that has
  // no applicable Allow (kNoScpAllow).
  std::string scp_group;
  std::string message;    // one line, human-readable
  // kConditionNotMet: every clause that failed, with operator, key, expected and actual values.
  std::vector<ConditionFailure> conditions;

  // "<policy>, <statement>: <message>"
  std::string ToString() const;
};

struct Evaluation {
  Decision decision = Decision::kImplicitDeny;
  std::vector<Reason> reasons;  // reasons[0] decides; the rest support it
  // In the words of AWS access-denied messages [DENYMSG]: "User: arn:… is not authorized to
  // perform: sts:AssumeRole on resource: arn:… because no identity-based policy allows the
  // sts:AssumeRole action" / "… with an explicit deny in a service control policy".
  std::string message;
};

// The decision for `context` against `policies` [EVAL "Determining whether a request is
// allowed or denied within an account", XACCT]:
// 1. an applicable Deny in any policy → ExplicitDeny;
// 2. every SCP node (scp_group) needs an applicable Allow when SCPs are given;
// 3. the principal's account differs from the resource's (ArnAccount(context.resource)):
//    a resource-based policy must allow (any principal form) AND the caller's identity
//    policies must allow, within its permissions boundary and session policies;
// 4. same account: a resource-based Allow naming the user, the exact session, a service or
//    "*" suffices on its own; naming the role still needs the boundary and session policies;
//    otherwise the identity policies must allow (+ boundary + session policies) — and when a
//    role trust policy is among the policies it must allow too, since trust policies "must
//    explicitly allow access for principals" (naming the account delegates to identity
//    policies) [EVAL step 3, FACTS §1];
// 5. the account root user needs no identity policy in its own account; a federated-user
//    session without a session policy has no permissions [EVAL step 7].
Evaluation Evaluate(std::span<const NamedPolicy> policies, const RequestContext& context);

}  // namespace hubspoke::policy
