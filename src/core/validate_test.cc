#include "core/validate.h"

#include <gtest/gtest.h>

#include <functional>

#include "hubspoke/arn.h"

namespace hubspoke {
namespace {

struct Case {
  const char* name;
  std::function<Status()> check;
  bool ok;
  const char* message_part;  // must appear in the error
};
// For gtest's listing and failure messages (instead of the object's bytes, padding included).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ValidateTable : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateTable, Decides) {
  const Case& c = GetParam();
  Status s = c.check();
  EXPECT_EQ(s.has_value(), c.ok) << c.name;
  if (!s.has_value()) {
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message().find(c.message_part), std::string::npos)
        << s.error().message();
    EXPECT_EQ(s.error().message().find('\n'), std::string::npos) << "one line";
  }
}

const std::string kLong65(65, 'a');
const std::string kLong129(129, 'k');

INSTANTIATE_TEST_SUITE_P(
    All, ValidateTable,
    ::testing::Values(
        Case{"account ok", [] { return ValidateAccountId("--hub-account", "999999999999"); }, true, ""},
        Case{"account short", [] { return ValidateAccountId("--hub-account", "99999"); }, false,
             "--hub-account: invalid value '99999': an AWS account id is exactly 12 digits"},
        Case{"account letters", [] { return ValidateAccountId("X", "99999999999a"); }, false, "12 digits"},
        Case{"account 13", [] { return ValidateAccountId("X", "9999999999999"); }, false, "12 digits"},
        Case{"role ok", [] { return ValidateRoleName("--hub-role", "automation-hub-role"); }, true, ""},
        Case{"role chars", [] { return ValidateRoleName("--hub-role", "hub role"); }, false,
             "--hub-role: invalid value 'hub role'"},
        Case{"role long", [] { return ValidateRoleName("R", kLong65); }, false, "1–64"},
        Case{"role empty", [] { return ValidateRoleName("R", ""); }, false, "1–64"},
        Case{"session ok", [] { return ValidateSessionName("S", "me@example.com"); }, true, ""},
        Case{"session short", [] { return ValidateSessionName("S", "x"); }, false, "2–64"},
        Case{"session slash", [] { return ValidateSessionName("S", "a/b"); }, false, "2–64"},
        Case{"external ok", [] { return ValidateExternalId("E", "this-is-my-automation"); }, true, ""},
        Case{"external short", [] { return ValidateExternalId("E", "x"); }, false, "2–1224"},
        Case{"external space", [] { return ValidateExternalId("ASSUME_ROLE_EXTERNAL_ID", "my secret"); },
             false, "ASSUME_ROLE_EXTERNAL_ID: invalid value: an external id"},
        Case{"source identity aws:", [] { return ValidateSourceIdentity("I", "aws:me"); }, false, "aws:"},
        Case{"tag key ok", [] { return ValidateTagKey("--tag", "team:owner"); }, true, ""},
        Case{"tag key aws:", [] { return ValidateTagKey("--tag", "aws:foo"); }, false, "reserved"},
        Case{"tag key long", [] { return ValidateTagKey("--tag", kLong129); }, false, "1–128"},
        Case{"tag key bad", [] { return ValidateTagKey("--tag", "a*b"); }, false, "1–128"},
        Case{"tag value bad", [] { return ValidateTagValue("--tag", "k", "v;rm"); }, false, "0–256"},
        Case{"tag value empty", [] { return ValidateTagValue("--tag", "k", ""); }, true, ""},
        Case{"region ok", [] { return ValidateRegion("--region", "eu-west-1"); }, true, ""},
        Case{"region upper", [] { return ValidateRegion("--region", "EU-WEST-1"); }, false, "lower-case"},
        Case{"url ok", [] { return ValidateEndpointUrl("--endpoint-url", "http://127.0.0.1:5000"); }, true, ""},
        Case{"url scheme", [] { return ValidateEndpointUrl("--endpoint-url", "ftp://x"); }, false, "http"},
        Case{"url query", [] { return ValidateEndpointUrl("U", "https://sts.amazonaws.com/?a=b"); }, false, "query"},
        Case{"url garbage", [] { return ValidateEndpointUrl("U", "not a url"); }, false, "URL"},
        Case{"policy arn ok", [] { return ValidatePolicyArn("P", "arn:aws:iam::aws:policy/ReadOnlyAccess"); }, true, ""},
        Case{"policy arn bad", [] { return ValidatePolicyArn("P", "ReadOnlyAccess"); }, false, "managed policy ARN"},
        Case{"chained 1h ok", [] { return ValidateDuration("--duration", std::chrono::seconds(3600), true); }, true, ""},
        Case{"chained 2h", [] { return ValidateDuration("--duration", std::chrono::seconds(7200), true); }, false,
             "1 hour"},
        Case{"too short", [] { return ValidateDuration("--duration", std::chrono::seconds(60), true); }, false, "900"},
        Case{"first hop 12h", [] { return ValidateDuration("D", std::chrono::seconds(43200), false); }, true, ""}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      std::string n = param_info.param.name;
      for (char& c : n)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

TEST(ParseDuration, Forms) {
  EXPECT_EQ(*ParseDuration("D", "3600"), std::chrono::seconds(3600));
  EXPECT_EQ(*ParseDuration("D", "15m"), std::chrono::seconds(900));
  EXPECT_EQ(*ParseDuration("D", "1h"), std::chrono::seconds(3600));
  EXPECT_EQ(*ParseDuration("D", "1h30m"), std::chrono::seconds(5400));
  EXPECT_EQ(*ParseDuration("D", "900s"), std::chrono::seconds(900));
  EXPECT_FALSE(ParseDuration("D", "").has_value());
  EXPECT_FALSE(ParseDuration("D", "1d").has_value());
  EXPECT_FALSE(ParseDuration("D", "-5").has_value());
  EXPECT_FALSE(ParseDuration("D", "1h30").has_value());
  EXPECT_FALSE(ParseDuration("D", "99999999999").has_value());
}

TEST(ResolveRole, Forms) {
  auto name = ResolveRole("--hub-role", "automation-hub-role", "--hub-account", "999999999999", "aws");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->ToString(), "arn:aws:iam::999999999999:role/automation-hub-role");
  auto path = ResolveRole("--hub-role", "team/ops/hub", "--hub-account", "999999999999", "aws-cn");
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->ToString(), "arn:aws-cn:iam::999999999999:role/team/ops/hub");
  auto arn = ResolveRole("--spoke-role", "arn:aws:iam::888888888888:role/x/spoke", "--spoke-account", "", "aws");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->account_id, "888888888888");
  EXPECT_EQ(arn->path, "/x/");
  EXPECT_EQ(arn->name, "spoke");
}

