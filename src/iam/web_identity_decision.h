// The AssumeRoleWithWebIdentity decision as a pure function: the role must exist, its account
// must have an OIDC provider for the token's issuer, the token must not have expired, its aud
// must be one of the provider's client ids, the role's trust policy must allow the web identity
// (keys <provider>:sub, <provider>:aud, sts:RoleSessionName) and the duration must fit the
// role's MaxSessionDuration. Security: the token's signature is not this decision's business
// (the lab cannot verify it, see lab/jwt.h); the caller passes the claims it read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iam/hop_decision.h"
#include "iam/model.h"
#include "policy/request_context.h"

namespace hubspoke::iam {

struct WebIdentityInput {
  std::string role_arn;
  std::string session_name;
  std::string issuer;  // the token's iss ("https://" and trailing '/' are dropped)
  std::string subject;  // sub
  std::vector<std::string> audiences;  // aud
  std::optional<std::int64_t> expires;  // exp, seconds since the epoch
  std::optional<long long> duration_seconds;  // absent: 3600
  std::optional<TimePoint> time;  // the request's time: exp is checked against it
  policy::ContextKeys keys;       // transport keys (aws:SecureTransport, …)
};

// Decides the hop web identity → input.role_arn. Never fails: every refusal is in the decision.
HopDecision DecideAssumeRoleWithWebIdentity(const Model& model, const WebIdentityInput& input);

}  // namespace hubspoke::iam
