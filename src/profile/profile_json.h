// For `assume-spoke-role profiles` and the parser tests: a ProfileSet as JSON.
#pragma once

#include <string>

#include "hubspoke/profile.h"

namespace hubspoke {

// The JSON shape of the cross-SDK parser suite: {"profiles": {...}, "ssoSessions": {...}}, both
// keys always present, compact, keys sorted. Services sections are left out (the suite's shape
// has no place for them).
std::string ProfileSetToJson(const ProfileSet& set);

}  // namespace hubspoke
