// Typed views of condition values: numbers, dates, booleans, CIDR blocks and base-64, as the
// condition operators compare them [OPS]. Pure parsers shared by the policy parser (which
// rejects policy values an operator cannot compare) and the condition evaluator.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hubspoke/result.h"
#include "policy/policy.h"

namespace hubspoke::policy {

// Integer or decimal: "10", "-3", "2.5". Numeric operators [OPS].
std::optional<double> ParseNumber(std::string_view text);

// Milliseconds since the Unix epoch, from epoch seconds ("1700000000", "1700000000.5") or one of
// the W3C ISO 8601 forms: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.s]]TZD where TZD is
// "Z" or ±hh:mm (assumed UTC when absent). Date operators [OPS].
std::optional<std::int64_t> ParseDateMillis(std::string_view text);

// "true"/"false", ignoring case. Bool and Null operators [OPS].
std::optional<bool> ParseBool(std::string_view text);

// An IPv4 or IPv6 address or CIDR block; without "/n" the whole address (/32 or /128) [OPS].
struct IpRange {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
  int prefix_bits = 0;
};
std::optional<IpRange> ParseIpRange(std::string_view text);
// Whether the address `ip` (its prefix ignored) lies in `range`; families must agree.
bool IpInRange(const IpRange& range, const IpRange& ip);

// Whether `value` is a policy value the operator family can compare; the message names the
// problem. Values holding a policy variable ("${") are checked when expanded, not here.
Status CheckPolicyValue(ValueType type, std::string_view value);

}  // namespace hubspoke::policy
