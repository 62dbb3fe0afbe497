// LintTrustPolicy: the document read statement by statement with the policy engine's parser
// (policy_parse.cc), so what the engine refuses becomes a finding at its statement and the other
// statements are still linted; then the rules of policy_lint_rules.cc.
#include "hubspoke/policy_lint.h"

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "core/validate.h"
#include "policy/policy.h"
#include "trust/policy_lint_rules.h"

namespace hubspoke {
namespace {

using nlohmann::json;

// The parser's message without the statement label it starts with (the finding carries the
// statement): "statement 'Sid': Condition …" → "Condition …".
std::string WithoutLabel(const std::string& message, const policy::Statement& labelled) {
  for (std::string prefix : {labelled.Label() + ": ", "trust policy, " + labelled.Label() + ": "}) {
    if (message.rfind(prefix, 0) == 0) return message.substr(prefix.size());
  }
  return message;
}

LintFinding DocumentFinding(const std::string& message) {
  return LintFinding{.rule = "policy-invalid",
                     .severity = LintSeverity::kError,
                     .statement_index = std::nullopt,
                     .sid = "",
                     .path = "",
                     .message = message,
                     .fix = "make it a JSON policy document: {\"Version\": \"2012-10-17\", "
                            "\"Statement\": [{\"Effect\", \"Principal\", \"Action\", …}]}"};
}

std::string JsonString(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

const char* LintSeverityName(LintSeverity severity) {
  return severity == LintSeverity::kError ? "error" : "warning";
}

Status ValidatePolicyLintOptions(const PolicyLintOptions& options) {
  if (!options.account_id.empty()) {
    if (Status s = ValidateAccountId("--account", options.account_id); !s) return s;
  }
  if (!options.org_id.empty()) {
    const std::string& o = options.org_id;
    bool ok = o.size() >= 12 && o.size() <= 34 && o.rfind("o-", 0) == 0;
    for (std::size_t i = 2; ok && i < o.size(); ++i) {
      ok = (o[i] >= 'a' && o[i] <= 'z') || (o[i] >= '0' && o[i] <= '9');
    }
    if (!ok) {
      return Error(ErrorCode::kInvalidArgument,
                   "--org-id: " + Printable(o, 40) +
                       ": an organization id is o- and 10 to 32 lower-case letters or digits");
    }
  }
  return Ok();
}

const std::vector<LintRule>& LintRules() {
  static const std::vector<LintRule> kRules = {
      {"policy-invalid", LintSeverity::kError, "the document is not a policy IAM accepts"},
      {"statement-invalid", LintSeverity::kError, "IAM refuses this statement in a trust policy"},
      {"principal-wildcard-without-condition", LintSeverity::kError,
       "\"*\" trusts every AWS account unless a condition narrows it"},
      {"principal-account-without-condition", LintSeverity::kWarning,
       "an account principal trusts everyone that account's administrators allow"},
      {"not-principal-with-allow", LintSeverity::kError,
       "NotPrincipal with Allow trusts everyone else, and trust policies cannot use it"},
      {"condition-key-not-set", LintSeverity::kError,
       "STS never sets the key for AssumeRole (or not for these principals)"},
      {"condition-key-describes-role", LintSeverity::kError,
       "aws:Resource… keys describe the role itself in its trust policy"},
      {"condition-key-misspelt", LintSeverity::kError,
       "an unknown key close to a real one is absent from every request"},
      {"condition-key-unknown", LintSeverity::kWarning, "no request carries an unknown key"},
      {"like-without-wildcard", LintSeverity::kWarning,
       "StringLike/ArnLike without * or ? compares exactly"},
      {"equals-with-wildcard", LintSeverity::kError,
       "StringEquals compares * and ? literally"},
      {"invalid-org-id", LintSeverity::kError, "an organization id that cannot exist"},
      {"invalid-arn", LintSeverity::kError, "an ARN that does not parse matches nothing"},
      {"invalid-principal", LintSeverity::kError, "a principal IAM does not accept"},
      {"org-id-mismatch", LintSeverity::kWarning,
       "aws:PrincipalOrgID names another organization than --org-id"},
      {"cross-account-without-external-id", LintSeverity::kError,
       "a third party trusted without sts:ExternalId is a confused deputy (warning when not a "
       "third party and outside the organization)"},
      {"deny-cancels-allow", LintSeverity::kError, "a Deny that always wins cancels the Allow"},
      {"no-assume-role-action", LintSeverity::kError,
       "without sts:AssumeRole* in an Allow nobody can assume the role"},
      {"mfa-bool-false", LintSeverity::kWarning,
       "Bool aws:MultiFactorAuthPresent false misses long-term keys"},
      {"for-all-values-with-allow", LintSeverity::kWarning,
       "ForAllValues holds when the key is absent"},
  };
  return kRules;
}

std::vector<LintFinding> LintTrustPolicy(std::string_view text, const PolicyLintOptions& options) {
  auto whole = policy::ParsePolicy(text);
  std::vector<trust::LintedStatement> statements;
  std::vector<LintFinding> findings;
  bool complete = true;
  std::string version = "2012-10-17";
  bool statement_object = false;
  if (whole) version = whole->version;
  // The structure, to name paths and to parse each statement on its own.
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    if (auto it = doc.find("Statement"); it != doc.end()) statement_object = it->is_object();
  }
  auto path_of = [&](std::size_t i) {
    return statement_object ? std::string("Statement") : "Statement[" + std::to_string(i) + "]";
  };
  if (whole) {
    for (policy::Statement& st : whole->statements) {
      const std::size_t i = st.index;
      statements.push_back({std::move(st), path_of(i)});
    }
  } else {
    // Is it the document or a statement? The document without its statements tells.
    if (!doc.is_object() || !doc.contains("Statement") ||
        !(doc["Statement"].is_array() || doc["Statement"].is_object())) {
      return {DocumentFinding(whole.error().message())};
    }
    json skeleton = doc;
    skeleton["Statement"] = json::array();
    if (!policy::ParsePolicy(skeleton.dump())) return {DocumentFinding(whole.error().message())};
    if (doc.contains("Version") && doc["Version"].is_string()) version = doc["Version"];
    const json list = statement_object ? json::array({doc["Statement"]}) : doc["Statement"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      json one = skeleton;
      one["Statement"] = json::array({list[i]});
      auto parsed = policy::ParsePolicy(one.dump());
      if (parsed) {
        policy::Statement st = std::move(parsed->statements.front());
        st.index = i;
        statements.push_back({std::move(st), path_of(i)});
        continue;
      }
      complete = false;
      policy::Statement label;  // as the parser labelled it: index 0 of a one-statement document
      if (list[i].is_object() && list[i].contains("Sid") && list[i]["Sid"].is_string()) {
        label.sid = list[i]["Sid"];
      }
      findings.push_back(LintFinding{.rule = "statement-invalid",
                                     .severity = LintSeverity::kError,
                                     .statement_index = i,
                                     .sid = label.sid,
                                     .path = path_of(i),
                                     .message = WithoutLabel(parsed.error().message(), label),
                                     .fix = "correct the statement as the message says"});
    }
    // Every statement parses alone: the problem is one the split hides (a duplicate key).
    if (complete) return {DocumentFinding(whole.error().message())};
  }

  // IAM's rules for trust policies (no Resource, a Principal, no NotPrincipal), statement by
  // statement; NotPrincipal with Allow has a rule of its own.
  std::vector<trust::LintedStatement> valid;
  for (trust::LintedStatement& ls : statements) {
    policy::PolicyDocument one{.version = version, .id = "", .statements = {ls.statement}};
    one.statements.front().index = 0;
    Status kind = policy::ValidatePolicyForKind(one, policy::PolicyKind::kTrust);
    const bool not_principal_allow =
        ls.statement.not_principal && ls.statement.effect == policy::Effect::kAllow;
    if (!kind && !not_principal_allow) {
      complete = false;
      findings.push_back(LintFinding{.rule = "statement-invalid",
                                     .severity = LintSeverity::kError,
                                     .statement_index = ls.statement.index,
                                     .sid = ls.statement.sid,
                                     .path = ls.path,
                                     .message = WithoutLabel(kind.error().message(),
                                                             one.statements.front()),
                                     .fix = "a trust statement has Effect, Principal, Action and "
                                            "optionally Condition, and no Resource"});
      continue;
    }
    valid.push_back(std::move(ls));
  }
  for (const trust::LintedStatement& ls : valid) trust::LintStatement(ls, options, findings);
  trust::LintDocument(valid, complete, findings);
  std::stable_sort(findings.begin(), findings.end(), [](const LintFinding& a, const LintFinding& b) {
    const std::size_t ai = a.statement_index.value_or(static_cast<std::size_t>(-1));
    const std::size_t bi = b.statement_index.value_or(static_cast<std::size_t>(-1));
    return ai < bi;
  });
  return findings;
}

bool HasLintErrors(const std::vector<LintFinding>& findings) {
  for (const LintFinding& f : findings) {
    if (f.severity == LintSeverity::kError) return true;
  }
  return false;
}

std::string FormatLintFinding(std::string_view file, const LintFinding& f) {
  std::string where = "document";
  if (f.statement_index) {
    where = "statement #" + std::to_string(*f.statement_index + 1);  // as explain and the lab count
    if (!f.sid.empty()) where += " (" + Printable(f.sid, 64) + ")";
  }
  return Printable(file, 4096) + ": " + where + ": " + LintSeverityName(f.severity) + " [" + f.rule +
         "]: " + f.message + "; fix: " + f.fix;
}

std::string LintFindingJson(std::string_view file, const LintFinding& f) {
  return "{\"file\": " + JsonString(file) + ", \"rule\": " + JsonString(f.rule) +
         ", \"severity\": " + JsonString(LintSeverityName(f.severity)) + ", \"statement\": " +
         (f.statement_index ? std::to_string(*f.statement_index) : std::string("null")) +
         ", \"sid\": " + JsonString(f.sid) + ", \"path\": " + JsonString(f.path) +
         ", \"message\": " + JsonString(f.message) + ", \"fix\": " + JsonString(f.fix) + "}";
}

}  // namespace hubspoke
