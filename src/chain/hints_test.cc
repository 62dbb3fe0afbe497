#include "chain/hints.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace hubspoke {
namespace {

Error Aws(const std::string& code, const std::string& message) {
  return Error(ErrorCode::kRemote, code + ": " + message)
      .WithAws(AwsErrorDetails{.code = code, .message = message, .request_id = "r", .http_status = 400});
}

// The library speaks of its inputs, never of the CLI's flags: the CLI adds those
// (cli/chain_options.cc, ReportChainError).
TEST(Hints, NameNoFlag) {
  const Error errors[] = {
      Aws("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit"),
      Aws("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration"),
      Aws("RegionDisabledException", "STS is not activated"),
      Aws("MalformedPolicyDocument", "bad"),
      Aws("PackedPolicyTooLarge", "too large"),
      Aws("AccessDenied", "no"),
      Aws("ExpiredToken", "expired"),
      Aws("SignatureDoesNotMatch", "sig"),
      Error(ErrorCode::kThrottled, "Throttling"),
      Error(ErrorCode::kNetwork, "connection refused"),
      Error(ErrorCode::kTimeout, "timed out"),
      Error(ErrorCode::kNotConfigured, "nothing"),
  };
  int hints = 0;
  for (Hop hop : {Hop::kBase, Hop::kHub, Hop::kSpoke}) {
    for (const Error& e : errors) {
      const std::string hint = HintFor(hop, e, "eu-west-1");
      EXPECT_FALSE(std::regex_search(hint, std::regex("--[a-z]"))) << HopName(hop) << ": " << hint;
      hints += hint.empty() ? 0 : 1;
    }
  }
  EXPECT_GE(hints, 20);  // the table above does reach the hints
}

}  // namespace
}  // namespace hubspoke
