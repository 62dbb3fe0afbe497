#include "iam/generated_spokes.h"

#include <gtest/gtest.h>

#include <chrono>

#include "iam/assume_role_decision.h"

namespace hubspoke::iam {
namespace {

TEST(GeneratedSpokes, DeterministicAccountsInOusWithTheSpokeRole) {
  Model m = BuiltinModel();
  const std::size_t before = m.accounts.size();
  ASSERT_TRUE(AddGeneratedSpokes(m, 8, "--spokes"));
  ASSERT_EQ(m.accounts.size(), before + 8);
  EXPECT_EQ(m.generated_spokes, 8u);
  const Account& first = m.accounts[before];
  EXPECT_EQ(first.id, "200000000001");
  EXPECT_EQ(first.name, "spoke-0001");
  EXPECT_EQ(first.email, "aws+200000000001@example.com");
  EXPECT_EQ(first.parent_ou, "ou-a1b2-prodaccts");
  EXPECT_EQ(m.accounts[before + 1].parent_ou, "ou-a1b2-nonprodaccts");
  EXPECT_EQ(m.accounts[before + 2].parent_ou, "ou-a1b2-sandboxes");
  EXPECT_EQ(m.accounts[before + 3].parent_ou, "ou-a1b2-workloads");
  EXPECT_EQ(m.accounts[before + 4].parent_ou, "ou-a1b2-prodaccts");
  EXPECT_EQ(m.FindOrganizationalUnit("ou-a1b2-prodaccts")->parent, "ou-a1b2-workloads");
  EXPECT_EQ(m.FindOrganizationalUnit("ou-a1b2-sandboxes")->parent, "");
  auto path = m.OrganizationalUnitsOf("200000000001");
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(path[0]->name, "Workloads");
  EXPECT_EQ(path[1]->name, "Prod");

  // The hub session may assume every generated spoke role with the external id, not without.
  const Role* spoke = m.FindRoleByName("200000000008", kBuiltinSpokeRole);
  ASSERT_NE(spoke, nullptr);
  EXPECT_EQ(spoke->unique_id.rfind("AROA", 0), 0u);
  const Role* hub = m.FindRoleByName(kBuiltinHubAccount, kBuiltinHubRole);
  auto caller = CallerOfSession(m, *hub, SessionState{.session_name = "hub"});
  ASSERT_TRUE(caller) << caller.error().message();
  AssumeRoleInput input{.role_arn = spoke->arn, .session_name = "s",
                        .external_id = std::string(kBuiltinExternalId)};
  EXPECT_TRUE(DecideAssumeRole(m, *caller, input).allowed());
  input.external_id = "wrong-id";
  EXPECT_FALSE(DecideAssumeRole(m, *caller, input).allowed());

  // The same N gives the same world.
  Model again = BuiltinModel();
  ASSERT_TRUE(AddGeneratedSpokes(again, 8, "--spokes"));
  EXPECT_EQ(again.roles.back().unique_id, m.roles.back().unique_id);
}

TEST(GeneratedSpokes, IdsSkipTheModelsOwnAccounts) {
  Model m = BuiltinModel();
  m.accounts.push_back(Account{.id = "200000000002", .name = "taken"});
  ASSERT_TRUE(AddGeneratedSpokes(m, 3, "--spokes"));
  std::vector<std::string> ids;
  for (std::size_t i = m.accounts.size() - 3; i < m.accounts.size(); ++i) {
    ids.push_back(m.accounts[i].id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"200000000001", "200000000003", "200000000004"}));
}

TEST(GeneratedSpokes, RefusalsNameTheField) {
  Model m = BuiltinModel();
  auto zero = AddGeneratedSpokes(m, 0, "--spokes");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message(), "--spokes: 0 is not a number of spokes from 1 to 100000");
  ASSERT_TRUE(AddGeneratedSpokes(m, 1, "--spokes"));
  auto twice = AddGeneratedSpokes(m, 1, "--spokes");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message().find("already has 1 generated spokes"), std::string::npos);
  auto no_org = ParseModel(R"({"accounts": [{"id": "111111111111"}]})", "m");
  ASSERT_TRUE(no_org);
  auto refused = AddGeneratedSpokes(*no_org, 2, "--spokes");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("--spokes: the model has no organization"),
            std::string::npos);
  auto field = ParseModel(R"({"organization": {"id": "o-a1b2c3d4e5", "spokes": 0},
                              "accounts": []})", "m");
  ASSERT_FALSE(field);
  EXPECT_NE(field.error().message().find("$.organization.spokes"), std::string::npos);
}

TEST(GeneratedSpokes, TenThousandLoadFast) {
  const auto start = std::chrono::steady_clock::now();
  auto m = ParseModel(R"({"organization": {"id": "o-a1b2c3d4e5", "spokes": 10000},
                          "accounts": []})", "m");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->accounts.size(), 10000u);
  EXPECT_EQ(m->roles.size(), 10000u);
  EXPECT_EQ(m->accounts.back().name, "spoke-10000");
  // Well under a second in a release build; the bound leaves room for debug and sanitizers.
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(ModelOrganization, ManagementDelegatedAdministratorsStatusAndEmail) {
  auto m = ParseModel(R"({"organization": {"id": "o-a1b2c3d4e5", "root_id": "r-zz99",
        "management_account": "111111111111", "delegated_administrators": ["222222222222"]},
      "accounts": [{"id": "111111111111"}, {"id": "222222222222", "email": "a@example.com"},
                   {"id": "333333333333", "status": "SUSPENDED"}]})", "m");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->root_id, "r-zz99");
  EXPECT_EQ(m->management_account, "111111111111");
  EXPECT_TRUE(m->IsDelegatedAdministrator("222222222222"));
  EXPECT_FALSE(m->IsDelegatedAdministrator("333333333333"));
  EXPECT_EQ(m->FindAccount("222222222222")->email, "a@example.com");
  EXPECT_EQ(m->FindAccount("111111111111")->email, "aws+111111111111@example.com");
  EXPECT_EQ(m->FindAccount("333333333333")->status, AccountStatus::kSuspended);
  EXPECT_EQ(BuiltinModel().management_account, kBuiltinHubAccount);
  EXPECT_EQ(BuiltinModel().root_id, "r-a1b2");

  struct Bad {
    const char* json;
    const char* error;
  };
  for (const Bad& b : {
           Bad{R"({"organization": {"id": "o-a1b2c3d4e5", "management_account": "999999999999"},
                   "accounts": []})",
               "$.organization.management_account: account 999999999999 is not listed"},
           Bad{R"({"organization": {"id": "o-a1b2c3d4e5", "delegated_administrators": ["111111111111"]},
                   "accounts": [{"id": "111111111111"}]})",
               "$.organization.delegated_administrators: delegated administrators need a "
               "management account"},
           Bad{R"({"organization": {"id": "o-a1b2c3d4e5", "root_id": "root"}, "accounts": []})",
               "$.organization.root_id"},
           Bad{R"({"accounts": [{"id": "111111111111", "status": "CLOSED"}]})",
               "$.accounts[0].status: \"CLOSED\" is not ACTIVE or SUSPENDED"},
       }) {
    auto parsed = ParseModel(b.json, "m");
    ASSERT_FALSE(parsed) << b.json;
    EXPECT_NE(parsed.error().message().find(b.error), std::string::npos)
        << parsed.error().message();
  }
}

}  // namespace
}  // namespace hubspoke::iam
