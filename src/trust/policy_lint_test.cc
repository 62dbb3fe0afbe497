#include "hubspoke/policy_lint.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace hubspoke {
namespace {

constexpr char kHub[] = "arn:aws:iam::999999999999:role/automation-hub-role";

// A trust policy of the given statements (JSON objects, comma-separated).
std::string Doc(const std::string& statements) {
  return R"({"Version": "2012-10-17", "Statement": [)" + statements + "]}";
}
// One Allow of sts:AssumeRole for `principal` (a JSON value) with `condition` (a JSON object or
// empty).
std::string Allow(const std::string& principal, const std::string& condition = "",
                  const std::string& action = R"("sts:AssumeRole")") {
  return R"({"Effect": "Allow", "Principal": )" + principal + R"(, "Action": )" + action +
         (condition.empty() ? "" : R"(, "Condition": )" + condition) + "}";
}
std::string HubPrincipal() { return std::string(R"({"AWS": ")") + kHub + R"("})"; }
constexpr char kOrg[] = R"({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})";

struct Case {
  std::string name;
  std::string rule;
  bool expected;  // whether `rule` is among the findings
  std::string json;
  PolicyLintOptions options = {};
  LintSeverity severity = LintSeverity::kError;  // of the finding, when expected
};

std::vector<Case> Cases() {
  const PolicyLintOptions spoke{.account_id = "888888888888", .third_party = false, .org_id = ""};
  const PolicyLintOptions vendor{.account_id = "888888888888", .third_party = true, .org_id = ""};
  const PolicyLintOptions org{.account_id = "", .third_party = false, .org_id = "o-a1b2c3d4e5"};
  const auto W = LintSeverity::kWarning;
  const auto E = LintSeverity::kError;
  return {
      {"BadJson", "policy-invalid", true, R"({"Version": "2012-10-17", "Statement": [)"},
      {"BadVersion", "policy-invalid", true,
       R"({"Version": "2012-10-18", "Statement": [)" + Allow(HubPrincipal(), kOrg) + "]}"},
      {"GoodDocument", "policy-invalid", false, Doc(Allow(HubPrincipal(), kOrg))},
      {"LowerCaseEffect", "statement-invalid", true,
       Doc(R"({"Effect": "allow", "Principal": {"AWS": "999999999999"}, "Action": "sts:AssumeRole"})")},
      {"ResourceInTrust", "statement-invalid", true,
       Doc(R"({"Effect": "Allow", "Principal": {"AWS": "999999999999"}, "Action": "sts:AssumeRole", "Resource": "*"})")},
      {"GoodStatement", "statement-invalid", false, Doc(Allow(HubPrincipal(), kOrg))},

      {"Star", "principal-wildcard-without-condition", true, Doc(Allow(R"("*")"))},
      {"AwsStarNegatedCondition", "principal-wildcard-without-condition", true,
       Doc(Allow(R"({"AWS": "*"})",
                 R"({"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})"))},
      {"StarWithOrg", "principal-wildcard-without-condition", false, Doc(Allow(R"("*")", kOrg))},
      {"StarWithPrincipalArn", "principal-wildcard-without-condition", false,
       Doc(Allow(R"({"AWS": "*"})", std::string(R"({"ArnEquals": {"aws:PrincipalArn": ")") +
                                        kHub + R"("}})"))},

      {"BareAccount", "principal-account-without-condition", true,
       Doc(Allow(R"({"AWS": "999999999999"})", kOrg)), {}, W},
      {"RootArn", "principal-account-without-condition", true,
       Doc(Allow(R"({"AWS": "arn:aws:iam::999999999999:root"})")), {}, W},
      {"RootNarrowedByArn", "principal-account-without-condition", false,
       Doc(Allow(R"({"AWS": "arn:aws:iam::999999999999:root"})",
                 R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*"}})"))},
      {"RolePrincipal", "principal-account-without-condition", false,
       Doc(Allow(HubPrincipal(), kOrg))},

      {"NotPrincipalAllow", "not-principal-with-allow", true,
       Doc(R"({"Effect": "Allow", "NotPrincipal": {"AWS": "999999999999"}, "Action": "sts:AssumeRole"})")},
      {"PrincipalAllow", "not-principal-with-allow", false, Doc(Allow(HubPrincipal(), kOrg))},

      {"S3Key", "condition-key-not-set", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"s3:prefix": "home/"}})"))},
      {"DurationSeconds", "condition-key-not-set", true,
       Doc(Allow(HubPrincipal(), R"({"NumericLessThan": {"sts:DurationSeconds": 3600}})"))},
      {"SourceAccountForRole", "condition-key-not-set", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:SourceAccount": "999999999999"}})"))},
      {"SourceAccountForService", "condition-key-not-set", false,
       Doc(Allow(R"({"Service": "events.amazonaws.com"})",
                 R"({"StringEquals": {"aws:SourceAccount": "999999999999"}})"))},
      {"SourceIpIsSet", "condition-key-not-set", false,
       Doc(Allow(HubPrincipal(), R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})"))},
      {"GitHubOidcKey", "condition-key-not-set", false,
       Doc(Allow(R"({"Federated": "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"})",
                 R"({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}})",
                 R"("sts:AssumeRoleWithWebIdentity")"))},

      {"ResourceOrgId", "condition-key-describes-role", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:ResourceOrgID": "o-a1b2c3d4e5"}})"))},
      {"PrincipalOrgId", "condition-key-describes-role", false, Doc(Allow(HubPrincipal(), kOrg))},

      {"PrincipleOrgId", "condition-key-misspelt", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:PrincipleOrgID": "o-a1b2c3d4e5"}})"))},
      {"ExternalIds", "condition-key-misspelt", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"sts:ExternalIds": "abc123"}})"))},
      {"PrincipleTag", "condition-key-misspelt", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:PrincipleTag/team": "ops"}})"))},
      {"OtherCase", "condition-key-misspelt", false,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"AWS:principalorgid": "o-a1b2c3d4e5"}})"))},

      {"UnknownKey", "condition-key-unknown", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:CallerDepartment": "x"}})")), {}, W},
      {"RequestedRegion", "condition-key-unknown", false,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})"))},

      {"StringLikeExact", "like-without-wildcard", true,
       Doc(Allow(HubPrincipal(), R"({"StringLike": {"sts:RoleSessionName": "deploy"}})")), {}, W},
      {"ArnNotLikeExactIfExists", "like-without-wildcard", true,
       Doc(Allow(HubPrincipal(), std::string(R"({"ArnNotLikeIfExists": {"aws:PrincipalArn": ")") +
                                     kHub + R"("}})")), {}, W},
      {"StringLikePattern", "like-without-wildcard", false,
       Doc(Allow(HubPrincipal(), R"({"StringLike": {"sts:RoleSessionName": ["deploy-*", "x"]}})"))},
      {"StringLikeVariable", "like-without-wildcard", false,
       Doc(Allow(HubPrincipal(), R"({"StringLike": {"sts:RoleSessionName": "${aws:username}"}})"))},

      {"StringEqualsStar", "equals-with-wildcard", true,
       Doc(Allow(R"({"AWS": "arn:aws:iam::999999999999:root"})",
                 R"({"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/ci-*"}})"))},
      {"StringNotEqualsIgnoreCaseQuestion", "equals-with-wildcard", true,
       Doc(Allow(HubPrincipal(), R"({"StringNotEqualsIgnoreCase": {"sts:RoleSessionName": "ci-?"}})"))},
      {"StringEqualsEscapedStar", "equals-with-wildcard", false,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"sts:RoleSessionName": "a${*}b"}})"))},
      {"StringLikeStar", "equals-with-wildcard", false,
       Doc(Allow(HubPrincipal(), R"({"StringLike": {"sts:RoleSessionName": "ci-*"}})"))},

      {"UpperCaseOrgId", "invalid-org-id", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:PrincipalOrgID": "o-ZZZZZZZZZZ"}})"))},
      {"ShortOrgId", "invalid-org-id", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})"))},
      {"GoodOrgId", "invalid-org-id", false, Doc(Allow(HubPrincipal(), kOrg))},

      {"PlaceholderInPrincipal", "invalid-arn", true,
       Doc(Allow(R"({"AWS": "arn:aws:iam::{hub-account-id}:role/automation-hub-role"})", kOrg))},
      {"MissingColonInCondition", "invalid-arn", true,
       Doc(Allow(R"({"AWS": "*"})",
                 R"({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam:999999999999:role/hub"}})"))},
      {"UnknownPartition", "invalid-arn", true,
       Doc(Allow(R"({"AWS": "arn:amazon:iam::999999999999:role/hub"})", kOrg))},
      {"ArnLikeWildcards", "invalid-arn", false,
       Doc(Allow(R"({"AWS": "*"})",
                 R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/automation-hub-role"}, "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})"))},
      {"SessionArnPrincipal", "invalid-arn", false,
       Doc(Allow(R"({"AWS": "arn:aws:sts::999999999999:assumed-role/hub/session"})", kOrg))},

      {"NameAsPrincipal", "invalid-principal", true,
       Doc(Allow(R"({"AWS": "automation-hub-role"})", kOrg))},
      {"UniqueIdPrincipal", "invalid-principal", false,
       Doc(Allow(R"({"AWS": "AROA1234567890EXAMPLE"})", kOrg))},

      {"OtherOrg", "org-id-mismatch", true,
       Doc(Allow(HubPrincipal(), R"({"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}})")),
       org, W},
      {"SameOrg", "org-id-mismatch", false, Doc(Allow(HubPrincipal(), kOrg)), org},

      {"VendorWithoutExternalId", "cross-account-without-external-id", true,
       Doc(Allow(R"({"AWS": "111122223333"})", kOrg)), vendor, E},
      {"VendorWithExternalId", "cross-account-without-external-id", false,
       Doc(Allow(R"({"AWS": "111122223333"})",
                 R"({"StringEquals": {"sts:ExternalId": "vendor-secret-42"}})")), vendor},
      {"OutsideOrgWithoutExternalId", "cross-account-without-external-id", true,
       Doc(Allow(HubPrincipal())), spoke, W},
      {"InsideOrg", "cross-account-without-external-id", false,
       Doc(Allow(HubPrincipal(), kOrg)), spoke},
      {"SameAccountVendor", "cross-account-without-external-id", false,
       Doc(Allow(R"({"AWS": "arn:aws:iam::888888888888:role/local"})")), vendor},

      {"DenyEveryone", "deny-cancels-allow", true,
       Doc(Allow(HubPrincipal(), kOrg) +
           R"(, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:*"})")},
      {"DenyAccountSameCondition", "deny-cancels-allow", true,
       Doc(Allow(HubPrincipal(), kOrg) +
           R"(, {"Effect": "Deny", "Principal": {"AWS": "999999999999"}, "Action": "sts:AssumeRole", "Condition": )" +
           kOrg + "}")},
      {"DenyAwsStarCoversFederated", "deny-cancels-allow", true,
       Doc(Allow(R"({"Federated": "accounts.google.com"})",
                 R"({"StringEquals": {"accounts.google.com:aud": "app.example.com"}})",
                 R"("sts:AssumeRoleWithWebIdentity")") +
           R"(, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRoleWith*"})")},
      {"ArnLikeVariable", "invalid-arn", false,
       Doc(Allow(R"({"AWS": "*"})",
                 R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/hub"}, "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})"))},
      {"DenyNarrowed", "deny-cancels-allow", false,
       Doc(Allow(HubPrincipal(), kOrg) +
           R"(, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})")},
      {"DenyOtherPrincipal", "deny-cancels-allow", false,
       Doc(Allow(HubPrincipal(), kOrg) +
           R"(, {"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"})")},

      {"TagSessionOnly", "no-assume-role-action", true,
       Doc(Allow(HubPrincipal(), kOrg, R"("sts:TagSession")"))},
      {"OnlyDeny", "no-assume-role-action", true,
       Doc(R"({"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"})")},
      {"TagSessionBeside", "no-assume-role-action", false,
       Doc(Allow(HubPrincipal(), kOrg, R"("sts:TagSession")") + ", " +
           Allow(HubPrincipal(), kOrg))},

      {"MfaBoolFalse", "mfa-bool-false", true,
       Doc(Allow(HubPrincipal(), kOrg) +
           R"(, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": false}}})"),
       {}, W},
      {"MfaBoolIfExistsFalse", "mfa-bool-false", false,
       Doc(Allow(HubPrincipal(), kOrg) +
           R"(, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})")},

      {"ForAllValuesAllow", "for-all-values-with-allow", true,
       Doc(Allow(HubPrincipal(),
                 R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})",
                 R"(["sts:AssumeRole", "sts:TagSession"])")),
       {}, W},
      {"ForAnyValueAllow", "for-all-values-with-allow", false,
       Doc(Allow(HubPrincipal(),
                 R"({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}, "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})",
                 R"(["sts:AssumeRole", "sts:TagSession"])"))},
  };
}

