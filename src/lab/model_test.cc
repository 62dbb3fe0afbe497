#include "lab/model.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "lab/jwt.h"

namespace hubspoke::lab {
namespace {

TEST(LabModel, BuiltinModelParsesAndMatchesTheSeed) {
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

TEST(LabModel, UniqueIdsAreStableAcrossLoads) {
  EXPECT_EQ(BuiltinModel().roles[0].unique_id, BuiltinModel().roles[0].unique_id);
  EXPECT_NE(BuiltinModel().roles[0].unique_id, BuiltinModel().roles[1].unique_id);
}

struct BadModel {
  const char* json;
  const char* expected;  // substring of the error
};

class LabModelErrors : public ::testing::TestWithParam<BadModel> {};

TEST_P(LabModelErrors, NameThePathAndTheProblem) {
  auto m = ParseModel(GetParam().json, "m.json");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(m.error().message().find("m.json: "), std::string::npos) << m.error().message();
  EXPECT_NE(m.error().message().find(GetParam().expected), std::string::npos)
      << m.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Lab, LabModelErrors,
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
                 "account 333333333333 is not listed"}));

TEST(LabJwt, DecodesClaimsWithoutVerifyingTheSignature) {
  std::string token = Base64UrlEncode(R"({"alg":"none"})") + "." +
                      Base64UrlEncode(R"({"iss":"https://x.example","sub":"s","aud":["a","b"],"exp":5})") +
                      ".sig";
  auto claims = DecodeJwtClaims(token);
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(claims->iss, "https://x.example");
  EXPECT_EQ(claims->sub, "s");
  EXPECT_EQ(claims->aud, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(claims->exp, 5);
  EXPECT_FALSE(DecodeJwtClaims("not-a-jwt"));
  EXPECT_FALSE(DecodeJwtClaims("a.%%%.c"));
}

}  // namespace
}  // namespace hubspoke::lab
