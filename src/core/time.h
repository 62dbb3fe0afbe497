// Timestamps as AWS writes them. Pure: no clock access.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"

namespace hubspoke {

// 2015-08-30T12:36:00Z (RFC 3339 / ISO 8601 extended, UTC, whole seconds).
std::string FormatRfc3339(TimePoint t);
// 20150830T123600Z (the SigV4 X-Amz-Date form).
std::string FormatAmzDate(TimePoint t);
// 20150830 (the SigV4 credential-scope date).
std::string FormatAmzDay(TimePoint t);
// Whole seconds since 1970-01-01T00:00:00Z (rounded toward zero).
std::int64_t UnixSeconds(TimePoint t);
// Accepts RFC 3339 with 'Z' or a numeric offset, optional fractional seconds
// ("2019-07-15T23:28:33.359Z"), and the basic form 20150830T123600Z. Times past what TimePoint
// holds (after 2262-04-11T23:47:16Z, before 1677-09-21) are clamped to its latest (earliest)
// whole second.
Result<TimePoint> ParseTimestamp(std::string_view text);

}  // namespace hubspoke
