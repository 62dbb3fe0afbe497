// The trust-policy linter behind `assume-spoke-role policy lint`: the mistakes people make in a
// role's trust policy, each with the statement, the JSON path and a one-line fix. Offline and
// pure (no I/O): it reads the document with the same parser the lab and `explain` use, so a
// document the engine refuses is one finding carrying the parser's message.
//
// Rules (stable ids; docs/policies.md "Linting trust policies" has one line of why for each):
//   policy-invalid, statement-invalid                  the parser or IAM refuses it       error
//   principal-wildcard-without-condition               "*" with no narrowing condition    error
//   principal-account-without-condition                an account root, not narrowed      warning
//   not-principal-with-allow                           NotPrincipal in an Allow           error
//   condition-key-not-set                              STS never sets it for AssumeRole   error
//   condition-key-describes-role                       aws:Resource… keys: constant here  error
//   condition-key-misspelt                             an unknown key close to a real one error
//   condition-key-unknown                              an unknown aws:/sts: key           warning
//   like-without-wildcard                              StringLike/ArnLike, no * or ?      warning
//   equals-with-wildcard                               StringEquals with * or ?           error
//   invalid-org-id, invalid-arn, invalid-principal     a value that does not parse        error
//   org-id-mismatch                                    another org than --org-id          warning
//   cross-account-without-external-id                  third party (error) / outside org (warning)
//   deny-cancels-allow                                 a Deny that always wins            error
//   no-assume-role-action                              no Allow grants an AssumeRole action error
//   mfa-bool-false                                     Bool aws:MultiFactorAuthPresent false warning
//   for-all-values-with-allow                          ForAllValues: holds when absent    warning
//
// Security: values of sts:ExternalId never appear in a finding ("an external id").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"

namespace hubspoke {

enum class LintSeverity { kError, kWarning };
const char* LintSeverityName(LintSeverity severity);  // "error" / "warning"

struct PolicyLintOptions {
  // The 12-digit account the role lives in. Empty: unknown, so a principal is cross-account
  // only when --third-party says so.
  std::string account_id;
  // A third party (a vendor, another company) is trusted: a cross-account trust without
  // sts:ExternalId is then an error (the confused-deputy problem), and with an unknown
  // account_id every account principal counts as cross-account.
  bool third_party = false;
  // The organization the role's account belongs to (o-…). Empty: any aws:PrincipalOrgID
  // condition counts as "inside the organization".
  std::string org_id;
};

// Checks the options' values; errors name the flags --account and --org-id.
Status ValidatePolicyLintOptions(const PolicyLintOptions& options);

struct LintFinding {
  std::string rule;  // stable kebab-case id, e.g. "principal-wildcard-without-condition"
  LintSeverity severity = LintSeverity::kError;
  std::optional<std::size_t> statement_index;  // 0-based; nullopt: the document as a whole
  std::string sid;                             // the statement's Sid, may be empty
  std::string path;     // JSON path: "Statement[0].Condition.StringEquals.aws:PrincipalOrgID"
  std::string message;  // one line: what is wrong
  std::string fix;      // one line: how to fix it
};

// Every rule the linter knows, for documentation and for tests that every rule is covered.
struct LintRule {
  std::string_view id;
  LintSeverity severity;  // the usual one (cross-account-without-external-id is either)
  std::string_view why;
};
const std::vector<LintRule>& LintRules();

// Lints a role trust policy. Findings come in statement order, then in rule order; a document
// that does not parse gives one finding (policy-invalid). A statement the parser refuses gives
// one statement-invalid finding and the other statements are still linted.
std::vector<LintFinding> LintTrustPolicy(std::string_view json, const PolicyLintOptions& options);

bool HasLintErrors(const std::vector<LintFinding>& findings);

// "FILE: statement N (Sid): error [rule]: message; fix: …" ("statement N" without "(Sid)" when
// there is none; "document" when the finding has no statement). One line.
std::string FormatLintFinding(std::string_view file, const LintFinding& finding);
// One JSON object on one line: file, rule, severity, statement (number or null), sid, path,
// message, fix.
std::string LintFindingJson(std::string_view file, const LintFinding& finding);

}  // namespace hubspoke
