// The Condition element: operators, set qualifiers, IfExists, missing keys and policy variables,
// as reference_policies_elements_condition_operators.md and
// reference_policies_multi-value-conditions.md describe them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "policy/request_context.h"

namespace hubspoke::policy {

// Why a condition clause did not hold, with the actual and expected values.
struct ConditionFailure {
  std::string operator_name;                       // as written: "ForAllValues:StringEquals"
  std::string key;                                 // as written: "sts:ExternalId"
  std::vector<std::string> expected;               // the policy's values (empty when redacted)
  std::optional<std::vector<std::string>> actual;  // the request's; nullopt: key absent
  // Security: values of secret-like keys (sts:ExternalId, whose validation never echoes it
  // either) are withheld from messages; only presence is reported.
  bool redacted = false;

  // "StringEquals sts:ExternalId: the key is absent from the request", "…: request value
  // \"a\" does not match policy value \"b\"", …
  std::string ToString() const;
};

// Evaluates one clause. Semantics [OPS, MULTI, COND]:
// - several policy values are OR'ed; a negated operator (StringNotEquals, ArnNotLike, …) holds
//   when the request value matches none of them;
// - a missing key (or a present but empty value list) makes a clause false, except: negated
//   operators hold, …IfExists holds, ForAllValues holds, ForAnyValue is false (IfExists wins
//   over ForAnyValue: "If the key is not present, evaluate the condition element as true");
// - Null "true" holds when the key is absent, "false" when it is present;
// - with several request values, ForAnyValue needs one request value to satisfy the operator,
//   ForAllValues needs all of them; without a qualifier the clause holds when any request value
//   matches any policy value (negated: when none does);
// - string, ARN and Bool values may hold policy variables (when `variables_enabled`); a variable
//   with no value matches nothing, so negated operators hold [VARS].
bool ClauseHolds(const ConditionClause& clause, const ContextKeys& keys, bool variables_enabled);

// All clauses AND'ed: empty when every clause holds, else every clause that does not, explained
// (all of them, so one explanation shows everything a caller must fix).
std::vector<ConditionFailure> EvaluateConditions(const std::vector<ConditionClause>& clauses,
                                                 const ContextKeys& keys, bool variables_enabled);

}  // namespace hubspoke::policy
