#include "hubspoke/format.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/time.h"

namespace hubspoke {
namespace {

SpokeCredentials Sample() {
  SpokeCredentials s;
  s.credentials.access_key_id = "ASIAIOSFODNN7EXAMPLE";
  s.credentials.secret_access_key = SecretString("se'cret/+=");
  s.credentials.session_token = SecretString("tok\"en");
  s.credentials.expiration = *ParseTimestamp("2026-11-22T05:00:00Z");
  s.assumed_role_arn = "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/x";
  s.region = "eu-west-1";
  return s;
}

TEST(FormatCredentials, CredentialProcessIsVersion1Json) {
  auto j = nlohmann::json::parse(FormatCredentials(Sample(), CredentialsFormat::kCredentialProcess));
  EXPECT_EQ(j["Version"], 1);
  EXPECT_EQ(j["AccessKeyId"], "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(j["SecretAccessKey"], "se'cret/+=");
  EXPECT_EQ(j["SessionToken"], "tok\"en");
  EXPECT_EQ(j["Expiration"], "2026-11-22T05:00:00Z");
}

TEST(FormatCredentials, JsonEnvAndExport) {
  auto j = nlohmann::json::parse(FormatCredentials(Sample(), CredentialsFormat::kJson));
  EXPECT_EQ(j["AssumedRoleUser"]["Arn"], Sample().assumed_role_arn);
  EXPECT_EQ(j["Region"], "eu-west-1");
  std::string env = FormatCredentials(Sample(), CredentialsFormat::kEnv);
  EXPECT_NE(env.find("AWS_SESSION_EXPIRATION=2026-11-22T05:00:00Z\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_REGION=eu-west-1\n"), std::string::npos);
  std::string exp = FormatCredentials(Sample(), CredentialsFormat::kExport);
  EXPECT_NE(exp.find("export AWS_SECRET_ACCESS_KEY='se'\\''cret/+='\n"), std::string::npos);
}

TEST(FormatCredentials, ParsesFormatNames) {
  EXPECT_EQ(*ParseCredentialsFormat("--format", "credential-process"),
            CredentialsFormat::kCredentialProcess);
  auto bad = ParseCredentialsFormat("--format", "yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("env, export, json, credential-process"), std::string::npos);
}

TEST(SessionNames, SeedRulesAndSanitizing) {
  EXPECT_EQ(HubSessionName("me@example.com"), "me@example.com");
  EXPECT_EQ(SpokeSessionName("888888888888", "me@example.com"), "888888888888-me@example.com");
  EXPECT_EQ(HubSessionName("a b/c"), "a-b-c");
  EXPECT_EQ(HubSessionName("x"), "x-");
  EXPECT_EQ(SpokeSessionName("888888888888", std::string(80, 'y')).size(), 64u);
  auto env = MakeMapEnvironment({{"USER", "alice smith"}});
  std::string def = DefaultSessionString(*env, *ParseTimestamp("2026-11-22T03:04:05Z"));
  EXPECT_EQ(def, "alice smith-20261122T030405Z");
  EXPECT_EQ(HubSessionName(def), "alice-smith-20261122T030405Z");
}

}  // namespace
}  // namespace hubspoke
