#include "policy/conditions.h"

#include "core/base64.h"
#include "core/strings.h"
#include "policy/condition_values.h"
#include "policy/matching.h"

namespace hubspoke::policy {
namespace {

// The operator a negated one negates: StringNotLike → StringLike, NotIpAddress → IpAddress, ….
ConditionOp PositiveOf(ConditionOp op) {
  switch (op) {
    case ConditionOp::kStringNotEquals:
      return ConditionOp::kStringEquals;
    case ConditionOp::kStringNotEqualsIgnoreCase:
      return ConditionOp::kStringEqualsIgnoreCase;
    case ConditionOp::kStringNotLike:
      return ConditionOp::kStringLike;
    case ConditionOp::kNumericNotEquals:
      return ConditionOp::kNumericEquals;
    case ConditionOp::kDateNotEquals:
      return ConditionOp::kDateEquals;
    case ConditionOp::kNotIpAddress:
      return ConditionOp::kIpAddress;
    case ConditionOp::kArnNotEquals:
      return ConditionOp::kArnEquals;
    case ConditionOp::kArnNotLike:
      return ConditionOp::kArnLike;
    default:
      return op;
  }
}

template <typename T>
bool Compare(ConditionOp op, T request, T policy) {
  switch (op) {
    case ConditionOp::kNumericEquals:
    case ConditionOp::kDateEquals:
      return request == policy;
    case ConditionOp::kNumericLessThan:
    case ConditionOp::kDateLessThan:
      return request < policy;
    case ConditionOp::kNumericLessThanEquals:
    case ConditionOp::kDateLessThanEquals:
      return request <= policy;
    case ConditionOp::kNumericGreaterThan:
    case ConditionOp::kDateGreaterThan:
      return request > policy;
    case ConditionOp::kNumericGreaterThanEquals:
    case ConditionOp::kDateGreaterThanEquals:
      return request >= policy;
    default:
      return false;
  }
}

// One policy value, prepared once per clause: variables expanded for the types that allow them.
struct PolicyValue {
  std::string raw;
  std::optional<Pattern> pattern;  // nullopt: a variable with no value; matches nothing
};

std::vector<PolicyValue> Prepare(const ConditionClause& clause, const ContextKeys& keys,
                                 bool variables_enabled) {
  const ValueType type = ValueTypeOf(clause.op.op);
  const bool variables =
      type == ValueType::kString || type == ValueType::kArn || type == ValueType::kBool;
  std::vector<PolicyValue> out;
  for (const std::string& raw : clause.values) {
    PolicyValue v{.raw = raw, .pattern = {}};
    v.pattern = variables ? ExpandVariables(raw, keys, variables_enabled) : Pattern::Glob(raw);
    out.push_back(std::move(v));
  }
  return out;
}

// Whether request value `r` matches policy value `v` under the positive operator `op`.
bool Matches(ConditionOp op, std::string_view r, const PolicyValue& v) {
  if (!v.pattern) return false;
  const std::string& text = v.pattern->text();
  switch (op) {
    case ConditionOp::kStringEquals:
      return r == text;
    case ConditionOp::kStringEqualsIgnoreCase:
      return EqualsIgnoreCase(r, text);
    case ConditionOp::kStringLike:
      return v.pattern->Matches(r);
    case ConditionOp::kArnEquals:
    case ConditionOp::kArnLike:
      return ArnMatches(*v.pattern, r);
    case ConditionOp::kBool: {
      auto want = ParseBool(text);
      auto got = ParseBool(r);
      return want && got && *want == *got;
    }
    case ConditionOp::kBinaryEquals: {
      // The policy value is strict standard base-64; the request value is compared byte for byte
      // with its decoding [OPS].
      auto bytes = Base64Decode(v.raw);
      return bytes && *bytes == r;
    }
    case ConditionOp::kIpAddress: {
      auto range = ParseIpRange(v.raw);
      auto ip = ParseIpRange(r);
      return range && ip && IpInRange(*range, *ip);
    }
    default:
      break;
  }
  switch (ValueTypeOf(op)) {
    case ValueType::kNumeric: {
      auto want = ParseNumber(v.raw);
      auto got = ParseNumber(r);
      return want && got && Compare(op, *got, *want);
    }
    case ValueType::kDate: {
      auto want = ParseDateMillis(v.raw);
      auto got = ParseDateMillis(r);
      return want && got && Compare(op, *got, *want);
    }
    default:
      return false;
  }
}

bool AnyPolicyValueMatches(ConditionOp positive, std::string_view r,
                           const std::vector<PolicyValue>& values) {
  for (const PolicyValue& v : values) {
    if (Matches(positive, r, v)) return true;
  }
  return false;
}

bool IsSecretKey(std::string_view key) { return EqualsIgnoreCase(key, "sts:ExternalId"); }

// value "a" / values ["a", "b"]
std::string Values(const std::vector<std::string>& values) {
  if (values.size() == 1) return "value \"" + Printable(values[0], 200) + "\"";
  std::string out = "values [";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + Printable(values[i], 200) + "\"";
  }
  return out + "]";
}

}  // namespace

