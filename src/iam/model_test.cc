#include "iam/model.h"

#include <gtest/gtest.h>

namespace hubspoke::iam {
namespace {

TEST(IamModel, BuiltinModelParsesAndMatchesTheSeed) {
  auto m = ParseModel(BuiltinModelJson(), "built-in");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->organization_id, kBuiltinOrgId);
  const Role* hub = m->FindRole("arn:aws:iam::999999999999:role/automation-hub-role");
  ASSERT_NE(hub, nullptr);
  EXPECT_EQ(hub->unique_id.size(), 21u);
  EXPECT_EQ(hub->unique_id.rfind("AROA", 0), 0u);
  // One "accounts" entry, two roles with their own ARNs and unique ids.
  const Role* spoke_a = m->FindRole("arn:aws:iam::888888888888:role/automation-spoke-role");
  const Role* spoke_b = m->FindRole("arn:aws:iam::777777777777:role/automation-spoke-role");
  ASSERT_NE(spoke_a, nullptr);
  ASSERT_NE(spoke_b, nullptr);
  EXPECT_EQ(spoke_a->account, "888888888888");
  EXPECT_EQ(spoke_b->account, "777777777777");
  EXPECT_NE(spoke_a->unique_id, spoke_b->unique_id);
  EXPECT_EQ(spoke_a->trust_policy.name,
            "trust policy of arn:aws:iam::888888888888:role/automation-spoke-role");
  const AccessKey* key = nullptr;
  const User* user = m->FindUserByAccessKey(kBuiltinAccessKeyId, &key);
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->arn, "arn:aws:iam::111111111111:user/sys-automation");
  EXPECT_EQ(key->secret.reveal(), kBuiltinSecretAccessKey);
  EXPECT_EQ(std::string(kBuiltinAccessKeyId).size(), 20u);
  EXPECT_EQ(std::string(kBuiltinSecretAccessKey).size(), 40u);
  EXPECT_EQ(m->OrgIdOf("111111111111"), kBuiltinOrgId);
  EXPECT_EQ(m->ScpsFor("888888888888").size(), 2u);
  EXPECT_NE(m->FindOidcProvider("999999999999", kBuiltinOidcProvider), nullptr);
}

// Found by fuzz/model_fuzz.cc: a number too large for a double threw out_of_range past the
// parse_error handler.
TEST(IamModel, AHugeNumberIsAnErrorNotACrash) {
  auto m = ParseModel(R"({"description": 1E800})", "m.json");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("m.json"), std::string::npos);
  EXPECT_NE(m.error().message().find("not valid JSON"), std::string::npos);
}

TEST(IamModel, UniqueIdsAreStableAcrossLoads) {
  EXPECT_EQ(BuiltinModel().roles[0].unique_id, BuiltinModel().roles[0].unique_id);
  EXPECT_NE(BuiltinModel().roles[0].unique_id, BuiltinModel().roles[1].unique_id);
}

struct BadModel {
  const char* json;
  const char* expected;  // substring of the error
};

class IamModelErrors : public ::testing::TestWithParam<BadModel> {};

TEST_P(IamModelErrors, NameThePathAndTheProblem) {
  auto m = ParseModel(GetParam().json, "m.json");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(m.error().message().find("m.json: "), std::string::npos) << m.error().message();
  EXPECT_NE(m.error().message().find(GetParam().expected), std::string::npos)
      << m.error().message();
}

