#include "hubspoke/policy_documents.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace hubspoke {
namespace {

using nlohmann::json;

// The seed README's automation chain.
SpokeCredentialsInput SeedInput() {
  SpokeCredentialsInput in;
  in.hub_account_id = "999999999999";
  in.hub_role_name = "automation-hub-role";
  in.spoke_role_name = "automation-spoke-role";
  in.external_id = "this-is-my-automation";
  return in;
}

PolicyOptions SeedOptions() {
  PolicyOptions o;
  o.org_id = "o-a1b2c3d4e5";
  o.principals = {"arn:aws:iam::111111111111:user/sys-automation"};
  return o;
}

ChainPolicies Generate(const SpokeCredentialsInput& in, const PolicyOptions& o) {
  auto p = GenerateChainPolicies(in, o);
  EXPECT_TRUE(p.has_value()) << (p.has_value() ? "" : p.error().ToString());
  return p.has_value() ? *p : ChainPolicies{};
}

std::string ErrorOf(const SpokeCredentialsInput& in, const PolicyOptions& o) {
  auto p = GenerateChainPolicies(in, o);
  if (p.has_value()) return "(no error)";
  EXPECT_EQ(p.error().code(), ErrorCode::kInvalidArgument);
  return p.error().message();
}

TEST(PolicyDocuments, SeedExampleBase) {
  EXPECT_EQ(Generate(SeedInput(), SeedOptions()).base.json, R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AssumeHubRole",
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Resource": "arn:aws:iam::999999999999:role/automation-hub-role"
    }
  ]
}
)");
}

TEST(PolicyDocuments, SeedExampleHubTrust) {
  EXPECT_EQ(Generate(SeedInput(), SeedOptions()).hub_trust.json, R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "TrustBasePrincipals",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111111111111:user/sys-automation"
      },
      "Action": "sts:AssumeRole",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalOrgID": "o-a1b2c3d4e5",
          "sts:ExternalId": "this-is-my-automation"
        }
      }
    }
  ]
}
)");
}

// The seed's hub policy used aws:PrincipalOrgID: the key of the target is aws:ResourceOrgID.
TEST(PolicyDocuments, SeedExampleHub) {
  EXPECT_EQ(Generate(SeedInput(), SeedOptions()).hub.json, R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AssumeSpokeRole",
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Resource": "arn:aws:iam::*:role/automation-spoke-role",
      "Condition": {
        "StringEquals": {
          "aws:ResourceOrgID": "o-a1b2c3d4e5"
        }
      }
    }
  ]
}
)");
}

// The seed's prose asked for the external id on the spoke; its JSON had none.
TEST(PolicyDocuments, SeedExampleSpokeTrust) {
  const ChainPolicies p = Generate(SeedInput(), SeedOptions());
  EXPECT_EQ(p.spoke_trust.json, R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "TrustHubRole",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::999999999999:role/automation-hub-role"
      },
      "Action": "sts:AssumeRole",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalOrgID": "o-a1b2c3d4e5",
          "sts:ExternalId": "this-is-my-automation"
        }
      }
    }
  ]
}
)");
  EXPECT_EQ(p.spoke_trust.account, "every spoke account");
  EXPECT_EQ(p.hub_trust.account, "999999999999");
  EXPECT_EQ(p.base.account, "111111111111");
  EXPECT_NE(p.hub.attaches_to.find("arn:aws:iam::999999999999:role/automation-hub-role"),
            std::string::npos);
}

TEST(PolicyDocuments, NoOrgNoExternalIdMeansNoConditions) {
  SpokeCredentialsInput in = SeedInput();
  in.external_id.clear();
  PolicyOptions o = SeedOptions();
  o.org_id.clear();
  const ChainPolicies p = Generate(in, o);
  for (const std::string* text : {&p.hub_trust.json, &p.hub.json, &p.spoke_trust.json})
    EXPECT_FALSE(json::parse(*text)["Statement"][0].contains("Condition")) << *text;
}

