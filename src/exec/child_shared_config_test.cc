#include <gtest/gtest.h>

#include "hubspoke/exec.h"
#include "testing/memory_file_system.h"

namespace hubspoke {
namespace {

ProfileSet Parse(const std::string& config, const std::string& credentials = "") {
  auto c = ParseProfileFile(config, ProfileFileKind::kConfig, "config");
  auto k = ParseProfileFile(credentials, ProfileFileKind::kCredentials, "credentials");
  EXPECT_TRUE(c && k);
  return MergeProfileSets(*c, *k);
}

TEST(ChildSharedConfig, KeepsSettingsAndDropsEveryIdentity) {
  ProfileSet set = Parse(
      "[profile dev]\nregion = eu-west-1\noutput = text\nrole_arn = arn:aws:iam::1:role/r\n"
      "source_profile = base\nexternal_id = x\nmfa_serial = arn:aws:iam::1:mfa/me\n"
      "duration_seconds = 900\nrole_session_name = me\ncredential_source = Environment\n"
      "credential_process = /bin/helper\nweb_identity_token_file = /t\nsso_session = s\n"
      "sso_start_url = https://x\nsso_account_id = 1\nsso_role_name = r\nsso_region = us-east-1\n"
      "login_session = arn:aws:iam::1:user/me\nservices = local\ns3 =\n  max_concurrent_requests = 4\n"
      "[profile base]\nregion = us-west-2\n"
      "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n"
      "[sso-session s]\nsso_start_url = https://x\n",
      "[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret-value\n"
      "aws_session_token = token-value\naws_account_id = 111111111111\n");
  const std::string text = ChildSharedConfig(set, "dev");
  for (const char* kept : {"[default]\n", "region = eu-west-1\n", "output = text\n",
                           "services = local\n", "s3 =\n  max_concurrent_requests = 4\n",
                           "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n"}) {
    EXPECT_NE(text.find(kept), std::string::npos) << kept << " in:\n" << text;
  }
  for (const char* gone : {"role_arn", "source_profile", "external_id", "mfa_serial",
                           "duration_seconds", "role_session_name", "credential_source",
                           "credential_process", "web_identity", "sso_", "login_session",
                           "aws_", "secret-value", "token-value", "us-west-2", "[profile",
                           "[sso-session"}) {
    EXPECT_EQ(text.find(gone), std::string::npos) << gone << " in:\n" << text;
  }
}

TEST(ChildSharedConfig, AnAbsentProfileGivesAnEmptyDefault) {
  const std::string text = ChildSharedConfig(Parse("[default]\nregion = x\n"), "missing");
  EXPECT_NE(text.find("[default]\n"), std::string::npos);
  EXPECT_EQ(text.find("region"), std::string::npos);
}

TEST(ChildSharedConfig, IdentityProperties) {
  for (const char* key : {"aws_access_key_id", "aws_secret_access_key", "aws_session_token",
                          "aws_security_token", "aws_account_id", "role_arn", "source_profile",
                          "credential_process", "credential_source", "sso_session",
                          "web_identity_token_file", "external_id", "mfa_serial",
                          "duration_seconds", "login_session"}) {
    EXPECT_TRUE(IsIdentityProperty(key)) << key;
  }
  for (const char* key : {"region", "output", "endpoint_url", "services", "s3", "cli_pager",
                          "retry_mode", "max_attempts", "ca_bundle", "sts_regional_endpoints"}) {
    EXPECT_FALSE(IsIdentityProperty(key)) << key;
  }
}

TEST(ChildSharedConfigFiles, PrivateFilesRemovedAfterwards) {
  testing::MemoryFileSystem disk;
  disk.AddDirectory("/tmp", 01777);
  auto env = MakeMapEnvironment({{"TMPDIR", "/tmp"}});
  std::string config, credentials, directory;
  {
    auto files = ChildSharedConfigFiles::Create(*env, disk, "[default]\nregion = x\n");
    ASSERT_TRUE(files) << files.error().message();
    config = (*files)->config_file();
    credentials = (*files)->credentials_file();
    directory = config.substr(0, config.rfind('/'));
    EXPECT_EQ(directory.rfind("/tmp/assume-spoke-role-child.", 0), 0u) << directory;
    EXPECT_EQ(disk.Stat(directory).stat.mode, 0700u);
    EXPECT_EQ(disk.Stat(config).stat.mode, 0600u);
    EXPECT_EQ(disk.Content(config), "[default]\nregion = x\n");
    EXPECT_EQ(disk.Stat(credentials).stat.mode, 0600u);
    EXPECT_EQ(disk.Content(credentials), "");
    EXPECT_EQ(disk.List(directory).names, (std::vector<std::string>{"config", "credentials"}));
  }
  EXPECT_FALSE(disk.Exists(config));
  EXPECT_FALSE(disk.Exists(credentials));
  EXPECT_FALSE(disk.Exists(directory));
}

TEST(ChildSharedConfigFiles, PrefersXdgRuntimeDirAndNamesTheDirectoryItCannotUse) {
  testing::MemoryFileSystem disk;
  disk.AddDirectory("/run/user/1000", 0700);
  auto env = MakeMapEnvironment({{"XDG_RUNTIME_DIR", "/run/user/1000"}, {"TMPDIR", "/tmp"}});
  auto files = ChildSharedConfigFiles::Create(*env, disk, "");
  ASSERT_TRUE(files) << files.error().message();
  EXPECT_EQ((*files)->config_file().rfind("/run/user/1000/assume-spoke-role-child.", 0), 0u);
  auto none = ChildSharedConfigFiles::Create(*MakeMapEnvironment({{"TMPDIR", "/gone"}}), disk, "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            "cannot create a private directory for the command's config files in /gone: No such "
            "file or directory");
}

TEST(ChildEnvironment, PointsTheChildAtItsOwnSharedConfigFiles) {
  Credentials c;
  c.access_key_id = "ASIANEWNEWNEWNEWNEW1";
  c.secret_access_key = SecretString("new-secret");
  EnvVars env = ChildEnvironment(
      {{"AWS_CONFIG_FILE", "/home/me/.aws/config"},
       {"AWS_SHARED_CREDENTIALS_FILE", "/home/me/.aws/credentials"}},
      c, {.config_file = "/run/x/config", .credentials_file = "/run/x/credentials"});
  int config = 0, credentials = 0;
  for (const auto& [k, v] : env) {
    if (k == "AWS_CONFIG_FILE") {
      ++config;
      EXPECT_EQ(v, "/run/x/config");
    }
    if (k == "AWS_SHARED_CREDENTIALS_FILE") {
      ++credentials;
      EXPECT_EQ(v, "/run/x/credentials");
    }
  }
  EXPECT_EQ(config, 1);
  EXPECT_EQ(credentials, 1);
}

}  // namespace
}  // namespace hubspoke