class PolicyLintRule : public testing::TestWithParam<Case> {};

TEST_P(PolicyLintRule, FindsItOrNot) {
  const Case& c = GetParam();
  const std::vector<LintFinding> findings = LintTrustPolicy(c.json, c.options);
  std::string all;
  const LintFinding* found = nullptr;
  for (const LintFinding& f : findings) {
    all += FormatLintFinding("t.json", f) + "\n";
    if (f.rule == c.rule && found == nullptr) found = &f;
  }
  if (!c.expected) {
    EXPECT_EQ(found, nullptr) << all;
    // A negative case must be a document the linter read, or it proves nothing.
    for (const LintFinding& f : findings) {
      EXPECT_NE(f.rule, "policy-invalid") << all;
      EXPECT_NE(f.rule, "statement-invalid") << all;
    }
    return;
  }
  ASSERT_NE(found, nullptr) << all;
  EXPECT_EQ(found->severity, c.severity) << all;
  EXPECT_FALSE(found->message.empty());
  EXPECT_FALSE(found->fix.empty());
  EXPECT_EQ(found->message.find('\n'), std::string::npos);
  if (c.severity == LintSeverity::kError) {
    EXPECT_TRUE(HasLintErrors(findings)) << all;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, PolicyLintRule, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<Case>& param) { return param.param.name; });

