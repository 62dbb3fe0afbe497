#include "sts/sts_xml.h"

#include <gtest/gtest.h>

#include "awsquery/query_errors.h"
#include "core/time.h"
#include "testing/testdata.h"

namespace hubspoke::sts {
using awsquery::ClassifyAwsError;
using awsquery::ParseErrorResponse;
namespace {

std::string Xml(const std::string& name) {
  std::string text = testing::ReadTestdata("sts/xml/" + name);
  EXPECT_FALSE(text.empty()) << "missing testdata sts/xml/" << name;
  return text;
}

TEST(StsXml, RecordedAssumeRoleResponse) {
  auto r = ParseAssumeRoleResponse(Xml("AssumeRoleResponse.recorded-smithy-rs.xml"));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->credentials.access_key_id, "ASIARTESTID");
  EXPECT_EQ(r->credentials.secret_access_key.reveal(), "TESTSECRETKEY");
  EXPECT_EQ(r->credentials.session_token.reveal(), "TESTSESSIONTOKEN");
  EXPECT_EQ(FormatRfc3339(*r->credentials.expiration), "2021-08-05T19:58:02Z");
  EXPECT_EQ(r->assumed_role_arn,
            "arn:aws:sts::123456789012:assumed-role/integration-test/assume-role-provider-session");
  EXPECT_EQ(r->request_id, "c2e971c2-702d-4124-9b1f-1670febbea18");
}

// The docs sample wraps the token over several indented lines and has fractional seconds.
TEST(StsXml, DocsAssumeRoleResponseIsTrimmed) {
  auto r = ParseAssumeRoleResponse(Xml("AssumeRoleResponse.aws-docs.xml"));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->credentials.session_token.reveal().find(' '), std::string::npos);
  EXPECT_EQ(r->credentials.session_token.reveal().find('\n'), std::string::npos);
  EXPECT_TRUE(r->packed_policy_size.has_value());
  EXPECT_FALSE(r->source_identity.empty());
}

TEST(StsXml, CallerIdentity) {
  auto r = ParseGetCallerIdentityResponse(Xml("GetCallerIdentityResponse.assumed-role.aws-docs.xml"));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->account, "123456789012");
  EXPECT_NE(r->arn.find("assumed-role"), std::string::npos);
}

TEST(StsXml, Errors) {
  AwsErrorDetails d = ParseErrorResponse(Xml("ErrorResponse.SignatureDoesNotMatch.observed.xml"), 403);
  EXPECT_EQ(d.code, "SignatureDoesNotMatch");
  EXPECT_EQ(d.request_id, "0f2bd0e6-e85e-4d15-a8c6-fdd22a61b94f");
  EXPECT_EQ(d.http_status, 403);
  AwsErrorDetails denied = ParseErrorResponse(Xml("ErrorResponse.AccessDenied.CONSTRUCTED.xml"), 403);
  EXPECT_EQ(denied.code, "AccessDenied");
  AwsErrorDetails junk = ParseErrorResponse("<html>bad gateway", 502);
  EXPECT_TRUE(junk.code.empty());
}

TEST(StsXml, MalformedResponsesAreParseErrors) {
  EXPECT_EQ(ParseAssumeRoleResponse("not xml").error().code(), ErrorCode::kParse);
  EXPECT_EQ(ParseAssumeRoleResponse("<AssumeRoleResponse/>").error().code(), ErrorCode::kParse);
  auto no_expiry = ParseAssumeRoleResponse(
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
      "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken></Credentials>"
      "</AssumeRoleResult></AssumeRoleResponse>");
  ASSERT_FALSE(no_expiry.has_value());
  EXPECT_EQ(no_expiry.error().message().find("s</"), std::string::npos);
}

