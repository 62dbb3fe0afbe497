#include "hubspoke/explain.h"

#include <gtest/gtest.h>

#include "iam/model.h"
#include "hubspoke/profile.h"
#include "hubspoke/system.h"

namespace hubspoke {
namespace {

constexpr char kUser[] = "arn:aws:iam::111111111111:user/sys-automation";
constexpr char kSecretExternalId[] = "the-wrong-external-id-007";

// The built-in model (the seed's example) with one change made by `mutate`.
class ExplainChainTest : public ::testing::Test {
 protected:
  void SetUp() override { env_ = MakeMapEnvironment({}); }

  SpokeCredentialsInput Seed() const {
    SpokeCredentialsInput in;
    in.hub_account_id = iam::kBuiltinHubAccount;
    in.spoke_account_id = iam::kBuiltinSpokeAccount;
    in.hub_role_name = iam::kBuiltinHubRole;
    in.spoke_role_name = iam::kBuiltinSpokeRole;
    in.external_id = iam::kBuiltinExternalId;
    in.session_string = "explain-test";
    return in;
  }

  ChainExplanation Explain(const iam::Model& model, const SpokeCredentialsInput& in,
                           ExplainOptions options = {}) {
    if (options.base_principal.empty()) options.base_principal = kUser;
    IamWorld world(std::make_shared<const iam::Model>(model));
    auto e = ExplainSpokeChain(world, in, *env_, profiles_, options);
    EXPECT_TRUE(e) << e.error().message();
    return e ? *e : ChainExplanation{};
  }

  static iam::Role& RoleNamed(iam::Model& m, const std::string& account, const std::string& name) {
    for (iam::Role& r : m.roles) {
      if (r.account == account && r.name == name) return r;
    }
    ADD_FAILURE() << "no role " << name;
    return m.roles.front();
  }

  static policy::NamedPolicy Policy(const std::string& name, policy::PolicyKind kind,
                                    const std::string& json) {
    auto p = policy::ParseNamedPolicy(name, kind, json);
    EXPECT_TRUE(p) << p.error().message();
    return *p;
  }

