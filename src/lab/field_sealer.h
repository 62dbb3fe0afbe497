// Stateless tokens the lab hands out and later takes back: the console federation endpoint's
// sign-in tokens, and Identity Center's client secrets, device codes, access and refresh tokens.
// A token is PREFIX + base64url(its fields, each ending in '\n') + "." + base64url(HMAC-SHA256,
// under a key drawn when the sealer is made, of everything before the dot). So only this lab
// process can make one, any change to one is refused, and a restarted lab knows none of them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/credentials.h"

namespace hubspoke::lab {

class FieldSealer {
 public:
  using Fields = std::vector<std::string>;

  // Draws the key; throws std::runtime_error naming `what` when there are no random bytes (a
  // fixed key would let anyone forge tokens, so it fails loudly rather than serve one).
  explicit FieldSealer(std::string_view what);
  ~FieldSealer();
  FieldSealer(const FieldSealer&) = delete;
  FieldSealer& operator=(const FieldSealer&) = delete;

  // `fields` must hold no '\n'. Thread-safe (the key is only read).
  std::string Seal(std::string_view prefix, const Fields& fields) const;
  // The fields of a token sealed here with `prefix`; nullopt for anything else: another prefix,
  // another key, a change, more than 4 KiB, or not exactly `count` fields.
  std::optional<Fields> Open(std::string_view prefix, std::string_view token,
                             std::size_t count) const;

 private:
  std::string key_;  // Security: 32 random bytes; never logged, wiped on destruction
};

// A time as a token field (whole Unix seconds), and back; nullopt for anything else.
std::string TimeField(TimePoint t);
std::optional<TimePoint> ParseTimeField(std::string_view text);

}  // namespace hubspoke::lab
