// The decision table: Action/Resource/Principal matching, explicit and implicit denies across
// policy types, SCPs, boundaries, session policies, same-account vs cross-account [EVAL, XACCT,
// PRIN, FACTS §1–3].
#include "policy/evaluate.h"

#include <gtest/gtest.h>

#include "policy/policy_testing.h"

namespace hubspoke::policy {
namespace {

using testing::Ctx;
using testing::EvalCase;
using testing::kHubAccount;
using testing::kUserAccount;
using testing::PolicySpec;
using testing::RoleArn;

constexpr PolicyKind kId = PolicyKind::kIdentity;
constexpr PolicyKind kTrust = PolicyKind::kTrust;
constexpr PolicyKind kRes = PolicyKind::kResource;

const std::string kHubRole = RoleArn(kHubAccount, "automation-hub-role");
const std::string kSameRole = RoleArn(kUserAccount, "target");

std::string Allow(const std::string& action, const std::string& resource) {
  return R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": )" + action +
         R"(, "Resource": )" + resource + "}}";
}
std::string Deny(const std::string& action, const std::string& resource) {
  return R"({"Version": "2012-10-17", "Statement": {"Sid": "NoWay", "Effect": "Deny", "Action": )" +
         action + R"(, "Resource": )" + resource + "}}";
}
// A trust policy allowing sts:AssumeRole to `principal` (JSON).
std::string Trust(const std::string& principal, const std::string& condition = "") {
  return R"({"Version": "2012-10-17", "Statement": {"Sid": "Trust", "Effect": "Allow",
      "Principal": )" +
         principal + R"(, "Action": "sts:AssumeRole")" +
         (condition.empty() ? "" : R"(, "Condition": {)" + condition + "}") + "}}";
}

const PolicySpec kAllowAssumeAny{kId, Allow(R"("sts:AssumeRole")", R"("*")"),
                                 "identity policy 'assume'", ""};

RequestContext AliceAssumes(const std::string& role, const std::string& account = kUserAccount) {
  return Ctx(testing::User(account, "alice"), "sts:AssumeRole", role);
}
RequestContext SessionAssumes(const std::string& role, const std::string& session = "s1") {
  return Ctx(testing::Session(kUserAccount, "builder", session), "sts:AssumeRole", role);
}

class PolicyEvaluateTable : public ::testing::TestWithParam<EvalCase> {};

TEST_P(PolicyEvaluateTable, Decides) { testing::CheckCase(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    PolicyEvaluate, PolicyEvaluateTable,
    ::testing::Values(
        // Allow and implicit deny from identity policies alone.
        EvalCase{"identity allow",
                 {kAllowAssumeAny},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "identity policy 'assume', statement #1: Allow"},
        EvalCase{"no policy at all",
                 {},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "(it has none)"},
        EvalCase{"action not matched",
                 {{kId, Allow(R"("s3:*")", R"("*")")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "Action [s3:*] does not match sts:AssumeRole"},
        EvalCase{"action wildcard",
                 {{kId, Allow(R"("sts:Assume*")", R"("*")")}},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "Allow"},
        EvalCase{"action case-insensitive and ?",
                 {{kId, Allow(R"("STS:assumerol?")", R"("*")")}},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "Allow"},
        EvalCase{
            "NotAction allows the rest",
            {{kId, R"({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}})"}},
            AliceAssumes(kSameRole),
            Decision::kAllow,
            ReasonCode::kAllowed,
            "Allow"},
        EvalCase{"NotAction excludes",
                 {{kId,
                   R"({"Statement": {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"],
                  "Resource": "*"}})"}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "NotAction [iam:*, sts:*] excludes sts:AssumeRole"},
        // Resources: wildcards per ARN component, NotResource, variables.
        EvalCase{
            "resource wildcard account",
            {{kId, Allow(R"("sts:AssumeRole")", R"("arn:aws:iam::*:role/automation-spoke-role")")}},
            AliceAssumes(RoleArn(kUserAccount, "automation-spoke-role")),
            Decision::kAllow,
            ReasonCode::kAllowed,
            "Allow"},
        EvalCase{
            "resource other role",
            {{kId, Allow(R"("sts:AssumeRole")", R"("arn:aws:iam::*:role/automation-spoke-role")")}},
            AliceAssumes(RoleArn(kUserAccount, "admin")),
            Decision::kImplicitDeny,
            ReasonCode::kNoIdentityAllow,
            "does not match arn:aws:iam::111111111111:role/admin"},
        EvalCase{"resource is case-sensitive",
                 {{kId, Allow(R"("sts:AssumeRole")", R"("arn:aws:iam::*:role/Target")")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "Resource [arn:aws:iam::*:role/Target]"},
        EvalCase{"resource wildcard stays in its component",
                 {{kId, Allow(R"("sts:AssumeRole")", R"("arn:aws:iam::*:target")")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "does not match"},
        EvalCase{"resource star in the resource part spans slashes",
                 {{kId, Allow(R"("sts:AssumeRole")", R"("arn:aws:iam::111111111111:role/*")")}},
                 AliceAssumes(RoleArn(kUserAccount, "a/b/target")),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "Allow"},
        EvalCase{"NotResource",
                 {{kId,
                   R"({"Statement": {"Effect": "Allow", "Action": "*",
                  "NotResource": "arn:aws:iam::*:role/admin*"}})"}},
                 AliceAssumes(RoleArn(kUserAccount, "admin-1")),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "NotResource [arn:aws:iam::*:role/admin*] excludes"},
        EvalCase{
            "resource variable ${aws:username}",
            {{kId, Allow(R"("sts:AssumeRole")", R"("arn:aws:iam::*:role/${aws:username}-role")")}},
            AliceAssumes(RoleArn(kUserAccount, "alice-role")),
            Decision::kAllow,
            ReasonCode::kAllowed,
            "Allow"},
        EvalCase{
            "resource variable other user",
            {{kId, Allow(R"("sts:AssumeRole")", R"("arn:aws:iam::*:role/${aws:username}-role")")}},
            AliceAssumes(RoleArn(kUserAccount, "bob-role")),
            Decision::kImplicitDeny,
            ReasonCode::kNoIdentityAllow,
            "does not match"},
        EvalCase{"resource variable without value matches nothing",
                 {{kId, Allow(R"("sts:AssumeRole")",
                              R"("arn:aws:iam::*:role/${aws:PrincipalTag/x}*")")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "does not match"},
        EvalCase{"no variable before the fifth colon",
                 {{kId, Allow(R"("sts:AssumeRole")",
                              R"("arn:aws:iam::${aws:PrincipalAccount}:role/target")")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "does not match"},
        // Explicit deny wins, within a policy and across policy types.
        EvalCase{"deny beats allow in one policy",
                 {{kId, R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                       {"Sid": "NoAdmin", "Effect": "Deny", "Action": "sts:*",
                       "Resource": "*"}]})"}},
                 AliceAssumes(kSameRole),
                 Decision::kExplicitDeny,
                 ReasonCode::kExplicitDeny,
                 "statement 'NoAdmin': Deny sts:AssumeRole"},
        EvalCase{"SCP deny beats identity allow",
                 {kAllowAssumeAny,
                  {PolicyKind::kScp, Allow(R"("*")", R"("*")"), "SCP 'full'", ""},
                  {PolicyKind::kScp, Deny(R"("sts:AssumeRole")", R"("*")"), "SCP 'no-assume'", ""}},
                 AliceAssumes(kSameRole),
                 Decision::kExplicitDeny,
                 ReasonCode::kExplicitDeny,
                 "with an explicit deny in a service control policy"},
        EvalCase{"session policy deny",
                 {kAllowAssumeAny, {PolicyKind::kSession, Deny(R"("*")", R"("*")")}},
                 SessionAssumes(kSameRole),
                 Decision::kExplicitDeny,
                 ReasonCode::kExplicitDeny,
                 "explicit deny in a session policy"},
        EvalCase{
            "trust policy deny beats trust allow",
            {{kTrust,
              R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
                   {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
                   "Action": "sts:*"}]})"}},
            AliceAssumes(kSameRole),
            Decision::kExplicitDeny,
            ReasonCode::kExplicitDeny,
            "statement #2: Deny"},
        EvalCase{"deny with unmet condition does not apply",
                 {kAllowAssumeAny,
                  {kId,
                   R"({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}})"}},
                 Ctx(testing::User(kUserAccount, "alice"), "sts:AssumeRole", kSameRole,
                     {{"aws:SecureTransport", {"true"}}}),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "an identity-based policy allows"},
        // SCPs, permissions boundaries, session policies: each must allow.
        EvalCase{"SCP without allow",
                 {kAllowAssumeAny,
                  {PolicyKind::kScp, Allow(R"("s3:*")", R"("*")"), "SCP 's3-only'", ""}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoScpAllow,
                 "no service control policy allows sts:AssumeRole (checked: SCP 's3-only')"},
        EvalCase{"SCP allows",
                 {kAllowAssumeAny, {PolicyKind::kScp, Allow(R"("*")", R"("*")")}},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "service control policy #2"},
        EvalCase{"every SCP node must allow",
                 {kAllowAssumeAny,
                  {PolicyKind::kScp, Allow(R"("*")", R"("*")"), "FullAWSAccess", "root"},
                  {PolicyKind::kScp, Allow(R"("s3:*")", R"("*")"), "S3 only", "ou-workloads"}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoScpAllow,
                 "attached at 'ou-workloads'"},
        EvalCase{
            "permissions boundary does not allow",
            {kAllowAssumeAny, {PolicyKind::kPermissionsBoundary, Allow(R"("s3:*")", R"("*")")}},
            AliceAssumes(kSameRole),
            Decision::kImplicitDeny,
            ReasonCode::kNoBoundaryAllow,
            "the permissions boundary does not allow"},
        EvalCase{"session policy does not allow",
                 {kAllowAssumeAny, {PolicyKind::kSession, Allow(R"("s3:*")", R"("*")")}},
                 SessionAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoSessionPolicyAllow,
                 "session policies of the calling session do not allow"},
        // Role trust policies, same account [EVAL step 3, FACTS §1].
        EvalCase{"same account: trust names the user, no identity policy needed",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:user/alice"})")}},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "names the caller directly"},
        EvalCase{"same account: trust names the account, no identity policy",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:root"})")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "names only the account, which delegates to identity policies"},
        EvalCase{"same account: trust names the account, identity allows",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:root"})")}, kAllowAssumeAny},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "trusts the account"},
        EvalCase{"account id short form",
                 {{kTrust, Trust(R"({"AWS": "111111111111"})")}, kAllowAssumeAny},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "Principal AWS: 111111111111, account"},
        EvalCase{
            "same account: identity allows but the trust policy does not",
            {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:user/bob"})")}, kAllowAssumeAny},
            AliceAssumes(kSameRole),
            Decision::kImplicitDeny,
            ReasonCode::kNoResourcePolicyAllow,
            "must explicitly allow the principal"},
        EvalCase{"user ARN is case-sensitive",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:user/Alice"})")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoResourcePolicyAllow,
                 "does not name arn:aws:iam::111111111111:user/alice (IAM user)"},
        EvalCase{"role principal covers its sessions",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:role/builder"})")}},
                 SessionAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "names the caller's role"},
        EvalCase{"role principal: the boundary still applies",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:role/builder"})")},
                  {PolicyKind::kPermissionsBoundary, Allow(R"("s3:*")", R"("*")")}},
                 SessionAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoBoundaryAllow,
                 "permissions boundary"},
        EvalCase{"role principal with a path must name the path",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:role/builder"})")}},
                 Ctx(testing::Session(kUserAccount, "builder", "s1", "/team/"), "sts:AssumeRole",
                     kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoResourcePolicyAllow,
                 "role session of role arn:aws:iam::111111111111:role/team/builder"},
        EvalCase{
            "exact session principal",
            {{kTrust, Trust(R"({"AWS": "arn:aws:sts::111111111111:assumed-role/builder/s1"})")},
             {PolicyKind::kSession, Allow(R"("s3:*")", R"("*")")}},
            SessionAssumes(kSameRole),
            Decision::kAllow,
            ReasonCode::kAllowed,
            "names the caller directly"},
        EvalCase{
            "another session of the role",
            {{kTrust, Trust(R"({"AWS": "arn:aws:sts::111111111111:assumed-role/builder/s1"})")}},
            SessionAssumes(kSameRole, "s2"),
            Decision::kImplicitDeny,
            ReasonCode::kNoResourcePolicyAllow,
            "does not name arn:aws:sts::111111111111:assumed-role/builder/s2"},
        EvalCase{"a role ARN does not name a user",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:role/alice"})")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoResourcePolicyAllow,
                 "does not name"},
        EvalCase{
            "star with PrincipalOrgID in the organization",
            {{kTrust,
              Trust(R"("*")", R"("StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})")}},
            Ctx(testing::InOrg(testing::User(kUserAccount, "alice")), "sts:AssumeRole", kSameRole),
            Decision::kAllow,
            ReasonCode::kAllowed,
            "everyone"},
        EvalCase{"star with PrincipalOrgID outside the organization",
                 {{kTrust, Trust(R"({"AWS": "*"})",
                                 R"("StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})")}},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoResourcePolicyAllow,
                 "aws:PrincipalOrgID: the key is absent"},
        EvalCase{"principal values are OR'ed",
                 {{kTrust, Trust(
                               R"({"AWS": ["arn:aws:iam::111111111111:user/bob",
                      "arn:aws:iam::111111111111:user/alice"]})")}},
                 AliceAssumes(kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "Principal AWS: arn:aws:iam::111111111111:user/alice, principal"},
        EvalCase{"NotPrincipal with Deny in a resource policy",
                 {{kRes,
                   R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                  "Resource": "*"},
                   {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111111111111:user/bob",
                   "111111111111"]}, "Action": "s3:*", "Resource": "*"}]})"}},
                 Ctx(testing::User("222222222222", "eve"), "s3:GetObject", "arn:aws:s3:::b/k"),
                 Decision::kExplicitDeny,
                 ReasonCode::kExplicitDeny,
                 "statement #2: Deny s3:GetObject"},
        EvalCase{"NotPrincipal spares the named",
                 {{kRes,
                   R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                  "Resource": "*"},
                   {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111111111111:user/bob",
                   "111111111111"]}, "Action": "s3:*", "Resource": "*"}]})"}},
                 Ctx(testing::User(kUserAccount, "bob"), "s3:GetObject", "arn:aws:s3:::b/k"),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "(Principal *, everyone)"},
        EvalCase{"service principal",
                 {{kTrust, Trust(R"({"Service": ["ecs.amazonaws.com", "ec2.amazonaws.com"]})")}},
                 Ctx(testing::Service("ec2.amazonaws.com"), "sts:AssumeRole", kSameRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "Service: ec2.amazonaws.com"},
        EvalCase{"a user is not a service principal",
                 {{kTrust, Trust(R"({"Service": "ec2.amazonaws.com"})")}, kAllowAssumeAny},
                 AliceAssumes(kSameRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoResourcePolicyAllow,
                 "does not name"},
        EvalCase{
            "other partition",
            {{kTrust, Trust(R"({"AWS": "arn:aws-cn:iam::111111111111:root"})")}, kAllowAssumeAny},
            AliceAssumes(kSameRole),
            Decision::kImplicitDeny,
            ReasonCode::kNoResourcePolicyAllow,
            "aws-cn"},
        EvalCase{"unique id of the user",
                 {{kTrust, Trust(R"({"AWS": "AIDACKCEVSQ6C2EXAMPLE"})")}},
                 [] {
                   RequestContext c = AliceAssumes(kSameRole);
                   c.principal.unique_id = "AIDACKCEVSQ6C2EXAMPLE";
                   return c;
                 }(),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "AIDACKCEVSQ6C2EXAMPLE"},
        // Cross-account [XACCT]: both sides must allow.
        EvalCase{"cross-account: trust names the user, no identity policy",
                 {{kTrust, Trust(R"({"AWS": "arn:aws:iam::111111111111:user/alice"})")}},
                 AliceAssumes(kHubRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "cross-account: account 111111111111 must allow its principal"},
        EvalCase{"cross-account: account trust and identity allow",
                 {{kTrust, Trust(R"({"AWS": "111111111111"})")}, kAllowAssumeAny},
                 AliceAssumes(kHubRole),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "allowed by a resource-based policy of account 999999999999"},
        EvalCase{"cross-account: trust names another account",
                 {{kTrust, Trust(R"({"AWS": "222222222222"})")}, kAllowAssumeAny},
                 AliceAssumes(kHubRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoResourcePolicyAllow,
                 "account 999999999999 must allow the caller from 111111111111"},
        EvalCase{"cross-account: no resource policy at all",
                 {kAllowAssumeAny},
                 AliceAssumes(kHubRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoResourcePolicyAllow,
                 "none was given"},
        EvalCase{"cross-account: star principal still needs the identity policy",
                 {{kTrust, Trust(R"("*")")}},
                 AliceAssumes(kHubRole),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "no identity-based policy"},
        // Other principal types.
        EvalCase{"root user in its own account",
                 {{kRes,
                   R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": "222222222222"},
                  "Action": "s3:*", "Resource": "*"}})"}},
                 Ctx(testing::Root(kUserAccount), "s3:GetObject", "arn:aws:s3:::b/k"),
                 Decision::kAllow,
                 ReasonCode::kAllowed,
                 "root user has full access"},
        EvalCase{"same account: a resource policy naming the account delegates",
                 {{kRes,
                   R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                  "Action": "s3:*", "Resource": "*"}})"}},
                 Ctx(testing::User(kUserAccount, "alice"), "s3:GetObject", "arn:aws:s3:::b/k"),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoIdentityAllow,
                 "delegates to identity policies"},
        EvalCase{"federated user without session policy",
                 {{kId, Allow(R"("*")", R"("*")")}},
                 Ctx(Principal{.type = PrincipalType::kFederatedUser,
                               .arn = "arn:aws:sts::111111111111:federated-user/bob",
                               .account = kUserAccount},
                     "s3:GetObject", "arn:aws:s3:::b/k"),
                 Decision::kImplicitDeny,
                 ReasonCode::kNoSessionPolicyAllow,
                 "federated user session without a session policy"}),
    testing::CaseName);

TEST(PolicyEvaluate, NotPrincipalInTrustPolicyIsRejectedOrIgnored) {
  const std::string json =
      R"({"Statement": {"Effect": "Allow",
          "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:user/bob"},
          "Action": "sts:AssumeRole"}})";
  auto named = ParseNamedPolicy("trust policy of target", PolicyKind::kTrust, json);
  ASSERT_FALSE(named.has_value());
  EXPECT_NE(named.error().message().find("NotPrincipal cannot be used in a role trust policy"),
            std::string::npos)
      << named.error().message();
  // Built without validation, the statement is ignored: it neither allows nor denies.
  auto doc = ParsePolicy(json);
  ASSERT_TRUE(doc.has_value());
  std::vector<NamedPolicy> policies = {
      NamedPolicy{.name = "trust", .kind = PolicyKind::kTrust, .document = *doc}};
  Evaluation ev = Evaluate(policies, AliceAssumes(kSameRole));
  EXPECT_EQ(ev.decision, Decision::kImplicitDeny);
  ASSERT_GE(ev.reasons.size(), 2u);
  EXPECT_EQ(ev.reasons[1].code, ReasonCode::kStatementIgnored);
}

TEST(PolicyEvaluate, ConditionFailureIsMachineReadable) {
  std::vector<NamedPolicy> policies = {testing::MustParse(
      {kTrust, Trust(R"({"AWS": "111111111111"})",
                     R"("StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]})")})};
  RequestContext ctx = AliceAssumes(kSameRole);
  ctx.principal.tags["team"] = "red";
  Evaluation ev = Evaluate(policies, ctx);
  ASSERT_GE(ev.reasons.size(), 2u);
  const Reason& why = ev.reasons[1];
  EXPECT_EQ(why.code, ReasonCode::kConditionNotMet);
  EXPECT_EQ(why.statement, "statement 'Trust'");
  ASSERT_EQ(why.conditions.size(), 1u);
  EXPECT_EQ(why.conditions[0].operator_name, "StringEquals");
  EXPECT_EQ(why.conditions[0].key, "aws:PrincipalTag/team");
  EXPECT_EQ(why.conditions[0].expected, (std::vector<std::string>{"blue", "green"}));
  ASSERT_TRUE(why.conditions[0].actual.has_value());
  EXPECT_EQ(*why.conditions[0].actual, std::vector<std::string>{"red"});
}

TEST(PolicyEvaluate, EveryFailingClauseIsReported) {
  std::vector<NamedPolicy> policies = {testing::MustParse(
      {kTrust,
       Trust(
           R"({"AWS": "111111111111"})",
           R"("StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz", "sts:ExternalId": "secret-id"},
                        "Bool": {"aws:SecureTransport": "true"})")})};
  RequestContext ctx = AliceAssumes(kSameRole);
  ctx.keys.Set("sts:ExternalId", "wrong");
  ctx.keys.Set("aws:SecureTransport", "true");
  Evaluation ev = Evaluate(policies, ctx);
  ASSERT_GE(ev.reasons.size(), 2u);
  const Reason& why = ev.reasons[1];
  ASSERT_EQ(why.conditions.size(), 2u);
  EXPECT_EQ(why.conditions[0].key, "aws:PrincipalOrgID");
  EXPECT_FALSE(why.conditions[0].actual.has_value());
  EXPECT_EQ(why.conditions[1].key, "sts:ExternalId");
  EXPECT_TRUE(why.conditions[1].redacted);
  EXPECT_TRUE(why.conditions[1].expected.empty());
  EXPECT_NE(why.message.find("aws:PrincipalOrgID: the key is absent"), std::string::npos);
  EXPECT_NE(why.message.find("; StringEquals sts:ExternalId"), std::string::npos);
  for (const Reason& r : ev.reasons) {
    EXPECT_EQ(r.ToString().find("secret-id"), std::string::npos) << r.ToString();
    EXPECT_EQ(r.ToString().find("wrong"), std::string::npos) << r.ToString();
  }
}

TEST(PolicyEvaluate, AwsStyleMessages) {
  std::vector<NamedPolicy> none;
  Evaluation ev = Evaluate(none, AliceAssumes(kSameRole));
  EXPECT_EQ(ev.message,
            "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: "
            "sts:AssumeRole on resource: arn:aws:iam::111111111111:role/target because no "
            "identity-based policy allows the sts:AssumeRole action");
}

}  // namespace
}  // namespace hubspoke::policy
