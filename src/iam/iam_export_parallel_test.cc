// ctest-label: threads
// ModelFromExports parses large exports on several threads (iam_export.cc, kParallelFiles):
// the model must be the one a sequential parse gives, and the error the first bad file's in
// file order, whichever thread met it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "iam/iam_export.h"

namespace hubspoke::iam {
namespace {

using nlohmann::json;

std::string AccountId(int i) { return std::to_string(400000000000LL + i); }

ExportFile AccountFile(int i) {
  const std::string id = AccountId(i);
  json trust = {{"Version", "2012-10-17"},
                {"Statement",
                 {{{"Effect", "Allow"},
                   {"Principal", {{"AWS", "arn:aws:iam::999999999999:role/hub"}}},
                   {"Action", "sts:AssumeRole"}}}}};
  json doc = {{"UserDetailList", json::array()},
              {"GroupDetailList", json::array()},
              {"RoleDetailList",
               {{{"Path", "/"},
                 {"RoleName", "spoke"},
                 {"RoleId", "AROAEXAMPLE" + id.substr(2)},
                 {"Arn", "arn:aws:iam::" + id + ":role/spoke"},
                 {"AssumeRolePolicyDocument", trust},
                 {"RolePolicyList", json::array()},
                 {"AttachedManagedPolicies", json::array()}}}},
              {"Policies", json::array()}};
  return ExportFile{.name = id + ".json", .text = doc.dump()};
}

TEST(IamExportParallel, ALargeExportGivesEveryAccountInFileOrder) {
  std::vector<ExportFile> files;
  for (int i = 0; i < 300; ++i) files.push_back(AccountFile(i));
  auto model = ModelFromExports(files, {}, "--iam-export dir", "");
  ASSERT_TRUE(model) << model.error().message();
  ASSERT_EQ(model->accounts.size(), 300u);
  ASSERT_EQ(model->roles.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(model->accounts[i].id, AccountId(i));
    EXPECT_NE(model->FindRole("arn:aws:iam::" + AccountId(i) + ":role/spoke"), nullptr);
  }
}

TEST(IamExportParallel, TheFirstBadFileInFileOrderIsTheError) {
  std::vector<ExportFile> files;
  for (int i = 0; i < 300; ++i) files.push_back(AccountFile(i));
  files[201].text = "{\"RoleDetailList\": [";
  files[77].text = "not json";
  auto model = ModelFromExports(files, {}, "--iam-export dir", "");
  ASSERT_FALSE(model);
  EXPECT_NE(model.error().message().find(AccountId(77) + ".json"), std::string::npos)
      << model.error().message();
}

}  // namespace
}  // namespace hubspoke::iam
