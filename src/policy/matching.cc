#include "policy/matching.h"

#include <cctype>

#include "core/strings.h"

namespace hubspoke::policy {
namespace {

bool CharEquals(char a, char b, bool ignore_case) {
  if (!ignore_case) return a == b;
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

// Positions of the first `max` colons (colons are never wildcards).
std::vector<std::size_t> ColonPositions(std::string_view s, std::size_t max) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < s.size() && out.size() < max; ++i) {
    if (s[i] == ':') out.push_back(i);
  }
  return out;
}

// Splits at the first five colons: six components when `s` is ARN-shaped.
std::vector<std::string_view> SplitArn(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t colon : ColonPositions(s, 5)) {
    parts.push_back(s.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(s.substr(start));
  return parts;
}

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<PrincipalGrant> MatchAwsValue(std::string_view value, const Principal& p) {
  if (value == "*") return PrincipalGrant::kEveryone;
  if (IsAccountId(value)) {
    if (!p.account.empty() && p.account == value) return PrincipalGrant::kAccount;
    return std::nullopt;
  }
  // Unique ids (AIDA… users, AROA… roles) are what IAM stores for user and role ARNs [PRIN].
  if (value.starts_with("AIDA") || value.starts_with("AROA")) {
    if (p.unique_id.empty() || p.unique_id != value) return std::nullopt;
    if (p.type == PrincipalType::kUser) return PrincipalGrant::kDirect;
    if (p.type == PrincipalType::kRoleSession) return PrincipalGrant::kRole;
    return std::nullopt;
  }
  std::vector<std::string_view> parts = SplitArn(value);
  if (parts.size() != 6 || parts[0] != "arn") return std::nullopt;
  // "You cannot delegate access between accounts in different partitions."
  if (ArnPartition(p.arn) != parts[1]) return std::nullopt;
  const std::string_view service = parts[2];
  const std::string_view resource = parts[5];
  if (service == "iam" && resource == "root") {
    if (!p.account.empty() && p.account == parts[4]) return PrincipalGrant::kAccount;
    return std::nullopt;
  }
  if (service == "iam" && resource.starts_with("user/")) {
    if (p.type == PrincipalType::kUser && p.arn == value) return PrincipalGrant::kDirect;
    return std::nullopt;
  }
  if (service == "iam" && resource.starts_with("role/")) {
    if (p.type == PrincipalType::kRoleSession && p.role_arn == value) return PrincipalGrant::kRole;
    return std::nullopt;
  }
  if (service == "sts" &&
      (resource.starts_with("assumed-role/") || resource.starts_with("federated-user/"))) {
    if ((p.type == PrincipalType::kRoleSession || p.type == PrincipalType::kFederatedUser) &&
        p.arn == value) {
      return PrincipalGrant::kDirect;
    }
  }
  return std::nullopt;
}

}  // namespace

Pattern Pattern::Glob(std::string_view text) {
  Pattern p;
  p.AppendGlob(text);
  return p;
}

Pattern Pattern::Literal(std::string_view text) {
  Pattern p;
  p.AppendLiteral(text);
  return p;
}

void Pattern::AppendGlob(std::string_view text) {
  for (char c : text) {
    chars_.push_back(c);
    wild_.push_back(c == '*' || c == '?');
  }
}

void Pattern::AppendLiteral(std::string_view text) {
  chars_.append(text);
  wild_.insert(wild_.end(), text.size(), false);
}

void Pattern::Append(const Pattern& other) {
  chars_ += other.chars_;
  wild_.insert(wild_.end(), other.wild_.begin(), other.wild_.end());
}

Pattern Pattern::Slice(std::size_t pos, std::size_t len) const {
  Pattern p;
  const std::size_t end = len > chars_.size() - pos ? chars_.size() : pos + len;
  p.chars_ = chars_.substr(pos, end - pos);
  p.wild_.assign(wild_.begin() + static_cast<std::ptrdiff_t>(pos),
                 wild_.begin() + static_cast<std::ptrdiff_t>(end));
  return p;
}

bool Pattern::Matches(std::string_view text, bool ignore_case) const {
  // Iterative glob matching with backtracking to the last '*': O(|pattern|·|text|) worst case.
  std::size_t p = 0, t = 0;
  std::size_t star = std::string::npos, star_t = 0;
  while (t < text.size()) {
    if (p < chars_.size() && wild_[p] && chars_[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < chars_.size() && ((wild_[p] && chars_[p] == '?') ||
                                     (!wild_[p] && CharEquals(chars_[p], text[t], ignore_case)))) {
      ++p;
      ++t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < chars_.size() && wild_[p] && chars_[p] == '*') ++p;
  return p == chars_.size();
}

bool ActionMatches(std::string_view pattern, std::string_view action) {
  return Pattern::Glob(pattern).Matches(action, /*ignore_case=*/true);
}

bool ArnMatches(const Pattern& pattern, std::string_view arn) {
  std::vector<std::size_t> colons = ColonPositions(pattern.text(), 5);
  if (colons.empty()) return pattern.Matches(arn);
  if (colons.size() != 5) return false;
  std::vector<std::string_view> value_parts = SplitArn(arn);
  if (value_parts.size() != 6) return false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    const std::size_t end = i < 5 ? colons[i] : pattern.size();
    if (!pattern.Slice(start, end - start).Matches(value_parts[i])) return false;
    start = end + 1;
  }
  return true;
}

std::optional<Pattern> ExpandVariables(std::string_view text, const ContextKeys& keys,
                                       bool enabled) {
  if (!enabled) return Pattern::Glob(text);
  Pattern out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("${", pos);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open + 2);
    if (close == std::string_view::npos) {  // no (complete) variable: the rest is text
      out.AppendGlob(text.substr(pos));
      break;
    }
    out.AppendGlob(text.substr(pos, open - pos));
    std::string_view inner = TrimView(text.substr(open + 2, close - open - 2));
    pos = close + 1;
    if (inner == "*" || inner == "?" || inner == "$") {
      out.AppendLiteral(inner);
      continue;
    }
    // ${aws:PrincipalTag/team, 'company-wide'} [VARS "Specifying default values"].
    std::optional<std::string_view> fallback;
    if (std::size_t comma = inner.find(','); comma != std::string_view::npos) {
      std::string_view dflt = TrimView(inner.substr(comma + 1));
      if (dflt.size() >= 2 && dflt.front() == '\'' && dflt.back() == '\'') {
        fallback = dflt.substr(1, dflt.size() - 2);
        inner = TrimView(inner.substr(0, comma));
      }
    }
    // Only single-valued keys can be variables [VARS]. Security: the substituted value is
    // literal, so a tag value holding '*' cannot widen a pattern.
    const std::vector<std::string>* values = keys.Find(inner);
    if (values != nullptr && values->size() == 1) {
      out.AppendLiteral(values->front());
    } else if (fallback) {
      out.AppendLiteral(*fallback);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<Pattern> ExpandResourceVariables(std::string_view text, const ContextKeys& keys,
                                               bool enabled) {
  std::vector<std::size_t> colons = ColonPositions(text, 5);
  if (colons.size() < 5) return Pattern::Glob(text);
  Pattern out = Pattern::Glob(text.substr(0, colons[4] + 1));
  std::optional<Pattern> rest = ExpandVariables(text.substr(colons[4] + 1), keys, enabled);
  if (!rest) return std::nullopt;
  out.Append(*rest);
  return out;
}

const char* PrincipalGrantName(PrincipalGrant grant) {
  switch (grant) {
    case PrincipalGrant::kEveryone:
      return "everyone";
    case PrincipalGrant::kAccount:
      return "account";
    case PrincipalGrant::kRole:
      return "role";
    case PrincipalGrant::kDirect:
      return "principal";
    case PrincipalGrant::kService:
      return "service";
    case PrincipalGrant::kFederated:
      return "federated";
  }
  return "";
}

namespace {

// How directly a grant names the caller: a list means any of its entries, so the strongest
// entry that matches decides, wherever it stands in the list. A user or exact session named
// directly needs no identity policy and ignores boundaries; "*", a service or a federated
// provider likewise; a role ARN is limited by a boundary or session policy; an account only
// delegates to identity policies [EVAL step 3, PRIN].
int Strength(PrincipalGrant grant) {
  switch (grant) {
    case PrincipalGrant::kDirect:
      return 4;
    case PrincipalGrant::kEveryone:
    case PrincipalGrant::kService:
    case PrincipalGrant::kFederated:
      return 3;
    case PrincipalGrant::kRole:
      return 2;
    case PrincipalGrant::kAccount:
      return 1;
  }
  return 0;
}

}  // namespace

std::optional<PrincipalMatch> MatchPrincipal(const PrincipalElement& element,
                                             const Principal& principal) {
  if (element.everyone) return PrincipalMatch{PrincipalGrant::kEveryone, "*"};
  std::optional<PrincipalMatch> best;
  for (const auto& [type, values] : element.values) {
    for (const std::string& value : values) {
      std::optional<PrincipalGrant> grant;
      if (type == "AWS") {
        grant = MatchAwsValue(value, principal);
      } else if (type == "Service") {
        if (principal.type == PrincipalType::kService && (value == "*" || value == principal.arn)) {
          grant = PrincipalGrant::kService;
        }
      } else if (type == "Federated") {
        if (principal.type == PrincipalType::kWebIdentity &&
            (value == "*" || value == principal.arn)) {
          grant = PrincipalGrant::kFederated;
        }
      }
      if (grant && (!best || Strength(*grant) > Strength(best->grant))) {
        best = PrincipalMatch{*grant, type + ": " + value};
      }
    }
  }
  return best;
}

std::string DescribePrincipalElement(const PrincipalElement& element) {
  if (element.everyone) return "\"*\"";
  std::string out = "{";
  for (const auto& [type, values] : element.values) {
    if (out.size() > 1) out += ", ";
    out += type + ": [";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ", ";
      out += Printable(values[i], 200);
    }
    out += "]";
  }
  return out + "}";
}

}  // namespace hubspoke::policy
