#include <gtest/gtest.h>

#include <sstream>

#include "hubspoke/provider.h"

namespace hubspoke {
namespace {

Result<Credentials> FromEnv(std::vector<std::pair<std::string, std::string>> vars) {
  auto env = MakeMapEnvironment(std::move(vars));
  return MakeEnvironmentCredentialsProvider(*env)->GetCredentials();
}

TEST(EnvironmentProvider, LongTermAndTemporaryKeys) {
  auto c = FromEnv({{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
                    {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}});
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->session_token.empty());
  EXPECT_FALSE(c->expiration.has_value());
  auto t = FromEnv({{"AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE"},
                    {"AWS_SECRET_ACCESS_KEY", "secret"},
                    {"AWS_SECURITY_TOKEN", "legacy-token"},
                    {"AWS_CREDENTIAL_EXPIRATION", "2026-11-22T05:00:00Z"}});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->session_token.reveal(), "legacy-token");
  EXPECT_TRUE(t->expiration.has_value());
}

TEST(EnvironmentProvider, AbsentIsNotConfiguredAndHalfSetIsBroken) {
  EXPECT_EQ(FromEnv({}).error().code(), ErrorCode::kNotConfigured);
  auto half = FromEnv({{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"}});
  EXPECT_EQ(half.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(half.error().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  auto other_half = FromEnv({{"AWS_SECRET_ACCESS_KEY", "the-secret"}});
  EXPECT_EQ(other_half.error().code(), ErrorCode::kMisconfigured);
  EXPECT_EQ(other_half.error().message().find("the-secret"), std::string::npos);
  auto bad_key = FromEnv({{"AWS_ACCESS_KEY_ID", "not a key"}, {"AWS_SECRET_ACCESS_KEY", "s3cr3t"}});
  EXPECT_EQ(bad_key.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad_key.error().message().find("s3cr3t"), std::string::npos);
  auto bad_time = FromEnv({{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
                           {"AWS_SECRET_ACCESS_KEY", "s"},
                           {"AWS_CREDENTIAL_EXPIRATION", "soon"}});
  EXPECT_NE(bad_time.error().message().find("AWS_CREDENTIAL_EXPIRATION"), std::string::npos);
}

TEST(MaskAccessKeyId, ShowsOnlyTheEnds) {
  EXPECT_EQ(MaskAccessKeyId("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
  EXPECT_EQ(MaskAccessKeyId("AKIA"), "AKIA…");
}

TEST(SecretString, NeverPrintsItself) {
  SecretString s("hunter2");
  std::ostringstream out;
  out << s;
  EXPECT_EQ(out.str(), "<redacted>");
  EXPECT_EQ(s.reveal(), "hunter2");
  SecretString moved = std::move(s);
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped
  EXPECT_EQ(moved.reveal(), "hunter2");
}

}  // namespace
}  // namespace hubspoke
