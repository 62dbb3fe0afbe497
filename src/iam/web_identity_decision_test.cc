#include "iam/web_identity_decision.h"

#include <gtest/gtest.h>

#include "iam/explain.h"

namespace hubspoke::iam {
namespace {

constexpr char kWorld[] = R"JSON({
  "accounts": [{"id": "999999999999"}],
  "oidc_providers": [{"account": "999999999999", "url": "https://token.example.com",
                      "client_ids": ["sts.amazonaws.com"]}],
  "roles": [{"account": "999999999999", "name": "deploy",
    "trust_policy": {"Version": "2012-10-17", "Statement": [
      {"Sid": "FromMain", "Effect": "Allow",
       "Principal": {"Federated": "arn:aws:iam::999999999999:oidc-provider/token.example.com"},
       "Action": "sts:AssumeRoleWithWebIdentity",
       "Condition": {"StringEquals": {"token.example.com:sub": "repo:main"}}}]}}]
})JSON";

constexpr char kRole[] = "arn:aws:iam::999999999999:role/deploy";

class WebIdentityDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = ParseModel(kWorld, "world");
    ASSERT_TRUE(m) << m.error().message();
    model_ = std::move(*m);
  }
  WebIdentityInput Input(std::string subject) {
    return WebIdentityInput{.role_arn = kRole,
                            .session_name = "ci",
                            .issuer = "https://token.example.com/",
                            .subject = std::move(subject),
                            .audiences = {"sts.amazonaws.com"},
                            .expires = 2000,
                            .time = TimePoint(std::chrono::seconds(1000))};
  }
  Model model_;
};

TEST_F(WebIdentityDecisionTest, TheTrustPolicyDecidesOnTheSubject) {
  HopDecision ok = DecideAssumeRoleWithWebIdentity(model_, Input("repo:main"));
  EXPECT_TRUE(ok.allowed()) << ExplainDecision(ok);
  ASSERT_NE(ok.oidc_provider, nullptr);
  EXPECT_EQ(ok.oidc_provider->url, "token.example.com");

  HopDecision no = DecideAssumeRoleWithWebIdentity(model_, Input("repo:fork"));
  EXPECT_EQ(no.refusal, Refusal::kPolicy);
  EXPECT_EQ(no.side, Side::kTrustPolicy);
  const DecisionReason* st = nullptr;
  for (const DecisionReason& r : no.reasons) {
    if (r.statement_index) st = &r;
  }
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->statement_index, 0u);
  EXPECT_EQ(st->sid, "FromMain");
  ASSERT_EQ(st->conditions.size(), 1u);
  EXPECT_EQ(st->conditions[0].key, "token.example.com:sub");
}

TEST_F(WebIdentityDecisionTest, ProviderExpiryAudienceAndDurationAreChecked) {
  WebIdentityInput other_issuer = Input("repo:main");
  other_issuer.issuer = "https://elsewhere.example.com";
  EXPECT_EQ(DecideAssumeRoleWithWebIdentity(model_, other_issuer).refusal,
            Refusal::kNoOidcProvider);
  WebIdentityInput expired = Input("repo:main");
  expired.expires = 1000;
  EXPECT_EQ(DecideAssumeRoleWithWebIdentity(model_, expired).refusal, Refusal::kTokenExpired);
  WebIdentityInput audience = Input("repo:main");
  audience.audiences = {"someone-else"};
  EXPECT_EQ(DecideAssumeRoleWithWebIdentity(model_, audience).refusal,
            Refusal::kAudienceMismatch);
  WebIdentityInput too_long = Input("repo:main");
  too_long.duration_seconds = 7200;
  EXPECT_EQ(DecideAssumeRoleWithWebIdentity(model_, too_long).refusal,
            Refusal::kMaxSessionDuration);
  WebIdentityInput no_role = Input("repo:main");
  no_role.role_arn = "arn:aws:iam::999999999999:role/nope";
  HopDecision d = DecideAssumeRoleWithWebIdentity(model_, no_role);
  EXPECT_EQ(d.refusal, Refusal::kNoSuchRole);
  EXPECT_EQ(d.side, Side::kRole);
}

}  // namespace
}  // namespace hubspoke::iam
