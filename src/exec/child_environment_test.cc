#include <gtest/gtest.h>

#include "core/time.h"
#include "hubspoke/exec.h"

namespace hubspoke {
namespace {

const std::string* Get(const EnvVars& env, const std::string& name) {
  const std::string* found = nullptr;
  int count = 0;
  for (const auto& [k, v] : env)
    if (k == name) {
      found = &v;
      ++count;
    }
  EXPECT_LE(count, 1) << name << " appears twice";
  return found;
}

TEST(ChildEnvironment, ReplacesIdentityAndKeepsTheRest) {
  EnvVars parent = {{"PATH", "/usr/bin"},
                    {"AWS_ACCESS_KEY_ID", "AKIAOLDOLDOLDOLDOLD1"},
                    {"AWS_SECRET_ACCESS_KEY", "old-secret"},
                    {"AWS_SESSION_TOKEN", "old-token"},
                    {"AWS_PROFILE", "prod"},
                    {"AWS_DEFAULT_PROFILE", "prod"},
                    {"AWS_ROLE_ARN", "arn:aws:iam::1:role/x"},
                    {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"},
                    {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.2/x"},
                    {"AWS_REGION", "us-west-2"},
                    {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                    {"HOME", "/home/me"}};
  Credentials c;
  c.access_key_id = "ASIANEWNEWNEWNEWNEW1";
  c.secret_access_key = SecretString("new-secret");
  c.session_token = SecretString("new-token");
  c.expiration = *ParseTimestamp("2026-11-22T04:00:00Z");
  EnvVars env = ChildEnvironment(parent, c, {.region = "eu-west-1"});
  EXPECT_EQ(*Get(env, "PATH"), "/usr/bin");
  EXPECT_EQ(*Get(env, "HOME"), "/home/me");
  EXPECT_EQ(*Get(env, "AWS_ENDPOINT_URL"), "http://127.0.0.1:1");
  EXPECT_EQ(*Get(env, "AWS_ACCESS_KEY_ID"), "ASIANEWNEWNEWNEWNEW1");
  EXPECT_EQ(*Get(env, "AWS_SECRET_ACCESS_KEY"), "new-secret");
  EXPECT_EQ(*Get(env, "AWS_SESSION_TOKEN"), "new-token");
  EXPECT_EQ(*Get(env, "AWS_SECURITY_TOKEN"), "new-token");
  EXPECT_EQ(*Get(env, "AWS_SESSION_EXPIRATION"), "2026-11-22T04:00:00Z");
  EXPECT_EQ(*Get(env, "AWS_CREDENTIAL_EXPIRATION"), "2026-11-22T04:00:00Z");
  EXPECT_EQ(*Get(env, "AWS_REGION"), "eu-west-1");
  EXPECT_EQ(*Get(env, "AWS_DEFAULT_REGION"), "eu-west-1");
  for (const char* gone : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
                           "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"}) {
    EXPECT_EQ(Get(env, gone), nullptr) << gone;
  }
  for (const auto& [k, v] : env) {
    EXPECT_NE(v, "old-secret");
    EXPECT_NE(v, "old-token");
  }
}

TEST(ChildEnvironment, WithEndpointGivesTheEndpointAndNoKeys) {
  EnvVars parent = {{"PATH", "/usr/bin"},
                    {"AWS_ACCESS_KEY_ID", "AKIAOLDOLDOLDOLDOLD1"},
                    {"AWS_SECRET_ACCESS_KEY", "old-secret"},
                    {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x"},
                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "old-token"},
                    {"AWS_REGION", "us-west-2"}};
  EnvVars env = ChildEnvironmentWithEndpoint(parent, "http://127.0.0.1:4242/credentials",
                                             SecretString("new-token"), {.region = "eu-west-1"});
  EXPECT_EQ(*Get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI"), "http://127.0.0.1:4242/credentials");
  EXPECT_EQ(*Get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN"), "new-token");
  EXPECT_EQ(*Get(env, "AWS_REGION"), "eu-west-1");
  EXPECT_EQ(*Get(env, "PATH"), "/usr/bin");
  for (const char* gone : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"}) {
    EXPECT_EQ(Get(env, gone), nullptr) << gone;
  }
  int tokens = 0;
  for (const auto& [k, v] : env) {
    EXPECT_NE(v, "old-secret");
    EXPECT_NE(v, "old-token");
    tokens += k == "AWS_CONTAINER_AUTHORIZATION_TOKEN";
  }
  EXPECT_EQ(tokens, 1);
}

}  // namespace
}  // namespace hubspoke
