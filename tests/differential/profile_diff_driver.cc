// Differential driver for the shared config/credentials parser
// (tests/differential/test_profile_diff.py): reads JSON lines {"kind": "config"|"credentials",
// "text": …} on stdin and prints, per line, our parse as JSON:
// {"ok": true, "profiles": {name: {key: value | {sub: value}}}, "sso_sessions": …,
//  "services": …} or {"ok": false, "error": …}. Not a product: it prints values verbatim.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "json_lines.h"

#include "hubspoke/profile.h"

namespace {

nlohmann::json Sections(const std::map<std::string, hubspoke::ProfileSection>& sections) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, section] : sections) {
    nlohmann::json properties = nlohmann::json::object();
    for (const auto& [key, value] : section.properties) {
      if (value.has_sub_properties) {
        nlohmann::json sub = nlohmann::json::object();
        for (const auto& [sub_key, sub_value] : value.sub_properties) sub[sub_key] = sub_value;
        properties[key] = sub;
      } else {
        properties[key] = value.value;
      }
    }
    out[name] = properties;
  }
  return out;
}

nlohmann::json ParseOne(const nlohmann::json& in) {
  auto kind = in.at("kind").get<std::string>() == "credentials"
                  ? hubspoke::ProfileFileKind::kCredentials
                  : hubspoke::ProfileFileKind::kConfig;
  auto set = hubspoke::ParseProfileFile(in.at("text").get<std::string>(), kind, "");
  if (!set) return {{"ok", false}, {"error", set.error().message()}};
  return {{"ok", true},
          {"profiles", Sections(set->profiles)},
          {"sso_sessions", Sections(set->sso_sessions)},
          {"services", Sections(set->services)}};
}

}  // namespace

int main() { return hubspoke::differential::ServeJsonLines(ParseOne); }
