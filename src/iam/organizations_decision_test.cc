#include "iam/organizations_decision.h"

#include <gtest/gtest.h>

namespace hubspoke::iam {
namespace {

Caller SessionOfRole(const Model& m, const char* account, const char* role) {
  const Role* r = m.FindRoleByName(account, role);
  EXPECT_NE(r, nullptr) << account << " " << role;
  auto c = CallerOfSession(m, *r, SessionState{.session_name = "test"});
  EXPECT_TRUE(c) << c.error().message();
  return *c;
}

TEST(OrganizationsDecision, TheManagementAccountsHubRoleMayList) {
  Model m = BuiltinModel();
  Caller hub = SessionOfRole(m, kBuiltinHubAccount, kBuiltinHubRole);
  for (const char* op : {"ListAccounts", "ListAccountsForParent", "ListChildren", "ListRoots",
                         "DescribeOrganization"}) {
    OrganizationsDecision d = DecideOrganizations(m, hub, op, "*");
    EXPECT_TRUE(d.allowed()) << op << ": " << d.explanation;
    EXPECT_EQ(d.action, std::string("organizations:") + op);
  }
  EXPECT_TRUE(DecideOrganizations(m, SessionOfRole(m, kBuiltinHubAccount, kBuiltinOrgReaderRole),
                                  "ListAccounts", "*")
                  .allowed());
}

TEST(OrganizationsDecision, APolicyWithoutTheActionRefuses) {
  Model m = BuiltinModel();
  // github-deploy-role lives in the management account but may only assume roles.
  OrganizationsDecision d = DecideOrganizations(
      m, SessionOfRole(m, kBuiltinHubAccount, kBuiltinWebIdentityRole), "ListAccounts", "*");
  EXPECT_EQ(d.refusal, OrganizationsRefusal::kPolicy);
  EXPECT_EQ(d.evaluation.decision, policy::Decision::kImplicitDeny);
  EXPECT_NE(d.explanation.find("organizations:ListAccounts"), std::string::npos);
  EXPECT_NE(d.explanation.find("no identity-based policy allows"), std::string::npos)
      << d.explanation;
}

TEST(OrganizationsDecision, AMemberAccountMayOnlyDescribe) {
  Model m = BuiltinModel();
  Caller spoke = SessionOfRole(m, kBuiltinSpokeAccount, kBuiltinSpokeRole);
  OrganizationsDecision d = DecideOrganizations(m, spoke, "ListAccounts", "*");
  EXPECT_EQ(d.refusal, OrganizationsRefusal::kNotAdministrator);
  EXPECT_NE(d.explanation.find("only the management account (999999999999)"), std::string::npos);
  // DescribeOrganization is open to every account of the organization, with the policy's
  // permission: the spoke's read-only policy has none.
  EXPECT_EQ(DecideOrganizations(m, spoke, "DescribeOrganization", "*").refusal,
            OrganizationsRefusal::kPolicy);
  // A delegated administrator may list.
  m.delegated_administrators.push_back(kBuiltinSpokeAccount);
  m.roles[1].policies.push_back(m.roles[0].policies[0]);  // the hub's, with organizations:List*
  EXPECT_EQ(m.roles[1].account, kBuiltinSpokeAccount);
  EXPECT_TRUE(DecideOrganizations(m, SessionOfRole(m, kBuiltinSpokeAccount, kBuiltinSpokeRole),
                                  "ListAccounts", "*")
                  .allowed());
}

TEST(OrganizationsDecision, OutsideAnOrganizationIsNotInUse) {
  Model m = BuiltinModel();
  m.accounts[1].in_organization = false;  // the hub account
  ASSERT_EQ(m.accounts[1].id, kBuiltinHubAccount);
  OrganizationsDecision d =
      DecideOrganizations(m, SessionOfRole(m, kBuiltinHubAccount, kBuiltinHubRole),
                          "DescribeOrganization", "*");
  EXPECT_EQ(d.refusal, OrganizationsRefusal::kNotInUse);
  Model none = BuiltinModel();
  none.organization_id.clear();
  EXPECT_EQ(DecideOrganizations(none, SessionOfRole(none, kBuiltinHubAccount, kBuiltinHubRole),
                                "ListAccounts", "*")
                .refusal,
            OrganizationsRefusal::kNotInUse);
}

TEST(OrganizationsDecision, ScpsBindDelegatedAdministratorsNotTheManagementAccount) {
  auto parsed = ParseModel(R"({"organization": {"id": "o-a1b2c3d4e5",
      "management_account": "111111111111", "delegated_administrators": ["222222222222"],
      "scps": [{"name": "DenyListing", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoLists", "Effect": "Deny", "Action": "organizations:List*", "Resource": "*"}]}}]},
    "accounts": [{"id": "111111111111"}, {"id": "222222222222"}],
    "roles": [{"accounts": ["111111111111", "222222222222"], "name": "reader",
      "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]},
      "policies": [{"name": "org", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "organizations:*", "Resource": "*"}]}}]}]})",
                           "m");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_TRUE(DecideOrganizations(*parsed, SessionOfRole(*parsed, "111111111111", "reader"),
                                  "ListAccounts", "*")
                  .allowed());
  OrganizationsDecision d = DecideOrganizations(
      *parsed, SessionOfRole(*parsed, "222222222222", "reader"), "ListAccounts", "*");
  EXPECT_EQ(d.refusal, OrganizationsRefusal::kPolicy);
  EXPECT_EQ(d.evaluation.decision, policy::Decision::kExplicitDeny);
  EXPECT_NE(d.explanation.find("NoLists"), std::string::npos) << d.explanation;
}

}  // namespace
}  // namespace hubspoke::iam
