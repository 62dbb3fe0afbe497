// The smallest change that would make a refused hop pass, as one line for people: which
// policy, which statement, what to add or remove. Internal to explain (explain_chain.cc).
#pragma once

#include <optional>
#include <string>

#include "iam/caller.h"
#include "iam/hop_decision.h"
#include "iam/model.h"

namespace hubspoke::trust {

struct FixContext {
  std::string hop;       // "hub" or "spoke": names the flags that set its parameters
  std::string role_arn;  // the role asked for (the decision has none when it does not exist)
  const iam::Caller* caller = nullptr;
  bool external_id_sent = false;
  std::optional<long long> duration_seconds;
};

// `d` is refused. Never a secret: an external id is named by the flag that sets it.
std::string SmallestFix(const iam::HopDecision& d, const iam::Model& model,
                        const FixContext& ctx);

}  // namespace hubspoke::trust
