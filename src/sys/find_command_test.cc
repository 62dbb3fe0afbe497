#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "hubspoke/process_runner.h"

namespace hubspoke {
namespace {

class FindCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/find-command-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(mkdir((dir_ + "/a").c_str(), 0700), 0);
    ASSERT_EQ(mkdir((dir_ + "/b").c_str(), 0700), 0);
    Write(dir_ + "/a/tool", 0600);     // not executable: skipped
    Write(dir_ + "/b/tool", 0700);     // the one exec would run
    Write(dir_ + "/a/private", 0600);  // only a non-executable one exists
    ASSERT_EQ(mkdir((dir_ + "/a/subdir").c_str(), 0700), 0);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  static void Write(const std::string& path, mode_t mode) {
    std::ofstream(path) << "#!/bin/sh\nexit 0\n";
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
  }
  std::string dir_;
};

TEST_F(FindCommandTest, SearchesPathAsExecvpeDoes) {
  const std::string path = dir_ + "/a:" + dir_ + "/b";
  auto tool = FindCommand("tool", path);
  ASSERT_TRUE(tool) << tool.error().message();
  EXPECT_EQ(*tool, dir_ + "/b/tool");

  auto missing = FindCommand("no-such-tool", path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason(), ErrorReason::kCommandNotFound);
  EXPECT_EQ(missing.error().message(), "command not found: no-such-tool");

  auto private_ = FindCommand("private", path);
  ASSERT_FALSE(private_);
  EXPECT_EQ(private_.error().reason(), ErrorReason::kCommandNotRunnable);

  // PATH unset: glibc's default.
  auto sh = FindCommand("sh", std::nullopt);
  ASSERT_TRUE(sh) << sh.error().message();
}

TEST_F(FindCommandTest, PathsAndEmptyCommands) {
  auto empty = FindCommand("", "/bin");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);

  EXPECT_EQ(FindCommand("/nonexistent", "/bin").error().reason(), ErrorReason::kCommandNotFound);
  EXPECT_EQ(FindCommand(dir_ + "/a/tool/x", "/bin").error().reason(),
            ErrorReason::kCommandNotFound);  // ENOTDIR
  EXPECT_EQ(FindCommand(dir_ + "/a/subdir", "/bin").error().reason(),
            ErrorReason::kCommandNotRunnable);
  EXPECT_EQ(FindCommand(dir_ + "/a/tool", "/bin").error().reason(),
            ErrorReason::kCommandNotRunnable);
  auto direct = FindCommand(dir_ + "/b/tool", "");
  ASSERT_TRUE(direct) << direct.error().message();
}

}  // namespace
}  // namespace hubspoke
