// The decision on one hop (AssumeRole, AssumeRoleWithWebIdentity), inspectable: allowed or not,
// what kind of refusal, WHICH side refused (the caller's identity policy, its permissions
// boundary, its session policies, the SCPs of its account, the role's trust policy, …) and a
// vector of structured reasons: policy, statement index and Sid, SCP node, failed conditions
// (key, operator, expected and actual values; secret-like keys such as sts:ExternalId are
// withheld: only "does not match"). iam/explain.h renders it as text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "iam/model.h"
#include "policy/conditions.h"
#include "policy/evaluate.h"

namespace hubspoke::iam {

// Who refused.
enum class Side {
  kNone,                 // nobody: allowed
  kRequest,              // the request itself: MFA, duration, the web identity token
  kRole,                 // the role: absent from the world, or its MaxSessionDuration
  kCaller,               // the caller as such (the account root user may not assume roles)
  kIdentityPolicy,       // the caller's identity-based policies
  kPermissionsBoundary,  // the caller's permissions boundary
  kSessionPolicy,        // the session policies of the calling session
  kScp,                  // a service control policy of the caller's (or role's) account
  kTrustPolicy,          // the role's trust policy
};
const char* SideName(Side side);  // "identity policy", "trust policy", …

// What kind of refusal (the STS error follows from it).
enum class Refusal {
  kNone,                // allowed
  kNoSuchRole,          // the world has no such role (STS: AccessDenied, as for a policy)
  kMfaFailed,           // SerialNumber/TokenCode not both given, or not a device of the user
  kPolicy,              // the policies refuse (AccessDenied)
  kRoleChainingLimit,   // a role session asked for more than 1 h
  kMaxSessionDuration,  // more than the role's MaxSessionDuration
  kNoOidcProvider,      // web identity: the role's account has no provider for the issuer
  kTokenExpired,        // web identity: exp lies in the past
  kAudienceMismatch,    // web identity: aud is none of the provider's client ids
  kSourceIdentityChanged,  // a chained call passed a source identity other than the session's
};
const char* RefusalName(Refusal refusal);  // "NoSuchRole", "Policy", …

// One structured reason. Policy reasons mirror policy::Reason with the side and node resolved.
struct DecisionReason {
  Side side = Side::kNone;
  std::optional<policy::ReasonCode> code;  // set for reasons from the policy engine
  bool decisive = false;                   // reasons[0] of the decision
  std::string action;                      // the action evaluated: "sts:AssumeRole", …
  std::string policy;                      // the policy's name, when about one policy
  std::optional<std::size_t> statement_index;  // 0-based position in the policy document
  std::string sid;                              // the statement's Sid, may be empty
  std::string statement;                        // "statement 'Sid'" / "statement #2"
  std::optional<ScpNode> scp_node;  // SCPs: the node (root, OU, account) it is attached to
  std::string scp_account;          // SCPs: the account whose SCPs these are
  std::vector<policy::ConditionFailure> conditions;  // kConditionNotMet: the failed clauses
  std::string message;                               // one line, never a secret
};

struct HopDecision {
  policy::Decision decision = policy::Decision::kImplicitDeny;  // of the policies
  Refusal refusal = Refusal::kNone;
  Side side = Side::kNone;  // of the decisive reason
  std::string action;       // the deciding action ("sts:AssumeRole", "sts:TagSession", …)
  const Role* role = nullptr;                  // points into the world; null: no such role
  const OidcProvider* oidc_provider = nullptr;  // web identity
  bool chained = false;                         // the caller is a role session
  bool mfa_authenticated = false;               // SerialNumber + TokenCode were accepted
  std::optional<std::uint64_t> mfa_step;        // the TOTP step the code matched (a seeded device)
  long long duration_seconds = 3600;            // requested, or the default
  std::vector<DecisionReason> reasons;          // reasons[0] decides; the rest support it
  // The policy engine's own reasons, in its order (reasons[0] decides), for one-line logs.
  std::vector<policy::Reason> policy_reasons;
  std::string message;  // AWS-style access-denied text, or what else refused

  bool allowed() const { return refusal == Refusal::kNone; }
};

// The side a policy reason speaks for (by its policy kind; the root refusal is the caller's).
// `d` refused for one decisive reason on `side`: the reason goes first, earlier ones stay as
// context (no longer decisive), and `message` is the decision's message.
HopDecision Refuse(HopDecision d, Refusal refusal, Side side, std::string message);

// `d` as it is when its duration fits the role's MaxSessionDuration, else refused on the role's
// side (kMaxSessionDuration).
HopDecision CheckMaxSessionDuration(HopDecision d, const Role& role);

Side SideOf(const policy::Reason& reason);

// Where the SCPs of a decision are attached: NamedPolicy::scp_group as the engine reports it
// (e.g. "caller account OU ou-ab12-cdefgh12") → the node and the account whose SCPs they are.
struct ScpNodeRef {
  ScpNode node;
  std::string account;
};
using ScpNodeIndex = std::vector<std::pair<std::string, ScpNodeRef>>;

// policy::Reason → DecisionReason: side, statement index and Sid, SCP node (looked up in
// `scp_nodes`), conditions. The first is marked decisive.
std::vector<DecisionReason> ResolveReasons(const std::vector<policy::Reason>& reasons,
                                           const std::string& action,
                                           const ScpNodeIndex& scp_nodes);

}  // namespace hubspoke::iam
