// Small string helpers used across modules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hubspoke {

std::string_view TrimView(std::string_view s);
std::string Trim(std::string_view s);
std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::vector<std::string> Split(std::string_view s, char sep);
// Replaces control characters with '?' so untrusted text (a server's message, a bad flag value)
// cannot break a one-line error or inject terminal escapes; truncates to max_len with "…".
std::string Printable(std::string_view s, std::size_t max_len = 200);
// Quotes a value for a POSIX shell: 'it'\''s'.
std::string ShellQuote(std::string_view s);

}  // namespace hubspoke
