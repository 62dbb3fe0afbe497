// The SDKs' naming rules, applied to a parsed file: which sections are profiles, sso-sessions
// or services sections, which names are ignored, and `[profile default]` over `[default]`.
#pragma once

#include <vector>

#include "hubspoke/profile.h"
#include "profile/parser.h"

namespace hubspoke {

// Sorts `sections` (one file, in file order) into a ProfileSet, merging repeated sections in
// file order, a later property replacing an earlier one. Config file: `[default]`,
// `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`; any other header is ignored, and
// `[default]` is ignored altogether when the file also has `[profile default]`. Credentials file:
// `[NAME]` only, so `[profile foo]` there is an invalid name. Invalid names are ignored with
// their properties, as every SDK does (no error). The paths are left empty.
ProfileSet StandardizeSections(const std::vector<RawSection>& sections, ProfileFileKind kind);

}  // namespace hubspoke
