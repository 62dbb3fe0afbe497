// The rules of the trust-policy linter (policy_lint.h lists them). Facts are from
// ../shared/testdata/iam/FACTS.md and the IAM User Guide copy beside it: principal forms [PRIN],
// NotPrincipal [NOTPRIN], operators [OPS], set operators [MULTI], keys [GKEYS, STSKEYS], external
// ids [EXTID]; condition keys are in policy_lint_keys.cc.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/partition.h"
#include "core/strings.h"
#include "policy/matching.h"
#include "trust/policy_lint_keys.h"
#include "trust/policy_lint_rules.h"

namespace hubspoke::trust {
namespace {

using policy::ConditionClause;
using policy::ConditionOp;
using policy::Effect;
using policy::SetQualifier;
using policy::Statement;
using policy::ValueType;

constexpr const char* kAssumeActions[] = {"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity",
                                          "sts:AssumeRoleWithSAML"};

bool IsExternalIdKey(std::string_view key) { return EqualsIgnoreCase(key, "sts:ExternalId"); }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool IsAccountId(std::string_view s) { return s.size() == 12 && AllDigits(s); }

// Removes policy variables (${aws:username}, and the escapes ${*} ${?} ${$}, which are literal
// [VARS]) so that what is left shows the real wildcards.
std::string WithoutVariables(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '$' && i + 1 < value.size() && value[i + 1] == '{') {
      const std::size_t close = value.find('}', i);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    out.push_back(value[i]);
  }
  return out;
}
bool HasVariable(std::string_view value) { return value.find("${") != std::string_view::npos; }
bool HasWildcard(std::string_view value) {
  return WithoutVariables(value).find_first_of("*?") != std::string::npos;
}

bool IsOrgId(std::string_view s) {
  if (s.size() < 12 || s.size() > 34 || s.substr(0, 2) != "o-") return false;
  return std::all_of(s.begin() + 2, s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// A value in a message: external ids are never shown [the project's rule].
std::string Shown(std::string_view key, std::string_view value) {
  if (IsExternalIdKey(key)) return "an external id";
  return "'" + Printable(value, 120) + "'";
}

// A clause that requires the key to be present and to match: not negated, not IfExists, not
// ForAllValues (all three hold when the key is absent [OPS, MULTI]), of the String or ARN family.
bool Requires(const ConditionClause& c) {
  const ValueType type = policy::ValueTypeOf(c.op.op);
  return (type == ValueType::kString || type == ValueType::kArn) && !policy::IsNegated(c.op.op) &&
         !c.op.if_exists && c.op.set != SetQualifier::kForAllValues;
}

bool RequiresAnyOf(const Statement& st, std::initializer_list<std::string_view> keys) {
  for (const ConditionClause& c : st.conditions) {
    if (!Requires(c)) continue;
    for (std::string_view k : keys) {
      if (k.back() == '/' ? (c.key.size() > k.size() &&
                             EqualsIgnoreCase(std::string_view(c.key).substr(0, k.size()), k))
                          : EqualsIgnoreCase(c.key, k)) {
        return true;
      }
    }
  }
  return false;
}

// ARN of a condition value or a principal: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. In a
// condition value every component may hold wildcards (ArnLike [OPS]); the whole value "*" is
// fine. Returns the problem, or nullopt.
std::optional<std::string> ArnProblem(std::string_view value, bool wildcards_allowed) {
  if (wildcards_allowed && WithoutVariables(value) == "*") return std::nullopt;
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const std::size_t colon = value.find(':', start);
    if (colon == std::string_view::npos) {
      return "an ARN has six colon-separated parts: arn:partition:service:region:account:resource";
    }
    parts.emplace_back(value.substr(start, colon - start));
    start = colon + 1;
  }
  parts.emplace_back(value.substr(start));
  auto free = [&](const std::string& part) {
    return wildcards_allowed && (HasWildcard(part) || HasVariable(part));
  };
  if (parts[0] != "arn" && !free(parts[0])) return "an ARN starts with \"arn:\"";
  if (PartitionById(parts[1]).id.empty() && !free(parts[1])) {
    return "'" + Printable(parts[1], 40) + "' is not a partition (aws, aws-cn, aws-us-gov, …)";
  }
  if (parts[2].empty() && !free(parts[2])) return "the service part is empty";
  if (!parts[4].empty() && !IsAccountId(parts[4]) && !free(parts[4]) && parts[4] != "aws") {
    return "the account part '" + Printable(parts[4], 40) + "' is not 12 digits";
  }
  if (parts[5].empty()) return "the resource part is empty";
  return std::nullopt;
}

// An AWS principal entry [PRIN]: "*", an account id, an IAM user/role/root ARN, an STS session
// ARN, or a unique id (AIDA…/AROA…). The account it names, when it names one.
struct AwsPrincipal {
  std::optional<std::string> account;
  bool root = false;  // the account as a whole (bare id or :root)
  std::optional<std::string> problem;
  bool arn = false;
};
AwsPrincipal ParseAwsPrincipal(std::string_view v) {
  AwsPrincipal p;
  if (IsAccountId(v)) {
    p.account = std::string(v);
    p.root = true;
    return p;
  }
  if (v.substr(0, 4) == "arn:") {
    p.arn = true;
    if (auto problem = ArnProblem(v, false)) {
      p.problem = *problem;
      return p;
    }
    std::vector<std::string> parts = Split(v, ':');
    std::size_t resource_at = 0;
    for (int i = 0; i < 5; ++i) resource_at = v.find(':', resource_at) + 1;
    const std::string& service = parts[2];
    const std::string resource(v.substr(resource_at));
    const std::string& account = parts[4];
    if (!parts[3].empty()) {
      p.problem = "IAM and STS principal ARNs have no region";
    } else if (!IsAccountId(account)) {
      p.problem = "the account part is not 12 digits";
    } else if (service == "iam" &&
               (resource == "root" || resource.rfind("user/", 0) == 0 ||
                resource.rfind("role/", 0) == 0)) {
      p.root = resource == "root";
    } else if (service == "sts" && (resource.rfind("assumed-role/", 0) == 0 ||
                                    resource.rfind("federated-user/", 0) == 0)) {
    } else {
      p.problem = "a principal ARN names an IAM user, role or account root "
                  "(arn:aws:iam::ACCOUNT:role/NAME) or an STS session";
    }
    if (!p.problem) p.account = account;
    return p;
  }
  // Unique ids: AIDA (user), AROA (role), as IAM stores principals it has converted [PRIN].
  if (v.size() >= 16 && (v.substr(0, 4) == "AIDA" || v.substr(0, 4) == "AROA") &&
      std::all_of(v.begin(), v.end(),
                  [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); })) {
    return p;
  }
  p.problem = "an AWS principal is \"*\", a 12-digit account id, an IAM or STS ARN, or a unique id";
  return p;
}

struct Emitter {
  const LintedStatement& st;
  std::vector<LintFinding>& out;
  void operator()(std::string rule, LintSeverity severity, std::string path, std::string message,
                  std::string fix) const {
    out.push_back(LintFinding{.rule = std::move(rule),
                              .severity = severity,
                              .statement_index = st.statement.index,
                              .sid = st.statement.sid,
                              .path = st.path + path,
                              .message = std::move(message),
                              .fix = std::move(fix)});
  }
};

bool Grants(const Statement& st, std::string_view action) {
  bool any = false;
  for (const std::string& pattern : st.actions) any = any || policy::ActionMatches(pattern, action);
  return st.not_action ? !any : any;
}
bool GrantsAssume(const Statement& st) {
  return std::any_of(std::begin(kAssumeActions), std::end(kAssumeActions),
                     [&](const char* a) { return Grants(st, a); });
}

const std::vector<std::string>* Values(const Statement& st, const std::string& type) {
  if (!st.principal) return nullptr;
  auto it = st.principal->values.find(type);
  return it == st.principal->values.end() ? nullptr : &it->second;
}

bool EveryonePrincipal(const Statement& st) {
  if (!st.principal) return false;
  if (st.principal->everyone) return true;
  const auto* aws = Values(st, "AWS");
  return aws != nullptr && std::find(aws->begin(), aws->end(), "*") != aws->end();
}

void LintPrincipals(const LintedStatement& ls, const PolicyLintOptions& options,
                    const Emitter& emit) {
  const Statement& st = ls.statement;
  if (!st.principal) return;
  const std::string element = st.not_principal ? ".NotPrincipal" : ".Principal";
  if (st.not_principal && st.effect == Effect::kAllow) {
    emit("not-principal-with-allow", LintSeverity::kError, element,
         "NotPrincipal with Allow trusts everyone except the principals listed, and a role trust "
         "policy cannot use NotPrincipal",
         "name the trusted principals in Principal instead");
  }
  const bool allow = st.effect == Effect::kAllow && !st.not_principal;
  if (allow && EveryonePrincipal(st) &&
      !RequiresAnyOf(st, {"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalArn",
                          "aws:PrincipalAccount", "aws:SourceAccount", "aws:SourceArn",
                          "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:userid"})) {
    emit("principal-wildcard-without-condition", LintSeverity::kError,
         st.principal->everyone ? element : element + ".AWS",
         "the principal \"*\" trusts every AWS account, and no condition narrows it",
         "name the principal, or add a condition on aws:PrincipalOrgID, aws:PrincipalArn or "
         "aws:PrincipalAccount");
  }
  const auto* aws = Values(st, "AWS");
  if (aws == nullptr) return;
  std::set<std::string> foreign;  // accounts other than the role's
  bool account_principal = false;
  for (const std::string& v : *aws) {
    if (v == "*") continue;
    AwsPrincipal p = ParseAwsPrincipal(v);
    if (p.problem) {
      emit(p.arn ? "invalid-arn" : "invalid-principal", LintSeverity::kError, element + ".AWS",
           "principal '" + Printable(v, 120) + "' does not parse: " + *p.problem,
           "use arn:aws:iam::ACCOUNT:role/NAME, arn:aws:iam::ACCOUNT:user/NAME or a 12-digit "
           "account id");
      continue;
    }
    account_principal = account_principal || p.root;
    if (p.account && (options.account_id.empty() ? options.third_party
                                                 : *p.account != options.account_id)) {
      foreign.insert(*p.account);
    }
  }
  if (!allow) return;
  if (account_principal &&
      !RequiresAnyOf(st, {"aws:PrincipalArn", "aws:userid", "aws:username", "aws:PrincipalTag/"})) {
    emit("principal-account-without-condition", LintSeverity::kWarning, element + ".AWS",
         "an account principal (an id or :root) trusts every user and role that account's "
         "administrators allow to call sts:AssumeRole, not only its root user",
         "name the role or user (arn:aws:iam::ACCOUNT:role/NAME), or add ArnEquals "
         "aws:PrincipalArn");
  }
  if (foreign.empty()) return;
  const bool external_id = RequiresAnyOf(st, {"sts:ExternalId"});
  if (external_id) return;
  bool in_org = false;
  for (const ConditionClause& c : st.conditions) {
    if (!Requires(c)) continue;
    if (EqualsIgnoreCase(c.key, "aws:PrincipalOrgPaths")) in_org = true;
    if (EqualsIgnoreCase(c.key, "aws:PrincipalOrgID")) {
      in_org = in_org || options.org_id.empty() ||
               std::find(c.values.begin(), c.values.end(), options.org_id) != c.values.end();
    }
  }
  std::string accounts;
  for (const std::string& a : foreign) accounts += (accounts.empty() ? "" : ", ") + a;
  if (options.third_party) {
    emit("cross-account-without-external-id", LintSeverity::kError, element + ".AWS",
         "a third party's account (" + accounts + ") is trusted without sts:ExternalId: any of "
         "its customers could make it assume this role (the confused deputy)",
         "add \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"<the id the third party "
         "gave you>\"}}");
  } else if (!in_org) {
    emit("cross-account-without-external-id", LintSeverity::kWarning, element + ".AWS",
         "another account (" + accounts + ") is trusted with neither sts:ExternalId nor an "
         "aws:PrincipalOrgID condition",
         "add StringEquals aws:PrincipalOrgID (your organization) or StringEquals sts:ExternalId");
  }
}

void LintClause(const LintedStatement& ls, const ConditionClause& c,
                const PolicyLintOptions& options, const Emitter& emit) {
  const Statement& st = ls.statement;
  const std::string path = ".Condition." + c.op.name + "." + c.key;
  const std::string key = Printable(c.key, 80);
  const KeyCheck check = CheckConditionKey(c.key);
  switch (check.verdict) {
    case KeyVerdict::kFine:
      break;
    case KeyVerdict::kNotSet:
      emit("condition-key-not-set", LintSeverity::kError, path,
           key + " is never in an AssumeRole request, so this condition never matches as meant",
           "remove it; a trust policy can test aws: keys of the caller and sts:ExternalId, "
           "sts:RoleSessionName, sts:SourceIdentity, sts:TransitiveTagKeys");
      break;
    case KeyVerdict::kServiceOnly: {
      const bool service = Values(st, "Service") != nullptr || EveryonePrincipal(st);
      if (!service) {
        emit("condition-key-not-set", LintSeverity::kError, path,
             key + " is set only when an AWS service assumes the role, never for this "
                   "statement's principals",
             "use aws:PrincipalAccount or aws:PrincipalArn for IAM principals");
      }
      break;
    }
    case KeyVerdict::kDescribesRole:
      emit("condition-key-describes-role", LintSeverity::kError, path,
           key + " describes the resource, which in a trust policy is the role itself: it does "
                 "not constrain the caller",
           "use " + check.suggestion + " to constrain who assumes the role");
      break;
    case KeyVerdict::kMisspelt:
      emit("condition-key-misspelt", LintSeverity::kError, path,
           "unknown condition key " + key + ": did you mean " + check.suggestion + "?",
           "spell it " + check.suggestion + " (an unknown key is absent from every request)");
      break;
    case KeyVerdict::kUnknown:
      emit("condition-key-unknown", LintSeverity::kWarning, path,
           "unknown condition key " + key + ": no request carries it",
           "use a key from the IAM global condition keys or the STS keys");
      break;
  }

  const ConditionOp op = c.op.op;
  const bool any_variable =
      std::any_of(c.values.begin(), c.values.end(), [](const std::string& v) { return HasVariable(v); });
  const bool any_wildcard =
      std::any_of(c.values.begin(), c.values.end(), [](const std::string& v) { return HasWildcard(v); });
  if ((op == ConditionOp::kStringLike || op == ConditionOp::kStringNotLike ||
       op == ConditionOp::kArnLike || op == ConditionOp::kArnNotLike) &&
      !any_wildcard && !any_variable) {
    const bool arn = op == ConditionOp::kArnLike || op == ConditionOp::kArnNotLike;
    const bool negated = op == ConditionOp::kStringNotLike || op == ConditionOp::kArnNotLike;
    const std::string equals = std::string(arn ? "Arn" : "String") + (negated ? "NotEquals" : "Equals");
    emit("like-without-wildcard", LintSeverity::kWarning, path,
         c.op.name + " " + key + " has no * or ? in any value: it compares exactly",
         "use " + equals + " to say so");
  }
  if (op == ConditionOp::kStringEquals || op == ConditionOp::kStringNotEquals ||
      op == ConditionOp::kStringEqualsIgnoreCase || op == ConditionOp::kStringNotEqualsIgnoreCase) {
    for (const std::string& v : c.values) {
      if (!HasWildcard(v)) continue;
      emit("equals-with-wildcard", LintSeverity::kError, path,
           c.op.name + " " + key + " value " + Shown(c.key, v) +
               " holds * or ?, which StringEquals compares literally",
           "use StringLike (or ArnLike for ARNs) to match a pattern");
      break;
    }
  }

  const bool org_key = EqualsIgnoreCase(c.key, "aws:PrincipalOrgID") ||
                       EqualsIgnoreCase(c.key, "aws:ResourceOrgID") ||
                       EqualsIgnoreCase(c.key, "aws:SourceOrgID");
  if (org_key) {
    bool any_valid = false, has_ours = false;
    for (const std::string& v : c.values) {
      if (HasWildcard(v) || HasVariable(v)) continue;
      if (!IsOrgId(v)) {
        emit("invalid-org-id", LintSeverity::kError, path,
             key + " value '" + Printable(v, 80) +
                 "' is not an organization id (o- and 10 to 32 lower-case letters or digits)",
             "use the Id of `aws organizations describe-organization`, e.g. o-a1b2c3d4e5");
        continue;
      }
      any_valid = true;
      has_ours = has_ours || v == options.org_id;
    }
    if (EqualsIgnoreCase(c.key, "aws:PrincipalOrgID") && !options.org_id.empty() && any_valid &&
        !has_ours && !policy::IsNegated(op)) {
      emit("org-id-mismatch", LintSeverity::kWarning, path,
           key + " names another organization than " + options.org_id,
           "use " + options.org_id + " (--org-id), or check which organization is meant");
    }
  }
  const bool arn_key =
      EqualsIgnoreCase(c.key, "aws:PrincipalArn") || EqualsIgnoreCase(c.key, "aws:SourceArn");
  if (arn_key || policy::ValueTypeOf(op) == ValueType::kArn) {
    for (const std::string& v : c.values) {
      // A variable's own colons (${aws:PrincipalAccount}) would shift the components; its
      // value is known only per request.
      if (HasVariable(v)) continue;
      const bool wildcards = op != ConditionOp::kStringEquals &&
                             op != ConditionOp::kStringNotEquals &&
                             op != ConditionOp::kStringEqualsIgnoreCase &&
                             op != ConditionOp::kStringNotEqualsIgnoreCase;
      if (auto problem = ArnProblem(v, wildcards)) {
        emit("invalid-arn", LintSeverity::kError, path,
             key + " value '" + Printable(v, 120) + "' is not an ARN: " + *problem,
             "write arn:aws:iam::123456789012:role/NAME (wildcards only with ArnLike)");
      }
    }
  }

  if (EqualsIgnoreCase(c.key, "aws:MultiFactorAuthPresent") && op == ConditionOp::kBool &&
      !c.op.if_exists &&
      std::any_of(c.values.begin(), c.values.end(),
                  [](const std::string& v) { return EqualsIgnoreCase(v, "false"); })) {
    emit("mfa-bool-false", LintSeverity::kWarning, path,
         "Bool aws:MultiFactorAuthPresent \"false\" is not a reliable test: the key is absent "
         "for long-term access keys, and a Bool on an absent key is false",
         "use BoolIfExists aws:MultiFactorAuthPresent, or require \"true\" in the Allow");
  }
  if (c.op.set == SetQualifier::kForAllValues && st.effect == Effect::kAllow) {
    emit("for-all-values-with-allow", LintSeverity::kWarning, path,
         c.op.name + " " + key + " holds when the key is absent or empty, so this Allow "
                                 "matches requests without it",
         "use ForAnyValue:, or add a Null condition requiring the key");
  }
}

// Same conditions: the same operators, keys (case-insensitively) and values.
using ClauseKey = std::tuple<std::string, std::string, std::vector<std::string>>;
std::multiset<ClauseKey> Clauses(const Statement& st) {
  std::multiset<ClauseKey> out;
  for (const ConditionClause& c : st.conditions) {
    std::vector<std::string> values = c.values;
    std::sort(values.begin(), values.end());
    out.insert({c.op.name, ToLower(c.key), std::move(values)});
  }
  return out;
}

// Whether a Deny's principal covers everything an Allow's principal names.
bool CoversPrincipals(const Statement& deny, const Statement& allow) {
  if (!deny.principal || !allow.principal || deny.not_principal || allow.not_principal) {
    return false;
  }
  // "*" and {"AWS": "*"} both mean everyone, anonymous and federated callers included [PRIN].
  if (EveryonePrincipal(deny)) return true;
  if (allow.principal->everyone) return false;
  for (const auto& [type, values] : allow.principal->values) {
    const auto* denied = Values(deny, type);
    if (denied == nullptr) return false;
    if (std::find(denied->begin(), denied->end(), "*") != denied->end()) continue;
    for (const std::string& v : values) {
      const bool covered = std::any_of(denied->begin(), denied->end(), [&](const std::string& d) {
        if (d == v) return true;
        if (type != "AWS") return false;
        // An account principal covers every principal of that account [PRIN].
        const AwsPrincipal dp = ParseAwsPrincipal(d);
        const AwsPrincipal ap = ParseAwsPrincipal(v);
        return dp.root && dp.account && ap.account && *dp.account == *ap.account;
      });
      if (!covered) return false;
    }
  }
  return true;
}

}  // namespace

