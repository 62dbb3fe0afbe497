#include <gtest/gtest.h>

#include <string>

#include "hubspoke/profile.h"
#include "testing/memory_file_system.h"

namespace hubspoke {
namespace {

// Files in memory; dir_ stands in for HOME. (The real FileSystem's own tests show the OS's
// FIFOs, devices, directories and permissions are answered the same way.)
class ProfileLoadTest : public ::testing::Test {
 protected:
  ProfileLoadTest() {
    files_.AddDirectory(dir_);
    files_.AddCharDevice("/dev/null", /*null_device=*/true);
    files_.AddCharDevice("/dev/zero");
  }

  std::string Write(const std::string& relative, const std::string& text) {
    const std::string path = dir_ + "/" + relative;
    files_.AddFile(path, text);
    return path;
  }

  Result<ProfileSet> Load(std::vector<std::pair<std::string, std::string>> vars) {
    return LoadProfiles(*MakeMapEnvironment(std::move(vars)), files_);
  }

  const std::string dir_ = "/home/tester";
  testing::MemoryFileSystem files_;
};

TEST_F(ProfileLoadTest, MissingFilesAreEmptyAndPathsAreFilled) {
  auto set = Load({{"HOME", dir_}});
  ASSERT_TRUE(set.has_value()) << set.error().message();
  EXPECT_TRUE(set->profiles.empty());
  EXPECT_EQ(set->config_path, dir_ + "/.aws/config");
  EXPECT_EQ(set->credentials_path, dir_ + "/.aws/credentials");
  // A path through a regular file cannot exist either (ENOTDIR).
  std::string file = Write("plain", "");
  auto through = Load({{"HOME", file}});
  ASSERT_TRUE(through.has_value()) << through.error().message();
}

TEST_F(ProfileLoadTest, BothFilesMergedWithCredentialsWinning) {
  Write(".aws/config",
        "[default]\nregion = us-east-1\naws_access_key_id = FROMCONFIG\n"
        "[profile spoke]\nrole_arn = arn:aws:iam::210987654321:role/Spoke\n"
        "source_profile = default\n");
  Write(".aws/credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n");
  auto set = Load({{"HOME", dir_}});
  ASSERT_TRUE(set.has_value()) << set.error().message();
  const ProfileSection* d = set->FindProfile("default");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->Get("aws_access_key_id"), "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(d->Get("region"), "us-east-1");
  ASSERT_NE(set->FindProfile("spoke"), nullptr);
  EXPECT_EQ(set->FindProfile("spoke")->Get("source_profile"), "default");
}

TEST_F(ProfileLoadTest, OverridesAndTildeComeFromTheEnvironment) {
  std::string config = Write("elsewhere/cfg", "[profile x]\na = 1\n");
  Write("creds", "[y]\nb = 2\n");
  auto set = Load(
      {{"HOME", dir_}, {"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", "~/creds"}});
  ASSERT_TRUE(set.has_value()) << set.error().message();
  EXPECT_EQ(set->config_path, config);
  EXPECT_EQ(set->credentials_path, dir_ + "/creds");
  EXPECT_NE(set->FindProfile("x"), nullptr);
  EXPECT_NE(set->FindProfile("y"), nullptr);
}

// AWS_CONFIG_FILE=/dev/null is a common way to run without a config file.
TEST_F(ProfileLoadTest, DevNullIsAnEmptyFile) {
  auto set = Load({{"HOME", dir_}, {"AWS_CONFIG_FILE", "/dev/null"}});
  ASSERT_TRUE(set.has_value()) << set.error().message();
  EXPECT_EQ(set->config_path, "/dev/null");
}

TEST_F(ProfileLoadTest, MalformedFileIsAnErrorNamingFileAndLine) {
  std::string credentials = Write(".aws/credentials", "[default]\n\naws_secret_access_key\n");
  auto set = Load({{"HOME", dir_}});
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(set.error().message().rfind(credentials + ":3: ", 0), 0u) << set.error().message();
}

TEST_F(ProfileLoadTest, UnreadableFileIsAnErrorNamingIt) {
  // A directory where the file should be is not an empty file.
  files_.AddDirectory(dir_ + "/.aws/config");
  auto set = Load({{"HOME", dir_}});
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(set.error().message(), "config file: cannot read '" + dir_ +
                                       "/.aws/config': is a directory (a regular file is required)");
  // A file we may not open.
  std::string credentials = Write("locked", "[default]\n");
  files_.DenyAccess(credentials);
  auto locked = Load({{"HOME", dir_},
                      {"AWS_CONFIG_FILE", "/dev/null"},
                      {"AWS_SHARED_CREDENTIALS_FILE", credentials}});
  ASSERT_FALSE(locked.has_value());
  EXPECT_EQ(locked.error().message(),
            "AWS_SHARED_CREDENTIALS_FILE: cannot read '" + credentials + "': Permission denied");
}

// A FIFO would block the read until someone writes to it: refused, naming the variable.
TEST_F(ProfileLoadTest, FifoIsRefused) {
  const std::string fifo = dir_ + "/fifo";
  files_.AddFifo(fifo);
  auto set = Load({{"HOME", dir_}, {"AWS_CONFIG_FILE", fifo}});
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(set.error().message(),
            "AWS_CONFIG_FILE: cannot read '" + fifo + "': is a FIFO (a regular file is required)");
}

// /dev/zero never ends: refused for what it is, not read up to the 16 MiB limit.
TEST_F(ProfileLoadTest, DeviceIsRefused) {
  auto set = Load({{"HOME", dir_}, {"AWS_SHARED_CREDENTIALS_FILE", "/dev/zero"}});
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().message(),
            "AWS_SHARED_CREDENTIALS_FILE: cannot read '/dev/zero': is a character device (a "
            "regular file is required)");
}

// The no-home error itself is tested in locations_test.cc; here, with both files overridden,
// no home is needed at all.
TEST_F(ProfileLoadTest, BothOverridesNeedNoHome) {
  auto set = Load({{"AWS_CONFIG_FILE", "/dev/null"}, {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}});
  ASSERT_TRUE(set.has_value()) << set.error().message();
}

}  // namespace
}  // namespace hubspoke
