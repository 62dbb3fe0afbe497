#include "iam/assume_role_decision.h"

#include <gtest/gtest.h>

#include "iam/explain.h"

namespace hubspoke::iam {
namespace {

// An organization with a tree: root → Workloads → Sandbox (an SCP there denies sts:AssumeRole).
// Users in 111111111111 (Workloads), 555555555555 (Sandbox) and 444444444444 (outside the
// organization) call the hub role in 999999999999, which may assume the spoke role in
// 888888888888 with an external id.
constexpr char kWorld[] = R"JSON({
  "organization": {
    "id": "o-a1b2c3d4e5",
    "scps": [{"name": "FullAWSAccess", "document": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}],
    "organizational_units": [
      {"id": "ou-abcd-sandbox01", "name": "Sandbox", "parent": "ou-abcd-workload",
       "scps": [{"name": "NoRoles", "document": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": "*", "Resource": "*"},
         {"Sid": "DenyRoles", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}}]},
      {"id": "ou-abcd-workload", "name": "Workloads",
       "scps": [{"name": "FullAWSAccess", "document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}
    ]
  },
  "accounts": [
    {"id": "111111111111", "name": "identity", "parent": "ou-abcd-workload"},
    {"id": "555555555555", "name": "sandbox", "parent": "ou-abcd-sandbox01"},
    {"id": "444444444444", "name": "outsider", "organization": false},
    {"id": "999999999999", "name": "hub"},
    {"id": "888888888888", "name": "spoke"}
  ],
  "users": [
    {"account": "111111111111", "name": "alice", "mfa_devices": ["arn:aws:iam::111111111111:mfa/alice"],
     "policies": [{"name": "assume", "document": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]},
    {"account": "111111111111", "name": "nopolicy"},
    {"account": "111111111111", "name": "denied",
     "policies": [{"name": "assume-but-not-the-hub", "document": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
       {"Sid": "NoHub", "Effect": "Deny", "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::999999999999:role/hub"}]}}]},
    {"account": "111111111111", "name": "bounded",
     "policies": [{"name": "assume", "document": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}],
     "permissions_boundary": {"Version": "2012-10-17", "Statement": [
       {"Sid": "S3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
    {"account": "555555555555", "name": "sandboxed",
     "policies": [{"name": "assume", "document": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]},
    {"account": "444444444444", "name": "outsider",
     "policies": [{"name": "assume", "document": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]}
  ],
  "roles": [
    {"account": "999999999999", "name": "hub",
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Sid": "OrgMembers", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]},
     "policies": [{"name": "spokes", "document": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/spoke"}]}}]},
    {"account": "888888888888", "name": "spoke",
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Sid": "TrustTheHub", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999999999999:role/hub"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "the-right-external-id"}}}]}}
  ]
})JSON";

constexpr char kHub[] = "arn:aws:iam::999999999999:role/hub";
constexpr char kSpoke[] = "arn:aws:iam::888888888888:role/spoke";

class AssumeRoleDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = ParseModel(kWorld, "world");
    ASSERT_TRUE(m) << m.error().message();
    model_ = std::move(*m);
  }

  Caller CallerOf(const std::string& arn, const SessionState& session = {}) {
    auto c = CallerFromArn(model_, arn, session);
    EXPECT_TRUE(c) << c.error().message();
    return c ? std::move(*c) : Caller{};
  }

  HopDecision Decide(const std::string& caller_arn, const std::string& role_arn,
                     std::optional<std::string> external_id = std::nullopt,
                     const SessionState& session = {}) {
    AssumeRoleInput input{.role_arn = role_arn, .session_name = "test",
                          .external_id = std::move(external_id)};
    return DecideAssumeRole(model_, CallerOf(caller_arn, session), input);
  }

  // The first reason that is about a statement (the supporting reasons of a refusal).
  static const DecisionReason* StatementReason(const HopDecision& d, Side side) {
    for (const DecisionReason& r : d.reasons) {
      if (r.side == side && r.statement_index) return &r;
    }
    return nullptr;
  }

  Model model_;
};

TEST_F(AssumeRoleDecisionTest, AllowsTheUserToTheHubAndTheHubToTheSpoke) {
  HopDecision hub = Decide("arn:aws:iam::111111111111:user/alice", kHub);
  EXPECT_TRUE(hub.allowed()) << ExplainDecision(hub);
  EXPECT_EQ(hub.decision, policy::Decision::kAllow);
  EXPECT_EQ(hub.side, Side::kNone);
  ASSERT_FALSE(hub.reasons.empty());
  EXPECT_EQ(hub.reasons[0].code, policy::ReasonCode::kAllowed);
  EXPECT_FALSE(hub.chained);

  // By ARN, without any key: the hub role's session.
  HopDecision spoke = Decide(kHub, kSpoke, "the-right-external-id");
  EXPECT_TRUE(spoke.allowed()) << ExplainDecision(spoke);
  EXPECT_TRUE(spoke.chained);
  const DecisionReason* trust = nullptr;
  for (const DecisionReason& r : spoke.reasons) {
    if (r.side == Side::kTrustPolicy) trust = &r;
  }
  ASSERT_NE(trust, nullptr);
  EXPECT_EQ(trust->statement_index, 0u);
  EXPECT_EQ(trust->sid, "TrustTheHub");
}

// The role is the resource of sts:AssumeRole: aws:ResourceOrgID is the organization of the
// role's account (what a hub policy names to keep its spoke calls inside the organization),
// aws:ResourceAccount its account, and the org paths run down the tree.
TEST_F(AssumeRoleDecisionTest, TheRolesAccountGivesTheResourceOrganizationKeys) {
  auto with_condition = [&](const std::string& condition) {
    Model m = model_;
    for (Role& r : m.roles) {
      if (r.arn != kHub) continue;
      auto p = policy::ParseNamedPolicy(
          "identity policy 'spokes' of role hub", policy::PolicyKind::kIdentity,
          R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
              "Resource": "arn:aws:iam::*:role/spoke", "Condition": )" + condition + "}]}");
      EXPECT_TRUE(p) << p.error().message();
      r.policies = {*p};
    }
    auto caller = CallerFromArn(m, kHub);
    EXPECT_TRUE(caller);
    AssumeRoleInput input{.role_arn = kSpoke, .session_name = "test",
                          .external_id = "the-right-external-id"};
    return DecideAssumeRole(m, *caller, input);
  };
  EXPECT_TRUE(with_condition(R"({"StringEquals": {"aws:ResourceOrgID": "o-a1b2c3d4e5"}})").allowed());
  EXPECT_TRUE(with_condition(R"({"StringEquals": {"aws:ResourceAccount": "888888888888"}})").allowed());
  EXPECT_TRUE(with_condition(R"({"StringLike": {"aws:ResourceOrgPaths": "o-a1b2c3d4e5/r-a1b2/"}})").allowed());
  EXPECT_TRUE(with_condition(
      R"({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-a1b2/"}})").allowed());
  HopDecision other = with_condition(R"({"StringEquals": {"aws:ResourceOrgID": "o-zzzzzzzzzz"}})");
  EXPECT_FALSE(other.allowed());
  EXPECT_EQ(other.side, Side::kIdentityPolicy);

