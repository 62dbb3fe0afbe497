#include <gtest/gtest.h>

#include <cctype>

#include "policy/policy.h"

namespace hubspoke::policy {
namespace {

TEST(PolicyParse, FullDocument) {
  auto doc = ParsePolicy(R"({
    "Version": "2012-10-17",
    "Id": "hub",
    "Statement": [
      {"Sid": "Trust", "Effect": "Allow",
       "Principal": {"AWS": ["111111111111", "arn:aws:iam::222222222222:role/r"],
                     "Service": "ec2.amazonaws.com"},
       "Action": "sts:AssumeRole",
       "Condition": {"StringEquals": {"sts:ExternalId": "x1", "aws:PrincipalOrgID": ["o-a", "o-b"]},
                     "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                     "Bool": {"aws:SecureTransport": true},
                     "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "team*"}}},
      {"Effect": "Deny", "NotAction": ["iam:*", "s3:Get*"], "NotResource": "arn:aws:s3:::b/*"}
    ]})");
  ASSERT_TRUE(doc.has_value()) << doc.error().message();
  EXPECT_EQ(doc->version, "2012-10-17");
  EXPECT_EQ(doc->id, "hub");
  ASSERT_EQ(doc->statements.size(), 2u);
  const Statement& trust = doc->statements[0];
  EXPECT_EQ(trust.Label(), "statement 'Trust'");
  EXPECT_EQ(trust.effect, Effect::kAllow);
  ASSERT_TRUE(trust.principal.has_value());
  EXPECT_FALSE(trust.not_principal);
  EXPECT_EQ(trust.principal->values.at("AWS").size(), 2u);
  EXPECT_EQ(trust.principal->values.at("Service"), std::vector<std::string>{"ec2.amazonaws.com"});
  EXPECT_EQ(trust.actions, std::vector<std::string>{"sts:AssumeRole"});
  EXPECT_FALSE(trust.resources.has_value());
  ASSERT_EQ(trust.conditions.size(), 5u);  // operators sorted by name, keys too
  EXPECT_EQ(trust.conditions[0].op.op, ConditionOp::kBool);
  EXPECT_EQ(trust.conditions[0].values, std::vector<std::string>{"true"});
  EXPECT_EQ(trust.conditions[1].op.set, SetQualifier::kForAnyValue);
  EXPECT_TRUE(trust.conditions[1].op.if_exists);
  EXPECT_EQ(trust.conditions[1].op.op, ConditionOp::kStringLike);
  EXPECT_EQ(trust.conditions[2].values, std::vector<std::string>{"3600"});
  EXPECT_EQ(trust.conditions[3].key, "aws:PrincipalOrgID");
  EXPECT_EQ(trust.conditions[3].values, (std::vector<std::string>{"o-a", "o-b"}));

  const Statement& deny = doc->statements[1];
  EXPECT_EQ(deny.Label(), "statement #2");
  EXPECT_EQ(deny.effect, Effect::kDeny);
  EXPECT_TRUE(deny.not_action);
  EXPECT_TRUE(deny.not_resource);
  EXPECT_EQ(*deny.resources, std::vector<std::string>{"arn:aws:s3:::b/*"});
}

TEST(PolicyParse, SingleStatementObjectAndPrincipalStar) {
  auto doc = ParsePolicy(
      R"({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}})");
  ASSERT_TRUE(doc.has_value()) << doc.error().message();
  EXPECT_EQ(doc->version, "");
  EXPECT_FALSE(doc->VariablesEnabled());
  ASSERT_EQ(doc->statements.size(), 1u);
  EXPECT_TRUE(doc->statements[0].principal->everyone);
}

TEST(PolicyParse, NotPrincipalParses) {
  auto doc = ParsePolicy(R"({"Statement": {"Effect": "Deny",
      "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob",
      "arn:aws:iam::444455556666:root"]},
      "Action": "s3:*", "Resource": "*"}})");
  ASSERT_TRUE(doc.has_value()) << doc.error().message();
  EXPECT_TRUE(doc->statements[0].not_principal);
  EXPECT_EQ(doc->statements[0].principal->values.at("AWS").size(), 2u);
}