TEST(PolicyDocuments, PerHopExternalIds) {
  SpokeCredentialsInput in = SeedInput();
  in.external_id.clear();
  in.spoke_external_id = "spoke-only-id";
  const ChainPolicies p = Generate(in, SeedOptions());
  const json hub_trust = json::parse(p.hub_trust.json)["Statement"][0]["Condition"];
  EXPECT_FALSE(hub_trust["StringEquals"].contains("sts:ExternalId"));
  EXPECT_EQ(json::parse(p.spoke_trust.json)["Statement"][0]["Condition"]["StringEquals"]
                ["sts:ExternalId"],
            "spoke-only-id");
  in.hub_external_id = "hub-only-id";
  EXPECT_EQ(json::parse(Generate(in, SeedOptions()).hub_trust.json)["Statement"][0]["Condition"]
                ["StringEquals"]["sts:ExternalId"],
            "hub-only-id");
}

json Actions(const std::string& text, std::size_t statement = 0) {
  json a = json::parse(text)["Statement"][statement]["Action"];
  return a.is_array() ? a : json::array({a});
}

// The source identity is set on the hub hop (base identity and hub trust) and carried into the
// spoke session; tags go on the spoke hop only (hub permission and spoke trust).
TEST(PolicyDocuments, SourceIdentityAndTagsAddTheirActions) {
  SpokeCredentialsInput in = SeedInput();
  in.source_identity = "alice";
  ChainPolicies p = Generate(in, SeedOptions());
  const json si = json::array({"sts:AssumeRole", "sts:SetSourceIdentity"});
  EXPECT_EQ(Actions(p.base.json), si);
  EXPECT_EQ(Actions(p.hub_trust.json), si);
  EXPECT_EQ(Actions(p.hub.json), si);
  EXPECT_EQ(Actions(p.spoke_trust.json), si);

  in.source_identity.clear();
  in.tags = {{"team", "ops"}};
  p = Generate(in, SeedOptions());
  const json tag = json::array({"sts:AssumeRole", "sts:TagSession"});
  EXPECT_EQ(Actions(p.base.json), json::array({"sts:AssumeRole"}));
  EXPECT_EQ(Actions(p.hub_trust.json), json::array({"sts:AssumeRole"}));
  EXPECT_EQ(Actions(p.hub.json), tag);
  EXPECT_EQ(Actions(p.spoke_trust.json), tag);
}

TEST(PolicyDocuments, PartitionFollowsTheRegion) {
  struct Case {
    const char* region;
    const char* partition;
  };
  for (const Case c : {Case{"cn-north-1", "aws-cn"}, Case{"us-gov-west-1", "aws-us-gov"},
                       Case{"eu-west-1", "aws"}}) {
    PolicyOptions o = SeedOptions();
    o.region = c.region;
    o.principals = {std::string("arn:") + c.partition + ":iam::111111111111:user/sys-automation"};
    const ChainPolicies p = Generate(SeedInput(), o);
    EXPECT_EQ(p.partition, c.partition);
    const std::string prefix = std::string("arn:") + c.partition + ":iam::";
    EXPECT_EQ(json::parse(p.base.json)["Statement"][0]["Resource"],
              prefix + "999999999999:role/automation-hub-role");
    EXPECT_EQ(json::parse(p.hub.json)["Statement"][0]["Resource"],
              prefix + "*:role/automation-spoke-role");
  }
  PolicyOptions o = SeedOptions();
  o.region = "cn-north-1";  // the principal is still in "aws"
  EXPECT_NE(ErrorOf(SeedInput(), o).find("--principal"), std::string::npos);
}