  // A role in an account outside the organization: the key is absent.
  Model m = model_;
  for (Account& a : m.accounts) {
    if (a.id == "888888888888") a.in_organization = false;
  }
  model_ = m;
  EXPECT_FALSE(with_condition(R"({"StringEquals": {"aws:ResourceOrgID": "o-a1b2c3d4e5"}})").allowed());
}

TEST_F(AssumeRoleDecisionTest, NoIdentityPolicyRefusesOnTheCallersSide) {
  HopDecision d = Decide("arn:aws:iam::111111111111:user/nopolicy", kHub);
  EXPECT_EQ(d.refusal, Refusal::kPolicy);
  EXPECT_EQ(d.side, Side::kIdentityPolicy);
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_TRUE(d.reasons[0].decisive);
  EXPECT_EQ(d.reasons[0].code, policy::ReasonCode::kNoIdentityAllow);
  EXPECT_FALSE(d.reasons[0].statement_index);  // no statement: it has no policy at all
  EXPECT_TRUE(d.reasons[0].conditions.empty());
  EXPECT_EQ(d.action, "sts:AssumeRole");
}

TEST_F(AssumeRoleDecisionTest, AnExplicitDenyNamesItsStatement) {
  HopDecision d = Decide("arn:aws:iam::111111111111:user/denied", kHub);
  EXPECT_EQ(d.decision, policy::Decision::kExplicitDeny);
  EXPECT_EQ(d.side, Side::kIdentityPolicy);
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_EQ(d.reasons[0].code, policy::ReasonCode::kExplicitDeny);
  EXPECT_EQ(d.reasons[0].statement_index, 1u);
  EXPECT_EQ(d.reasons[0].sid, "NoHub");
  EXPECT_TRUE(d.reasons[0].conditions.empty());
  EXPECT_EQ(d.reasons[0].policy, "identity policy 'assume-but-not-the-hub' of user denied");
}

