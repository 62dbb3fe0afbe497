#include "hubspoke/profile.h"

namespace hubspoke {

// An empty AWS_PROFILE counts as unset: `AWS_PROFILE= cmd` is how users clear it for one
// command, and no profile is named "".
std::string SelectedProfileName(const Environment& env, const std::string& explicit_name) {
  if (!explicit_name.empty()) return explicit_name;
  for (std::string_view var : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"}) {
    if (auto value = env.Get(var); value && !value->empty()) return *value;
  }
  return "default";
}

}  // namespace hubspoke
