#include "core/strings.h"
#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

const ProfileSection* Find(const std::map<std::string, ProfileSection>& sections,
                           std::string_view name) {
  auto it = sections.find(std::string(name));
  return it == sections.end() ? nullptr : &it->second;
}

}  // namespace

// Keys are stored lower-cased, so lookups are case-insensitive like the SDKs' ("Region" finds
// "region").
std::optional<std::string> ProfileSection::Get(std::string_view key) const {
  auto it = properties.find(ToLower(key));
  if (it == properties.end() || it->second.has_sub_properties) return std::nullopt;
  return it->second.value;
}

std::optional<std::string> ProfileSection::GetSub(std::string_view key,
                                                  std::string_view sub_key) const {
  auto it = properties.find(ToLower(key));
  if (it == properties.end() || !it->second.has_sub_properties) return std::nullopt;
  auto sub = it->second.sub_properties.find(ToLower(sub_key));
  if (sub == it->second.sub_properties.end()) return std::nullopt;
  return sub->second;
}

// Section names keep their case: [profile Dev] and [profile dev] are two profiles.
const ProfileSection* ProfileSet::FindProfile(std::string_view name) const {
  return Find(profiles, name);
}
const ProfileSection* ProfileSet::FindSsoSession(std::string_view name) const {
  return Find(sso_sessions, name);
}
const ProfileSection* ProfileSet::FindServices(std::string_view name) const {
  return Find(services, name);
}

}  // namespace hubspoke
