#include "creds/remote_credentials_json.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace hubspoke {
namespace {

constexpr char kSecret[] = "rcjSecret/wJalrXUtnFEMIK7MDENGbPxRfiCY";
constexpr char kToken[] = "rcjSessionToken//////////AQoDYXdzEJr";

void ExpectNoSecret(const std::string& text) {
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  EXPECT_EQ(text.find("rcj"), std::string::npos) << text;  // not even a fragment
}

constexpr RemoteCredentialsRequirements kStrict{.require_session_token = true,
                                                .require_expiration = true};

TEST(RemoteCredentialsJson, ParsesTheFourFieldsAndIgnoresTheRest) {
  const std::string body =
      std::string(R"({"Code":"Success","LastUpdated":"2026-01-02T02:00:00Z",)") +
      R"("Type":"AWS-HMAC","AccessKeyId":"ASIAREMOTEEXAMPLE001",)" + R"("SecretAccessKey":")" +
      kSecret + R"(","Token":")" + kToken +
      R"(","Expiration":"2026-01-02T08:00:00Z","RoleArn":"arn:x"})";
  Result<Credentials> c = ParseRemoteCredentialsJson("test", body, kStrict);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id, "ASIAREMOTEEXAMPLE001");
  EXPECT_EQ(c->secret_access_key.reveal(), kSecret);
  EXPECT_EQ(c->session_token.reveal(), kToken);
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*c->expiration), "2026-01-02T08:00:00Z");
}

TEST(RemoteCredentialsJson, TokenAndExpirationAreOptionalUnlessRequired) {
  const std::string body =
      std::string(R"({"AccessKeyId":"AKIALONGTERMEXAMPLE","SecretAccessKey":")") + kSecret +
      R"("})";
  Result<Credentials> c = ParseRemoteCredentialsJson("test", body, {});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->session_token.empty());
  EXPECT_FALSE(c->expiration.has_value());
  Result<Credentials> strict = ParseRemoteCredentialsJson("test", body, kStrict);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code(), ErrorCode::kParse);
  EXPECT_NE(strict.error().message().find("Token"), std::string::npos);
  ExpectNoSecret(strict.error().message());
}

TEST(RemoteCredentialsJson, BrokenDocumentsNameTheFieldNeverTheValue) {
  const std::string s = kSecret;
  const std::string t = kToken;
  struct Case {
    std::string body;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      // Truncated mid-secret: the parser's diagnostic would quote it.
      {R"({"AccessKeyId":"ASIAX","SecretAccessKey":")" + s, "not a JSON object"},
      {R"({"SecretAccessKey":")" + s + R"(","Token":")" + t + R"("})", "no AccessKeyId"},
      {R"({"AccessKeyId":"ASIAX","Token":")" + t + R"("})", "no SecretAccessKey"},
      {R"({"AccessKeyId":"ASIAX","SecretAccessKey":")" + s + R"(","Token":7})", "must be strings"},
      {R"({"AccessKeyId":"ASIAX","SecretAccessKey":")" + s + R"(","Token":")" + t +
           R"(","Expiration":"tomorrow"})",
       "Expiration"},
  };
  for (const Case& c : cases) {
    Result<Credentials> r = ParseRemoteCredentialsJson("src", c.body, {});
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code(), ErrorCode::kParse) << c.body;
    EXPECT_NE(r.error().message().find(c.expected), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().rfind("src: ", 0), 0u) << r.error().message();
    ExpectNoSecret(r.error().message());
  }
}

TEST(RemoteCredentialsJson, CodeOtherThanSuccessIsMisconfiguredWithTheMessage) {
  const std::string body =
      R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role web.",)"
      R"("LastUpdated":"2026-01-02T02:00:00Z","SecretAccessKey":")" +
      std::string(kSecret) + "\"}";
  Result<Credentials> r = ParseRemoteCredentialsJson("imds", body, kStrict);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kMisconfigured);
  EXPECT_EQ(r.error().message(),
            "imds: the service answered Code AssumeRoleUnauthorizedAccess: EC2 cannot assume the "
            "role web.");
  ExpectNoSecret(r.error().message());
}

TEST(RemoteCredentialsJson, ErrorDocumentsInEitherCase) {
  auto upper = ParseRemoteErrorJson(R"({"Code":"AccessDenied","Message":"no\nway"})");
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(upper->code, "AccessDenied");
  EXPECT_EQ(upper->message, "no?way");  // control characters neutralised
  auto lower = ParseRemoteErrorJson(R"({"code":"InvalidToken","message":"bad token"})");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower->code, "InvalidToken");
  EXPECT_FALSE(ParseRemoteErrorJson("<html>oops</html>").has_value());
  EXPECT_FALSE(ParseRemoteErrorJson(R"({"other":1})").has_value());
  EXPECT_EQ(DescribeRemoteFailure(403, R"({"code":"AccessDenied","message":"nope"})"),
            "HTTP 403: AccessDenied: nope");
  const std::string leaky = std::string("SecretAccessKey=") + kSecret;
  EXPECT_EQ(DescribeRemoteFailure(500, leaky),
            "HTTP 500 (" + std::to_string(leaky.size()) + "-byte body not shown)");
  EXPECT_EQ(DescribeRemoteFailure(502, ""), "HTTP 502");
}

}  // namespace
}  // namespace hubspoke
