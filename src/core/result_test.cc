#include "hubspoke/result.h"

#include <gtest/gtest.h>

namespace hubspoke {
namespace {

// An error says "HTTP" once: with a code, the status is in the parentheses; without one, the
// status is the summary (was "HTTP 503 (HTTP 503, request id none)").
TEST(AwsErrorDetails, SummaryNamesTheStatusOnce) {
  EXPECT_EQ((AwsErrorDetails{.code = "AccessDenied", .message = "not authorized",
                             .request_id = "req-1", .http_status = 403})
                .Summary(),
            "AccessDenied (HTTP 403, request id req-1): not authorized");
  EXPECT_EQ((AwsErrorDetails{.http_status = 503}).Summary(), "HTTP 503 (no request id)");
  EXPECT_EQ((AwsErrorDetails{.request_id = "r", .http_status = 502}).Summary(),
            "HTTP 502 (request id r)");
  EXPECT_EQ((AwsErrorDetails{.code = "Throttling", .http_status = 400}).Summary(),
            "Throttling (HTTP 400, no request id)");
}

}  // namespace
}  // namespace hubspoke