TEST(PolicyParse, ConditionOperatorNames) {
  struct Case {
    const char* name;
    ConditionOp op;
    SetQualifier set;
    bool if_exists;
  };
  for (const Case& c : {
           Case{"StringEquals", ConditionOp::kStringEquals, SetQualifier::kNone, false},
           Case{"StringNotEqualsIgnoreCaseIfExists", ConditionOp::kStringNotEqualsIgnoreCase,
                SetQualifier::kNone, true},
           Case{"ForAllValues:ArnLike", ConditionOp::kArnLike, SetQualifier::kForAllValues, false},
           Case{"ForAnyValue:NumericGreaterThanEqualsIfExists",
                ConditionOp::kNumericGreaterThanEquals, SetQualifier::kForAnyValue, true},
           Case{"DateLessThanEquals", ConditionOp::kDateLessThanEquals, SetQualifier::kNone, false},
           Case{"NotIpAddress", ConditionOp::kNotIpAddress, SetQualifier::kNone, false},
           Case{"BinaryEquals", ConditionOp::kBinaryEquals, SetQualifier::kNone, false},
           Case{"Null", ConditionOp::kNull, SetQualifier::kNone, false},
       }) {
    auto op = ParseConditionOperator(c.name);
    ASSERT_TRUE(op.has_value()) << c.name;
    EXPECT_EQ(op->op, c.op) << c.name;
    EXPECT_EQ(op->set, c.set) << c.name;
    EXPECT_EQ(op->if_exists, c.if_exists) << c.name;
    EXPECT_EQ(op->name, c.name);
  }
}

struct ErrorCase {
  const char* name;
  const char* json;
  const char* message_part;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class PolicyParseErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(PolicyParseErrors, Rejects) {
  const ErrorCase& c = GetParam();
  auto doc = ParsePolicy(c.json);
  ASSERT_FALSE(doc.has_value()) << c.name;
  EXPECT_EQ(doc.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(doc.error().message().find(c.message_part), std::string::npos)
      << c.name << ": " << doc.error().message();
  EXPECT_EQ(doc.error().message().find('\n'), std::string::npos) << "one line";
}

INSTANTIATE_TEST_SUITE_P(
    PolicyParse, PolicyParseErrors,
    ::testing::Values(
        ErrorCase{"bad json", R"({"Statement": [)", "policy is not valid JSON"},
        ErrorCase{"not an object", R"(["Statement"])", "a policy document is a JSON object"},
        ErrorCase{"no statement", R"({"Version": "2012-10-17"})", "policy has no Statement"},
        ErrorCase{"bad version", R"({"Version": "2012-10-18", "Statement": []})",
                  "Version must be \"2012-10-17\" or \"2008-10-17\""},
        ErrorCase{"unknown top-level", R"({"Statements": []})", "unknown element 'Statements'"},
        ErrorCase{"statement is a string", R"({"Statement": "Allow"})",
                  "Statement must be an object or an array"},
        ErrorCase{"statement entry not an object", R"({"Statement": [1]})",
                  "statement #1: a statement must be a JSON object"},
        ErrorCase{"duplicate key",
                  R"({"Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "*",
                "Resource": "*"}})",
                  "duplicate key 'Effect'"},
        ErrorCase{"missing effect",
                  R"({"Statement": [{"Sid": "A", "Action": "*", "Resource": "*"}]})",
                  "statement 'A': missing Effect"},
        ErrorCase{"unknown effect",
                  R"({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]})",
                  "statement #1: unknown Effect \"allow\""},
        ErrorCase{
            "missing action",
            R"({"Statement": [{"Effect": "Allow", "Resource": "*"}, {"Sid": "B", "Effect": "Allow",
                "Resource": "*"}]})",
            "statement #1: missing Action or NotAction"},
        ErrorCase{
            "both Action and NotAction",
            R"({"Statement": [{"Sid": "Both", "Effect": "Allow", "Action": "*", "NotAction": "s3:*",
                "Resource": "*"}]})",
            "statement 'Both': both Action and NotAction"},
        ErrorCase{"both Resource and NotResource",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "NotResource": "*"}})",
                  "both Resource and NotResource"},
        ErrorCase{"both Principal and NotPrincipal",
                  R"({"Statement": {"Effect": "Allow", "Principal": "*", "NotPrincipal": "*",
                "Action": "*"}})",
                  "both Principal and NotPrincipal"},
        ErrorCase{"bad action",
                  R"({"Statement": {"Effect": "Allow", "Action": "AssumeRole", "Resource": "*"}})",
                  "Action 'AssumeRole' is not \"*\" or service:action"},
        ErrorCase{"empty action list",
                  R"({"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}})",
                  "Action must not be an empty array"},
        ErrorCase{"action number",
                  R"({"Statement": {"Effect": "Allow", "Action": [1], "Resource": "*"}})",
                  "Action must contain only strings"},
        ErrorCase{"unknown element",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resources": "*"}})",
                  "unknown element 'Resources'"},
        ErrorCase{"principal string",
                  R"({"Statement": {"Effect": "Allow", "Principal": "arn:aws:iam::1:root",
                "Action": "*"}})",
                  "Principal must be \"*\" or an object"},
        ErrorCase{"principal type",
                  R"({"Statement": {"Effect": "Allow", "Principal": {"aws": "*"}, "Action": "*"}})",
                  "unknown principal type 'aws'"},
        ErrorCase{
            "principal partial wildcard",
            R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:role/x"},
                "Action": "*"}})",
            "only the bare \"*\" is allowed in a principal"},
        ErrorCase{"unknown condition operator",
                  R"({"Statement": {"Sid": "C", "Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"StringEqual": {"a:b": "c"}}}})",
                  "statement 'C': unknown condition operator 'StringEqual'"},
        ErrorCase{"NullIfExists",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"NullIfExists": {"a:b": "true"}}}})",
                  "IfExists can follow any operator except Null"},
        ErrorCase{"condition not an object",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": []}})",
                  "Condition must be an object"},
        ErrorCase{"condition value object",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"StringEquals": {"a:b": {"c": 1}}}}})",
                  "Condition StringEquals a:b: a JSON object is not a string, number or boolean"},
        ErrorCase{"condition value null",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"StringEquals": {"a:b": null}}}})",
                  "is not a string, number or boolean"},
        ErrorCase{"empty condition values",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"StringEquals": {"a:b": []}}}})",
                  "the value list is empty"},
        ErrorCase{"numeric value",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}}}})",
                  "value 'ten' is not a number"},
        ErrorCase{"date value",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-13-01"}}}})",
                  "is not an ISO 8601 date"},
        ErrorCase{"bool value",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}})",
                  "value 'yes' is not \"true\" or \"false\""},
        ErrorCase{"ip value",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}}})",
                  "is not an IPv4/IPv6 address or CIDR block"},
        ErrorCase{"binary value",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"BinaryEquals": {"k:b": "@@"}}}})",
                  "is not base-64"},
        ErrorCase{"null value",
                  R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"Null": {"k:b": "maybe"}}}})",
                  "value 'maybe' is not \"true\" or \"false\""}),
    [](const ::testing::TestParamInfo<ErrorCase>& param_info) {
      std::string out;
      for (const char* p = param_info.param.name; *p != '\0'; ++p) {
        out += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
      }
      return out;
    });