TEST(PolicyLint, EveryRuleHasAPositiveAndANegativeCase) {
  std::set<std::string> positive, negative;
  for (const Case& c : Cases()) (c.expected ? positive : negative).insert(c.rule);
  for (const LintRule& rule : LintRules()) {
    EXPECT_TRUE(positive.contains(std::string(rule.id))) << rule.id;
    EXPECT_TRUE(negative.contains(std::string(rule.id))) << rule.id;
  }
  for (const std::string& rule : positive) {
    bool known = false;
    for (const LintRule& r : LintRules()) known = known || r.id == rule;
    EXPECT_TRUE(known) << rule << " is not in LintRules()";
  }
}

TEST(PolicyLint, FindingsNameTheStatementSidAndPath) {
  const std::string doc = Doc(
      Allow(HubPrincipal(), kOrg) + "," +
      R"({"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
          "Condition": {"StringEquals": {"aws:PrincipleOrgID": "o-a1b2c3d4e5"}}})");
  const auto findings = LintTrustPolicy(doc, {});
  ASSERT_EQ(findings.size(), 2u) << (findings.empty() ? "" : findings[0].rule);
  EXPECT_EQ(findings[0].rule, "principal-wildcard-without-condition");
  EXPECT_EQ(findings[0].statement_index, 1u);
  EXPECT_EQ(findings[0].sid, "Everyone");
  EXPECT_EQ(findings[0].path, "Statement[1].Principal");
  EXPECT_EQ(findings[1].rule, "condition-key-misspelt");
  EXPECT_EQ(findings[1].path, "Statement[1].Condition.StringEquals.aws:PrincipleOrgID");
  EXPECT_NE(findings[1].message.find("did you mean aws:PrincipalOrgID?"), std::string::npos)
      << findings[1].message;
  EXPECT_EQ(FormatLintFinding("trust.json", findings[1]),
            "trust.json: statement #2 (Everyone): error [condition-key-misspelt]: " +
                findings[1].message + "; fix: " + findings[1].fix);
}

