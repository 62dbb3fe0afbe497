#include <utility>

#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

// Same-named sections combine property by property, `over` winning. A property is replaced
// whole: sub-properties are not merged one by one (smithy-python's MergedConfig).
void MergeSections(std::map<std::string, ProfileSection>& target,
                   const std::map<std::string, ProfileSection>& over) {
  for (const auto& [name, section] : over) {
    ProfileSection& merged = target[name];
    merged.name = name;
    for (const auto& [key, value] : section.properties) merged.properties[key] = value;
  }
}

}  // namespace

ProfileSet MergeProfileSets(const ProfileSet& config, const ProfileSet& credentials) {
  ProfileSet merged = config;
  MergeSections(merged.profiles, credentials.profiles);
  // A parsed credentials file has neither; merging keeps hand-built sets symmetrical.
  MergeSections(merged.sso_sessions, credentials.sso_sessions);
  MergeSections(merged.services, credentials.services);
  merged.credentials_path = credentials.credentials_path;
  return merged;
}

}  // namespace hubspoke