TEST(StsErrors, Classification) {
  EXPECT_TRUE(ClassifyAwsError("Throttling", 400).retryable);
  EXPECT_EQ(ClassifyAwsError("Throttling", 400).code, ErrorCode::kThrottled);
  EXPECT_TRUE(ClassifyAwsError("RequestLimitExceeded", 400).retryable);
  EXPECT_TRUE(ClassifyAwsError("", 503).retryable);
  EXPECT_TRUE(ClassifyAwsError("InternalFailure", 500).retryable);
  EXPECT_FALSE(ClassifyAwsError("AccessDenied", 403).retryable);
  EXPECT_EQ(ClassifyAwsError("AccessDenied", 403).code, ErrorCode::kAccessDenied);
  EXPECT_FALSE(ClassifyAwsError("ExpiredToken", 400).retryable);
  EXPECT_FALSE(ClassifyAwsError("ValidationError", 400).retryable);
  EXPECT_FALSE(ClassifyAwsError("SignatureDoesNotMatch", 403).retryable);
}

}  // namespace
}  // namespace hubspoke::sts

namespace hubspoke::sts {
using awsquery::ClassifyAwsError;
using awsquery::ParseErrorResponse;
namespace {

TEST(StsXml, RecordedAssumeRoleWithWebIdentityResponse) {
  auto r = ParseAssumeRoleWithWebIdentityResponse(
      Xml("AssumeRoleWithWebIdentityResponse.recorded-smithy-rs.xml"));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->credentials.access_key_id, "AKIDTEST");
  EXPECT_EQ(r->credentials.secret_access_key.reveal(), "SECRETKEYTEST");
  EXPECT_EQ(r->credentials.session_token.reveal(), "SESSIONTOKEN_TEST");
  EXPECT_EQ(FormatRfc3339(*r->credentials.expiration), "2021-08-16T20:52:53Z");
  EXPECT_EQ(r->assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/sdk-test/test-session");
  EXPECT_EQ(r->assumed_role_id, "AROARTEST:test-session");
  EXPECT_EQ(r->subject_from_web_identity_token, "system:serviceaccount:default:default");
  EXPECT_EQ(r->audience, "my-cluster.sk1.us-west-2.eks.amazonaws.com");
  EXPECT_EQ(r->provider,
            "arn:aws:iam::123456789012:oidc-provider/s3-us-west-2.amazonaws.com/"
            "oidc-test-testbucket");
  EXPECT_EQ(r->request_id, "f874b1d6-2f3b-4834-907a-6a7c4b3b2d35");
  // An AssumeRole body is not an AssumeRoleWithWebIdentity one, and vice versa.
  EXPECT_EQ(ParseAssumeRoleWithWebIdentityResponse(Xml("AssumeRoleResponse.recorded-smithy-rs.xml"))
                .error()
                .code(),
            ErrorCode::kParse);
  EXPECT_FALSE(ParseAssumeRoleResponse(
                   Xml("AssumeRoleWithWebIdentityResponse.recorded-smithy-rs.xml"))
                   .has_value());
}

TEST(StsXml, WebIdentityErrorsAreRefusalsAndOnlyIdpCommunicationIsRetried) {
  AwsErrorDetails d =
      ParseErrorResponse(Xml("ErrorResponse.InvalidIdentityToken.recorded-smithy-rs.xml"), 400);
  EXPECT_EQ(d.code, "InvalidIdentityToken");
  EXPECT_EQ(d.request_id, "5045ca91-d123-4749-9d66-00a3c906be6c");
  EXPECT_EQ(ClassifyAwsError(d.code, 400).code, ErrorCode::kAccessDenied);
  EXPECT_FALSE(ClassifyAwsError(d.code, 400).retryable);
  EXPECT_EQ(ClassifyAwsError("IDPRejectedClaim", 403).code, ErrorCode::kAccessDenied);
  EXPECT_FALSE(ClassifyAwsError("IDPRejectedClaim", 403).retryable);
  EXPECT_EQ(ClassifyAwsError("ExpiredTokenException", 400).code, ErrorCode::kAccessDenied);
  EXPECT_FALSE(ClassifyAwsError("ExpiredTokenException", 400).retryable);
  EXPECT_TRUE(ClassifyAwsError("IDPCommunicationError", 400).retryable);
}

}  // namespace
}  // namespace hubspoke::sts