bool ClauseHolds(const ConditionClause& clause, const ContextKeys& keys, bool variables_enabled) {
  const ConditionOperator& op = clause.op;
  const std::vector<std::string>* request = keys.Find(clause.key);
  // A present but empty list is a "null data set" [MULTI]: treated as absent throughout.
  const bool present = request != nullptr && !request->empty();

  if (op.op == ConditionOp::kNull) {
    // "true (the key doesn't exist — it is null) or false (the key exists …)" [OPS].
    for (const std::string& v : clause.values) {
      auto want_null = ParseBool(v);
      if (want_null && *want_null != present) return true;
    }
    return false;
  }

  const bool negated = IsNegated(op.op);
  if (!present) {
    if (op.set == SetQualifier::kForAllValues) return true;  // [MULTI]: absent or empty → true
    if (op.if_exists) return true;                           // [OPS] …IfExists
    if (op.set == SetQualifier::kForAnyValue) return false;  // [MULTI]: absent or empty → false
    return negated;                                          // [OPS] "Important" box
  }

  const ConditionOp positive = PositiveOf(op.op);
  const std::vector<PolicyValue> values = Prepare(clause, keys, variables_enabled);
  auto single = [&](const std::string& r) {
    const bool match = AnyPolicyValueMatches(positive, r, values);
    return negated ? !match : match;
  };
  switch (op.set) {
    case SetQualifier::kForAnyValue:
      for (const std::string& r : *request) {
        if (single(r)) return true;
      }
      return false;
    case SetQualifier::kForAllValues:
      for (const std::string& r : *request) {
        if (!single(r)) return false;
      }
      return true;
    case SetQualifier::kNone:
      break;
  }
  bool any = false;
  for (const std::string& r : *request) any = any || AnyPolicyValueMatches(positive, r, values);
  return negated ? !any : any;
}

std::vector<ConditionFailure> EvaluateConditions(const std::vector<ConditionClause>& clauses,
                                                 const ContextKeys& keys, bool variables_enabled) {
  std::vector<ConditionFailure> failures;
  for (const ConditionClause& clause : clauses) {
    if (ClauseHolds(clause, keys, variables_enabled)) continue;
    ConditionFailure failure;
    failure.operator_name = clause.op.name;
    failure.key = clause.key;
    failure.redacted = IsSecretKey(clause.key);
    if (!failure.redacted) failure.expected = clause.values;
    const std::vector<std::string>* request = keys.Find(clause.key);
    if (request != nullptr && !request->empty()) {
      failure.actual = failure.redacted ? std::vector<std::string>{} : *request;
    }
    failures.push_back(std::move(failure));
  }
  return failures;
}

std::string ConditionFailure::ToString() const {
  auto op = ParseConditionOperator(operator_name);
  const bool negated = op && IsNegated(op->op);
  std::string out = operator_name + " " + key + ": ";
  if (op && op->op == ConditionOp::kNull) {
    return out + (actual ? "the key is present, the policy wants it absent"
                         : "the key is absent, the policy wants it present");
  }
  if (!actual) {
    out += "the key is absent from the request";
    if (!redacted) out += " (policy " + Values(expected) + ")";
    return out;
  }
  if (redacted) return out + "the request value does not satisfy the policy (values withheld)";
  const bool one = actual->size() == 1;
  out += "request " + Values(*actual);
  if (negated) {
    out += one ? " matches " : " match ";
  } else {
    out += one ? " does not match " : " do not match ";
  }
  out += "policy " + Values(expected);
  if (op && op->set == SetQualifier::kForAllValues) out += " (ForAllValues: every one must)";
  return out;
}

}  // namespace hubspoke::policy
