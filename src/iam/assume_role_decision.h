// The AssumeRole authorization decision as a pure function of the world, the calling principal
// and the request: the role must exist, MFA (when given) must be a device of the calling user,
// the policies must allow (policy::EvaluateAssumeRole: the caller's identity policies within its
// permissions boundary and session policies, the SCPs of its account at every node of the
// organization tree, the role's trust policy), and the duration must fit role chaining and the
// role's MaxSessionDuration. The lab's STS is one user; `assume-spoke-role explain` another.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hubspoke/result.h"
#include "iam/caller.h"
#include "iam/hop_decision.h"
#include "iam/model.h"
#include "policy/request_context.h"

namespace hubspoke::iam {

// An AssumeRole request, as STS receives it (already validated for lengths and patterns).
struct AssumeRoleInput {
  std::string role_arn;
  std::string session_name;
  std::optional<std::string> external_id;  // Security: never in reasons or messages
  std::optional<long long> duration_seconds;  // absent: 3600
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> source_identity;
  // MFA: SerialNumber and TokenCode. Both given, for a device of the calling user, satisfy
  // aws:MultiFactorAuthPresent (any 6-digit code: the world verifies no one-time codes).
  std::optional<std::string> serial_number;
  std::optional<std::string> token_code;  // Security: never in reasons or messages
  // The new session's own policies: they scope the session down, not this decision.
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
  // When the request is made: aws:CurrentTime, aws:EpochTime. Absent: time keys are absent.
  std::optional<TimePoint> time;
  // Keys the transport knows: aws:SecureTransport, aws:RequestedRegion, aws:SourceIp, … (on top
  // of the keys derived from the caller and the request).
  policy::ContextKeys keys;
};

// Decides the hop `caller` → input.role_arn. Never fails: every refusal is in the decision.
HopDecision DecideAssumeRole(const Model& model, const Caller& caller,
                             const AssumeRoleInput& input);

}  // namespace hubspoke::iam
