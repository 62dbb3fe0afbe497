#include <gtest/gtest.h>

#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

TEST(MaskProfileSecrets, SecretLookingKeys) {
  for (const char* key : {"aws_secret_access_key", "aws_session_token", "aws_security_token",
                          "external_id", "my_api_token", "Client_Secret", "db_password",
                          "web_identity_token_file"}) {
    EXPECT_TRUE(IsSecretProfileKey(key)) << key;
  }
  for (const char* key : {"aws_access_key_id", "role_arn", "source_profile", "region",
                          "external", "mfa_serial", "sso_start_url"}) {
    EXPECT_FALSE(IsSecretProfileKey(key)) << key;
  }
}

TEST(MaskProfileSecrets, EverySectionAndSubProperty) {
  auto set = ParseProfileFile(
      "[profile p]\nexternal_id = ext\nrole_arn = arn:aws:iam::123456789012:role/r\n"
      "tool =\n  api_token = t\n  endpoint = https://x\n"
      "vault_secret =\n  a = 1\n"
      "[sso-session s]\nsso_start_url = https://example.awsapps.com/start\nrefresh_token = rt\n"
      "[services svc]\nsts =\n  endpoint_url = http://127.0.0.1\n  secret = s\n",
      ProfileFileKind::kConfig, "config");
  ASSERT_TRUE(set) << set.error().message();
  MaskProfileSecrets(*set);
  const ProfileSection& p = set->profiles.at("p");
  EXPECT_EQ(*p.Get("external_id"), "****");
  EXPECT_EQ(*p.Get("role_arn"), "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(*p.GetSub("tool", "api_token"), "****");
  EXPECT_EQ(*p.GetSub("tool", "endpoint"), "https://x");
  EXPECT_EQ(*p.GetSub("vault_secret", "a"), "****");
  EXPECT_EQ(*set->sso_sessions.at("s").Get("refresh_token"), "****");
  EXPECT_EQ(*set->sso_sessions.at("s").Get("sso_start_url"), "https://example.awsapps.com/start");
  EXPECT_EQ(*set->services.at("svc").GetSub("sts", "secret"), "****");
  EXPECT_EQ(*set->services.at("svc").GetSub("sts", "endpoint_url"), "http://127.0.0.1");
}

}  // namespace
}  // namespace hubspoke
