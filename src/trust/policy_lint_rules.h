// The linter's rules on parsed statements. Internal to policy_lint*.cc: policy_lint.cc parses the
// document statement by statement and calls these on the statements the parser accepts.
#pragma once

#include <string>
#include <vector>

#include "hubspoke/policy_lint.h"
#include "policy/policy.h"

namespace hubspoke::trust {

struct LintedStatement {
  policy::Statement statement;  // statement.index is its position in the document
  std::string path;             // "Statement[2]" (or "Statement" when the element is an object)
};

// Findings about one statement alone: principals, conditions, operators, values, external ids.
void LintStatement(const LintedStatement& st, const PolicyLintOptions& options,
                   std::vector<LintFinding>& out);

// Findings about statements together: a Deny that cancels an Allow; no Allow granting an
// AssumeRole action. `complete` is false when a statement was refused by the parser (then
// "nothing grants AssumeRole" cannot be known).
void LintDocument(const std::vector<LintedStatement>& statements, bool complete,
                  std::vector<LintFinding>& out);

}  // namespace hubspoke::trust