void LintStatement(const LintedStatement& ls, const PolicyLintOptions& options,
                   std::vector<LintFinding>& out) {
  const Emitter emit{ls, out};
  LintPrincipals(ls, options, emit);
  for (const ConditionClause& c : ls.statement.conditions) LintClause(ls, c, options, emit);
}

void LintDocument(const std::vector<LintedStatement>& statements, bool complete,
                  std::vector<LintFinding>& out) {
  std::vector<const LintedStatement*> allows;
  for (const LintedStatement& ls : statements) {
    if (ls.statement.effect == Effect::kAllow && !ls.statement.not_principal &&
        GrantsAssume(ls.statement)) {
      allows.push_back(&ls);
    }
  }
  if (complete && allows.empty()) {
    bool any_allow = false;
    for (const LintedStatement& ls : statements) {
      if (ls.statement.effect != Effect::kAllow) continue;
      any_allow = true;
      Emitter{ls, out}("no-assume-role-action", LintSeverity::kError,
                       ls.statement.not_action ? ".NotAction" : ".Action",
                       "no Allow of this trust policy grants sts:AssumeRole, "
                       "sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML: nobody can "
                       "assume the role",
                       "add \"sts:AssumeRole\" to Action");
    }
    if (!any_allow) {
      out.push_back(LintFinding{.rule = "no-assume-role-action",
                                .severity = LintSeverity::kError,
                                .statement_index = std::nullopt,
                                .sid = "",
                                .path = "Statement",
                                .message = "the trust policy has no Allow statement: nobody can "
                                           "assume the role",
                                .fix = "add an Allow of sts:AssumeRole for the trusted principal"});
    }
  }
  for (const LintedStatement& deny : statements) {
    const Statement& d = deny.statement;
    if (d.effect != Effect::kDeny) continue;
    std::vector<std::size_t> cancelled;
    for (const LintedStatement* allow : allows) {
      const Statement& a = allow->statement;
      bool actions = true;
      for (const char* action : kAssumeActions) {
        if (Grants(a, action) && !Grants(d, action)) actions = false;
      }
      const bool conditions = d.conditions.empty() || Clauses(d) == Clauses(a);
      if (actions && conditions && CoversPrincipals(d, a)) cancelled.push_back(a.index);
    }
    if (cancelled.empty()) continue;
    std::string which;
    for (std::size_t i : cancelled) which += (which.empty() ? "" : ", ") + std::to_string(i);
    const bool all = cancelled.size() == allows.size();
    Emitter{deny, out}(
        "deny-cancels-allow", LintSeverity::kError, "",
        "this Deny covers the principals and actions of the Allow in statement " + which +
            (d.conditions.empty() ? " with no condition" : " under the same conditions") +
            (all ? ": the role can never be assumed" : ": that Allow never applies"),
        "narrow the Deny with a condition the allowed callers do not meet, or remove it");
  }
}

}  // namespace hubspoke::trust
