#include "policy/matching.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "policy/condition_values.h"
#include "policy/policy_testing.h"

namespace hubspoke::policy {
namespace {

TEST(PolicyMatching, Wildcards) {
  struct Case {
    const char* pattern;
    const char* text;
    bool ignore_case;
    bool match;
  };
  for (const Case& c : {
           Case{"*", "", false, true},
           Case{"*", "anything:at/all", false, true},
           Case{"", "", false, true},
           Case{"", "x", false, false},
           Case{"a?c", "abc", false, true},
           Case{"a?c", "ac", false, false},
           Case{"a*c", "ac", false, true},
           Case{"a*c", "abbbc", false, true},
           Case{"a*c", "abbbd", false, false},
           Case{"*b*b*", "abxxbyy", false, true},
           Case{"*aab", "aaaab", false, true},
           Case{"ABC", "abc", false, false},
           Case{"ABC", "abc", true, true},
           Case{"**", "x", false, true},
       }) {
    EXPECT_EQ(Pattern::Glob(c.pattern).Matches(c.text, c.ignore_case), c.match)
        << c.pattern << " vs " << c.text;
  }
  EXPECT_FALSE(Pattern::Literal("a*").Matches("ab"));
  EXPECT_TRUE(Pattern::Literal("a*").Matches("a*"));
}

TEST(PolicyMatching, Actions) {
  EXPECT_TRUE(ActionMatches("sts:AssumeRole", "sts:AssumeRole"));
  EXPECT_TRUE(ActionMatches("sts:assumerole", "sts:AssumeRole"));
  EXPECT_TRUE(ActionMatches("sts:Assume*", "sts:AssumeRoleWithSAML"));
  EXPECT_TRUE(ActionMatches("*", "sts:TagSession"));
  EXPECT_FALSE(ActionMatches("sts:Assume*", "sts:TagSession"));
  EXPECT_FALSE(ActionMatches("iam:*", "sts:AssumeRole"));
}

TEST(PolicyMatching, ArnComponents) {
  struct Case {
    const char* pattern;
    const char* arn;
    bool match;
  };
  for (const Case& c : {
           Case{"arn:aws:iam::*:role/automation-spoke-role",
                "arn:aws:iam::888888888888:role/automation-spoke-role", true},
           Case{"arn:aws:iam::*:role/automation-spoke-role",
                "arn:aws:iam::888888888888:role/automation-hub-role", false},
           Case{"arn:aws:iam::888888888888:role/*", "arn:aws:iam::888888888888:role/p/q/r", true},
           Case{"arn:aws:iam::8888888888??:role/x", "arn:aws:iam::888888888812:role/x", true},
           Case{"arn:*:iam::*:role/x", "arn:aws-cn:iam::888888888888:role/x", true},
           Case{"arn:aws:someservice:*:111122223333:finance/*",
                "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/d",
                false},
           Case{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b", true},
           Case{"*", "arn:aws:iam::1:role/x", true},
           Case{"*", "not-an-arn", true},
           Case{"arn:aws:iam::*", "arn:aws:iam::1:role/x", false},  // five components
           Case{"arn:aws:iam::*:role/x", "role/x", false},
       }) {
    EXPECT_EQ(ArnMatches(Pattern::Glob(c.pattern), c.arn), c.match) << c.pattern << " vs " << c.arn;
  }
}

TEST(PolicyMatching, Variables) {
  ContextKeys keys;
  keys.Set("aws:username", "alice");
  keys.Set("aws:PrincipalTag/team", "blue");
  keys.SetMulti("aws:TagKeys", {"a", "b"});
  auto text = [&](std::string_view raw) {
    auto p = ExpandVariables(raw, keys, true);
    return p ? p->text() : std::string("<no value>");
  };
  EXPECT_EQ(text("home/${aws:username}/"), "home/alice/");
  EXPECT_EQ(text("${AWS:USERNAME}"), "alice");  // key names are case-insensitive
  EXPECT_EQ(text("${ aws:PrincipalTag/team }-x"), "blue-x");
  EXPECT_EQ(text("${aws:PrincipalTag/dept, 'company-wide'}"), "company-wide");
  EXPECT_EQ(text("${aws:PrincipalTag/team, 'company-wide'}"), "blue");
  EXPECT_EQ(text("${aws:PrincipalTag/dept}"), "<no value>");
  EXPECT_EQ(text("${aws:TagKeys}"), "<no value>");  // multi-valued keys are not variables
  EXPECT_EQ(text("${*}${?}${$}"), "*?$");
  EXPECT_EQ(text("unclosed ${aws:username"), "unclosed ${aws:username");
  EXPECT_FALSE(ExpandVariables("${*}", keys, true)->Matches("x"));
  EXPECT_TRUE(ExpandVariables("*", keys, true)->Matches("x"));
  // Disabled (Version 2008-10-17): literal text.
  EXPECT_EQ(ExpandVariables("${aws:username}", keys, false)->text(), "${aws:username}");
  // In a Resource only the part after the fifth colon is expanded.
  EXPECT_EQ(ExpandResourceVariables("arn:aws:s3:::b/${aws:username}/*", keys, true)->text(),
            "arn:aws:s3:::b/alice/*");
  EXPECT_EQ(ExpandResourceVariables("arn:aws:iam::${aws:username}:user/x", keys, true)->text(),
            "arn:aws:iam::${aws:username}:user/x");
}

TEST(PolicyMatching, Principals) {
  using testing::Session;
  using testing::User;
  const Principal alice = User("111111111111", "alice");
  const Principal hub = Session("999999999999", "automation-hub-role", "me@example.com");
  const Principal sso = Session("999999999999", "AWSReservedSSO_Admin_1", "me",
                                "/aws-reserved/sso.amazonaws.com/us-east-2/");
  const Principal ec2 = testing::Service("ec2.amazonaws.com");
  auto grant = [](const std::string& type, const std::string& value, const Principal& p) {
    PrincipalElement el;
    el.values[type] = {value};
    auto m = MatchPrincipal(el, p);
    return m ? std::string(PrincipalGrantName(m->grant)) : std::string("none");
  };
  EXPECT_EQ(grant("AWS", "*", alice), "everyone");
  EXPECT_EQ(grant("AWS", "*", ec2), "everyone");
  EXPECT_EQ(grant("AWS", "111111111111", alice), "account");
  EXPECT_EQ(grant("AWS", "arn:aws:iam::111111111111:root", alice), "account");
  EXPECT_EQ(grant("AWS", "arn:aws:iam::999999999999:root", hub), "account");
  EXPECT_EQ(grant("AWS", "arn:aws:iam::999999999999:root", alice), "none");
  EXPECT_EQ(grant("AWS", "arn:aws-us-gov:iam::111111111111:root", alice), "none");
  EXPECT_EQ(grant("AWS", "arn:aws:iam::111111111111:user/alice", alice), "principal");
  EXPECT_EQ(grant("AWS", "arn:aws:iam::111111111111:user/Alice", alice), "none");
  EXPECT_EQ(grant("AWS", "arn:aws:iam::999999999999:role/automation-hub-role", hub), "role");
  EXPECT_EQ(grant("AWS",
                  "arn:aws:sts::999999999999:assumed-role/automation-hub-role/me@example.com", hub),
            "principal");
  EXPECT_EQ(grant("AWS", "arn:aws:sts::999999999999:assumed-role/automation-hub-role/other", hub),
            "none");
  EXPECT_EQ(grant("AWS",
                  "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/us-east-2/"
                  "AWSReservedSSO_Admin_1",
                  sso),
            "role");
  EXPECT_EQ(grant("AWS", "arn:aws:iam::999999999999:role/AWSReservedSSO_Admin_1", sso), "none");
  EXPECT_EQ(grant("Service", "ec2.amazonaws.com", ec2), "service");
  EXPECT_EQ(grant("Service", "ec2.amazonaws.com", alice), "none");
  EXPECT_EQ(grant("CanonicalUser",
                  "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", alice),
            "none");
  const Principal google{.type = PrincipalType::kWebIdentity, .arn = "accounts.google.com"};
  EXPECT_EQ(grant("Federated", "accounts.google.com", google), "federated");
  PrincipalElement star;
  star.everyone = true;
  EXPECT_TRUE(MatchPrincipal(star, alice).has_value());
}

TEST(PolicyMatching, PrincipalListStrongestEntryWins) {
  const Principal bot = testing::User("111111111111", "ci-bot");
  const Principal job = testing::Session("111111111111", "worker", "job-1");
  auto grant = [](std::vector<std::string> values, const Principal& p) {
    PrincipalElement el;
    el.values["AWS"] = std::move(values);
    auto m = MatchPrincipal(el, p);
    return m ? std::string(PrincipalGrantName(m->grant)) + " " + m->entry : std::string("none");
  };
  const std::string user = "arn:aws:iam::111111111111:user/ci-bot";
  const std::string role = "arn:aws:iam::111111111111:role/worker";
  const std::string session = "arn:aws:sts::111111111111:assumed-role/worker/job-1";
  EXPECT_EQ(grant({"111111111111", user}, bot), "principal AWS: " + user);
  EXPECT_EQ(grant({user, "111111111111"}, bot), "principal AWS: " + user);
  EXPECT_EQ(grant({"111111111111", role}, job), "role AWS: " + role);
  EXPECT_EQ(grant({role, "arn:aws:iam::111111111111:root"}, job), "role AWS: " + role);
  EXPECT_EQ(grant({role, session}, job), "principal AWS: " + session);
  EXPECT_EQ(grant({session, role}, job), "principal AWS: " + session);
  EXPECT_EQ(grant({"111111111111", "*"}, bot), "everyone AWS: *");
}

TEST(PolicyMatching, PrincipalFromArn) {
  auto session = PrincipalFromArn("arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_A_1/me",
                                  "/aws-reserved/sso.amazonaws.com/us-east-2/");
  ASSERT_TRUE(session.has_value()) << session.error().message();
  EXPECT_EQ(session->type, PrincipalType::kRoleSession);
  EXPECT_EQ(session->account, "999999999999");
  EXPECT_EQ(session->role_arn,
            "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/us-east-2/"
            "AWSReservedSSO_A_1");
  EXPECT_EQ(PrincipalFromArn("arn:aws:iam::111111111111:user/a/b")->type, PrincipalType::kUser);
  EXPECT_EQ(PrincipalFromArn("arn:aws:iam::111111111111:root")->type, PrincipalType::kRoot);
  EXPECT_EQ(PrincipalFromArn("arn:aws:sts::111111111111:federated-user/b")->type,
            PrincipalType::kFederatedUser);
  EXPECT_FALSE(PrincipalFromArn("arn:aws:iam::111111111111:role/r").has_value());
  EXPECT_FALSE(PrincipalFromArn("arn:aws:sts::111111111111:assumed-role/r").has_value());
  EXPECT_FALSE(PrincipalFromArn("not an arn").has_value());
}

TEST(PolicyMatching, EffectiveKeys) {
  RequestContext ctx =
      testing::Ctx(testing::Tagged(testing::InOrg(testing::Session("999999999999", "hub", "s")),
                                   {{"Team", "blue"}}),
                   "sts:AssumeRole", "arn:aws:iam::888888888888:role/spoke",
                   {{"aws:SecureTransport", {"true"}}});
  ctx.principal.unique_id = "AROAEXAMPLE";
  ctx = testing::At(ctx, 1704067200);
  const ContextKeys keys = EffectiveKeys(ctx);
  auto one = [&](const char* key) {
    const auto* v = keys.Find(key);
    return v && v->size() == 1 ? v->front() : std::string("<absent>");
  };
  EXPECT_EQ(one("aws:PrincipalArn"), "arn:aws:iam::999999999999:role/hub");
  EXPECT_EQ(one("aws:principalaccount"), "999999999999");
  EXPECT_EQ(one("aws:PrincipalOrgID"), testing::kOrgId);
  EXPECT_EQ(one("aws:PrincipalTag/team"), "blue");  // tag keys are case-insensitive
  EXPECT_EQ(one("aws:PrincipalType"), "AssumedRole");
  EXPECT_EQ(one("aws:userid"), "AROAEXAMPLE:s");
  EXPECT_EQ(one("aws:username"), "<absent>");
  EXPECT_EQ(one("aws:MultiFactorAuthPresent"), "<absent>");
  EXPECT_EQ(one("aws:CurrentTime"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(one("aws:EpochTime"), "1704067200");
  EXPECT_EQ(one("aws:SecureTransport"), "true");
}

TEST(PolicyConditionValues, Parsers) {
  EXPECT_EQ(ParseNumber("10"), 10.0);
  EXPECT_EQ(ParseNumber("-2.5"), -2.5);
  EXPECT_FALSE(ParseNumber("1e3").has_value());
  EXPECT_FALSE(ParseNumber("").has_value());
  EXPECT_EQ(ParseDateMillis("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(ParseDateMillis("1704067200"), 1704067200000);
  EXPECT_EQ(ParseDateMillis("1704067200.25"), 1704067200250);
  EXPECT_EQ(ParseDateMillis("2024-01-01"), 1704067200000);
  EXPECT_EQ(ParseDateMillis("2024"), 1704067200000);
  EXPECT_EQ(ParseDateMillis("2024-01"), 1704067200000);
  EXPECT_EQ(ParseDateMillis("2024-01-01T01:00+01:00"), 1704067200000);
  EXPECT_EQ(ParseDateMillis("2023-12-31T19:00:00.5-05:00"), 1704067200500);
  EXPECT_FALSE(ParseDateMillis("2024-02-30").has_value());
  EXPECT_FALSE(ParseDateMillis("2024-01-01T25:00Z").has_value());
  EXPECT_FALSE(ParseDateMillis("2024-01T10:00Z").has_value());
  EXPECT_FALSE(ParseDateMillis("yesterday").has_value());
  EXPECT_EQ(ParseBool("TRUE"), true);
  EXPECT_FALSE(ParseBool("1").has_value());
  EXPECT_EQ(Base64Decode("QmluYXJ5VmFsdWVJbkJhc2U2NA=="), "BinaryValueInBase64");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_FALSE(Base64Decode("QQ=A").has_value());
  EXPECT_FALSE(Base64Decode("QQ").has_value());
  auto net = ParseIpRange("10.1.0.0/16");
  ASSERT_TRUE(net.has_value());
  EXPECT_TRUE(IpInRange(*net, *ParseIpRange("10.1.255.7")));
  EXPECT_FALSE(IpInRange(*net, *ParseIpRange("10.2.0.1")));
  EXPECT_FALSE(IpInRange(*net, *ParseIpRange("::ffff:10.1.0.1")));  // families must agree
  EXPECT_TRUE(IpInRange(*ParseIpRange("0.0.0.0/0"), *ParseIpRange("192.0.2.1")));
  EXPECT_TRUE(IpInRange(*ParseIpRange("2001:db8::/32"), *ParseIpRange("2001:DB8:ffff::1")));
  EXPECT_FALSE(ParseIpRange("10.0.0.0/33").has_value());
  EXPECT_FALSE(ParseIpRange("10.0.0").has_value());
}

}  // namespace
}  // namespace hubspoke::policy
