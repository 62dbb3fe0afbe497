#include "profile/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

constexpr char kPath[] = "/home/u/.aws/config";

Error ConfigError(std::string_view text) {
  auto set = ParseProfileFile(text, ProfileFileKind::kConfig, kPath);
  EXPECT_FALSE(set.has_value()) << "parsed: " << text;
  return set ? Error(ErrorCode::kInternal, "parsed") : set.error();
}

ProfileSet Config(std::string_view text) {
  auto set = ParseProfileFile(text, ProfileFileKind::kConfig, kPath);
  EXPECT_TRUE(set.has_value()) << set.error().message();
  return set ? *set : ProfileSet{};
}

TEST(ProfileParser, ErrorsNameFileAndLineOnOneLine) {
  Error e = ConfigError("# settings\n\nregion = us-east-1\n");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.message(),
            "/home/u/.aws/config:3: expected a section header ('[default]' or '[profile NAME]') "
            "before property 'region'");
  EXPECT_EQ(ConfigError("[profile a]\nx = 1\n[profile b\n").message(),
            "/home/u/.aws/config:3: section header '[profile b' must end with ']'");
  EXPECT_EQ(ConfigError("[default]\nregion: us-east-1").message(),
            "/home/u/.aws/config:2: expected '=' in a property line ('name = value')");
  EXPECT_EQ(ConfigError("[default]\n = 1\n").message(),
            "/home/u/.aws/config:2: expected a property ('name = value') before this "
            "continuation line");
  EXPECT_EQ(ConfigError("[default]\n\n  = 1\n").message(),
            "/home/u/.aws/config:3: expected a property ('name = value') before this "
            "continuation line");
  EXPECT_EQ(ConfigError("[services x]\nsts =\n  endpoint_url\n").message(),
            "/home/u/.aws/config:3: expected '=' in a sub-property line under 'sts' "
            "('name = value')");
  EXPECT_EQ(ConfigError("[services x]\nsts =\n  = v\n").message(),
            "/home/u/.aws/config:3: missing name before '=' in a sub-property line under 'sts'");
  EXPECT_EQ(ConfigError("[default]\n= v\n").message(),
            "/home/u/.aws/config:2: missing name before '=' in a property line");
  EXPECT_EQ(ConfigError("[ ]\n").message(),
            "/home/u/.aws/config:1: section header '[]' has no name");
  auto credentials = ParseProfileFile("x = 1", ProfileFileKind::kCredentials, "creds");
  ASSERT_FALSE(credentials.has_value());
  EXPECT_EQ(credentials.error().message(),
            "creds:1: expected a section header ('[NAME]') before property 'x'");
}

TEST(ProfileParser, LineNumbersCountEveryLineEnding) {
  EXPECT_EQ(ConfigError("[default]\r\n\r\n# c\r\nbad\r\n").message().substr(0, 22),
            "/home/u/.aws/config:4:");
  EXPECT_EQ(ConfigError("[default]\r\rbad").message().substr(0, 22), "/home/u/.aws/config:3:");
  EXPECT_EQ(Config("[default]\ra = 1\r\nb = 2\n").FindProfile("default")->Get("b"), "2");
}

// Security: a credentials file holds secrets; a malformed line must not end up in a log.
TEST(ProfileParser, ErrorsNeverQuoteValuesOrWholeLines) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/abcdefghijklmnopqrstuvwxyz0123456789==";
  for (const std::string& text : {
           "aws_secret_access_key = " + secret + "\n",  // before any section
           "[default]\naws_secret_access_key : " + secret + "\n",
           "[default]\n" + secret + "\n",
           "[default]\n  " + secret + "\n",
           token + "\n[default]\n",  // a pasted token ends with '=', like a property
           "[default]\ns3 =\n  " + secret + "\n",
           "  " + secret + "\n",
       }) {
    auto set = ParseProfileFile(text, ProfileFileKind::kCredentials, "creds");
    ASSERT_FALSE(set.has_value()) << text;
    EXPECT_EQ(set.error().message().find("EXAMPLE"), std::string::npos) << set.error().message();
  }
}

TEST(ProfileParser, ByteOrderMarkIsIgnored) {
  ProfileSet set = Config("\xEF\xBB\xBF[default]\nregion = eu-west-1\n");
  ASSERT_NE(set.FindProfile("default"), nullptr);
  EXPECT_EQ(set.FindProfile("default")->Get("region"), "eu-west-1");
}

TEST(ProfileParser, HeaderMayOnlyBeFollowedByAComment) {
  EXPECT_NE(ConfigError("[profile a] trailing\n").message().find("must end with ']'"),
            std::string::npos);
  ProfileSet set = Config("[profile a]  # note\n[profile b];note\n");
  EXPECT_NE(set.FindProfile("a"), nullptr);
  EXPECT_NE(set.FindProfile("b"), nullptr);
}

TEST(ProfileParser, CommentsInValues) {
  ProfileSet set = Config(
      "[default]\n"
      "a = x ; note\n"
      "b = x;y\n"
      "c = # only a comment\n"
      "d =# not a comment\n"
      "e = x\t#tab before\n");
  const ProfileSection* d = set.FindProfile("default");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->Get("a"), "x");
  EXPECT_EQ(d->Get("b"), "x;y");
  EXPECT_EQ(d->Get("c"), "");
  EXPECT_EQ(d->Get("d"), "# not a comment");
  EXPECT_EQ(d->Get("e"), "x");
}