TEST(PolicyLint, AStatementTheParserRefusesIsOneFindingAndTheOthersAreStillLinted) {
  const std::string doc = Doc(
      R"({"Sid": "Broken", "Effect": "Allow", "Principal": {"AWS": "999999999999"}, "Action": "sts:AssumeRole", "Condition": {"StringEqualz": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}, )" +
      Allow(R"("*")"));
  const auto findings = LintTrustPolicy(doc, {});
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule, "statement-invalid");
  EXPECT_EQ(findings[0].statement_index, 0u);
  EXPECT_EQ(findings[0].sid, "Broken");
  EXPECT_NE(findings[0].message.find("StringEqualz"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[0].message.find("statement"), std::string::npos)
      << "the label is the finding's, not repeated: " << findings[0].message;
  EXPECT_EQ(findings[1].rule, "principal-wildcard-without-condition");
  EXPECT_EQ(findings[1].statement_index, 1u);
}

TEST(PolicyLint, ADocumentThatDoesNotParseIsOneFindingWithTheParsersMessage) {
  for (const std::string& text : {std::string("not json"), std::string("[]"), std::string("{}"),
                                 Doc(Allow(HubPrincipal())).replace(1, 0, R"("Version": "x", )"),
                                 std::string(R"({"Statement": [], "Extra": 1})")}) {
    const auto findings = LintTrustPolicy(text, {});
    ASSERT_EQ(findings.size(), 1u) << text;
    EXPECT_EQ(findings[0].rule, "policy-invalid") << text;
    EXPECT_FALSE(findings[0].statement_index.has_value());
    EXPECT_FALSE(findings[0].message.empty());
  }
  // A duplicate key inside a statement is invisible once the statement is split out; it is
  // still the parser's finding.
  const auto dup = LintTrustPolicy(
      Doc(R"({"Effect": "Allow", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})"),
      {});
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0].rule, "policy-invalid");
  EXPECT_NE(dup[0].message.find("duplicate key 'Effect'"), std::string::npos) << dup[0].message;
}

