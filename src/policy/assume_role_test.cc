// sts:AssumeRole decisions for the seed's hub-and-spoke setup
// (../shared/seeds/000_289532cf34e60d2b.txt): the user policy, the hub role's policy with
// aws:PrincipalOrgID, the hub trust policies (IAM user; Identity Center roles via ArnLike on
// aws:PrincipalARN) and the spoke trust naming the hub role, here with an external id.
#include "policy/assume_role.h"

#include <gtest/gtest.h>

#include <cctype>
#include <functional>

#include "policy/policy_testing.h"

namespace hubspoke::policy {
namespace {

using testing::kHubAccount;
using testing::kOrgId;
using testing::kSpokeAccount;
using testing::kUserAccount;
using testing::MustParse;
using testing::PolicySpec;
using testing::RoleArn;

const std::string kHubRole = RoleArn(kHubAccount, "automation-hub-role");
const std::string kSpokeRole = RoleArn(kSpokeAccount, "automation-spoke-role");
constexpr char kSsoPath[] = "/aws-reserved/sso.amazonaws.com/us-east-2/";

// "The User" policy, {hub-account-id} = 999999999999.
constexpr char kUserPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Resource": ["arn:aws:iam::999999999999:role/automation-hub-role"]}]})";

// "The Hub" policy.
constexpr char kHubPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"],
                 "Resource": "arn:aws:iam::*:role/automation-spoke-role",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}}]})";

// "Trust Relationship for a single IAM user", {user-creation-account-id} = 111111111111.
constexpr char kHubTrustUser[] = R"({
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::111111111111:user/sys-automation"},
                 "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}}]})";

// "Trust Relationship for an AWS Identity Center (née AWS SSO) user".
constexpr char kHubTrustSso[] = R"({
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                 "Action": "sts:AssumeRole",
                 "Condition": {
                   "ArnLike": {"aws:PrincipalARN": [
                     "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/)"
    R"(us-east-2/AWSReservedSSO_*-AdministratorAccess_*",
                     "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/)"
    R"(us-east-2/AWSReservedSSO_*-PowerUserAccess_*"]},
                   "StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}}]})";

// "The Spoke" trust relationship, with the external id the seed's CLI passes.
constexpr char kSpokeTrust[] = R"({
  "Version": "2012-10-17",
  "Statement": [{"Sid": "TrustHub", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},
                 "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz",
                                                "sts:ExternalId": "this-is-my-automation"}}}]})";

NamedPolicy Trust(const char* json, const std::string& role) {
  return MustParse(PolicySpec{PolicyKind::kTrust, json, "trust policy of " + role, ""});
}
NamedPolicy Identity(const char* json, const std::string& name) {
  return MustParse(PolicySpec{PolicyKind::kIdentity, json, name, ""});
}
NamedPolicy Other(PolicyKind kind, const std::string& json, const std::string& name) {
  return MustParse(PolicySpec{kind, json, name, ""});
}

Principal SysAutomation() { return testing::InOrg(testing::User(kUserAccount, "sys-automation")); }
Principal HubSession() {
  return testing::InOrg(testing::Session(kHubAccount, "automation-hub-role", "me@example.com"));
}
Principal SsoSession(const std::string& role) {
  return testing::InOrg(testing::Session(kHubAccount, role, "me@example.com", kSsoPath));
}

