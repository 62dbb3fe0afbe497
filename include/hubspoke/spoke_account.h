// A spoke account as the account-selection code and the AWS Organizations client hand it around:
// a value type, alone in its header so that both the client layer (accounts.h) and the service
// clients below it (organizations.h) can speak of it.
#pragma once

#include <cstddef>
#include <string>

namespace hubspoke {

struct SpokeAccount {
  std::string id;    // exactly 12 ASCII digits (every parser and client checks)
  // For display only: printable (control characters replaced), at most 128 characters; empty
  // when unknown.
  std::string name;

  bool operator==(const SpokeAccount&) const = default;
};

// The most accounts any one source (a list, a file, an organization) or their union may hold.
// AWS Organizations' default quota is 10 accounts and its largest raised quotas are in the
// thousands; this bound only stops a hostile or broken source from exhausting memory.
inline constexpr std::size_t kMaxSpokeAccounts = 100000;

}  // namespace hubspoke