  std::unique_ptr<Environment> env_;
  ProfileSet profiles_;
};

TEST_F(ExplainChainTest, TheSeedChainIsAllowedWithTheStatementsThatAllowIt) {
  ChainExplanation e = Explain(iam::BuiltinModel(), Seed());
  ASSERT_EQ(e.hops.size(), 2u);
  EXPECT_TRUE(e.allowed());
  EXPECT_EQ(e.hops[0].hop, "hub");
  EXPECT_EQ(e.hops[0].caller_arn, kUser);
  EXPECT_EQ(e.hops[0].role_arn, "arn:aws:iam::999999999999:role/automation-hub-role");
  EXPECT_EQ(e.hops[1].caller_arn,
            "arn:aws:sts::999999999999:assumed-role/automation-hub-role/explain-test");
  EXPECT_EQ(e.hops[1].role_arn, "arn:aws:iam::888888888888:role/automation-spoke-role");
  bool identity = false, trust = false;
  for (const ExplainedReason& r : e.hops[1].reasons) {
    identity = identity || (r.side == "identity policy" && r.code == "StatementAllows" &&
                            r.statement_index == 0u);
    trust = trust || (r.side == "trust policy" && r.sid == "TrustTheHubRole");
  }
  EXPECT_TRUE(identity);
  EXPECT_TRUE(trust);
  EXPECT_TRUE(e.hops[0].fix.empty());
  const std::string text = FormatChainExplanation(e);
  EXPECT_NE(text.find("result: the chain would succeed"), std::string::npos) << text;
}

TEST_F(ExplainChainTest, AWrongExternalIdNamesTheTrustStatementAndNeverTheValue) {
  SpokeCredentialsInput in = Seed();
  in.spoke_external_id = kSecretExternalId;
  ChainExplanation e = Explain(iam::BuiltinModel(), in);
  EXPECT_FALSE(e.allowed());
  EXPECT_TRUE(e.hops[0].allowed);
  const HopExplanation& spoke = e.hops[1];
  EXPECT_FALSE(spoke.allowed);
  EXPECT_EQ(spoke.side, "trust policy");
  EXPECT_EQ(spoke.sts_error, "AccessDenied");
  const ExplainedReason* failed = nullptr;
  for (const ExplainedReason& r : spoke.reasons) {
    if (r.code == "ConditionNotMet") failed = &r;
  }
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->statement_index, 0u);
  EXPECT_EQ(failed->sid, "TrustTheHubRole");
  ASSERT_EQ(failed->conditions.size(), 1u);
  EXPECT_EQ(failed->conditions[0].key, "sts:ExternalId");
  EXPECT_TRUE(failed->conditions[0].redacted);
  EXPECT_TRUE(failed->conditions[0].expected.empty());
  EXPECT_NE(spoke.fix.find("--spoke-external-id"), std::string::npos) << spoke.fix;
  for (const std::string& out : {FormatChainExplanation(e), ChainExplanationJson(e)}) {
    EXPECT_EQ(out.find(kSecretExternalId), std::string::npos) << out;
    EXPECT_EQ(out.find(iam::kBuiltinExternalId), std::string::npos) << out;
  }
}

TEST_F(ExplainChainTest, AnScpDenyingAssumeRoleNamesTheScpAndItsNode) {
  iam::Model m = iam::BuiltinModel();
  m.organization_scps.push_back(Policy(
      "SCP 'NoRoleChaining'", policy::PolicyKind::kScp,
      R"({"Version": "2012-10-17", "Statement": [{"Sid": "NoAssume", "Effect": "Deny",
          "Action": "sts:AssumeRole", "Resource": "*",
          "Condition": {"StringEquals": {"aws:PrincipalAccount": "999999999999"}}}]})"));
  m.organization_scps.back().scp_group = m.organization_scps.front().scp_group;  // the root
  ChainExplanation e = Explain(m, Seed());
  EXPECT_TRUE(e.hops[0].allowed) << FormatChainExplanation(e);
  const HopExplanation& spoke = e.hops[1];
  EXPECT_EQ(spoke.side, "SCP");
  ASSERT_FALSE(spoke.reasons.empty());
  EXPECT_EQ(spoke.reasons[0].code, "ExplicitDeny");
  EXPECT_EQ(spoke.reasons[0].sid, "NoAssume");
  EXPECT_EQ(spoke.reasons[0].scp_target, "root");
  EXPECT_NE(spoke.fix.find("NoRoleChaining"), std::string::npos) << spoke.fix;
}

TEST_F(ExplainChainTest, APermissionsBoundaryOfTheHubRoleRefusesTheSpokeHop) {
  iam::Model m = iam::BuiltinModel();
  RoleNamed(m, iam::kBuiltinHubAccount, iam::kBuiltinHubRole).permissions_boundary =
      Policy("permissions boundary 'ReadOnly'", policy::PolicyKind::kPermissionsBoundary,
             R"({"Version": "2012-10-17", "Statement": [{"Sid": "ReadOnly", "Effect": "Allow",
                 "Action": "organizations:List*", "Resource": "*"}]})");
  ChainExplanation e = Explain(m, Seed());
  EXPECT_TRUE(e.hops[0].allowed);
  EXPECT_EQ(e.hops[1].side, "permissions boundary");
  EXPECT_NE(e.hops[1].fix.find("permissions boundary"), std::string::npos) << e.hops[1].fix;
}

