// Matching of the Action, Resource and Principal elements and of string/ARN condition values:
// `*`/`?` wildcards, per-component ARN matching, and policy variables (${aws:username}).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "policy/request_context.h"

namespace hubspoke::policy {

// A match pattern after policy-variable expansion: every character is either literal or one of
// the wildcards `*` (any run of characters, possibly empty) and `?` (exactly one character).
// ${*}, ${?} and ${$} and the values of variables are literal [VARS "Special characters"].
class Pattern {
 public:
  static Pattern Glob(std::string_view text);     // '*' and '?' are wildcards
  static Pattern Literal(std::string_view text);  // nothing is a wildcard
  void AppendGlob(std::string_view text);
  void AppendLiteral(std::string_view text);
  void Append(const Pattern& other);

  bool Matches(std::string_view text, bool ignore_case = false) const;
  // The characters (wildcards as '*'/'?'), for exact comparisons and messages.
  const std::string& text() const { return chars_; }
  std::size_t size() const { return chars_.size(); }
  Pattern Slice(std::size_t pos, std::size_t len) const;

 private:
  std::string chars_;
  std::vector<bool> wild_;
};

// Action names compare case-insensitively with wildcards: "sts:Assume*" matches
// "sts:AssumeRole"; "*" matches everything.
bool ActionMatches(std::string_view pattern, std::string_view action);

// ArnLike/ArnEquals and Resource matching: "Each of the six colon-delimited components of the
// ARN is checked separately and each can include" wildcards [OPS]; the sixth (resource)
// component keeps its own colons, so a `*` there may span them. Case-sensitive. A pattern with
// no colon at all ("*") is matched against the whole value; otherwise pattern and value must
// both have six components.
bool ArnMatches(const Pattern& pattern, std::string_view arn);

// Expands ${key} and ${key, 'default'} from `keys` (names case-insensitive) and ${*} ${?} ${$}.
// nullopt when a key is absent or multi-valued and there is no default: "a variable with no
// value" matches nothing [VARS "Policy variables with no value"]. When `enabled` is false
// (policy Version is not 2012-10-17) the text is taken literally, wildcards still apply.
std::optional<Pattern> ExpandVariables(std::string_view text, const ContextKeys& keys,
                                       bool enabled);
// The same for a Resource value: variables are expanded only in the resource part, after the
// fifth colon [VARS "Resource element"]; before it `${…}` stays literal text.
std::optional<Pattern> ExpandResourceVariables(std::string_view text, const ContextKeys& keys,
                                               bool enabled);

// How a Principal entry named the caller; it decides which implicit denies still apply in the
// same account [EVAL step 3, PRIN].
enum class PrincipalGrant {
  kEveryone,   // "*" or {"AWS": "*"}
  kAccount,    // "123456789012" or arn:…:iam::123456789012:root: delegates to the account
  kRole,       // arn:…:iam::A:role/R: its sessions; boundaries and session policies still apply
  kDirect,     // a user, an exact role session, a federated user, or a user's unique id
  kService,    // {"Service": "ec2.amazonaws.com"}
  kFederated,  // {"Federated": "accounts.google.com"}
};
const char* PrincipalGrantName(PrincipalGrant grant);

struct PrincipalMatch {
  PrincipalGrant grant;
  std::string entry;  // "AWS: arn:aws:iam::999999999999:role/automation-hub-role"
};

// Whether a Principal element names `principal`. An account (short form or :root ARN) matches
// every principal of that account — "does not limit permissions to only the root user" [PRIN];
// a role ARN matches the sessions of that role (compared with Principal::role_arn, path
// included); a session ARN matches that exact session; user ARNs are exact and case-sensitive.
// CanonicalUser (S3 only) never matches an IAM principal. When several entries match, the
// strongest decides whatever the order (a user or session named directly, then "*", a service
// or a federated provider, then a role, then an account).
std::optional<PrincipalMatch> MatchPrincipal(const PrincipalElement& element,
                                             const Principal& principal);

// {"AWS": ["a", "b"], "Service": "s"} or "*", for messages.
std::string DescribePrincipalElement(const PrincipalElement& element);

}  // namespace hubspoke::policy