// smithy-python's own regression tests: continuation lines of an ignored property are dropped,
// not appended to the property before it.
TEST(ProfileParser, InvalidPropertyTakesItsContinuationsWithIt) {
  ProfileSet set = Config(
      "[profile p]\n"
      "invalid key = ignored\n"
      "  continuation\n"
      "region = us-east-1\n"
      "invalid key = ignored\n"
      "  continuation\n"
      "invalid key = ignored\n"
      "  continuation\n"
      "output = json\n");
  const ProfileSection* p = set.FindProfile("p");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Get("region"), "us-east-1");
  EXPECT_EQ(p->Get("output"), "json");
  EXPECT_EQ(p->properties.size(), 2u);
}

// Names are checked after parsing (as in smithy-python and smithy-rs), so a syntax error in a
// section that will be ignored is still an error.
TEST(ProfileParser, SyntaxErrorsInIgnoredSectionsStillCount) {
  EXPECT_EQ(ConfigError("[profile in valid]\nregion\n").message().substr(0, 22),
            "/home/u/.aws/config:2:");
  EXPECT_EQ(ConfigError("[no-prefix]\n  continued\n").message().substr(0, 22),
            "/home/u/.aws/config:2:");
}

TEST(ProfileParser, SectionKindsInTheConfigFile) {
  ProfileSet set = Config(
      "[default]\nregion = us-east-1\n"
      "[profile Dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = default\n"
      "[sso-session corp]\nsso_region = eu-west-1\n"
      "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n"
      "[profile]\na = 1\n[services]\na = 1\n[Profile x]\na = 1\n[profiles x]\na = 1\n");
  EXPECT_EQ(set.profiles.size(), 2u);
  ASSERT_NE(set.FindProfile("Dev"), nullptr);
  EXPECT_EQ(set.FindProfile("dev"), nullptr);  // section names keep their case
  EXPECT_EQ(set.FindProfile("Dev")->name, "Dev");
  EXPECT_EQ(set.FindProfile("Dev")->Get("SOURCE_PROFILE"), "default");
  ASSERT_NE(set.FindSsoSession("corp"), nullptr);
  EXPECT_EQ(set.FindSsoSession("corp")->Get("sso_region"), "eu-west-1");
  ASSERT_NE(set.FindServices("local"), nullptr);
  EXPECT_EQ(set.FindServices("local")->GetSub("sts", "endpoint_url"), "http://127.0.0.1:4566");
  EXPECT_EQ(set.FindServices("local")->GetSub("STS", "Endpoint_URL"), "http://127.0.0.1:4566");
  EXPECT_EQ(set.config_path, kPath);
  EXPECT_EQ(set.credentials_path, "");
}

TEST(ProfileParser, CredentialsFileHasOnlyPlainNames) {
  auto set = ParseProfileFile(
      "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
      "[profile foo]\na = 1\n[sso-session s]\na = 1\n[services x]\na = 1\n[hub]\na = 2\n",
      ProfileFileKind::kCredentials, "/c");
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->profiles.size(), 2u);
  EXPECT_NE(set->FindProfile("default"), nullptr);
  EXPECT_EQ(set->FindProfile("hub")->Get("a"), "2");
  EXPECT_TRUE(set->sso_sessions.empty());
  EXPECT_TRUE(set->services.empty());
  EXPECT_EQ(set->credentials_path, "/c");
}

TEST(ProfileParser, GetDistinguishesValuesFromSubProperties) {
  ProfileSet set =
      Config("[default]\nempty =\ns3 =\n  max_concurrent_requests = 20\nmulti = a\n  b\n");
  const ProfileSection* d = set.FindProfile("default");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->Get("empty"), "");
  EXPECT_EQ(d->GetSub("empty", "x"), std::nullopt);
  EXPECT_EQ(d->Get("s3"), std::nullopt);
  EXPECT_EQ(d->GetSub("s3", "max_concurrent_requests"), "20");
  EXPECT_EQ(d->GetSub("s3", "missing"), std::nullopt);
  EXPECT_EQ(d->Get("multi"), "a\nb");
  EXPECT_EQ(d->Get("absent"), std::nullopt);
  EXPECT_EQ(set.FindProfile("absent"), nullptr);
  EXPECT_EQ(set.FindSsoSession("default"), nullptr);
}

TEST(ProfileParser, RedefiningAPropertyReplacesItsSubProperties) {
  ProfileSet set = Config("[default]\ns3 =\n  a = 1\n[default]\ns3 = plain\n");
  EXPECT_EQ(set.FindProfile("default")->Get("s3"), "plain");
  EXPECT_EQ(set.FindProfile("default")->GetSub("s3", "a"), std::nullopt);
}

TEST(ProfileParser, ValidIdentifiers) {
  EXPECT_TRUE(IsValidProfileIdentifier("A-z_0.9/%@:+"));
  EXPECT_FALSE(IsValidProfileIdentifier(""));
  EXPECT_FALSE(IsValidProfileIdentifier("a b"));
  EXPECT_FALSE(IsValidProfileIdentifier("a]"));
  EXPECT_FALSE(IsValidProfileIdentifier("caf\xC3\xA9"));
}

}  // namespace
}  // namespace hubspoke
