// IAM policy documents: the data model and the parser (policy_parse.cc).
//
// Written by hand because no maintained C++ library evaluates the IAM policy language; the
// grammar is IAM's (../shared/testdata/iam/docs/reference_policies_grammar.md) and every
// semantic choice cites the IAM User Guide copy in ../shared/testdata/iam/docs/.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"

namespace hubspoke::policy {

enum class Effect { kAllow, kDeny };
const char* EffectName(Effect effect);  // "Allow" / "Deny"

// Which kind of policy a document is; it decides which elements are allowed (IAM grammar notes)
// and how the evaluator combines it with the others (evaluate.h).
enum class PolicyKind {
  kIdentity,             // attached to a user, group or role: no Principal
  kResource,             // a resource-based policy other than a trust policy: Principal required
  kTrust,                // a role trust policy: Principal required, no NotPrincipal, no Resource
  kScp,                  // an AWS Organizations service control policy
  kPermissionsBoundary,  // the managed policy set as a user's or role's permissions boundary
  kSession,              // a session policy of the calling session
};
// As AWS access-denied messages name them: "identity-based policy", "service control policy", …
const char* PolicyKindName(PolicyKind kind);
bool IsResourceBased(PolicyKind kind);  // kResource or kTrust

// "Principal" / "NotPrincipal": "*" or {"AWS"|"Service"|"Federated"|"CanonicalUser": [..]}.
struct PrincipalElement {
  bool everyone = false;  // the bare "*"
  // Principal type → values as written ("123456789012", "arn:aws:iam::1:role/r", "*", …).
  std::map<std::string, std::vector<std::string>> values;
};

// The condition operators of reference_policies_elements_condition_operators.md.
enum class ConditionOp {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  kNull,
};

// The family of an operator decides how policy values are checked and compared.
enum class ValueType { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };

enum class SetQualifier { kNone, kForAnyValue, kForAllValues };

struct ConditionOperator {
  ConditionOp op = ConditionOp::kStringEquals;
  SetQualifier set = SetQualifier::kNone;
  bool if_exists = false;
  std::string name;  // as written: "ForAnyValue:StringLikeIfExists"
};

const char* ConditionOpName(ConditionOp op);  // "StringEquals"
ValueType ValueTypeOf(ConditionOp op);
// StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike, Numeric/DateNotEquals,
// NotIpAddress, ArnNotEquals, ArnNotLike: "true when the key is not present" [OPS].
bool IsNegated(ConditionOp op);

// Parses "StringEquals", "ForAllValues:StringLike", "BoolIfExists", … Names are case-sensitive
// as IAM documents them. `IfExists` may follow any operator except Null [OPS].
Result<ConditionOperator> ParseConditionOperator(std::string_view name);

// One key under one operator: {"StringEquals": {"sts:ExternalId": ["a", "b"]}} gives one clause
// with two values (OR'ed). Clauses of a statement are AND'ed [MULTI].
struct ConditionClause {
  ConditionOperator op;
  std::string key;                  // as written; compared case-insensitively [COND]
  std::vector<std::string> values;  // numbers and booleans normalized to their JSON text
};

struct Statement {
  std::size_t index = 0;  // position in the document, 0-based
  std::string sid;
  Effect effect = Effect::kDeny;
  // Principal or NotPrincipal (never both): `not_principal` says which.
  std::optional<PrincipalElement> principal;
  bool not_principal = false;
  std::vector<std::string> actions;  // Action or NotAction: never empty after parsing
  bool not_action = false;
  std::optional<std::vector<std::string>> resources;  // Resource / NotResource; absent in trust
  bool not_resource = false;
  std::vector<ConditionClause> conditions;

  // "statement 'AllowHub'" when there is a Sid, else "statement #2" (1-based).
  std::string Label() const;
};

struct PolicyDocument {
  std::string version;  // "2012-10-17", "2008-10-17", or empty when absent
  std::string id;
  std::vector<Statement> statements;

  // Policy variables (${aws:username}) exist only in version 2012-10-17; otherwise they are
  // literal text [VARS: "If you don't include the Version element …"].
  bool VariablesEnabled() const { return version == "2012-10-17"; }
};

// Parses a policy document from JSON text. kInvalidArgument errors name the statement and the
// problem: bad JSON, duplicate keys, unknown elements, unknown Effect, missing Action, both
// Action and NotAction, unknown condition operator, a value the operator cannot compare, ….
// Numbers and booleans in condition values become strings ("10", "true") as AWS treats them.
Result<PolicyDocument> ParsePolicy(std::string_view json_text);

// Checks the elements a kind of policy must or must not have (grammar notes, [NOTPRIN]):
// identity-like policies (identity, SCP, boundary, session) have no Principal/NotPrincipal and
// need Resource/NotResource; resource-based policies need Principal or NotPrincipal; trust
// policies need Principal and may have neither NotPrincipal nor Resource/NotResource.
Status ValidatePolicyForKind(const PolicyDocument& policy, PolicyKind kind);

}  // namespace hubspoke::policy
