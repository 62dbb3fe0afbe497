// What the linter knows about condition keys in an AssumeRole request: which keys exist, which
// STS never sets for AssumeRole, which describe the role itself, and the closest real key to a
// misspelt one. Internal to policy_lint*.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hubspoke::trust {

enum class KeyVerdict {
  kFine,          // a key that can be in an AssumeRole request (or a federation provider's key)
  kNotSet,        // never in an AssumeRole request context: the condition never holds as meant
  kServiceOnly,   // aws:Source* keys: set only when an AWS service assumes the role
  kDescribesRole, // aws:Resource* keys: the resource is the role itself, so they are constant
  kMisspelt,      // unknown, but close to a known key (see `suggestion`)
  kUnknown,       // an unknown aws:/sts: key, or a key without a service prefix
};

struct KeyCheck {
  KeyVerdict verdict = KeyVerdict::kFine;
  std::string suggestion;  // kMisspelt: the known key as AWS spells it; kDescribesRole: the
                           // aws:Principal… key that constrains the caller instead
};

// `key` as written in the policy (names are case-insensitive [COND]).
KeyCheck CheckConditionKey(std::string_view key);

// Levenshtein distance of the lower-cased strings, capped: returns limit + 1 when larger.
std::size_t CappedEditDistance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace hubspoke::trust
