// Decisions as text: one line for logs (the lab's refusals) and a few lines for people (explain).
// Security: no secret reaches the text; condition values of secret-like keys (sts:ExternalId)
// are withheld by the policy engine, so a failed external id reads only "does not match".
#pragma once

#include <string>
#include <vector>

#include "iam/hop_decision.h"
#include "policy/evaluate.h"

namespace hubspoke::iam {

// One line: every reason with its policy, statement and failed conditions ("trust policy of
// arn:…, statement 'TrustTheHubRole': … [StringEquals sts:ExternalId: …]"); reasons about
// policies that do not apply are left out, and at most 8 are shown.
std::string ExplainReasons(const std::vector<policy::Reason>& reasons);

// One reason, for people: "[trust policy] trust policy of arn:…, statement #1 (index 0):
// ConditionNotMet: …", with the SCP node when there is one.
std::string ExplainReason(const DecisionReason& reason);

// The decision, for people: "allowed" or "refused by the <side> (<refusal>)", then one line per
// reason (the decisive one first).
std::string ExplainDecision(const HopDecision& decision);

}  // namespace hubspoke::iam
