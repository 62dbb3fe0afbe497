#include "core/time.h"

#include <cstdio>
#include <ctime>

namespace hubspoke {
namespace {

std::tm ToUtc(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

enum class Style { kRfc3339, kAmzDate, kAmzDay };

std::string Format(TimePoint t, Style style) {
  std::tm tm = ToUtc(t);
  char buf[40];
  int n = 0;
  switch (style) {
    case Style::kRfc3339:
      n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      break;
    case Style::kAmzDate:
      n = std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      break;
    case Style::kAmzDay:
      n = std::snprintf(buf, sizeof buf, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday);
      break;
  }
  return std::string(buf, static_cast<std::size_t>(n > 0 ? n : 0));
}

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string FormatRfc3339(TimePoint t) { return Format(t, Style::kRfc3339); }
std::string FormatAmzDate(TimePoint t) { return Format(t, Style::kAmzDate); }
std::string FormatAmzDay(TimePoint t) { return Format(t, Style::kAmzDay); }

std::int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Result<TimePoint> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return Error(ErrorCode::kParse, "invalid timestamp '" + std::string(s.substr(0, 64)) +
                                        "' (expected RFC 3339, e.g. 2026-01-02T03:04:05Z)");
  };
  int y, mo, d, h, mi, se;
  std::size_t pos;
  if (s.size() >= 16 && s[8] == 'T' && s[4] != '-') {  // basic: 20150830T123600Z
    if (!Digits(s, 0, 4, y) || !Digits(s, 4, 2, mo) || !Digits(s, 6, 2, d) ||
        !Digits(s, 9, 2, h) || !Digits(s, 11, 2, mi) || !Digits(s, 13, 2, se))
      return bad();
    pos = 15;
  } else {
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
      return bad();
    if (!Digits(s, 0, 4, y) || !Digits(s, 5, 2, mo) || !Digits(s, 8, 2, d) ||
        !Digits(s, 11, 2, h) || !Digits(s, 14, 2, mi) || !Digits(s, 17, 2, se))
      return bad();
    pos = 19;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      std::size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return bad();
    }
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om))
      return bad();
    offset_minutes = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return bad();
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad();
  sys_seconds tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} - minutes{offset_minutes};
  // TimePoint counts nanoseconds in 64 bits: years 1678 to 2261 only. A later time (an
  // Expiration of 9999-12-31T23:59:59Z meaning "never") becomes the latest one it can hold,
  // rather than overflowing into the past (found by fuzz/timestamp_fuzz.cc).
  const sys_seconds latest = floor<seconds>(TimePoint::max());
  const sys_seconds earliest = ceil<seconds>(TimePoint::min());
  if (tp > latest) return TimePoint(latest);
  if (tp < earliest) return TimePoint(earliest);
  return TimePoint(tp);
}

}  // namespace hubspoke
