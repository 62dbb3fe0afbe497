#include "policy/policy.h"

#include <array>

namespace hubspoke::policy {
namespace {

struct OpInfo {
  ConditionOp op;
  const char* name;
  ValueType type;
  bool negated;
};

constexpr std::array<OpInfo, 27> kOps = {{
    {ConditionOp::kStringEquals, "StringEquals", ValueType::kString, false},
    {ConditionOp::kStringNotEquals, "StringNotEquals", ValueType::kString, true},
    {ConditionOp::kStringEqualsIgnoreCase, "StringEqualsIgnoreCase", ValueType::kString, false},
    {ConditionOp::kStringNotEqualsIgnoreCase, "StringNotEqualsIgnoreCase", ValueType::kString,
     true},
    {ConditionOp::kStringLike, "StringLike", ValueType::kString, false},
    {ConditionOp::kStringNotLike, "StringNotLike", ValueType::kString, true},
    {ConditionOp::kNumericEquals, "NumericEquals", ValueType::kNumeric, false},
    {ConditionOp::kNumericNotEquals, "NumericNotEquals", ValueType::kNumeric, true},
    {ConditionOp::kNumericLessThan, "NumericLessThan", ValueType::kNumeric, false},
    {ConditionOp::kNumericLessThanEquals, "NumericLessThanEquals", ValueType::kNumeric, false},
    {ConditionOp::kNumericGreaterThan, "NumericGreaterThan", ValueType::kNumeric, false},
    {ConditionOp::kNumericGreaterThanEquals, "NumericGreaterThanEquals", ValueType::kNumeric,
     false},
    {ConditionOp::kDateEquals, "DateEquals", ValueType::kDate, false},
    {ConditionOp::kDateNotEquals, "DateNotEquals", ValueType::kDate, true},
    {ConditionOp::kDateLessThan, "DateLessThan", ValueType::kDate, false},
    {ConditionOp::kDateLessThanEquals, "DateLessThanEquals", ValueType::kDate, false},
    {ConditionOp::kDateGreaterThan, "DateGreaterThan", ValueType::kDate, false},
    {ConditionOp::kDateGreaterThanEquals, "DateGreaterThanEquals", ValueType::kDate, false},
    {ConditionOp::kBool, "Bool", ValueType::kBool, false},
    {ConditionOp::kBinaryEquals, "BinaryEquals", ValueType::kBinary, false},
    {ConditionOp::kIpAddress, "IpAddress", ValueType::kIp, false},
    {ConditionOp::kNotIpAddress, "NotIpAddress", ValueType::kIp, true},
    {ConditionOp::kArnEquals, "ArnEquals", ValueType::kArn, false},
    {ConditionOp::kArnLike, "ArnLike", ValueType::kArn, false},
    {ConditionOp::kArnNotEquals, "ArnNotEquals", ValueType::kArn, true},
    {ConditionOp::kArnNotLike, "ArnNotLike", ValueType::kArn, true},
    {ConditionOp::kNull, "Null", ValueType::kNull, false},
}};

const OpInfo& Info(ConditionOp op) {
  for (const OpInfo& info : kOps) {
    if (info.op == op) return info;
  }
  return kOps.back();  // unreachable: every enumerator is in the table
}

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool ConsumeSuffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

std::string WithArticle(std::string_view noun) {
  const bool vowel =
      !noun.empty() && std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

Error KindError(PolicyKind kind, const Statement& st, const std::string& problem) {
  return Error(ErrorCode::kInvalidArgument,
               std::string(PolicyKindName(kind)) + ", " + st.Label() + ": " + problem);
}

}  // namespace

const char* EffectName(Effect effect) { return effect == Effect::kAllow ? "Allow" : "Deny"; }

const char* PolicyKindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity:
      return "identity-based policy";
    case PolicyKind::kResource:
      return "resource-based policy";
    case PolicyKind::kTrust:
      return "role trust policy";
    case PolicyKind::kScp:
      return "service control policy";
    case PolicyKind::kPermissionsBoundary:
      return "permissions boundary";
    case PolicyKind::kSession:
      return "session policy";
  }
  return "policy";
}

bool IsResourceBased(PolicyKind kind) {
  return kind == PolicyKind::kResource || kind == PolicyKind::kTrust;
}

const char* ConditionOpName(ConditionOp op) { return Info(op).name; }
ValueType ValueTypeOf(ConditionOp op) { return Info(op).type; }
bool IsNegated(ConditionOp op) { return Info(op).negated; }

Result<ConditionOperator> ParseConditionOperator(std::string_view name) {
  ConditionOperator result;
  result.name = std::string(name);
  std::string_view rest = name;
  if (ConsumePrefix(rest, "ForAnyValue:")) {
    result.set = SetQualifier::kForAnyValue;
  } else if (ConsumePrefix(rest, "ForAllValues:")) {
    result.set = SetQualifier::kForAllValues;
  }
  // "StringEqualsIfExists": strip the suffix only when what remains is an operator.
  std::string_view base = rest;
  bool if_exists = ConsumeSuffix(base, "IfExists");
  for (const OpInfo& info : kOps) {
    if (base == info.name) {
      if (if_exists && info.op == ConditionOp::kNull) {
        return Error(ErrorCode::kInvalidArgument,
                     "condition operator 'NullIfExists' does not exist: IfExists can follow "
                     "any operator except Null");
      }
      result.op = info.op;
      result.if_exists = if_exists;
      return result;
    }
  }
  return Error(ErrorCode::kInvalidArgument,
               "unknown condition operator '" + std::string(name) +
                   "' (operators are case-sensitive, e.g. StringEquals, ArnLike, "
                   "ForAnyValue:StringLike, BoolIfExists)");
}

std::string Statement::Label() const {
  if (!sid.empty()) return "statement '" + sid + "'";
  return "statement #" + std::to_string(index + 1);
}

Status ValidatePolicyForKind(const PolicyDocument& policy, PolicyKind kind) {
  for (const Statement& st : policy.statements) {
    const bool has_principal = st.principal.has_value();
    if (IsResourceBased(kind)) {
      if (!has_principal) {
        return KindError(kind, st, "a resource-based policy needs Principal or NotPrincipal");
      }
      if (kind == PolicyKind::kTrust) {
        // [NOTPRIN]: "You cannot use the NotPrincipal element in … an IAM role trust policy."
        if (st.not_principal) {
          return KindError(kind, st, "NotPrincipal cannot be used in a role trust policy");
        }
        // IAM rejects a trust policy with a Resource ("Has prohibited field Resource"): the
        // resource is the role itself.
        if (st.resources.has_value()) {
          return KindError(kind, st,
                           std::string(st.not_resource ? "NotResource" : "Resource") +
                               " is not allowed in a role trust policy (the resource is the "
                               "role)");
        }
      }
    } else {
      // Grammar notes: the principal block "must not be included in identity-based policies".
      if (has_principal) {
        return KindError(kind, st,
                         std::string(st.not_principal ? "NotPrincipal" : "Principal") +
                             " is not allowed in " + WithArticle(PolicyKindName(kind)));
      }
      if (!st.resources.has_value()) {
        return KindError(kind, st, "missing Resource or NotResource");
      }
    }
  }
  return Ok();
}

}  // namespace hubspoke::policy