// Hop 1: the user (or an Identity Center session) assumes the hub role.
AssumeRolePolicies HubHop(bool with_identity = true) {
  AssumeRolePolicies p{.trust_policy = Trust(kHubTrustUser, kHubRole)};
  if (with_identity) {
    p.identity_policies.push_back(Identity(kUserPolicy, "identity policy of user sys-automation"));
  }
  return p;
}
AssumeRolePolicies SsoHop(bool with_identity = true) {
  AssumeRolePolicies p{.trust_policy = Trust(kHubTrustSso, kHubRole)};
  if (with_identity) {
    p.identity_policies.push_back(Identity(
        R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::999999999999:role/automation-hub-role"}})",
        "permission set AdministratorAccess"));
  }
  return p;
}
// Hop 2: the hub session assumes the spoke role.
AssumeRolePolicies SpokeHop(const std::function<void(AssumeRolePolicies&)>& edit = nullptr) {
  AssumeRolePolicies p{.trust_policy = Trust(kSpokeTrust, kSpokeRole)};
  p.identity_policies.push_back(
      Identity(kHubPolicy, "identity policy of role automation-hub-role"));
  if (edit) edit(p);
  return p;
}

AssumeRoleCall ToHub() {
  return AssumeRoleCall{.role_arn = kHubRole, .role_session_name = "me@example.com"};
}
AssumeRoleCall ToSpoke(std::optional<std::string> external_id = "this-is-my-automation") {
  return AssumeRoleCall{.role_arn = kSpokeRole,
                           .role_session_name = "me@example.com",
                           .external_id = std::move(external_id)};
}

RequestContext Caller(Principal p) { return RequestContext{.principal = std::move(p)}; }

// The hub's trust of the user's account, with `condition` (a Condition block).
AssumeRolePolicies HubTrustWith(const std::string& condition) {
  AssumeRolePolicies p = HubHop();
  const std::string trust =
      R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111111111111"},
          "Action": "sts:AssumeRole", "Condition": )" + condition + "}}";
  p.trust_policy = Trust(trust.c_str(), kHubRole);
  return p;
}
// To the hub with SerialNumber and TokenCode verified.
AssumeRoleCall ToHubWithMfa() {
  AssumeRoleCall r = ToHub();
  r.mfa_authenticated = true;
  return r;
}

// A hub session whose MFA code was checked `age` before the request.
RequestContext MfaHubSession(std::chrono::seconds age) {
  const TimePoint now = TimePoint(std::chrono::seconds(1'900'000'000));
  Principal p = HubSession();
  p.mfa_present = true;
  p.mfa_time = now - age;
  return RequestContext{.principal = std::move(p), .time = now};
}
// The spoke's trust wants MFA from the last hour.
AssumeRolePolicies SpokeWantsRecentMfa() {
  return SpokeHop([](AssumeRolePolicies& p) {
    p.trust_policy = Trust(
        R"({"Statement": {"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},
            "Action": "sts:AssumeRole",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}})",
        kSpokeRole);
  });
}

struct AssumeCase {
  std::string name;
  std::function<AssumeRolePolicies()> policies;
  AssumeRoleCall request;
  RequestContext caller;
  Decision want;
  ReasonCode code;
  std::string reason_part;
};

void PrintTo(const AssumeCase& c, std::ostream* os) { *os << c.name; }

class PolicyAssumeRoleTable : public ::testing::TestWithParam<AssumeCase> {};

TEST_P(PolicyAssumeRoleTable, Decides) {
  const AssumeCase& c = GetParam();
  const AssumeRoleEvaluation ev = EvaluateAssumeRole(c.policies(), c.request, c.caller);
  const std::string explanation = testing::Explain(ev.reasons, ev.message);
  EXPECT_EQ(DecisionName(ev.decision), std::string(DecisionName(c.want))) << explanation;
  ASSERT_FALSE(ev.reasons.empty()) << explanation;
  EXPECT_EQ(ReasonCodeName(ev.reasons[0].code), std::string(ReasonCodeName(c.code))) << explanation;
  EXPECT_NE(explanation.find(c.reason_part), std::string::npos)
      << "want \"" << c.reason_part << "\" in:\n"
      << explanation;
  // Security: the external id never shows up in an explanation.
  EXPECT_EQ(explanation.find("this-is-my-automation"), std::string::npos) << explanation;
}

AssumeRoleCall WithTags(AssumeRoleCall r) {
  r.tags = {{"Project", "Automation"}};
  return r;
}

