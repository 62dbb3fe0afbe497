// Likely causes for chain failures, keyed on the hop and the AWS error code. AWS's own messages
// never say which policy or condition failed; these hints say where to look.
#pragma once

#include <string>

#include "hubspoke/result.h"

namespace hubspoke {

enum class Hop { kBase, kHub, kSpoke };
const char* HopName(Hop hop);

// Empty when nothing useful can be said.
std::string HintFor(Hop hop, const Error& error, const std::string& region);

}  // namespace hubspoke
