#include "profile/sections.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

namespace hubspoke {
namespace {

// "profile foo" with prefix "profile" → "foo". The prefix must be followed by a space or tab:
// "[profilefoo]" is no profile at all (suite), and "[profile]" has no name. nullopt otherwise.
std::optional<std::string_view> NameAfterPrefix(std::string_view header, std::string_view prefix) {
  if (!header.starts_with(prefix)) return std::nullopt;
  std::string_view rest = header.substr(prefix.size());
  if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) return std::nullopt;
  std::size_t begin = rest.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return std::nullopt;
  // The header is already trimmed at its end, so only leading blanks remain.
  return rest.substr(begin);
}

void MergeInto(std::map<std::string, ProfileSection>& target, std::string_view name,
               const std::map<std::string, ProfileValue>& properties) {
  ProfileSection& section = target[std::string(name)];
  section.name = std::string(name);
  for (const auto& [key, value] : properties) section.properties[key] = value;
}

bool IsProfileDefault(const RawSection& section) {
  auto name = NameAfterPrefix(section.header, "profile");
  return name && *name == "default";
}

}  // namespace

ProfileSet StandardizeSections(const std::vector<RawSection>& sections, ProfileFileKind kind) {
  ProfileSet set;
  if (kind == ProfileFileKind::kCredentials) {
    for (const RawSection& s : sections) {
      if (IsValidProfileIdentifier(s.header)) MergeInto(set.profiles, s.header, s.properties);
    }
    return set;
  }
  // Config file: `[profile default]` wins over `[default]` wherever either appears (suite:
  // "Default profile with profile prefix overrides default profile without prefix").
  bool has_profile_default = std::any_of(sections.begin(), sections.end(), IsProfileDefault);
  for (const RawSection& s : sections) {
    if (s.header == "default") {
      if (!has_profile_default) MergeInto(set.profiles, "default", s.properties);
      continue;
    }
    struct Kind {
      std::string_view prefix;
      std::map<std::string, ProfileSection>* target;
    };
    for (const Kind& k : {Kind{"profile", &set.profiles}, Kind{"sso-session", &set.sso_sessions},
                          Kind{"services", &set.services}}) {
      auto name = NameAfterPrefix(s.header, k.prefix);
      if (!name) continue;
      if (IsValidProfileIdentifier(*name)) MergeInto(*k.target, *name, s.properties);
      break;
    }
  }
  return set;
}

}  // namespace hubspoke
