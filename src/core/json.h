// The JSON adapter (nlohmann-json lives only here and in the lab's model loader).
#pragma once

#include <string>
#include <string_view>

#include "hubspoke/result.h"

namespace hubspoke {

// Parses `text` and re-serializes it compactly with non-ASCII characters escaped (\uXXXX), the
// smallest form STS accepts for a session policy. kInvalidArgument naming `what` on bad JSON.
Result<std::string> CompactJson(std::string_view what, std::string_view text);

// A JSON string literal for `s`, with quotes.
std::string JsonQuote(std::string_view s);

}  // namespace hubspoke