TEST_F(AssumeRoleDecisionTest, AnScpAtAnOuDenies) {
  HopDecision d = Decide("arn:aws:iam::555555555555:user/sandboxed", kHub);
  EXPECT_EQ(d.decision, policy::Decision::kExplicitDeny);
  EXPECT_EQ(d.side, Side::kScp);
  ASSERT_FALSE(d.reasons.empty());
  const DecisionReason& r = d.reasons[0];
  EXPECT_EQ(r.code, policy::ReasonCode::kExplicitDeny);
  EXPECT_EQ(r.statement_index, 1u);
  EXPECT_EQ(r.sid, "DenyRoles");
  EXPECT_TRUE(r.conditions.empty());
  ASSERT_TRUE(r.scp_node);
  EXPECT_EQ(r.scp_node->level, ScpNode::Level::kOrganizationalUnit);
  EXPECT_EQ(r.scp_node->id, "ou-abcd-sandbox01");
  EXPECT_EQ(r.scp_node->name, "Sandbox");
  EXPECT_EQ(r.scp_account, "555555555555");
  EXPECT_NE(ExplainDecision(d).find("attached at the OU ou-abcd-sandbox01 'Sandbox'"),
            std::string::npos)
      << ExplainDecision(d);
}

TEST_F(AssumeRoleDecisionTest, AnAccountOutsideTheOrganizationFailsTheOrgCondition) {
  HopDecision d = Decide("arn:aws:iam::444444444444:user/outsider", kHub);
  EXPECT_EQ(d.refusal, Refusal::kPolicy);
  EXPECT_EQ(d.side, Side::kTrustPolicy);
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_EQ(d.reasons[0].code, policy::ReasonCode::kNoResourcePolicyAllow);
  const DecisionReason* st = StatementReason(d, Side::kTrustPolicy);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->code, policy::ReasonCode::kConditionNotMet);
  EXPECT_EQ(st->statement_index, 0u);
  EXPECT_EQ(st->sid, "OrgMembers");
  ASSERT_EQ(st->conditions.size(), 1u);
  EXPECT_EQ(st->conditions[0].key, "aws:PrincipalOrgID");
  EXPECT_EQ(st->conditions[0].operator_name, "StringEquals");
  EXPECT_FALSE(st->conditions[0].actual);  // absent: the account is in no organization
  EXPECT_EQ(st->conditions[0].expected, std::vector<std::string>{"o-a1b2c3d4e5"});
}

TEST_F(AssumeRoleDecisionTest, AWrongExternalIdFailsTheTrustConditionWithoutItsValue) {
  HopDecision d = Decide(kHub, kSpoke, "a-wrong-external-id");
  EXPECT_EQ(d.refusal, Refusal::kPolicy);
  EXPECT_EQ(d.side, Side::kTrustPolicy);
  const DecisionReason* st = StatementReason(d, Side::kTrustPolicy);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->code, policy::ReasonCode::kConditionNotMet);
  EXPECT_EQ(st->statement_index, 0u);
  EXPECT_EQ(st->sid, "TrustTheHub");
  ASSERT_EQ(st->conditions.size(), 1u);
  EXPECT_EQ(st->conditions[0].key, "sts:ExternalId");
  EXPECT_TRUE(st->conditions[0].redacted);
  // Security: neither the expected nor the given external id reaches the decision or its text.
  const std::string text = ExplainDecision(d) + ExplainReasons(d.policy_reasons) + d.message;
  EXPECT_EQ(text.find("the-right-external-id"), std::string::npos) << text;
  EXPECT_EQ(text.find("a-wrong-external-id"), std::string::npos) << text;
  EXPECT_NE(text.find("does not satisfy"), std::string::npos) << text;
  for (const auto& v : st->conditions[0].expected) EXPECT_EQ(v.find("external-id"), std::string::npos);
  if (st->conditions[0].actual) {
    EXPECT_TRUE(st->conditions[0].actual->empty());
  }
}

