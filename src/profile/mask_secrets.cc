// IsSecretProfileKey and MaskProfileSecrets (hubspoke/profile.h): what `profiles` never shows.
#include <algorithm>
#include <cctype>
#include <string>

#include "hubspoke/profile.h"

namespace hubspoke {

bool IsSecretProfileKey(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // A name that merely looks secret costs a masked value; a secret under an unexpected name
  // would cost the secret. So the rule is broad on purpose.
  for (const char* word : {"secret", "token", "password", "passwd"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return lower == "external_id";
}

void MaskProfileSecrets(ProfileSet& set) {
  for (auto* sections : {&set.profiles, &set.sso_sessions, &set.services}) {
    for (auto& [name, section] : *sections) {
      for (auto& [key, value] : section.properties) {
        if (IsSecretProfileKey(key)) {
          // Masked whole, sub-properties included.
          if (!value.value.empty() || !value.has_sub_properties) value.value = "****";
          for (auto& [sub_key, sub_value] : value.sub_properties) sub_value = "****";
          continue;
        }
        for (auto& [sub_key, sub_value] : value.sub_properties) {
          if (IsSecretProfileKey(sub_key)) sub_value = "****";
        }
      }
    }
  }
}

}  // namespace hubspoke
