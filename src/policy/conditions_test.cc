// The condition table: every operator with matching and non-matching values and absent keys,
// IfExists, ForAnyValue/ForAllValues (with the empty-set edge cases of [MULTI]), the condition
// keys of FACTS §5, and policy variables. Each row is one identity policy
//   {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {ROW}}
// evaluated for a request in the caller's own account, unless the row gives its own policies.
#include <gtest/gtest.h>

#include "policy/policy_testing.h"

namespace hubspoke::policy {
namespace {

using testing::Ctx;
using testing::EvalCase;
using testing::KeyValues;
using testing::kOrgId;
using testing::kUserAccount;
using testing::PolicySpec;

constexpr std::int64_t k2024 = 1704067200;      // 2024-01-01T00:00:00Z
constexpr std::int64_t kJune2024 = 1717200000;  // 2024-06-01T00:00:00Z

RequestContext Alice(const KeyValues& keys = {}) {
  return Ctx(testing::User(kUserAccount, "alice"), "s3:GetObject", "arn:aws:s3:::bucket/key", keys);
}

RequestContext Team(const std::string& team) {
  RequestContext ctx = Alice();
  ctx.principal.tags["team"] = team;
  return ctx;
}

RequestContext HubSession(const KeyValues& keys = {}) {
  return Ctx(testing::Session(kUserAccount, "automation-hub-role", "me@example.com"),
             "s3:GetObject", "arn:aws:s3:::bucket/key", keys);
}

// A row whose single identity policy allows under `condition`.
EvalCase Row(std::string name, std::string condition, RequestContext ctx, bool allowed,
             std::string reason, std::string version = "2012-10-17") {
  return EvalCase{.name = std::move(name),
                  .policies = {PolicySpec{.kind = PolicyKind::kIdentity,
                                          .json = testing::AllowIf(condition, version)}},
                  .context = std::move(ctx),
                  .want = allowed ? Decision::kAllow : Decision::kImplicitDeny,
                  .code = allowed ? ReasonCode::kAllowed : ReasonCode::kNoIdentityAllow,
                  .reason_part = std::move(reason)};
}

constexpr char kAllowed[] = "an identity-based policy allows";

// A Deny statement under `condition` next to an Allow-all statement.
EvalCase DenyRow(std::string name, std::string condition, RequestContext ctx, bool denied,
                 std::string reason) {
  std::string json = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Sid": "DenyIf", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {)" +
                     condition + "}}]}";
  return EvalCase{.name = std::move(name),
                  .policies = {PolicySpec{.kind = PolicyKind::kIdentity, .json = json}},
                  .context = std::move(ctx),
                  .want = denied ? Decision::kExplicitDeny : Decision::kAllow,
                  .code = denied ? ReasonCode::kExplicitDeny : ReasonCode::kAllowed,
                  .reason_part = std::move(reason)};
}

class PolicyConditionTable : public ::testing::TestWithParam<EvalCase> {};

TEST_P(PolicyConditionTable, Decides) { testing::CheckCase(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    PolicyConditions, PolicyConditionTable,
    ::testing::Values(
        // String operators.
        Row("StringEquals match", R"("StringEquals": {"aws:PrincipalTag/team": "blue"})",
            Team("blue"), true, kAllowed),
        Row("StringEquals mismatch", R"("StringEquals": {"aws:PrincipalTag/team": "blue"})",
            Team("red"), false,
            R"(StringEquals aws:PrincipalTag/team: request value "red" does not match policy )"
            R"(value "blue")"),
        Row("StringEquals absent", R"("StringEquals": {"aws:PrincipalTag/team": "blue"})", Alice(),
            false, "aws:PrincipalTag/team: the key is absent from the request"),
        Row("StringEquals is case-sensitive",
            R"("StringEquals": {"aws:PrincipalTag/team": "blue"})", Team("Blue"), false,
            R"(request value "Blue" does not match)"),
        Row("key names are case-insensitive",
            R"("StringEquals": {"AWS:principaltag/TEAM": "blue"})", Team("blue"), true, kAllowed),
        Row("StringNotEquals other value",
            R"("StringNotEquals": {"aws:PrincipalTag/team": "blue"})", Team("red"), true, kAllowed),
        Row("StringNotEquals same value", R"("StringNotEquals": {"aws:PrincipalTag/team": "blue"})",
            Team("blue"), false, R"(request value "blue" matches policy value "blue")"),
        Row("StringNotEquals absent key holds",
            R"("StringNotEquals": {"aws:PrincipalTag/team": "blue"})", Alice(), true, kAllowed),
        Row("StringEqualsIgnoreCase",
            R"("StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "blue"})", Team("BLUE"), true,
            kAllowed),
        Row("StringNotEqualsIgnoreCase",
            R"("StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "blue"})", Team("BLUE"),
            false, "StringNotEqualsIgnoreCase"),
        Row("StringLike star", R"("StringLike": {"sts:RoleSessionName": "auto-*"})",
            Alice({{"sts:RoleSessionName", {"auto-123"}}}), true, kAllowed),
        Row("StringLike question mark is one character",
            R"("StringLike": {"sts:RoleSessionName": "auto-?"})",
            Alice({{"sts:RoleSessionName", {"auto-12"}}}), false, "StringLike sts:RoleSessionName"),
        Row("StringLike needs wildcards for partial matches",
            R"("StringLike": {"sts:RoleSessionName": "auto"})",
            Alice({{"sts:RoleSessionName", {"auto-1"}}}), false, "does not match"),
        Row("StringNotLike", R"("StringNotLike": {"sts:RoleSessionName": "admin*"})",
            Alice({{"sts:RoleSessionName", {"auto"}}}), true, kAllowed),
        Row("StringNotLike absent key holds",
            R"("StringNotLike": {"sts:RoleSessionName": "admin*"})", Alice(), true, kAllowed),
        // Several values are OR'ed; negated operators must match none; keys and operators AND.
        Row("values are OR'ed", R"("StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]})",
            Team("blue"), true, kAllowed),
        Row("negated values must all differ",
            R"("StringNotEquals": {"aws:PrincipalAccount": ["111111111111", "222222222222"]})",
            Alice(), false, "StringNotEquals aws:PrincipalAccount"),
        Row("keys are AND'ed",
            R"("StringEquals": {"aws:PrincipalTag/team": "blue",
                "aws:PrincipalAccount": "222222222222"})",
            Team("blue"), false, "aws:PrincipalAccount"),
        Row("operators are AND'ed",
            R"("StringEquals": {"aws:PrincipalTag/team": "blue"},
                "Bool": {"aws:SecureTransport": "true"})",
            Team("blue"), false, "Bool aws:SecureTransport: the key is absent"),
        // Numeric.
        Row("NumericLessThan", R"("NumericLessThan": {"aws:MultiFactorAuthAge": "3600"})",
            Alice({{"aws:MultiFactorAuthAge", {"100"}}}), true, kAllowed),
        Row("NumericLessThan too old", R"("NumericLessThan": {"aws:MultiFactorAuthAge": "3600"})",
            Alice({{"aws:MultiFactorAuthAge", {"7200"}}}), false, R"(request value "7200")"),
        Row("NumericEquals with a JSON number", R"("NumericEquals": {"s3:max-keys": 10})",
            Alice({{"s3:max-keys", {"10"}}}), true, kAllowed),
        Row("NumericGreaterThanEquals boundary",
            R"("NumericGreaterThanEquals": {"s3:max-keys": "10.0"})",
            Alice({{"s3:max-keys", {"10"}}}), true, kAllowed),
        Row("NumericLessThanEquals decimal", R"("NumericLessThanEquals": {"s3:max-keys": 2.5})",
            Alice({{"s3:max-keys", {"3"}}}), false, R"(policy value "2.5")"),
        Row("NumericGreaterThan absent", R"("NumericGreaterThan": {"s3:max-keys": "1"})", Alice(),
            false, "s3:max-keys: the key is absent"),
        Row("NumericNotEquals absent holds", R"("NumericNotEquals": {"s3:max-keys": "1"})", Alice(),
            true, kAllowed),
        Row("aws:EpochTime with a numeric operator",
            R"("NumericLessThan": {"aws:EpochTime": "1800000000"})", testing::At(Alice(), k2024),
            true, kAllowed),
        // Dates: ISO 8601 and epoch; aws:CurrentTime and aws:EpochTime come from the time given.
        Row("DateLessThan", R"("DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"})",
            testing::At(Alice(), k2024), true, kAllowed),
        Row("DateGreaterThan not yet",
            R"("DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"})",
            testing::At(Alice(), k2024), false, R"(request value "2024-01-01T00:00:00Z")"),
        Row("DateEquals epoch vs aws:EpochTime", R"("DateEquals": {"aws:EpochTime": "1704067200"})",
            testing::At(Alice(), k2024), true, kAllowed),
        Row("DateLessThanEquals date only",
            R"("DateLessThanEquals": {"aws:CurrentTime": "2024-06-01"})",
            testing::At(Alice(), kJune2024), true, kAllowed),
        Row("DateGreaterThanEquals with offset",
            R"("DateGreaterThanEquals": {"aws:CurrentTime": "2024-06-01T02:00:00+02:00"})",
            testing::At(Alice(), kJune2024), true, kAllowed),
        Row("DateNotEquals", R"("DateNotEquals": {"aws:CurrentTime": "2024-06-01T00:00:00Z"})",
            testing::At(Alice(), kJune2024), false, "DateNotEquals aws:CurrentTime"),
        Row("Date key absent (aws:TokenIssueTime of long-term keys)",
            R"("DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"})", Alice(), false,
            "aws:TokenIssueTime: the key is absent"),
        // Bool.
        Row("Bool true", R"("Bool": {"aws:SecureTransport": "true"})",
            Alice({{"aws:SecureTransport", {"true"}}}), true, kAllowed),
        Row("Bool with a JSON boolean", R"("Bool": {"aws:SecureTransport": false})",
            Alice({{"aws:SecureTransport", {"true"}}}), false, R"(policy value "false")"),
        Row("MFA absent for long-term keys", R"("Bool": {"aws:MultiFactorAuthPresent": true})",
            Alice(), false, "aws:MultiFactorAuthPresent: the key is absent"),
        Row("MFA present", R"("Bool": {"aws:MultiFactorAuthPresent": true})",
            Ctx(testing::WithMfa(testing::User(kUserAccount, "alice"), true), "s3:GetObject", "*"),
            true, kAllowed),
        // …IfExists.
        Row("BoolIfExists absent holds", R"("BoolIfExists": {"aws:MultiFactorAuthPresent": true})",
            Alice(), true, kAllowed),
        Row("BoolIfExists present false", R"("BoolIfExists": {"aws:MultiFactorAuthPresent": true})",
            Ctx(testing::WithMfa(testing::User(kUserAccount, "alice"), false), "s3:GetObject", "*"),
            false, "BoolIfExists aws:MultiFactorAuthPresent"),
        Row("StringEqualsIfExists absent holds",
            R"("StringEqualsIfExists": {"ec2:InstanceType": "t2.micro"})", Alice(), true, kAllowed),
        Row("StringLikeIfExists present mismatch",
            R"("StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*"]})",
            Alice({{"ec2:InstanceType", {"m5.large"}}}), false, R"(request value "m5.large")"),
        DenyRow("Deny with negated IfExists still denies when absent",
                R"("StringNotEqualsIfExists": {"aws:PrincipalTag/team": "blue"})", Alice(), true,
                "statement 'DenyIf'"),
        DenyRow("Deny with negated IfExists and the right tag",
                R"("StringNotEqualsIfExists": {"aws:PrincipalTag/team": "blue"})", Team("blue"),
                false, kAllowed),
        // Binary, IP, ARN.
        Row("BinaryEquals", R"("BinaryEquals": {"test:Blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="})",
            Alice({{"test:Blob", {"BinaryValueInBase64"}}}), true, kAllowed),
        Row("BinaryEquals mismatch",
            R"("BinaryEquals": {"test:Blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="})",
            Alice({{"test:Blob", {"other"}}}), false, "BinaryEquals test:Blob"),
        Row("IpAddress in CIDR", R"("IpAddress": {"aws:SourceIp": "203.0.113.0/24"})",
            Alice({{"aws:SourceIp", {"203.0.113.77"}}}), true, kAllowed),
        Row("IpAddress outside", R"("IpAddress": {"aws:SourceIp": "203.0.113.0/24"})",
            Alice({{"aws:SourceIp", {"198.51.100.1"}}}), false, R"(request value "198.51.100.1")"),
        Row("IpAddress IPv6",
            R"("IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]})",
            Alice({{"aws:SourceIp", {"2001:db8:1234:5678::42"}}}), true, kAllowed),
        Row("IpAddress bare address is /32", R"("IpAddress": {"aws:SourceIp": "203.0.113.5"})",
            Alice({{"aws:SourceIp", {"203.0.113.6"}}}), false, "IpAddress aws:SourceIp"),
        Row("NotIpAddress inside", R"("NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"})",
            Alice({{"aws:SourceIp", {"203.0.113.5"}}}), false, "NotIpAddress aws:SourceIp"),
        Row("NotIpAddress absent holds", R"("NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"})",
            Alice(), true, kAllowed),
        Row("ArnLike on aws:PrincipalArn of a session is the role ARN",
            R"("ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/automation-*"})",
            HubSession(), true, kAllowed),
        Row("ArnEquals behaves like ArnLike",
            R"("ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/automation-hub-role"})",
            HubSession(), true, kAllowed),
        Row("ArnLike checks components separately",
            R"("ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"})",
            Alice({{"aws:SourceArn",
                    {"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/"
                     "d.txt"}}}),
            false, "ArnLike aws:SourceArn"),
        Row("StringLike spans components",
            R"("StringLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"})",
            Alice({{"aws:SourceArn",
                    {"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/"
                     "d.txt"}}}),
            true, kAllowed),
        Row("ArnNotLike matching",
            R"("ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/automation-*"})",
            HubSession(), false, "ArnNotLike aws:PrincipalArn"),
        Row("ArnNotEquals absent holds",
            R"("ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:*:*:t"})", Alice(), true, kAllowed),
        // Null.
        Row("Null true and absent", R"("Null": {"aws:TokenIssueTime": "true"})", Alice(), true,
            kAllowed),
        Row("Null true but present", R"("Null": {"aws:TokenIssueTime": "true"})",
            Alice({{"aws:TokenIssueTime", {"2024-01-01T00:00:00Z"}}}), false,
            "the key is present, the policy wants it absent"),
        Row("Null false and absent", R"("Null": {"sts:TransitiveTagKeys": false})", Alice(), false,
            "the key is absent, the policy wants it present"),
        // Set operators [MULTI].
        Row("ForAnyValue one overlaps",
            R"("ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]})",
            Alice({{"aws:TagKeys", {"b", "c"}}}), true, kAllowed),
        Row("ForAnyValue absent is false", R"("ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]})",
            Alice(), false, "ForAnyValue:StringEquals aws:TagKeys: the key is absent"),
        Row("ForAnyValue empty set is false",
            R"("ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]})", Alice({{"aws:TagKeys", {}}}),
            false, "the key is absent"),
        Row("ForAllValues subset", R"("ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]})",
            Alice({{"aws:TagKeys", {"a", "b"}}}), true, kAllowed),
        Row("ForAllValues one outside",
            R"("ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]})",
            Alice({{"aws:TagKeys", {"a", "c"}}}), false, "(ForAllValues: every one must)"),
        Row("ForAllValues absent is true (overly permissive)",
            R"("ForAllValues:StringEquals": {"aws:TagKeys": ["a"]})", Alice(), true, kAllowed),
        Row("ForAllValues empty set is true",
            R"("ForAllValues:StringEquals": {"aws:TagKeys": ["a"]})", Alice({{"aws:TagKeys", {}}}),
            true, kAllowed),
        Row("ForAnyValue with a negated operator",
            R"("ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]})",
            Alice({{"aws:TagKeys", {"a", "z"}}}), true, kAllowed),
        Row("ForAllValues with a negated operator",
            R"("ForAllValues:StringNotLike": {"aws:TagKeys": ["aws*"]})",
            Alice({{"aws:TagKeys", {"Team", "awsy"}}}), false, "ForAllValues:StringNotLike"),
        Row("no qualifier on a multi-valued key: any value",
            R"("StringEquals": {"aws:TagKeys": "b"})", Alice({{"aws:TagKeys", {"a", "b"}}}), true,
            kAllowed),
        DenyRow("Deny ForAnyValue on forbidden keys",
                R"("ForAnyValue:StringEquals": {"aws:TagKeys": ["ID", "PostDateTime"]})",
                Alice({{"aws:TagKeys", {"UserName", "PostDateTime"}}}), true, "DenyIf"),
        // The condition keys of trust policies (FACTS §5).
        Row("aws:PrincipalOrgID in the organization",
            R"("StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})",
            Ctx(testing::InOrg(testing::User(kUserAccount, "alice")), "s3:GetObject", "*"), true,
            kAllowed),
        Row("aws:PrincipalOrgID absent outside any organization",
            R"("StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})", Alice(), false,
            "aws:PrincipalOrgID: the key is absent"),
        Row("aws:PrincipalOrgID of another organization",
            R"("StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})",
            Ctx(testing::InOrg(testing::User(kUserAccount, "alice"), "o-other"), "s3:GetObject",
                "*"),
            false, R"(request value "o-other")"),
        Row("aws:PrincipalAccount", R"("StringEquals": {"aws:PrincipalAccount": "111111111111"})",
            Alice(), true, kAllowed),
        Row(
            "aws:SourceIdentity", R"("StringLike": {"aws:SourceIdentity": ["Saanvi", "Diego"]})",
            [] {
              RequestContext c = HubSession();
              c.principal.source_identity = "Diego";
              return c;
            }(),
            true, kAllowed),
        Row("sts:ExternalId is never echoed",
            R"("StringEquals": {"sts:ExternalId": "this-is-my-automation"})",
            Alice({{"sts:ExternalId", {"guess"}}}), false, "(values withheld)"),
        Row("aws:RequestTag and sts:TransitiveTagKeys",
            R"("StringEquals": {"aws:RequestTag/Department": ["Engineering", "Marketing"]},
               "ForAllValues:StringEquals": {"sts:TransitiveTagKeys": ["Project", "Department"]})",
            Alice({{"aws:RequestTag/Department", {"Engineering"}},
                   {"sts:TransitiveTagKeys", {"Project", "Cost"}}}),
            false, "sts:TransitiveTagKeys"),
        // Policy variables [VARS].
        Row("${aws:username} for a user",
            R"("StringLike": {"sts:RoleSessionName": "${aws:username}"})",
            Alice({{"sts:RoleSessionName", {"alice"}}}), true, kAllowed),
        Row("${aws:username} is absent for a role session",
            R"("StringLike": {"sts:RoleSessionName": "${aws:username}"})",
            HubSession({{"sts:RoleSessionName", {"alice"}}}), false,
            "StringLike sts:RoleSessionName"),
        Row("a variable with no value satisfies a negated operator",
            R"("StringNotEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/missing}"})",
            Team("blue"), true, kAllowed),
        Row("${key, 'default'}",
            R"("StringEquals": {"s3:prefix": "${aws:PrincipalTag/team, 'company-wide'}"})",
            Alice({{"s3:prefix", {"company-wide"}}}), true, kAllowed),
        Row("${*} is a literal asterisk", R"("StringLike": {"s3:prefix": "a${*}"})",
            Alice({{"s3:prefix", {"ab"}}}), false, R"(policy value "a${*}")"),
        Row("${*} matches an asterisk", R"("StringLike": {"s3:prefix": "a${*}${?}${$}"})",
            Alice({{"s3:prefix", {"a*?$"}}}), true, kAllowed),
        Row(
            "a tag value used as a variable is literal",
            R"("StringLike": {"s3:prefix": "${aws:PrincipalTag/team}"})",
            [] {
              RequestContext c = Team("*");
              c.keys.Set("s3:prefix", "anything");
              return c;
            }(),
            false, "StringLike s3:prefix"),
        Row("no variables before Version 2012-10-17",
            R"("StringEquals": {"sts:RoleSessionName": "${aws:username}"})",
            Alice({{"sts:RoleSessionName", {"${aws:username}"}}}), true, kAllowed, "2008-10-17")),
    testing::CaseName);

}  // namespace
}  // namespace hubspoke::policy
