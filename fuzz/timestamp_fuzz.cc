// Timestamps from servers and caches: Expiration in STS XML, IMDS/container/credential_process
// JSON, the SSO token cache's expiresAt. A parsed time, formatted, parses to the same time.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/time.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = hubspoke::ParseTimestamp(text);
  if (!t) return 0;
  // Whole seconds survive formatting; sub-seconds are dropped by the format.
  auto whole = std::chrono::time_point_cast<std::chrono::seconds>(*t);
  if (whole > *t) whole -= std::chrono::seconds(1);  // floor, for times before the epoch
  std::string rfc = hubspoke::FormatRfc3339(*t);
  auto again = hubspoke::ParseTimestamp(rfc);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == whole);
  auto basic = hubspoke::ParseTimestamp(hubspoke::FormatAmzDate(*t));
  FUZZ_CHECK(basic.has_value() && *basic == whole);
  return 0;
}