const char kTagSessionTrust[] = R"({"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},
   "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
   "Condition": {"StringEquals": {"sts:ExternalId": "this-is-my-automation"}}},
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},
   "Action": "sts:TagSession",
   "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Project"]}}}]})";

// reference_policies_iam-condition-keys.md, sts:SourceIdentity: AdminUser may set the source
// identity DiegoRamirez only.
AssumeRolePolicies SourceIdentityHop() {
  return AssumeRolePolicies{.trust_policy = Trust(R"({"Version": "2012-10-17", "Statement": [{
      "Sid": "AllowAdminUserAssumeRole", "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::999999999999:user/AdminUser"},
      "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
      "Condition": {"StringEquals": {"sts:SourceIdentity": "DiegoRamirez"}}}]})",
                                                  kHubRole)};
}

AssumeRoleCall WithSourceIdentity(const std::string& identity) {
  AssumeRoleCall r = ToHub();
  r.source_identity = identity;
  return r;
}

// sts:TagSession only with the tag key "Team".
const char kTeamTagOnlyTrust[] = R"({"Statement": [
  {"Effect": "Allow", "Action": "sts:AssumeRole",
   "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"}},
  {"Effect": "Allow", "Action": "sts:TagSession",
   "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},
   "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Team"]}}}]})";