TEST(IamModel, WholeNumberMembersRefuseFractionsSignsStringsAndOutOfRange) {
  for (const char* value : {"3600.5", "-3600", "\"3600\"", "43201", "1e4"}) {
    auto m = ParseModel(std::string(R"({"accounts": [{"id": "111111111111"}],
        "roles": [{"account": "111111111111", "name": "r", "max_session_duration": )") + value +
                            R"(, "trust_policy": {"Version": "2012-10-17", "Statement": []}}]})",
                        "m.json");
    ASSERT_FALSE(m) << value;
    EXPECT_NE(m.error().message().find(
                  "$.roles[0].max_session_duration: an integer number of seconds from 3600"),
              std::string::npos)
        << m.error().message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Iam, IamModelErrors,
    ::testing::Values(
        BadModel{"{", "not valid JSON at byte"},
        BadModel{R"({"accounts": [], "userz": []})", "$: unknown member \"userz\""},
        BadModel{R"({"accounts": [{"id": "12"}]})", "$.accounts[0].id"},
        BadModel{R"({"organization": {"id": "org-1"}, "accounts": []})", "$.organization.id"},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "roles": [{"account": "222222222222", "name": "r",
                                "trust_policy": {"Statement": []}}]})",
                 "$.roles[0].account: account 222222222222 is not listed"},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "roles": [{"account": "111111111111", "name": "r",
                                "trust_policy": {"Version": "2012-10-17", "Statement": [
                                  {"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Resource": "*"}]}}]})",
                 "$.roles[0].trust_policy"},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "users": [{"account": "111111111111", "name": "u",
                                "access_keys": [{"id": "ASIA0000000000000000",
                                                 "secret": "0123456789abcdef0123"}]}]})",
                 "$.users[0].access_keys[0].id"},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "roles": [{"account": "111111111111", "name": "r",
                                "max_session_duration": 60,
                                "trust_policy": {"Version": "2012-10-17", "Statement": [
                                  {"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                                   "Action": "sts:AssumeRole"}]}}]})",
                 "$.roles[0].max_session_duration"},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "roles": [{"name": "r", "trust_policy": {"Statement": []}}]})",
                 "$.roles[0]: give either \"account\" or \"accounts\""},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "roles": [{"account": "111111111111", "accounts": ["111111111111"],
                                "name": "r", "trust_policy": {"Statement": []}}]})",
                 "give either"},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "roles": [{"accounts": [], "name": "r",
                                "trust_policy": {"Statement": []}}]})",
                 "$.roles[0].accounts: expected at least one"},
        BadModel{R"({"accounts": [{"id": "111111111111"}, {"id": "222222222222"}],
                     "roles": [{"accounts": ["111111111111", "222222222222"], "name": "r",
                                "id": "AROAEXAMPLEEXAMPLE123",
                                "trust_policy": {"Statement": []}}]})",
                 "$.roles[0].id"},
        BadModel{R"({"accounts": [{"id": "111111111111"}],
                     "roles": [{"accounts": ["111111111111", "333333333333"], "name": "r",
                                "trust_policy": {"Version": "2012-10-17", "Statement": [
                                  {"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                                   "Action": "sts:AssumeRole"}]}}]})",
                 "account 333333333333 is not listed"},
        // The organization tree.
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-1-x"}]}, "accounts": []})",
                 "$.organization.organizational_units[0].id: \"ou-1-x\" is not an OU id"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "OU-abcd-efghijkl"}]}, "accounts": []})",
                 "is not an OU id"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-efghijkl"}, {"id": "ou-abcd-efghijkl"}]},
                     "accounts": []})",
                 "$.organization.organizational_units[1].id: duplicate OU ou-abcd-efghijkl"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-efghijkl", "parent": "ou-abcd-missing1"}]},
                     "accounts": []})",
                 "$.organization.organizational_units[0].parent: unknown parent OU "
                 "\"ou-abcd-missing1\""},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-aaaaaaaa", "parent": "ou-abcd-bbbbbbbb"},
                       {"id": "ou-abcd-bbbbbbbb", "parent": "ou-abcd-aaaaaaaa"}]},
                     "accounts": []})",
                 "$.organization.organizational_units[0].parent: OU ou-abcd-aaaaaaaa is its own "
                 "ancestor"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-aaaaaaaa", "parent": "ou-abcd-aaaaaaaa"}]},
                     "accounts": []})",
                 "is its own ancestor"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-cccccccc", "parent": "ou-abcd-aaaaaaaa"},
                       {"id": "ou-abcd-aaaaaaaa", "parent": "ou-abcd-bbbbbbbb"},
                       {"id": "ou-abcd-bbbbbbbb", "parent": "ou-abcd-aaaaaaaa"}]},
                     "accounts": []})",
                 "$.organization.organizational_units[1].parent: OU ou-abcd-aaaaaaaa is its own "
                 "ancestor"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-aaaaaaaa", "scps": [{"name": "x", "document": {
                         "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                         "Principal": "*", "Action": "*", "Resource": "*"}]}}]}]},
                     "accounts": []})",
                 "$.organization.organizational_units[0].scps[0].document"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5"},
                     "accounts": [{"id": "111111111111", "parent": "ou-abcd-aaaaaaaa"}]})",
                 "$.accounts[0].parent: unknown parent OU \"ou-abcd-aaaaaaaa\""},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-aaaaaaaa"}]},
                     "accounts": [{"id": "111111111111", "organization": false,
                                   "parent": "ou-abcd-aaaaaaaa"}]})",
                 "$.accounts[0].parent: an account outside the organization has no parent OU"},
        BadModel{R"({"accounts": [{"id": "111111111111", "parent": "ou-abcd-aaaaaaaa"}]})",
                 "$.accounts[0].parent: an account outside the organization"},
        BadModel{R"({"organization": {"id": "o-a1b2c3d4e5", "organizational_units": [
                       {"id": "ou-abcd-aaaaaaaa", "owner": "x"}]}, "accounts": []})",
                 "unknown member \"owner\""}));