struct KindCase {
  const char* name;
  PolicyKind kind;
  const char* json;
  const char* message_part;  // empty: valid
};

void PrintTo(const KindCase& c, std::ostream* os) { *os << c.name; }

class PolicyParseForKind : public ::testing::TestWithParam<KindCase> {};

TEST_P(PolicyParseForKind, Validates) {
  const KindCase& c = GetParam();
  auto doc = ParsePolicy(c.json);
  ASSERT_TRUE(doc.has_value()) << doc.error().message();
  Status s = ValidatePolicyForKind(*doc, c.kind);
  if (std::string(c.message_part).empty()) {
    EXPECT_TRUE(s.has_value()) << c.name << ": " << s.error().message();
  } else {
    ASSERT_FALSE(s.has_value()) << c.name;
    EXPECT_NE(s.error().message().find(c.message_part), std::string::npos)
        << c.name << ": " << s.error().message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    PolicyParse, PolicyParseForKind,
    ::testing::Values(
        KindCase{"trust ok", PolicyKind::kTrust,
                 R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": "1"},
                "Action": "sts:AssumeRole"}})",
                 ""},
        KindCase{"trust without principal", PolicyKind::kTrust,
                 R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}})",
                 "role trust policy, statement #1: a resource-based policy needs Principal"},
        KindCase{"trust with NotPrincipal", PolicyKind::kTrust,
                 R"({"Statement": {"Effect": "Deny", "NotPrincipal": {"AWS": "1"},
                "Action": "sts:AssumeRole"}})",
                 "NotPrincipal cannot be used in a role trust policy"},
        KindCase{"trust with Resource", PolicyKind::kTrust,
                 R"({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                "Resource": "*"}})",
                 "Resource is not allowed in a role trust policy"},
        KindCase{"identity with Principal", PolicyKind::kIdentity,
                 R"({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                "Resource": "*"}})",
                 "Principal is not allowed in an identity-based policy"},
        KindCase{"identity without Resource", PolicyKind::kIdentity,
                 R"({"Statement": {"Effect": "Allow", "Action": "*"}})",
                 "missing Resource or NotResource"},
        KindCase{"SCP ok", PolicyKind::kScp,
                 R"({"Statement": {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}})", ""},
        KindCase{"resource policy NotPrincipal ok", PolicyKind::kResource,
                 R"({"Statement": {"Effect": "Deny", "NotPrincipal": {"AWS": "1"}, "Action": "s3:*",
                "Resource": "*"}})",
                 ""}));

}  // namespace
}  // namespace hubspoke::policy