TEST_F(AssumeRoleDecisionTest, ATrustPolicyNamingAnotherPrincipalRefuses) {
  // alice may assume any role by her own policy, but the spoke trusts only the hub role.
  HopDecision d = Decide("arn:aws:iam::111111111111:user/alice", kSpoke, "the-right-external-id");
  EXPECT_EQ(d.refusal, Refusal::kPolicy);
  EXPECT_EQ(d.side, Side::kTrustPolicy);
  EXPECT_EQ(d.reasons[0].code, policy::ReasonCode::kNoResourcePolicyAllow);
  const DecisionReason* st = StatementReason(d, Side::kTrustPolicy);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->code, policy::ReasonCode::kPrincipalNotMatched);
  EXPECT_EQ(st->statement_index, 0u);
  EXPECT_EQ(st->sid, "TrustTheHub");
  EXPECT_TRUE(st->conditions.empty());
}

TEST_F(AssumeRoleDecisionTest, APermissionsBoundaryWithoutAssumeRoleRefuses) {
  HopDecision d = Decide("arn:aws:iam::111111111111:user/bounded", kHub);
  EXPECT_EQ(d.refusal, Refusal::kPolicy);
  EXPECT_EQ(d.side, Side::kPermissionsBoundary);
  EXPECT_EQ(d.reasons[0].code, policy::ReasonCode::kNoBoundaryAllow);
  const DecisionReason* st = StatementReason(d, Side::kPermissionsBoundary);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->code, policy::ReasonCode::kActionNotMatched);
  EXPECT_EQ(st->statement_index, 0u);
  EXPECT_EQ(st->sid, "S3Only");
}

TEST_F(AssumeRoleDecisionTest, ASessionPolicyWithoutAssumeRoleRefuses) {
  SessionState session{.session_policy = R"({"Version": "2012-10-17", "Statement": [
      {"Sid": "ReadOnly", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})"};
  HopDecision d = Decide(kHub, kSpoke, "the-right-external-id", session);
  EXPECT_EQ(d.refusal, Refusal::kPolicy);
  EXPECT_EQ(d.side, Side::kSessionPolicy);
  EXPECT_EQ(d.reasons[0].code, policy::ReasonCode::kNoSessionPolicyAllow);
  const DecisionReason* st = StatementReason(d, Side::kSessionPolicy);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->code, policy::ReasonCode::kActionNotMatched);
  EXPECT_EQ(st->statement_index, 0u);
  EXPECT_EQ(st->sid, "ReadOnly");
}

TEST_F(AssumeRoleDecisionTest, TheRoleMfaAndDurationAreChecked) {
  Caller alice = CallerOf("arn:aws:iam::111111111111:user/alice");
  HopDecision none = DecideAssumeRole(
      model_, alice, {.role_arn = "arn:aws:iam::999999999999:role/nope", .session_name = "s"});
  EXPECT_EQ(none.refusal, Refusal::kNoSuchRole);
  EXPECT_EQ(none.side, Side::kRole);

  HopDecision bad_mfa = DecideAssumeRole(
      model_, alice,
      {.role_arn = kHub, .session_name = "s", .serial_number = "arn:aws:iam::111111111111:mfa/x",
       .token_code = "123456"});
  EXPECT_EQ(bad_mfa.refusal, Refusal::kMfaFailed);
  HopDecision mfa = DecideAssumeRole(
      model_, alice,
      {.role_arn = kHub, .session_name = "s",
       .serial_number = "arn:aws:iam::111111111111:mfa/alice", .token_code = "123456"});
  EXPECT_TRUE(mfa.allowed()) << ExplainDecision(mfa);
  EXPECT_TRUE(mfa.mfa_authenticated);

  HopDecision chained = DecideAssumeRole(
      model_, CallerOf(kHub),
      {.role_arn = kSpoke, .session_name = "s", .external_id = "the-right-external-id",
       .duration_seconds = 7200});
  EXPECT_EQ(chained.refusal, Refusal::kRoleChainingLimit);
  HopDecision too_long = DecideAssumeRole(
      model_, alice, {.role_arn = kHub, .session_name = "s", .duration_seconds = 7200});
  EXPECT_EQ(too_long.refusal, Refusal::kMaxSessionDuration);
  EXPECT_EQ(too_long.side, Side::kRole);
  EXPECT_TRUE(too_long.reasons[0].decisive);
  for (std::size_t i = 1; i < too_long.reasons.size(); ++i) {
    EXPECT_FALSE(too_long.reasons[i].decisive);
  }
}

