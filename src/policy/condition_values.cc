#include "policy/condition_values.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <system_error>

#include "core/base64.h"
#include "core/strings.h"

namespace hubspoke::policy {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<int> Digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  std::string_view d = s.substr(pos, n);
  if (!AllDigits(d)) return std::nullopt;
  int v = 0;
  for (char c : d) v = v * 10 + (c - '0');
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool ValidDay(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::optional<std::int64_t> ParseIsoDate(std::string_view s) {
  auto year = Digits(s, 0, 4);
  if (!year) return std::nullopt;
  int month = 1, day = 1;
  bool have_day = false;
  std::size_t pos = 4;
  if (pos < s.size()) {
    if (s[pos] != '-') return std::nullopt;
    auto mo = Digits(s, pos + 1, 2);
    if (!mo) return std::nullopt;
    month = *mo;
    pos += 3;
    if (pos < s.size() && s[pos] == '-') {
      auto d = Digits(s, pos + 1, 2);
      if (!d) return std::nullopt;
      day = *d;
      have_day = true;
      pos += 3;
    }
  }
  if (!ValidDay(*year, month, day)) return std::nullopt;
  std::int64_t seconds =
      DaysFromCivil(*year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400;
  std::int64_t millis = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' || !have_day) return std::nullopt;
    auto hh = Digits(s, pos + 1, 2);
    if (!hh || pos + 3 >= s.size() || s[pos + 3] != ':') return std::nullopt;
    auto mm = Digits(s, pos + 4, 2);
    if (!mm || *hh > 23 || *mm > 59) return std::nullopt;
    seconds += *hh * 3600 + *mm * 60;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      auto ss = Digits(s, pos + 1, 2);
      if (!ss || *ss > 60) return std::nullopt;
      seconds += *ss;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        std::size_t end = pos + 1;
        int scale = 100;
        while (end < s.size() && s[end] >= '0' && s[end] <= '9') {
          millis += (s[end] - '0') * scale;
          scale /= 10;
          ++end;
        }
        if (end == pos + 1) return std::nullopt;
        pos = end;
      }
    }
    if (pos < s.size()) {  // time zone designator
      if (s.substr(pos) == "Z") {
        pos += 1;
      } else if (s[pos] == '+' || s[pos] == '-') {
        auto oh = Digits(s, pos + 1, 2);
        if (!oh || pos + 3 >= s.size() || s[pos + 3] != ':') return std::nullopt;
        auto om = Digits(s, pos + 4, 2);
        if (!om || pos + 6 != s.size()) return std::nullopt;
        const int offset = *oh * 3600 + *om * 60;
        seconds -= s[pos] == '+' ? offset : -offset;  // local time − offset = UTC
        pos += 6;
      } else {
        return std::nullopt;
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  return seconds * 1000 + millis;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> ParseDateMillis(std::string_view text) {
  // Epoch seconds: all digits, optionally with a fraction. A 4-digit value is a year (ISO 8601
  // "YYYY"), as the W3C profile reads it.
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  if (AllDigits(whole) && whole.size() != 4) {
    std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if (dot != std::string_view::npos && !AllDigits(frac)) return std::nullopt;
    if (whole.size() > 15) return std::nullopt;
    std::int64_t seconds = 0;
    for (char c : whole) seconds = seconds * 10 + (c - '0');
    std::int64_t millis = 0;
    int scale = 100;
    for (char c : frac.substr(0, 3)) {
      millis += (c - '0') * scale;
      scale /= 10;
    }
    return seconds * 1000 + millis;
  }
  return ParseIsoDate(text);
}

std::optional<bool> ParseBool(std::string_view text) {
  if (EqualsIgnoreCase(text, "true")) return true;
  if (EqualsIgnoreCase(text, "false")) return false;
  return std::nullopt;
}

std::optional<IpRange> ParseIpRange(std::string_view text) {
  IpRange range;
  std::string_view address = text;
  std::optional<int> prefix;
  if (std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    if (!AllDigits(bits) || bits.size() > 3) return std::nullopt;
    int p = 0;
    for (char c : bits) p = p * 10 + (c - '0');
    prefix = p;
    address = text.substr(0, slash);
  }
  const std::string addr(address);
  range.v6 = addr.find(':') != std::string::npos;
  if (inet_pton(range.v6 ? AF_INET6 : AF_INET, addr.c_str(), range.bytes.data()) != 1) {
    return std::nullopt;
  }
  const int max_bits = range.v6 ? 128 : 32;
  range.prefix_bits = prefix.value_or(max_bits);
  if (range.prefix_bits > max_bits) return std::nullopt;
  return range;
}

bool IpInRange(const IpRange& range, const IpRange& ip) {
  if (range.v6 != ip.v6) return false;
  int bits = range.prefix_bits;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const int take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((range.bytes[i] & mask) != (ip.bytes[i] & mask)) return false;
  }
  return true;
}

Status CheckPolicyValue(ValueType type, std::string_view value) {
  auto bad = [&](const char* what) {
    return Error(ErrorCode::kInvalidArgument,
                 "value '" + Printable(value, 80) + "' is not " + what);
  };
  switch (type) {
    case ValueType::kString:
    case ValueType::kArn:
      return Ok();
    case ValueType::kNumeric:
      return ParseNumber(value) ? Ok() : Status(bad("a number"));
    case ValueType::kDate:
      return ParseDateMillis(value)
                 ? Ok()
                 : Status(bad("an ISO 8601 date (2024-01-31T12:00:00Z) or epoch seconds"));
    case ValueType::kBool:
    case ValueType::kNull:
      return ParseBool(value) ? Ok() : Status(bad("\"true\" or \"false\""));
    case ValueType::kBinary:
      return Base64Decode(value) ? Ok() : Status(bad("base-64"));
    case ValueType::kIp:
      return ParseIpRange(value) ? Ok() : Status(bad("an IPv4/IPv6 address or CIDR block"));
  }
  return Ok();
}

}  // namespace hubspoke::policy