// Found by fuzz/arn_fuzz.cc: IAM allows ':' in a role path, and such a role's ARN was refused
// because every colon was taken as a field separator.
TEST(ResolveRole, APathWithColonsRoundTrips) {
  auto name = ResolveRole("--hub-role", "team:a/hub", "--hub-account", "999999999999", "aws");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->ToString(), "arn:aws:iam::999999999999:role/team:a/hub");
  auto arn = ResolveRole("--hub-role", name->ToString(), "--hub-account", "", "aws");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->path, "/team:a/");
  EXPECT_EQ(arn->name, "hub");
  EXPECT_FALSE(ResolveRole("R", "arn:aws:iam::888888888888:role/x:", "A", "", "aws").has_value());
  EXPECT_FALSE(ResolveRole("R", "arn:aws:iam:x:888888888888:role/x", "A", "", "aws").has_value());
}

TEST(ResolveRole, Errors) {
  auto mismatch = ResolveRole("--spoke-role", "arn:aws:iam::888888888888:role/spoke", "--spoke-account",
                              "777777777777", "aws");
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message().find("agree"), std::string::npos);
  auto partition = ResolveRole("--hub-role", "arn:aws-cn:iam::888888888888:role/hub", "--hub-account", "",
                               "aws");
  ASSERT_FALSE(partition.has_value());
  EXPECT_NE(partition.error().message().find("across partitions"), std::string::npos);
  auto no_account = ResolveRole("--hub-role", "hub", "--hub-account", "", "aws");
  ASSERT_FALSE(no_account.has_value());
  EXPECT_NE(no_account.error().message().find("--hub-account is required"), std::string::npos);
  EXPECT_FALSE(ResolveRole("R", "arn:aws:iam::888888888888:user/bob", "A", "", "aws").has_value());
  EXPECT_FALSE(ResolveRole("R", "arn:aws:iam::88888:role/x", "A", "", "aws").has_value());
  EXPECT_FALSE(ResolveRole("R", "a//b", "A", "888888888888", "aws").has_value());
}

}  // namespace
}  // namespace hubspoke
