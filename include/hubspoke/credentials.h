#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "hubspoke/secret.h"

namespace hubspoke {

using TimePoint = std::chrono::system_clock::time_point;

// AWS credentials: long-term (AKIA…, no token, no expiration) or temporary (ASIA…, token,
// expiration).
struct Credentials {
  std::string access_key_id;
  SecretString secret_access_key;
  SecretString session_token;           // empty for long-term keys
  std::optional<TimePoint> expiration;  // absent for long-term keys
};

}  // namespace hubspoke