TEST(PolicyDocuments, PathsAndSpokeAccounts) {
  SpokeCredentialsInput in = SeedInput();
  in.hub_role_name = "automation/automation-hub-role";
  in.spoke_role_name = "/automation/automation-spoke-role";
  PolicyOptions o = SeedOptions();
  o.spoke_accounts = {"222222222222", "333333333333"};
  const ChainPolicies p = Generate(in, o);
  EXPECT_EQ(json::parse(p.hub.json)["Statement"][0]["Resource"],
            json::array({"arn:aws:iam::222222222222:role/automation/automation-spoke-role",
                         "arn:aws:iam::333333333333:role/automation/automation-spoke-role"}));
  EXPECT_EQ(json::parse(p.spoke_trust.json)["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::999999999999:role/automation/automation-hub-role");
  EXPECT_EQ(p.spoke_trust.account, "222222222222, 333333333333");
}

TEST(PolicyDocuments, IdentityCenterPatterns) {
  PolicyOptions o = SeedOptions();
  o.principals.clear();
  o.sso_permission_sets = {"AdministratorAccess", "PowerUserAccess"};
  o.sso_region = "us-east-2";
  json s = json::parse(Generate(SeedInput(), o).hub_trust.json)["Statement"][0];
  EXPECT_EQ(s["Sid"], "TrustIdentityCenterPermissionSets");
  EXPECT_EQ(s["Principal"]["AWS"], "arn:aws:iam::999999999999:root");
  EXPECT_EQ(s["Condition"]["ArnLike"]["aws:PrincipalArn"],
            json::array({"arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/"
                         "us-east-2/AWSReservedSSO_AdministratorAccess_*",
                         "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/"
                         "us-east-2/AWSReservedSSO_PowerUserAccess_*"}));
  EXPECT_EQ(s["Condition"]["StringEquals"]["aws:PrincipalOrgID"], "o-a1b2c3d4e5");
  // us-east-1 instances have no region segment.
  o.sso_permission_sets = {"Automation"};
  o.sso_region = "us-east-1";
  s = json::parse(Generate(SeedInput(), o).hub_trust.json)["Statement"][0];
  EXPECT_EQ(s["Condition"]["ArnLike"]["aws:PrincipalArn"],
            "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/"
            "AWSReservedSSO_Automation_*");
  // Assigned in another account (--sso-account): its root and its roles, not the hub's.
  o.sso_account_id = "444444444444";
  const ChainPolicies other = Generate(SeedInput(), o);
  s = json::parse(other.hub_trust.json)["Statement"][0];
  EXPECT_EQ(s["Principal"]["AWS"], "arn:aws:iam::444444444444:root");
  EXPECT_EQ(s["Condition"]["ArnLike"]["aws:PrincipalArn"],
            "arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/"
            "AWSReservedSSO_Automation_*");
  EXPECT_EQ(other.base.account, "444444444444");
  o.sso_account_id.clear();
  // With principals too: two statements.
  o.principals = SeedOptions().principals;
  const json doc = json::parse(Generate(SeedInput(), o).hub_trust.json);
  ASSERT_EQ(doc["Statement"].size(), 2u);
  EXPECT_EQ(doc["Statement"][0]["Sid"], "TrustBasePrincipals");
}

TEST(PolicyDocuments, MfaConditions) {
  PolicyOptions o = SeedOptions();
  o.mfa = true;
  const ChainPolicies p = Generate(SeedInput(), o);
  const json c = json::parse(p.hub_trust.json)["Statement"][0]["Condition"];
  EXPECT_EQ(c["Bool"]["aws:MultiFactorAuthPresent"], "true");
  // IfExists: an AssumeRole that passes SerialNumber and TokenCode has no session age.
  EXPECT_EQ(c["NumericLessThanIfExists"]["aws:MultiFactorAuthAge"], "3600");
  EXPECT_FALSE(c.contains("NumericLessThan"));
  // The spoke hop is made by the hub role, whose session has no MFA.
  EXPECT_FALSE(json::parse(p.spoke_trust.json)["Statement"][0]["Condition"].contains("Bool"));
}

TEST(PolicyDocuments, NoPrincipalLeavesTheHubTrustEmpty) {
  PolicyOptions o = SeedOptions();
  o.principals.clear();
  const ChainPolicies p = Generate(SeedInput(), o);
  EXPECT_TRUE(p.hub_trust.json.empty());
  EXPECT_FALSE(p.spoke_trust.json.empty());
  Status s = CheckHubTrustPrincipals(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("--principal"), std::string::npos);
  EXPECT_NE(s.error().message().find("--sso-permission-set"), std::string::npos);
  EXPECT_TRUE(static_cast<bool>(CheckHubTrustPrincipals(SeedOptions())));
}

TEST(PolicyDocuments, ValidationErrorsNameTheFlag) {
  struct Case {
    const char* flag;
    void (*mutate)(SpokeCredentialsInput&, PolicyOptions&);
  };
  const Case cases[] = {
      {"--org-id", [](SpokeCredentialsInput&, PolicyOptions& o) { o.org_id = "o-short"; }},
      {"--org-id", [](SpokeCredentialsInput&, PolicyOptions& o) { o.org_id = "O-A1B2C3D4E5"; }},
      {"--principal",
       [](SpokeCredentialsInput&, PolicyOptions& o) { o.principals = {"sys-automation"}; }},
      {"--principal",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.principals = {"arn:aws:iam::111111111111:user/*"};
       }},
      {"--principal",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.principals = {"arn:aws:iam::111111111111:root"};
       }},
      {"--principal",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.principals = {"arn:aws:iam::1111:user/x"};
       }},
      {"--principal",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.principals.push_back(o.principals.front());
       }},
      {"--sso-permission-set",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.sso_permission_sets = {"has space"};
         o.sso_region = "us-east-1";
       }},
      {"--sso-permission-set",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.sso_permission_sets = {std::string(33, 'a')};
         o.sso_region = "us-east-1";
       }},
      {"--sso-region",
       [](SpokeCredentialsInput&, PolicyOptions& o) { o.sso_permission_sets = {"Admin"}; }},
      {"--sso-account",
       [](SpokeCredentialsInput&, PolicyOptions& o) { o.sso_account_id = "444444444444"; }},
      {"--sso-account",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.sso_permission_sets = {"Admin"};
         o.sso_region = "us-east-1";
         o.sso_account_id = "4444";
       }},
      {"--sso-region",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.sso_permission_sets = {"Admin"};
         o.sso_region = "EU_WEST";
       }},
      {"--sso-region",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.sso_permission_sets = {"Admin"};
         o.sso_region = "cn-north-1";
       }},
      {"--spoke-account",
       [](SpokeCredentialsInput&, PolicyOptions& o) { o.spoke_accounts = {"12345"}; }},
      {"--spoke-account",
       [](SpokeCredentialsInput&, PolicyOptions& o) {
         o.spoke_accounts = {"222222222222", "222222222222"};
       }},
      {"--region", [](SpokeCredentialsInput&, PolicyOptions& o) { o.region = "Not A Region"; }},
      {"hub", [](SpokeCredentialsInput& in, PolicyOptions&) { in.hub_account_id = "12"; }},
      {"hub", [](SpokeCredentialsInput& in, PolicyOptions&) { in.hub_role_name = "bad role"; }},
      {"spoke", [](SpokeCredentialsInput& in, PolicyOptions&) { in.spoke_role_name.clear(); }},
      {"external", [](SpokeCredentialsInput& in, PolicyOptions&) { in.external_id = "x"; }},
  };
  for (const Case& c : cases) {
    SpokeCredentialsInput in = SeedInput();
    PolicyOptions o = SeedOptions();
    c.mutate(in, o);
    const std::string message = ErrorOf(in, o);
    EXPECT_NE(message.find(c.flag), std::string::npos) << c.flag << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// The renderings hold the JSON documents: the e2e tests parse them with the real parsers; here
// the shape that matters for those parsers.
TEST(PolicyDocuments, TerraformAndCloudFormationShape) {
  const ChainPolicies p = Generate(SeedInput(), SeedOptions());
  const std::string tf =
      RenderTerraform(p, {PolicyDocumentKind::kBase, PolicyDocumentKind::kHubTrust,
                          PolicyDocumentKind::kHub, PolicyDocumentKind::kSpokeTrust});
  for (const char* needle :
       {"data \"aws_iam_policy_document\" \"hub_trust\"", "resource \"aws_iam_role\" \"hub\"",
        "resource \"aws_iam_role_policy\" \"hub\"", "role   = aws_iam_role.hub.id",
        "variable = \"aws:ResourceOrgID\"", "# Goes into account 999999999999"})
    EXPECT_NE(tf.find(needle), std::string::npos) << needle;
  // Alone, the hub's policy names the role by name.
  EXPECT_NE(RenderTerraform(p, {PolicyDocumentKind::kHub}).find("\"automation-hub-role\""),
            std::string::npos);
  const std::string spoke = RenderCloudFormationSpokeStackSet(p);
  EXPECT_EQ(spoke.find('!'), std::string::npos);  // no short-form intrinsics
  EXPECT_NE(spoke.find("Default: \"999999999999\""), std::string::npos);
  EXPECT_NE(spoke.find("\"Fn::Sub\""), std::string::npos);
  EXPECT_NE(RenderCloudFormationHub(p).find("Type: \"AWS::IAM::Role\""), std::string::npos);
}

}  // namespace
}  // namespace hubspoke
