// Session names for the two hops. STS RoleSessionName: 2–64 characters of [\w+=,.@-].
#include <cctype>
#include <unistd.h>

#include "core/strings.h"
#include "core/time.h"
#include "hubspoke/hubspoke.h"

namespace hubspoke {
namespace {

bool Allowed(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("_+=,.@-").find(c) != std::string_view::npos;
}

// Replaces every disallowed character with '-', truncates to `max`, pads to the 2-character
// minimum.
std::string Sanitize(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() == max) break;
    out += Allowed(c) ? c : '-';
  }
  while (out.size() < 2) out += '-';
  return out;
}

}  // namespace

std::string HubSessionName(const std::string& session_string) {
  return Sanitize(session_string, 64);
}

std::string SpokeSessionName(const std::string& spoke_account_id,
                             const std::string& session_string) {
  return Sanitize(spoke_account_id + "-" + session_string, 64);
}

std::string DefaultSessionString(const Environment& env, TimePoint now) {
  std::string user;
  for (auto name : {"USER", "LOGNAME", "USERNAME"}) {
    if (auto v = env.Get(name); v && !v->empty()) {
      user = *v;
      break;
    }
  }
  if (user.empty()) user = "assume-spoke-role";
  // 12-digit account + '-' leaves 51 characters; the timestamp takes 16 + 1.
  if (user.size() > 34) user.resize(34);
  return user + "-" + FormatAmzDate(now);
}

}  // namespace hubspoke