// A role chain keeps its source identity: a chained call may repeat it but not change it, and
// the next session carries it only where the target's trust policy allows
// sts:SetSourceIdentity (see DecideAssumeRole for the IAM User Guide's words).
TEST_F(AssumeRoleDecisionTest, AChainCannotChangeItsSourceIdentity) {
  const SessionState carried{.session_name = "me", .source_identity = "alice"};
  Caller hub_session =
      CallerOf("arn:aws:sts::999999999999:assumed-role/hub/me", carried);
  ASSERT_EQ(hub_session.principal.source_identity, "alice");
  AssumeRoleInput changed{.role_arn = kSpoke, .session_name = "s",
                          .external_id = "the-right-external-id", .source_identity = "mallory"};
  HopDecision d = DecideAssumeRole(model_, hub_session, changed);
  EXPECT_EQ(d.refusal, Refusal::kSourceIdentityChanged) << ExplainDecision(d);
  EXPECT_EQ(d.side, Side::kRequest);
  EXPECT_NE(d.message.find("cannot be changed"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("mallory"), std::string::npos) << d.message;

  // The same value, or none, reaches the policies: the spoke's trust policy does not allow
  // sts:SetSourceIdentity, so both are refused there and not for a change.
  for (std::optional<std::string> si : {std::optional<std::string>("alice"),
                                        std::optional<std::string>()}) {
    AssumeRoleInput same{.role_arn = kSpoke, .session_name = "s",
                         .external_id = "the-right-external-id", .source_identity = si};
    HopDecision p = DecideAssumeRole(model_, hub_session, same);
    EXPECT_EQ(p.refusal, Refusal::kPolicy) << ExplainDecision(p);
    EXPECT_EQ(p.action, "sts:SetSourceIdentity") << ExplainDecision(p);
  }
  // A session without a source identity may set one (policies permitting).
  HopDecision fresh = DecideAssumeRole(model_, CallerOf(kHub), changed);
  EXPECT_NE(fresh.refusal, Refusal::kSourceIdentityChanged);
}

TEST_F(AssumeRoleDecisionTest, CallersComeFromArns) {
  Caller user = CallerOf("arn:aws:iam::111111111111:user/alice");
  EXPECT_EQ(user.principal.type, policy::PrincipalType::kUser);
  EXPECT_EQ(user.principal.org_id, "o-a1b2c3d4e5");
  EXPECT_FALSE(user.is_session());
  ASSERT_NE(user.user, nullptr);

  Caller session = CallerOf("arn:aws:sts::999999999999:assumed-role/hub/me@example.com");
  EXPECT_EQ(session.principal.type, policy::PrincipalType::kRoleSession);
  EXPECT_EQ(session.principal.role_arn, kHub);
  ASSERT_TRUE(session.is_session());
  EXPECT_EQ(session.session->session_name, "me@example.com");
  EXPECT_EQ(session.identity_policies.size(), 1u);

  EXPECT_FALSE(CallerFromArn(model_, "arn:aws:iam::111111111111:user/nobody"));
  EXPECT_FALSE(CallerFromArn(model_, "arn:aws:sts::999999999999:assumed-role/nope/s"));
  EXPECT_FALSE(CallerFromArn(model_, "not-an-arn"));
  auto root = CallerFromArn(model_, "arn:aws:iam::111111111111:root");
  ASSERT_TRUE(root);
  HopDecision d = DecideAssumeRole(model_, *root, {.role_arn = kHub, .session_name = "s"});
  EXPECT_EQ(d.side, Side::kCaller);
  EXPECT_EQ(d.reasons[0].code, policy::ReasonCode::kRootCannotAssumeRole);
}

}  // namespace
}  // namespace hubspoke::iam