TEST(PolicyLint, ExternalIdValuesAreNeverPrinted) {
  const std::string secret = "s3cr3t-external-*-id";
  const auto findings = LintTrustPolicy(
      Doc(Allow(HubPrincipal(), R"({"StringEquals": {"sts:ExternalId": ")" + secret +
                                    R"("}, "StringLike": {"sts:ExternalId": "abc"}})")),
      {});
  bool equals = false;
  for (const LintFinding& f : findings) {
    equals = equals || f.rule == "equals-with-wildcard";
    EXPECT_EQ(FormatLintFinding("f", f).find("s3cr3t"), std::string::npos);
    EXPECT_EQ(LintFindingJson("f", f).find("s3cr3t"), std::string::npos);
    EXPECT_EQ(FormatLintFinding("f", f).find("abc"), std::string::npos);
  }
  EXPECT_TRUE(equals);
}

TEST(PolicyLint, JsonIsOneObjectPerLine) {
  const auto findings = LintTrustPolicy(Doc(Allow(R"("*")")), {});
  ASSERT_EQ(findings.size(), 1u);
  const std::string line = LintFindingJson("a\"b.json", findings[0]);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j.at("file"), "a\"b.json");
  EXPECT_EQ(j.at("rule"), "principal-wildcard-without-condition");
  EXPECT_EQ(j.at("severity"), "error");
  EXPECT_EQ(j.at("statement"), 0);
  EXPECT_EQ(j.at("sid"), "");
  EXPECT_EQ(j.at("path"), "Statement[0].Principal");
  EXPECT_EQ(j.at("message"), findings[0].message);
  EXPECT_EQ(j.at("fix"), findings[0].fix);
  const auto document = LintTrustPolicy("nope", {});
  ASSERT_EQ(document.size(), 1u);
  EXPECT_TRUE(nlohmann::json::parse(LintFindingJson("f", document[0])).at("statement").is_null());
}