INSTANTIATE_TEST_SUITE_P(
    PolicyAssumeRole, PolicyAssumeRoleTable,
    ::testing::Values(
        // Hop 1: sys-automation (account 111111111111) → hub role (999999999999).
        AssumeCase{"user to hub", [] { return HubHop(); }, ToHub(), Caller(SysAutomation()),
                   Decision::kAllow, ReasonCode::kAllowed, "cross-account"},
        AssumeCase{"user to hub outside the organization", [] { return HubHop(); }, ToHub(),
                   Caller(testing::User(kUserAccount, "sys-automation")),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow,
                   "aws:PrincipalOrgID: the key is absent"},
        AssumeCase{"user to hub without the user policy", [] { return HubHop(false); }, ToHub(),
                   Caller(SysAutomation()), Decision::kImplicitDeny, ReasonCode::kNoIdentityAllow,
                   "no identity-based policy of arn:aws:iam::111111111111:user/sys-automation"},
        AssumeCase{"another user to hub", [] { return HubHop(); }, ToHub(),
                   Caller(testing::InOrg(testing::User(kUserAccount, "intruder"))),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow,
                   "does not name arn:aws:iam::111111111111:user/intruder"},
        AssumeCase{"same-account user named by the trust policy needs no identity policy",
                   [] {
                     return AssumeRolePolicies{.trust_policy = Trust(
                         R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
                             "Principal": {"AWS": "arn:aws:iam::999999999999:user/sys-automation"},
                             "Action": "sts:AssumeRole"}})",
                         kHubRole)};
                   },
                   ToHub(), Caller(testing::User(kHubAccount, "sys-automation")), Decision::kAllow,
                   ReasonCode::kAllowed, "names the caller directly"},
        AssumeCase{"Identity Center administrator to hub", [] { return SsoHop(); }, ToHub(),
                   Caller(SsoSession("AWSReservedSSO_Org-AdministratorAccess_0123abcd")),
                   Decision::kAllow, ReasonCode::kAllowed, "trusts the account"},
        AssumeCase{"Identity Center without permission set", [] { return SsoHop(false); }, ToHub(),
                   Caller(SsoSession("AWSReservedSSO_Org-AdministratorAccess_0123abcd")),
                   Decision::kImplicitDeny, ReasonCode::kNoIdentityAllow,
                   "delegates to identity policies"},
        AssumeCase{"Identity Center read-only role", [] { return SsoHop(); }, ToHub(),
                   Caller(SsoSession("AWSReservedSSO_Org-ReadOnlyAccess_0123abcd")),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow,
                   "ArnLike aws:PrincipalARN: request value \"arn:aws:iam::999999999999:role/"
                   "aws-reserved/sso.amazonaws.com/us-east-2/AWSReservedSSO_Org-ReadOnlyAccess_"
                   "0123abcd\" does not match"},
        AssumeCase{"Identity Center role without its path", [] { return SsoHop(); }, ToHub(),
                   Caller(testing::InOrg(testing::Session(
                       kHubAccount, "AWSReservedSSO_Org-AdministratorAccess_0123abcd", "me"))),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow, "ArnLike"},
        AssumeCase{"root cannot assume roles", [] { return HubHop(); }, ToHub(),
                   Caller(testing::Root(kUserAccount)), Decision::kImplicitDeny,
                   ReasonCode::kRootCannotAssumeRole, "Roles may not be assumed by root accounts"},
        // Hop 2: hub session → spoke role (888888888888) with the external id.
        AssumeCase{"hub to spoke", [] { return SpokeHop(); }, ToSpoke(), Caller(HubSession()),
                   Decision::kAllow, ReasonCode::kAllowed,
                   "Principal AWS: arn:aws:iam::999999999999:role/automation-hub-role, role"},
        AssumeCase{"hub to spoke with the wrong external id", [] { return SpokeHop(); },
                   ToSpoke("guessed"), Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow,
                   "StringEquals sts:ExternalId: the request value does not satisfy the policy"},
        AssumeCase{"hub to spoke without an external id", [] { return SpokeHop(); },
                   ToSpoke(std::nullopt), Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow,
                   "StringEquals sts:ExternalId: the key is absent from the request"},
        AssumeCase{"another session of another role to spoke", [] { return SpokeHop(); }, ToSpoke(),
                   Caller(testing::InOrg(testing::Session(kHubAccount, "other-role", "x"))),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow, "does not name"},
        AssumeCase{"hub policy's org condition", [] { return SpokeHop(); }, ToSpoke(),
                   Caller(testing::Session(kHubAccount, "automation-hub-role", "me@example.com")),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow,
                   "[NoIdentityAllow]"},
        AssumeCase{"caller SCP explicit deny wins",
                   [] {
                     return SpokeHop([](AssumeRolePolicies& p) {
                       p.caller_scps.push_back(Other(PolicyKind::kScp,
                           R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                              {"Sid": "NoSpokes", "Effect": "Deny", "Action": "sts:AssumeRole",
                              "Resource": "arn:aws:iam::888888888888:role/*"}]})",
                           "SCP 'no-spokes'"));
                     });
                   },
                   ToSpoke(), Caller(HubSession()), Decision::kExplicitDeny,
                   ReasonCode::kExplicitDeny, "SCP 'no-spokes', statement 'NoSpokes'"},
        AssumeCase{"caller SCP allow-list without sts",
                   [] {
                     return SpokeHop([](AssumeRolePolicies& p) {
                       p.caller_scps.push_back(Other(PolicyKind::kScp,
                           R"({"Statement": {"Effect": "Allow", "Action": ["s3:*", "ec2:*"],
                               "Resource": "*"}})",
                           "SCP 'allow-list'"));
                     });
                   },
                   ToSpoke(), Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoScpAllow, "attached at 'caller account'"},
        AssumeCase{"role account SCPs do not apply cross-account",
                   [] {
                     return SpokeHop([](AssumeRolePolicies& p) {
                       p.role_account_scps.push_back(Other(PolicyKind::kScp,
                           R"({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})",
                           "SCP 'spoke-deny-all'"));
                     });
                   },
                   ToSpoke(), Caller(HubSession()), Decision::kAllow, ReasonCode::kAllowed,
                   "[NotApplicable] SCP 'spoke-deny-all': SCPs of the role's account 888888888888"},
        AssumeCase{"role account SCPs apply in the same account",
                   [] {
                     AssumeRolePolicies p = HubHop();
                     p.role_account_scps.push_back(Other(PolicyKind::kScp,
                         R"({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})",
                         "SCP 'deny-all'"));
                     return p;
                   },
                   ToHub(), Caller(testing::InOrg(testing::User(kHubAccount, "sys-automation"))),
                   Decision::kExplicitDeny, ReasonCode::kExplicitDeny, "SCP 'deny-all'"},
        AssumeCase{"session policy of the hub session",
                   [] {
                     return SpokeHop([](AssumeRolePolicies& p) {
                       p.session_policies.push_back(Other(PolicyKind::kSession,
                           R"({"Statement": {"Effect": "Allow", "Action": "s3:*",
                               "Resource": "*"}})",
                           "session policy"));
                     });
                   },
                   ToSpoke(), Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoSessionPolicyAllow, "session policies of the calling session"},
        AssumeCase{"permissions boundary of the hub role",
                   [] {
                     return SpokeHop([](AssumeRolePolicies& p) {
                       p.permissions_boundary = Other(PolicyKind::kPermissionsBoundary,
                           R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Resource": "arn:aws:iam::777777777777:role/*"}})",
                           "boundary 'hub-max'");
                     });
                   },
                   ToSpoke(), Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoBoundaryAllow, "boundary 'hub-max', statement #1: Resource"},
        // Extra actions: sts:TagSession and sts:SetSourceIdentity.
        AssumeCase{"session tags need sts:TagSession", [] { return SpokeHop(); },
                   WithTags(ToSpoke()), Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow,
                   "session tags were passed, so sts:TagSession must be allowed too"},
        AssumeCase{"session tags allowed",
                   [] {
                     AssumeRolePolicies p{.trust_policy = Trust(kTagSessionTrust, kSpokeRole)};
                     p.identity_policies.push_back(Identity(
                         R"({"Statement": {"Effect": "Allow", "Action": ["sts:AssumeRole",
                             "sts:TagSession"], "Resource": "*"}})",
                         "hub policy"));
                     return p;
                   },
                   WithTags(ToSpoke()), Caller(HubSession()), Decision::kAllow,
                   ReasonCode::kAllowed, "cross-account"},
        AssumeCase{"session tag key not allowed",
                   [] {
                     AssumeRolePolicies p{.trust_policy = Trust(kTeamTagOnlyTrust, kSpokeRole)};
                     p.identity_policies.push_back(Identity(
                         R"({"Statement": {"Effect": "Allow", "Action": "sts:*",
                             "Resource": "*"}})", "hub policy"));
                     return p;
                   },
                   WithTags(ToSpoke()), Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow, "ForAllValues:StringEquals aws:TagKeys"},
        AssumeCase{"source identity needs sts:SetSourceIdentity", [] { return SpokeHop(); },
                   [] {
                     AssumeRoleCall r = ToSpoke();
                     r.source_identity = "me";
                     return r;
                   }(),
                   Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow,
                   "so sts:SetSourceIdentity must be allowed too"},
        AssumeCase{"sts:SourceIdentity condition (IAM docs example)", SourceIdentityHop,
                   WithSourceIdentity("DiegoRamirez"),
                   Caller(testing::User(kHubAccount, "AdminUser")), Decision::kAllow,
                   ReasonCode::kAllowed, "names the caller directly"},
        AssumeCase{"sts:SourceIdentity condition, other identity", SourceIdentityHop,
                   WithSourceIdentity("Someone"), Caller(testing::User(kHubAccount, "AdminUser")),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow,
                   R"(StringEquals sts:SourceIdentity: request value "Someone" does not match)"},
        // MFA and session names.
        AssumeCase{"MFA required and given",
                   [] { return HubTrustWith(R"({"Bool": {"aws:MultiFactorAuthPresent": true}})"); },
                   ToHubWithMfa(),
                   Caller(SysAutomation()), Decision::kAllow, ReasonCode::kAllowed,
                   "cross-account"},
        AssumeCase{"MFA age: the code comes with the call (0 s)",
                   [] {
                     return HubTrustWith(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": "1"}})");
                   },
                   ToHubWithMfa(),
                   Caller(SysAutomation()), Decision::kAllow, ReasonCode::kAllowed,
                   "cross-account"},
        AssumeCase{"MFA age: a session's code 10 minutes old", SpokeWantsRecentMfa, ToSpoke(),
                   MfaHubSession(std::chrono::seconds(600)), Decision::kAllow,
                   ReasonCode::kAllowed, "cross-account"},
        AssumeCase{"MFA age: a session's code 2 hours old", SpokeWantsRecentMfa, ToSpoke(),
                   MfaHubSession(std::chrono::seconds(7200)), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow,
                   R"(NumericLessThan aws:MultiFactorAuthAge: request value "7200")"},
        AssumeCase{"MFA age: a session without MFA", SpokeWantsRecentMfa, ToSpoke(),
                   Caller(HubSession()), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow,
                   "aws:MultiFactorAuthAge: the key is absent"},
        AssumeCase{"MFA required, long-term keys",
                   [] { return HubTrustWith(R"({"Bool": {"aws:MultiFactorAuthPresent": true}})"); },
                   ToHub(), Caller(SysAutomation()), Decision::kImplicitDeny,
                   ReasonCode::kNoResourcePolicyAllow,
                   "aws:MultiFactorAuthPresent: the key is absent"},
        AssumeCase{"session name must be the user name",
                   [] {
                     return AssumeRolePolicies{.trust_policy = Trust(
                         R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
                             "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                             "Action": "sts:AssumeRole",
                             "Condition": {
                               "StringLike": {"sts:RoleSessionName": "${aws:username}"}}}})",
                         kHubRole),
                         .identity_policies = {Identity(kUserPolicy, "user policy")}};
                   },
                   ToHub(), Caller(testing::User(kHubAccount, "sys-automation")),
                   Decision::kImplicitDeny, ReasonCode::kNoResourcePolicyAllow,
                   R"(request value "me@example.com" does not match policy value )"
                   R"("${aws:username}")"},
        AssumeCase{"explicit deny in the trust policy",
                   [] {
                     AssumeRolePolicies p = SpokeHop();
                     p.trust_policy.document.statements.push_back(Trust(
                         R"({"Statement": {"Sid": "NoTags", "Effect": "Deny", "Principal": "*",
                             "Action": "sts:TagSession"}})",
                         kSpokeRole).document.statements.front());
                     return p;
                   },
                   WithTags(ToSpoke()), Caller(HubSession()), Decision::kExplicitDeny,
                   ReasonCode::kExplicitDeny, "statement 'NoTags': Deny sts:TagSession"}),
    [](const ::testing::TestParamInfo<AssumeCase>& param_info) {
      std::string out;
      for (char c : param_info.param.name) {
        out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      }
      return out;
    });

TEST(PolicyAssumeRole, RequiredActionsAndContext) {
  AssumeRoleCall r = ToSpoke();
  EXPECT_EQ(RequiredActions(r), std::vector<std::string>{"sts:AssumeRole"});
  r.tags = {{"Project", "Automation"}, {"Team", "Blue"}};
  r.transitive_tag_keys = {"Project"};
  r.source_identity = "me";
  EXPECT_EQ(RequiredActions(r), (std::vector<std::string>{"sts:AssumeRole", "sts:TagSession",
                                                          "sts:SetSourceIdentity"}));
  RequestContext ctx = AssumeRoleContext(Caller(HubSession()), r, "sts:TagSession");
  EXPECT_EQ(ctx.action, "sts:TagSession");
  EXPECT_EQ(ctx.resource, kSpokeRole);
  ContextKeys keys = EffectiveKeys(ctx);
  EXPECT_EQ(*keys.Find("sts:externalid"), std::vector<std::string>{"this-is-my-automation"});
  EXPECT_EQ(*keys.Find("sts:RoleSessionName"), std::vector<std::string>{"me@example.com"});
  EXPECT_EQ(*keys.Find("sts:SourceIdentity"), std::vector<std::string>{"me"});
  EXPECT_EQ(*keys.Find("aws:RequestTag/team"), std::vector<std::string>{"Blue"});
  EXPECT_EQ(*keys.Find("aws:TagKeys"), (std::vector<std::string>{"Project", "Team"}));
  EXPECT_EQ(*keys.Find("sts:TransitiveTagKeys"), std::vector<std::string>{"Project"});
  EXPECT_EQ(*keys.Find("aws:PrincipalArn"), std::vector<std::string>{kHubRole});
}

// Role chaining with a source identity on the calling session: sts:SetSourceIdentity is needed
// in the caller's permissions and the target's trust even though the call passes none
// (id_credentials_temp_control-access_monitor.md, "Permissions required to set source
// identity").
TEST(PolicyAssumeRole, ChainedSourceIdentityNeedsSetSourceIdentity) {
  Principal carried = HubSession();
  carried.source_identity = "alice";
  EXPECT_EQ(RequiredActions(ToSpoke(), Caller(carried)),
            (std::vector<std::string>{"sts:AssumeRole", "sts:SetSourceIdentity"}));
  EXPECT_EQ(RequiredActions(ToSpoke(), Caller(HubSession())),
            std::vector<std::string>{"sts:AssumeRole"});
  AssumeRoleEvaluation ev = EvaluateAssumeRole(SpokeHop(), ToSpoke(), Caller(carried));
  EXPECT_EQ(ev.decision, Decision::kImplicitDeny);
  ASSERT_FALSE(ev.reasons.empty());
  EXPECT_NE(ev.reasons.front().message.find("carried by the calling session"), std::string::npos)
      << ev.reasons.front().message;
  const char kAllowSet[] = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
      "Resource": "arn:aws:iam::*:role/automation-spoke-role"}]})";
  const char kTrustSet[] = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},
      "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]})";
  AssumeRolePolicies both{.trust_policy = Trust(kTrustSet, kSpokeRole)};
  both.identity_policies.push_back(Identity(kAllowSet, "identity policy of the hub role"));
  EXPECT_EQ(EvaluateAssumeRole(both, ToSpoke(std::nullopt), Caller(carried)).decision,
            Decision::kAllow);
}

TEST(PolicyAssumeRole, ReportsEveryAction) {
  AssumeRoleEvaluation ev =
      EvaluateAssumeRole(SpokeHop(), WithTags(ToSpoke()), Caller(HubSession()));
  ASSERT_EQ(ev.actions.size(), 2u);
  EXPECT_EQ(ev.actions[0].action, "sts:AssumeRole");
  EXPECT_EQ(ev.actions[0].evaluation.decision, Decision::kAllow);
  EXPECT_EQ(ev.actions[1].action, "sts:TagSession");
  EXPECT_EQ(ev.actions[1].evaluation.decision, Decision::kImplicitDeny);
  EXPECT_EQ(ev.decision, Decision::kImplicitDeny);
  EXPECT_NE(ev.message.find("not authorized to perform: sts:TagSession on resource: " + kSpokeRole),
            std::string::npos)
      << ev.message;
}

// A Principal list means any of its entries: the strongest entry that names the caller decides,
// whatever its position (issue: [account, user] refused a user without an identity policy that
// [user, account] allowed). Every pair of principal forms is evaluated in both orders.
struct PrincipalPairCase {
  std::string name;
  std::string first;
  std::string second;
  Principal caller;
  bool boundary;  // the caller has a permissions boundary that allows only s3:*
  Decision want;
};

void PrintTo(const PrincipalPairCase& c, std::ostream* os) { *os << c.name; }

class PolicyPrincipalListOrder : public ::testing::TestWithParam<PrincipalPairCase> {};

TEST_P(PolicyPrincipalListOrder, StrongestEntryDecidesInEitherOrder) {
  const PrincipalPairCase& c = GetParam();
  const std::string target = RoleArn(kUserAccount, "target");
  for (const bool reversed : {false, true}) {
    const std::string& a = reversed ? c.second : c.first;
    const std::string& b = reversed ? c.first : c.second;
    const std::string trust = R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Principal": {"AWS": [")" + a + R"(", ")" + b + R"("]}, "Action": "sts:AssumeRole"}})";
    AssumeRolePolicies policies{.trust_policy = Trust(trust.c_str(), target)};
    if (c.boundary) {
      policies.permissions_boundary =
          Other(PolicyKind::kPermissionsBoundary,
                R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*",
                    "Resource": "*"}})",
                "boundary 's3-only'");
    }
    const AssumeRoleCall call{.role_arn = target, .role_session_name = "s"};
    const AssumeRoleEvaluation ev = EvaluateAssumeRole(policies, call, Caller(c.caller));
    EXPECT_EQ(DecisionName(ev.decision), std::string(DecisionName(c.want)))
        << (reversed ? "reversed: " : "as written: ") << a << ", " << b << "\n"
        << testing::Explain(ev.reasons, ev.message);
  }
}

const std::string kAcct = kUserAccount;
const std::string kRootArn = "arn:aws:iam::111111111111:root";
const std::string kBotArn = "arn:aws:iam::111111111111:user/ci-bot";
const std::string kWorkerRole = "arn:aws:iam::111111111111:role/worker";
const std::string kWorkerSession = "arn:aws:sts::111111111111:assumed-role/worker/job-1";
Principal CiBot() { return testing::User(kUserAccount, "ci-bot"); }
Principal WorkerSession() { return testing::Session(kUserAccount, "worker", "job-1"); }

INSTANTIATE_TEST_SUITE_P(
    PolicyAssumeRole, PolicyPrincipalListOrder,
    ::testing::Values(
        // No identity policy anywhere: only a direct (or role) grant can allow.
        PrincipalPairCase{"account and user", kAcct, kBotArn, CiBot(), false, Decision::kAllow},
        PrincipalPairCase{"root and user", kRootArn, kBotArn, CiBot(), false, Decision::kAllow},
        PrincipalPairCase{"account and everyone", kAcct, "*", CiBot(), false, Decision::kAllow},
        PrincipalPairCase{"root and role", kRootArn, kWorkerRole, WorkerSession(), false,
                          Decision::kAllow},
        PrincipalPairCase{"account and session", kAcct, kWorkerSession, WorkerSession(), false,
                          Decision::kAllow},
        PrincipalPairCase{"root and session", kRootArn, kWorkerSession, WorkerSession(), false,
                          Decision::kAllow},
        // A boundary limits a grant to the role, not one to the exact session.
        PrincipalPairCase{"role and session with a boundary", kWorkerRole, kWorkerSession,
                          WorkerSession(), true, Decision::kAllow},
        PrincipalPairCase{"root and session with a boundary", kRootArn, kWorkerSession,
                          WorkerSession(), true, Decision::kAllow},
        PrincipalPairCase{"root and role with a boundary", kRootArn, kWorkerRole, WorkerSession(),
                          true, Decision::kImplicitDeny},
        PrincipalPairCase{"user and another user's account", kBotArn,
                          "arn:aws:iam::222222222222:root", CiBot(), false, Decision::kAllow},
        // Entries that do not name the caller add nothing, in either order.
        PrincipalPairCase{"account and another user", kAcct, "arn:aws:iam::111111111111:user/x",
                          CiBot(), false, Decision::kImplicitDeny},
        PrincipalPairCase{"account and another session", kAcct,
                          "arn:aws:sts::111111111111:assumed-role/worker/job-2", WorkerSession(),
                          false, Decision::kImplicitDeny}));

}  // namespace
}  // namespace hubspoke::policy
