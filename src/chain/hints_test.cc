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

// AccessDenied for sts:TagSession or sts:SetSourceIdentity is not the generic trust hint: the
// trust policy must allow that action too.
TEST(Hints, AccessDeniedNamesTheExtraAction) {
  const std::string user = "User: arn:aws:sts::999999999999:assumed-role/hub/me is not authorized "
                           "to perform: ";
  const std::string on = " on resource: arn:aws:iam::888888888888:role/spoke";
  const std::string tag = HintFor(Hop::kSpoke, Aws("AccessDenied", user + "sts:TagSession" + on),
                                  "us-east-1");
  EXPECT_NE(tag.find("spoke role's trust policy must also allow sts:TagSession for the hub role"),
            std::string::npos)
      << tag;
  const std::string set = HintFor(
      Hop::kHub, Aws("AccessDenied", user + "sts:SetSourceIdentity" + on), "us-east-1");
  EXPECT_NE(set.find("hub role's trust policy must also allow sts:SetSourceIdentity for the "
                     "base identity"),
            std::string::npos)
      << set;
  const std::string plain = HintFor(
      Hop::kSpoke, Aws("AccessDenied", user + "sts:AssumeRole" + on), "us-east-1");
  EXPECT_EQ(plain.find("TagSession"), std::string::npos) << plain;
  EXPECT_NE(plain.find("must name the hub role"), std::string::npos) << plain;
  const std::string changed = HintFor(
      Hop::kSpoke,
      Aws("AccessDenied", "The source identity of a role session cannot be changed by role "
                          "chaining."),
      "us-east-1");
  EXPECT_NE(changed.find("already carries a source identity"), std::string::npos) << changed;
}

}  // namespace
}  // namespace hubspoke