// The seed's spoke trust (/work/shared/seeds, "The Spoke" / "Trust Relationship"), verbatim:
// its prose asks for an external id, its JSON has none, and its placeholders do not parse.
constexpr char kSeedSpokeTrust[] = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::{hub-account-id}:role/automation-hub-role"
      },
      "Action": "sts:AssumeRole",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalOrgID": "o-ZZZZZZZZZZ"
        }
      }
    }
  ]
})";

std::vector<std::string> Rules(const std::vector<LintFinding>& findings) {
  std::vector<std::string> out;
  for (const LintFinding& f : findings) out.push_back(f.rule);
  return out;
}

TEST(PolicyLint, TheSeedsSpokeTrustAsWritten) {
  EXPECT_EQ(Rules(LintTrustPolicy(kSeedSpokeTrust, {})),
            (std::vector<std::string>{"invalid-arn", "invalid-org-id"}));
}

TEST(PolicyLint, TheSeedsSpokeTrustFilledInLacksTheExternalIdItsProseAsksFor) {
  std::string filled = kSeedSpokeTrust;
  filled.replace(filled.find("{hub-account-id}"), 16, "999999999999");
  const PolicyLintOptions options{.account_id = "888888888888", .third_party = true, .org_id = ""};
  EXPECT_EQ(Rules(LintTrustPolicy(filled, options)),
            (std::vector<std::string>{"cross-account-without-external-id", "invalid-org-id"}));
  filled.replace(filled.find("o-ZZZZZZZZZZ"), 12, "o-a1b2c3d4e5");
  const auto findings = LintTrustPolicy(filled, options);
  ASSERT_EQ(Rules(findings), (std::vector<std::string>{"cross-account-without-external-id"}));
  EXPECT_EQ(findings[0].severity, LintSeverity::kError);
  // Not a third party and inside the organization: clean.
  EXPECT_TRUE(LintTrustPolicy(filled, {.account_id = "888888888888", .third_party = false,
                                       .org_id = "o-a1b2c3d4e5"})
                  .empty());
}

TEST(PolicyLint, TheSeedsSpokeTrustCorrectedLintsClean) {
  const std::string corrected = Doc(Allow(
      HubPrincipal(),
      R"({"StringEquals": {"sts:ExternalId": "this-is-my-automation", "aws:PrincipalOrgID": "o-a1b2c3d4e5"}})"));
  for (const PolicyLintOptions& options :
       {PolicyLintOptions{}, PolicyLintOptions{.account_id = "888888888888", .third_party = true,
                                               .org_id = "o-a1b2c3d4e5"}}) {
    const auto findings = LintTrustPolicy(corrected, options);
    EXPECT_TRUE(findings.empty()) << FormatLintFinding("spoke", findings.front());
  }
}

TEST(PolicyLint, OptionsAreValidatedWithTheirFlags) {
  EXPECT_TRUE(ValidatePolicyLintOptions({}));
  EXPECT_TRUE(ValidatePolicyLintOptions({.account_id = "888888888888", .third_party = true,
                                         .org_id = "o-a1b2c3d4e5"}));
  auto bad_account = ValidatePolicyLintOptions({.account_id = "8888", .third_party = false,
                                                .org_id = ""});
  ASSERT_FALSE(bad_account);
  EXPECT_NE(bad_account.error().message().find("--account"), std::string::npos);
  auto bad_org = ValidatePolicyLintOptions({.account_id = "", .third_party = false,
                                            .org_id = "o-ZZZZZZZZZZ"});
  ASSERT_FALSE(bad_org);
  EXPECT_NE(bad_org.error().message().find("--org-id"), std::string::npos);
}

}  // namespace
}  // namespace hubspoke
