#include <gtest/gtest.h>

#include "hubspoke/iam_world.h"
#include "iam/model.h"
#include "testing/memory_file_system.h"

namespace hubspoke {
namespace {

constexpr char kSpoke[] = R"({"RoleDetailList": [{"RoleName": "spoke", "Path": "/",
  "Arn": "arn:aws:iam::888888888888:role/spoke",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}]}}]})";

TEST(LoadIamExport, ReadsJsonFilesOfTheDirectoryAndOneLevelBelow) {
  testing::MemoryFileSystem files;
  files.AddFile("/e/iam/888888888888.json", kSpoke);
  files.AddFile("/e/iam/accounts/777777777777.json", "{}");
  files.AddFile("/e/iam/README.txt", "not an export");
  files.AddFile("/e/iam/a/b/666666666666.json", "not even JSON: two levels down, ignored");
  auto world = LoadIamExport(files, "/e/iam");
  ASSERT_TRUE(world) << world.error().message();
  EXPECT_EQ(world->accounts(), 2u);
  EXPECT_EQ(world->roles(), 1u);
  EXPECT_EQ(world->organization_id(), "");
  // Sorted by relative name: "888888888888.json" < "accounts/777777777777.json".
  EXPECT_EQ(world->model().accounts[0].id, "888888888888");
  EXPECT_EQ(world->model().accounts[1].id, "777777777777");
}

TEST(LoadIamExport, RefusesFifosSymlinksAndMissingDirectories) {
  testing::MemoryFileSystem files;
  files.AddFile("/e/iam/888888888888.json", kSpoke);
  files.AddFifo("/e/iam/pipe.json");
  auto fifo = LoadIamExport(files, "/e/iam");
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(fifo.error().message().find("--iam-export: cannot read '/e/iam/pipe.json': is a FIFO"),
            std::string::npos)
      << fifo.error().message();

  testing::MemoryFileSystem linked;
  linked.AddFile("/elsewhere.json", kSpoke);
  linked.AddFile("/e/iam/888888888888.json", kSpoke);
  linked.AddSymlink("/e/iam/link.json", "/elsewhere.json");
  auto link = LoadIamExport(linked, "/e/iam");
  ASSERT_FALSE(link);
  EXPECT_NE(link.error().message().find("symbolic link"), std::string::npos)
      << link.error().message();

  auto missing = LoadIamExport(files, "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "--iam-export /nope: No such file or directory");
  auto not_dir = LoadIamExport(files, "/e/iam/888888888888.json");
  ASSERT_FALSE(not_dir);
  EXPECT_EQ(not_dir.error().message(),
            "--iam-export /e/iam/888888888888.json: not a directory");
}

TEST(LoadIamExport, ErrorsNameTheDirectoryAndTheFile) {
  testing::MemoryFileSystem files;
  files.AddFile("/e/iam/888888888888.json", "{\"RoleDetailList\": 3}");
  auto bad = LoadIamExport(files, "/e/iam");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "--iam-export /e/iam: 888888888888.json: $.RoleDetailList: "
                                   "expected an array, got number");
  files.AddFile("/e/iam/888888888888.json", kSpoke);
  files.AddDirectory("/e/scp");
  auto empty = LoadIamExport(files, "/e/iam", "/e/scp");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("--scp-export /e/scp: no *.json file in it"),
            std::string::npos);
  files.AddFile("/e/scp/roots.json", R"({"Roots": [{"Id": "r-ab12"}]})");
  auto partial = LoadIamExport(files, "/e/iam", "/e/scp");
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.error().message().find(
                "--scp-export /e/scp: organization.json: missing (the output of aws "
                "organizations describe-organization"),
            std::string::npos)
      << partial.error().message();
}

TEST(LoadIamExport, ReadsTheScpExport) {
  testing::MemoryFileSystem files;
  files.AddFile("/e/iam/888888888888.json", kSpoke);
  files.AddFile("/e/scp/organization.json",
                R"({"Organization": {"Id": "o-a1b2c3d4e5", "MasterAccountId": "999999999999"}})");
  files.AddFile("/e/scp/roots.json", R"({"Roots": [{"Id": "r-ab12", "Name": "Root"}]})");
  files.AddFile("/e/scp/policies.json", R"({"Policies": [{"Id": "p-FullAWSAccess",
      "Type": "SERVICE_CONTROL_POLICY", "Name": "FullAWSAccess"}]})");
  files.AddFile("/e/scp/policies/p-FullAWSAccess.json", R"({"Policy": {"Content":
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}})");
  files.AddFile("/e/scp/targets/p-FullAWSAccess.json",
                R"({"Targets": [{"TargetId": "r-ab12", "Type": "ROOT"}]})");
  files.AddFile("/e/scp/accounts/r-ab12.json",
                R"({"Accounts": [{"Id": "888888888888", "Name": "spoke"}]})");
  auto world = LoadIamExport(files, "/e/iam", "/e/scp");
  ASSERT_TRUE(world) << world.error().message();
  EXPECT_EQ(world->organization_id(), "o-a1b2c3d4e5");
  EXPECT_EQ(world->service_control_policies(), 1u);
  EXPECT_EQ(world->accounts(), 2u);  // and the management account
  EXPECT_EQ(world->model().OrgIdOf("888888888888"), "o-a1b2c3d4e5");
}

}  // namespace
}  // namespace hubspoke
