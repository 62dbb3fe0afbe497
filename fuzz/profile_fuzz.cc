// The shared config and credentials files (~/.aws/config, ~/.aws/credentials): sections,
// properties, continuation lines, sub-properties, comments; then the naming rules on top.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "hubspoke/profile.h"
#include "profile/parser.h"

namespace {

bool Lower(std::string_view s) {
  for (char ch : s) {
    if (std::isupper(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  const auto kind = in.Byte() & 1 ? hubspoke::ProfileFileKind::kCredentials
                                  : hubspoke::ProfileFileKind::kConfig;
  std::string_view text = in.Rest();
  auto raw = hubspoke::ParseRawSections(text, kind, "config");
  auto set = hubspoke::ParseProfileFile(text, kind, "config");
  // The naming layer sits on the line grammar: both accept or refuse the same files.
  FUZZ_CHECK(raw.has_value() == set.has_value());
  if (raw) {
    for (const auto& section : *raw) {
      FUZZ_CHECK(section.line >= 1);
      for (const auto& [key, value] : section.properties) {
        FUZZ_CHECK(Lower(key));
        for (const auto& [sub, v] : value.sub_properties) FUZZ_CHECK(Lower(sub));
      }
    }
  } else {
    // Errors are one line and name the file.
    const std::string& m = raw.error().message();
    FUZZ_CHECK(m.find('\n') == std::string::npos);
    FUZZ_CHECK(m.rfind("config", 0) == 0);
  }
  if (set) {
    hubspoke::ProfileSet merged = hubspoke::MergeProfileSets(*set, *set);
    FUZZ_CHECK(merged.profiles.size() == set->profiles.size());
  }
  return 0;
}
