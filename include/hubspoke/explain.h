// Why the hub→spoke chain would succeed or fail, offline: the base→hub and hub→spoke AssumeRole
// hops evaluated in an IAM world (iam_world.h: the lab's model, or a real organization's
// exports) by the same policy engine the lab enforces, so `explain` and the lab always agree.
// For each hop: allowed or denied, who refused (the caller's identity policy, its permissions
// boundary, the calling session's policies, an SCP at a node of the organization tree, the
// role's trust policy, the role itself), which statement allows or denies, which condition
// failed (operator, key, and the values unless secret: external ids read only "matches" or
// "does not match"), and the smallest change that would make the hop pass.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hubspoke/hubspoke.h"
#include "hubspoke/iam_world.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

struct ExplainOptions {
  // The base identity: an IAM user ARN, a role ARN, or an assumed-role session ARN
  // (arn:aws:sts::A:assumed-role/ROLE/SESSION, as GetCallerIdentity returns it). Required:
  // ResolveBasePrincipal picks one when the user gave none.
  std::string base_principal;
  // When the hops happen (aws:CurrentTime, aws:EpochTime). Absent: time keys are absent.
  std::optional<TimePoint> time;
  // A base principal that is a role session (a role or assumed-role ARN) may carry session
  // policies from the AssumeRole call that made it: its inline policy (JSON) and managed policy
  // ARNs. They limit what the session may do, the hub hop included.
  std::string base_session_policy;
  std::vector<std::string> base_session_policy_arns;
};

// One failed condition clause. `expected` and `actual` are empty when the key is secret
// (sts:ExternalId): then only whether it matched is known.
struct ExplainedCondition {
  std::string operator_name;  // "StringEquals"
  std::string key;            // "sts:ExternalId"
  std::vector<std::string> expected;
  std::optional<std::vector<std::string>> actual;  // nullopt: the key is absent from the request
  bool redacted = false;
  std::string text;  // one line: "StringEquals sts:ExternalId: does not match"
};

// One reason of a hop's decision.
struct ExplainedReason {
  bool decisive = false;  // the reason the hop is decided (the first)
  std::string side;       // "identity policy", "trust policy", "SCP", "permissions boundary", …
  std::string code;       // "StatementAllows", "ExplicitDeny", "ConditionNotMet", …
  std::string action;     // "sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"
  std::string policy;     // "trust policy of arn:…", "identity policy 'assume-hub' of user …"
  std::optional<std::size_t> statement_index;  // 0-based position in the document
  std::string sid;
  std::string scp_target;  // SCPs: "root", "OU ou-ab12-cdefgh12 'workloads'", "account 8888…"
  std::vector<ExplainedCondition> conditions;
  std::string message;  // one line
};

struct HopExplanation {
  std::string hop;         // "hub" or "spoke"
  std::string caller_arn;  // the principal that calls (a user, or the hub session)
  std::string role_arn;
  std::string action;  // the deciding action
  bool allowed = false;
  std::string refusal;    // "" when allowed; "Policy", "NoSuchRole", "MaxSessionDuration", …
  std::string side;       // who refused; "" when allowed
  std::string sts_error;  // what STS would answer: "AccessDenied", "ValidationError"; "" when allowed
  std::vector<ExplainedReason> reasons;  // reasons[0] decides
  std::string fix;  // the smallest change that would make the hop pass; "" when allowed
};

struct ChainExplanation {
  std::string base_principal;
  // Both hops, always: the spoke hop is evaluated as if the hub hop had succeeded, so one run
  // shows every problem.
  std::vector<HopExplanation> hops;
  bool allowed() const;
};

// Evaluates the chain of `input` (hub and spoke accounts, roles, external ids, session names,
// durations, source identity, tags, session policies: the same validation and resolution as
// GetSpokeCredentials, over `env` and `profiles` for the region) for options.base_principal.
// kInvalidArgument for bad input or a base principal the world does not have.
Result<ChainExplanation> ExplainSpokeChain(const IamWorld& world,
                                           const SpokeCredentialsInput& input,
                                           const Environment& env, const ProfileSet& profiles,
                                           const ExplainOptions& options);

// The base principal when the user named none: the world's user holding `access_key_id` (the
// base credentials' key, when the world has keys, as the lab's model does), else `caller_arn`
// (what GetCallerIdentity said for them), else, when there are no base credentials at all
// (both empty), the world's only IAM user. kInvalidArgument naming `flag` otherwise.
Result<std::string> ResolveBasePrincipal(const IamWorld& world, const std::string& access_key_id,
                                         const std::string& caller_arn, const std::string& flag);

// For people: the chain on one line, then per hop "hop N (hub): CALLER → sts:AssumeRole on
// ROLE: allowed|DENIED …", its reasons (the decisive one marked) and "fix: …"; a last line with
// the verdict.
std::string FormatChainExplanation(const ChainExplanation& explanation);

// For programs: one JSON object {"base_principal", "allowed", "hops": [{"hop", "caller_arn",
// "role_arn", "action", "allowed", "refusal", "side", "sts_error", "fix", "reasons": [{…}]}]}.
std::string ChainExplanationJson(const ChainExplanation& explanation);

}  // namespace hubspoke