TEST_F(ExplainChainTest, ABaseSessionPolicyWithoutAssumeRoleRefusesTheHubHop) {
  iam::Model m = iam::BuiltinModel();
  // The hub role trusts a CI role in the identity account, whose sessions call it.
  m.roles.push_back(m.roles.front());
  iam::Role& ci = m.roles.back();
  ci.account = "111111111111";
  ci.name = "ci";
  ci.arn = "arn:aws:iam::111111111111:role/ci";
  ci.unique_id.clear();
  ci.policies = {Policy("identity policy 'assume-hub' of role ci", policy::PolicyKind::kIdentity,
                        R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                            "Action": "sts:AssumeRole", "Resource": "*"}]})")};
  RoleNamed(m, iam::kBuiltinHubAccount, iam::kBuiltinHubRole).trust_policy =
      Policy("trust policy of arn:aws:iam::999999999999:role/automation-hub-role",
             policy::PolicyKind::kTrust,
             R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": "arn:aws:iam::111111111111:role/ci"}}]})");
  const std::string session = "arn:aws:sts::111111111111:assumed-role/ci/build-42";
  EXPECT_TRUE(Explain(m, Seed(), {.base_principal = session}).hops[0].allowed);
  ChainExplanation e = Explain(
      m, Seed(),
      {.base_principal = session,
       .base_session_policy = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                   "Action": "s3:GetObject", "Resource": "*"}]})"});
  EXPECT_EQ(e.hops[0].side, "session policy");
  IamWorld world(std::make_shared<const iam::Model>(m));
  auto user = ExplainSpokeChain(world, Seed(), *env_, profiles_,
                                {.base_principal = kUser, .base_session_policy = "{}"});
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(ExplainChainTest, AMissingRoleAndAMissingHubAreReported) {
  SpokeCredentialsInput in = Seed();
  in.spoke_role_name = "not-there";
  ChainExplanation e = Explain(iam::BuiltinModel(), in);
  EXPECT_EQ(e.hops[1].refusal, "NoSuchRole");
  EXPECT_NE(e.hops[1].fix.find("spoke-trust"), std::string::npos);
  in = Seed();
  in.hub_role_name = "no-hub";
  e = Explain(iam::BuiltinModel(), in);
  EXPECT_EQ(e.hops[0].refusal, "NoSuchRole");
  EXPECT_EQ(e.hops[1].refusal, "NotEvaluated");
  EXPECT_FALSE(e.allowed());
}

TEST_F(ExplainChainTest, TheBasePrincipalComesFromTheKeyTheCallerOrTheOnlyUser) {
  IamWorld world(std::make_shared<const iam::Model>(iam::BuiltinModel()));
  EXPECT_EQ(*ResolveBasePrincipal(world, iam::kBuiltinAccessKeyId, "", "--base-principal"), kUser);
  EXPECT_EQ(*ResolveBasePrincipal(world, "AKIAOTHER0000000000", "arn:aws:iam::1:user/x", "f"),
            "arn:aws:iam::1:user/x");
  EXPECT_EQ(*ResolveBasePrincipal(world, "", "", "--base-principal"), kUser);
  auto unknown = ResolveBasePrincipal(world, "AKIAOTHER0000000000", "", "--base-principal");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("--base-principal"), std::string::npos);
  iam::Model two = iam::BuiltinModel();
  two.users.push_back(two.users.front());
  two.users.back().name = "other";
  two.users.back().arn = "arn:aws:iam::111111111111:user/other";
  two.users.back().access_keys.clear();
  auto ambiguous = ResolveBasePrincipal(IamWorld(std::make_shared<const iam::Model>(two)), "", "",
                                        "--base-principal");
  ASSERT_FALSE(ambiguous);
  EXPECT_NE(ambiguous.error().message().find("2 IAM users"), std::string::npos);
}

TEST_F(ExplainChainTest, BadInputIsRefusedBeforeAnyEvaluation) {
  IamWorld world(std::make_shared<const iam::Model>(iam::BuiltinModel()));
  SpokeCredentialsInput in = Seed();
  in.spoke_account_id = "12345";
  auto bad = ExplainSpokeChain(world, in, *env_, profiles_, {.base_principal = kUser});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  auto nobody = ExplainSpokeChain(world, Seed(), *env_, profiles_,
                                  {.base_principal = "arn:aws:iam::111111111111:user/nobody"});
  ASSERT_FALSE(nobody);
  EXPECT_NE(nobody.error().message().find("base principal"), std::string::npos);
}

TEST_F(ExplainChainTest, TheJsonIsOneObjectWithEveryHop) {
  SpokeCredentialsInput in = Seed();
  in.spoke_external_id = kSecretExternalId;
  const std::string json = ChainExplanationJson(Explain(iam::BuiltinModel(), in));
  EXPECT_EQ(json.rfind("{\"base_principal\": ", 0), 0u) << json;
  EXPECT_NE(json.find("\"allowed\": false"), std::string::npos);
  EXPECT_NE(json.find("\"hop\": \"spoke\""), std::string::npos);
  EXPECT_NE(json.find("\"key\": \"sts:ExternalId\", \"redacted\": true, \"expected\": []"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace hubspoke