// root → Workloads → Prod → account 222222222222; SCPs at every level, the OUs listed child first.
constexpr char kTree[] = R"JSON({
  "organization": {
    "id": "o-a1b2c3d4e5",
    "scps": [{"name": "RootScp", "document": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}],
    "organizational_units": [
      {"id": "ou-abcd-prod0001", "name": "Prod", "parent": "ou-abcd-work0001",
       "scps": [{"name": "ProdScp", "document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]},
      {"id": "ou-abcd-work0001", "name": "Workloads",
       "scps": [{"name": "WorkloadsScp", "document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]},
      {"id": "ou-abcd-empty001", "name": "NoScps", "parent": "ou-abcd-work0001"}
    ]
  },
  "accounts": [
    {"id": "222222222222", "parent": "ou-abcd-prod0001",
     "scps": [{"name": "AccountScp", "document": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]},
    {"id": "333333333333", "parent": "ou-abcd-empty001"},
    {"id": "444444444444"},
    {"id": "555555555555", "organization": false}
  ]
})JSON";

TEST(IamModel, ScpsComeRootFirstThenOusTopDownThenTheAccount) {
  auto m = ParseModel(kTree, "tree");
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->organizational_units.size(), 3u);
  const OrganizationalUnit* prod = m->FindOrganizationalUnit("ou-abcd-prod0001");
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(prod->name, "Prod");
  EXPECT_EQ(prod->parent, "ou-abcd-work0001");

  std::vector<const OrganizationalUnit*> ous = m->OrganizationalUnitsOf("222222222222");
  ASSERT_EQ(ous.size(), 2u);
  EXPECT_EQ(ous[0]->id, "ou-abcd-work0001");
  EXPECT_EQ(ous[1]->id, "ou-abcd-prod0001");

  std::vector<ScpAttachment> nodes = m->ScpNodesFor("222222222222");
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].node.level, ScpNode::Level::kRoot);
  EXPECT_EQ(nodes[1].node.level, ScpNode::Level::kOrganizationalUnit);
  EXPECT_EQ(nodes[1].node.id, "ou-abcd-work0001");
  EXPECT_EQ(nodes[1].node.name, "Workloads");
  EXPECT_EQ(nodes[2].node.id, "ou-abcd-prod0001");
  EXPECT_EQ(nodes[3].node.level, ScpNode::Level::kAccount);
  EXPECT_EQ(nodes[3].node.id, "222222222222");

  std::vector<policy::NamedPolicy> scps = m->ScpsFor("222222222222");
  ASSERT_EQ(scps.size(), 4u);
  EXPECT_EQ(scps[0].name, "SCP 'RootScp' of the organization root");
  EXPECT_EQ(scps[0].scp_group, "root");
  EXPECT_EQ(scps[1].name, "SCP 'WorkloadsScp' of OU ou-abcd-work0001 (Workloads)");
  EXPECT_EQ(scps[1].scp_group, "OU ou-abcd-work0001");
  EXPECT_EQ(scps[2].scp_group, "OU ou-abcd-prod0001");
  EXPECT_EQ(scps[3].name, "SCP 'AccountScp' of account 222222222222");
  EXPECT_EQ(scps[3].scp_group, "account 222222222222");

  // An OU without SCPs is no node of its own (FullAWSAccess, as AWS attaches by default).
  std::vector<policy::NamedPolicy> empty_ou = m->ScpsFor("333333333333");
  ASSERT_EQ(empty_ou.size(), 2u);
  EXPECT_EQ(empty_ou[0].scp_group, "root");
  EXPECT_EQ(empty_ou[1].scp_group, "OU ou-abcd-work0001");
  EXPECT_EQ(m->ScpsFor("444444444444").size(), 1u);  // directly under the root
  EXPECT_TRUE(m->ScpsFor("555555555555").empty());   // outside the organization
  EXPECT_TRUE(m->OrganizationalUnitsOf("555555555555").empty());
  EXPECT_EQ(m->OrgIdOf("222222222222"), "o-a1b2c3d4e5");
}

TEST(IamModel, ModelsWithoutOusKeepTheirMeaning) {
  // Today's model files: organization_scps at the root and per-account "scps", no OUs.
  auto m = ParseModel(BuiltinModelJson(), "built-in");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_TRUE(m->organizational_units.empty());
  std::vector<ScpAttachment> nodes = m->ScpNodesFor(kBuiltinSpokeAccount);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].node.level, ScpNode::Level::kRoot);
  EXPECT_EQ(nodes[0].scps.size(), 2u);
}

}  // namespace
}  // namespace hubspoke::iam
