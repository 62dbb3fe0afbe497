// The lab's STS handler called directly with requests signed by our SigV4 signer.
#include "lab/sts_service.h"

#include <gtest/gtest.h>

#include "awsquery/query_errors.h"
#include "core/base64.h"
#include "lab/jwt.h"
#include "lab/lab_testing.h"
#include "sts/sts_xml.h"

namespace hubspoke::lab {
namespace {

using testing::BuiltinUserCredentials;
using testing::EditedBuiltinModel;
using testing::ManualClock;
using testing::SignedRequest;
using testing::SignOptions;

constexpr char kHubArn[] = "arn:aws:iam::999999999999:role/automation-hub-role";
constexpr char kSpokeArn[] = "arn:aws:iam::888888888888:role/automation-spoke-role";

class LabSts : public ::testing::Test {
 protected:
  explicit LabSts(iam::Model model = iam::BuiltinModel())
      : service_(std::move(model), clock_, log_, StsServiceOptions{.seed = 42}) {}

  ServerResponse Call(const Credentials& c, const FormParams& params,
                      const SignOptions& options = {}) {
    return service_.Handle(SignedRequest(c, params, clock_.Now(), options));
  }
  AwsErrorDetails ErrorOf(const ServerResponse& r) {
    EXPECT_NE(r.status, 200) << r.body;
    return awsquery::ParseErrorResponse(r.body, r.status);
  }
  Credentials Assume(const Credentials& c, const std::string& role, FormParams extra = {}) {
    FormParams p = {{"Action", "AssumeRole"}, {"RoleArn", role}, {"RoleSessionName", "test"}};
    p.insert(p.end(), extra.begin(), extra.end());
    ServerResponse r = Call(c, p);
    EXPECT_EQ(r.status, 200) << r.body << "\n" << log_.text();
    auto parsed = sts::ParseAssumeRoleResponse(r.body);
    EXPECT_TRUE(parsed) << r.body;
    return parsed ? parsed->credentials : Credentials{};
  }
  Credentials Hub() { return Assume(BuiltinUserCredentials(), kHubArn); }

  ManualClock clock_;
  hubspoke::testing::CapturingLogger log_;
  StsService service_;
};

TEST_F(LabSts, GetCallerIdentityOfTheUser) {
  ServerResponse r = Call(BuiltinUserCredentials(), {{"Action", "GetCallerIdentity"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto id = sts::ParseGetCallerIdentityResponse(r.body);
  ASSERT_TRUE(id) << r.body;
  EXPECT_EQ(id->arn, "arn:aws:iam::111111111111:user/sys-automation");
  EXPECT_EQ(id->account, "111111111111");
  EXPECT_EQ(id->user_id.rfind("AIDA", 0), 0u);
  EXPECT_FALSE(id->request_id.empty());
  EXPECT_NE(FindHeader(r.headers, "x-amzn-RequestId"), nullptr);
}

TEST_F(LabSts, HubThenSpokeThenCallerIdentityOfTheAssumedRole) {
  Credentials hub = Hub();
  EXPECT_EQ(hub.access_key_id.size(), 20u);
  EXPECT_EQ(hub.access_key_id.rfind("ASIA", 0), 0u);
  ASSERT_TRUE(hub.expiration);
  EXPECT_EQ(*hub.expiration, clock_.Now() + std::chrono::seconds(3600));
  FormParams p = {{"Action", "AssumeRole"},
                  {"RoleArn", kSpokeArn},
                  {"RoleSessionName", "888888888888-me"},
                  {"ExternalId", iam::kBuiltinExternalId},
                  {"DurationSeconds", "900"}};
  ServerResponse r = Call(hub, p);
  ASSERT_EQ(r.status, 200) << r.body << log_.text();
  auto spoke = sts::ParseAssumeRoleResponse(r.body);
  ASSERT_TRUE(spoke);
  EXPECT_EQ(spoke->assumed_role_arn,
            "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/888888888888-me");
  EXPECT_EQ(spoke->assumed_role_id.rfind("AROA", 0), 0u);
  EXPECT_NE(spoke->assumed_role_id.find(":888888888888-me"), std::string::npos);

  ServerResponse who = Call(spoke->credentials, {{"Action", "GetCallerIdentity"}});
  ASSERT_EQ(who.status, 200) << who.body;
  auto id = sts::ParseGetCallerIdentityResponse(who.body);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->arn, spoke->assumed_role_arn);
  EXPECT_EQ(id->user_id, spoke->assumed_role_id);
  EXPECT_EQ(id->account, "888888888888");
  EXPECT_EQ(service_.sessions_issued(), 2u);
}

TEST_F(LabSts, WrongExternalIdIsDeniedAndTheLogNamesTheCondition) {
  Credentials hub = Hub();
  ServerResponse r = Call(hub, {{"Action", "AssumeRole"},
                                {"RoleArn", kSpokeArn},
                                {"RoleSessionName", "s1"},
                                {"ExternalId", "not-the-one"}});
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(e.code, "AccessDenied");
  EXPECT_EQ(e.message,
            "User: arn:aws:sts::999999999999:assumed-role/automation-hub-role/test is not "
            "authorized to perform: sts:AssumeRole on resource: " + std::string(kSpokeArn));
  // The body says only what AWS says; the log explains.
  EXPECT_EQ(r.body.find("ExternalId"), std::string::npos);
  EXPECT_NE(log_.text().find("sts:ExternalId"), std::string::npos) << log_.text();
  EXPECT_NE(log_.text().find("TrustTheHubRole"), std::string::npos) << log_.text();
  EXPECT_EQ(log_.text().find("not-the-one"), std::string::npos) << "external ids are redacted";
}

TEST_F(LabSts, ChainedSessionsAreLimitedToOneHour) {
  Credentials hub = Hub();
  ServerResponse r = Call(hub, {{"Action", "AssumeRole"},
                                {"RoleArn", kSpokeArn},
                                {"RoleSessionName", "s1"},
                                {"ExternalId", iam::kBuiltinExternalId},
                                {"DurationSeconds", "7200"}});
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
            "role chaining.");
}

TEST_F(LabSts, MaxSessionDurationOfTheRole) {
  ServerResponse r = Call(BuiltinUserCredentials(), {{"Action", "AssumeRole"},
                                                     {"RoleArn", kHubArn},
                                                     {"RoleSessionName", "s1"},
                                                     {"DurationSeconds", "7200"}});
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
}

TEST_F(LabSts, ParameterValidationLikeSts) {
  ServerResponse r = Call(BuiltinUserCredentials(), {{"Action", "AssumeRole"},
                                                     {"RoleArn", kHubArn},
                                                     {"RoleSessionName", "pic-ro- 6ACCOUNTNUMBER6"},
                                                     {"DurationSeconds", "86400"}});
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message,
            "2 validation errors detected: Value 'pic-ro- 6ACCOUNTNUMBER6' at 'roleSessionName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[\\w+=,.@-]*; Value '86400' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value less than or equal to 43200");
  ServerResponse missing = Call(BuiltinUserCredentials(), {{"Action", "AssumeRole"}});
  EXPECT_NE(ErrorOf(missing).message.find("Value null at 'roleArn'"), std::string::npos);
}

TEST_F(LabSts, SessionTagsNeedTagSession) {
  Credentials hub = Hub();
  ServerResponse r = Call(hub, {{"Action", "AssumeRole"},
                                {"RoleArn", kSpokeArn},
                                {"RoleSessionName", "s1"},
                                {"ExternalId", iam::kBuiltinExternalId},
                                {"Tags.member.1.Key", "ticket"},
                                {"Tags.member.1.Value", "OPS-1"}});
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(e.code, "AccessDenied");
  EXPECT_NE(e.message.find("sts:TagSession"), std::string::npos) << e.message;
}

TEST_F(LabSts, TamperedBodyIsSignatureDoesNotMatch) {
  ServerRequest req = SignedRequest(BuiltinUserCredentials(),
                                    {{"Action", "AssumeRole"},
                                     {"RoleArn", kHubArn},
                                     {"RoleSessionName", "s1"}},
                                    clock_.Now());
  req.body += "&DurationSeconds=900";
  ServerResponse r = service_.Handle(req);
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_NE(log_.text().find("altered"), std::string::npos) << log_.text();
}

TEST_F(LabSts, WrongSecretIsSignatureDoesNotMatch) {
  Credentials c = BuiltinUserCredentials();
  c.secret_access_key = SecretString("not-the-secret-at-all-0123456789abcdefgh");
  ServerResponse r = Call(c, {{"Action", "GetCallerIdentity"}});
  EXPECT_EQ(ErrorOf(r).code, "SignatureDoesNotMatch");
  EXPECT_EQ(log_.text().find("not-the-secret"), std::string::npos);
  EXPECT_EQ(log_.text().find(iam::kBuiltinSecretAccessKey), std::string::npos);
}

TEST_F(LabSts, UnknownKeyIsInvalidClientTokenId) {
  Credentials c;
  c.access_key_id = "AKIAUNKNOWN000000000";
  c.secret_access_key = SecretString("whatever-secret-0123456789abcdefghijklmn");
  ServerResponse r = Call(c, {{"Action", "GetCallerIdentity"}});
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(e.code, "InvalidClientTokenId");
  EXPECT_EQ(e.message, "The security token included in the request is invalid.");
}

TEST_F(LabSts, WrongServiceOrBadRegionInTheScope) {
  EXPECT_EQ(ErrorOf(Call(BuiltinUserCredentials(), {{"Action", "GetCallerIdentity"}},
                         SignOptions{.region = "us-east-1", .service = "iam"}))
                .code,
            "SignatureDoesNotMatch");
  EXPECT_EQ(ErrorOf(Call(BuiltinUserCredentials(), {{"Action", "GetCallerIdentity"}},
                         SignOptions{.region = "US_EAST", .service = "sts"}))
                .code,
            "SignatureDoesNotMatch");
}

TEST_F(LabSts, ClockSkewBeyondFifteenMinutesIsRequestExpired) {
  ServerRequest req = SignedRequest(BuiltinUserCredentials(), {{"Action", "GetCallerIdentity"}},
                                    clock_.Now() - std::chrono::minutes(16));
  ServerResponse r = service_.Handle(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorOf(r).code, "RequestExpired");
  ServerRequest ok = SignedRequest(BuiltinUserCredentials(), {{"Action", "GetCallerIdentity"}},
                                   clock_.Now() + std::chrono::minutes(14));
  EXPECT_EQ(service_.Handle(ok).status, 200);
}

TEST_F(LabSts, ExpiredSessionIsExpiredToken) {
  Credentials hub = Hub();
  EXPECT_EQ(Call(hub, {{"Action", "GetCallerIdentity"}}).status, 200);
  clock_.Advance(std::chrono::seconds(3600));
  ServerResponse r = Call(hub, {{"Action", "GetCallerIdentity"}});
  AwsErrorDetails e = ErrorOf(r);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(e.code, "ExpiredToken");
  EXPECT_EQ(e.message, "The security token included in the request is expired");
}

TEST_F(LabSts, SessionKeyWithoutItsTokenIsRefused) {
  Credentials hub = Hub();
  hub.session_token = SecretString("");
  EXPECT_EQ(ErrorOf(Call(hub, {{"Action", "GetCallerIdentity"}})).code, "InvalidClientTokenId");
}

TEST_F(LabSts, UnknownActionAndMissingAuthentication) {
  EXPECT_EQ(ErrorOf(Call(BuiltinUserCredentials(), {{"Action", "GetSessionTokenX"}})).code,
            "InvalidAction");
  ServerRequest unsigned_req{.method = "POST",
                             .target = "/",
                             .path = "/",
                             .body = "Action=GetCallerIdentity&Version=2011-06-15"};
  ServerResponse r = service_.Handle(unsigned_req);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorOf(r).code, "MissingAuthenticationToken");
}

TEST_F(LabSts, RoleMissingFromTheModelIsAccessDenied) {
  ServerResponse r = Call(BuiltinUserCredentials(),
                          {{"Action", "AssumeRole"},
                           {"RoleArn", "arn:aws:iam::999999999999:role/nope"},
                           {"RoleSessionName", "s1"}});
  EXPECT_EQ(ErrorOf(r).code, "AccessDenied");
  EXPECT_NE(log_.text().find("no such role"), std::string::npos);
}

TEST_F(LabSts, ReproducibleWithTheSameSeed) {
  ManualClock clock;
  hubspoke::testing::CapturingLogger log;
  StsService a(iam::BuiltinModel(), clock, log, StsServiceOptions{.seed = 9});
  StsService b(iam::BuiltinModel(), clock, log, StsServiceOptions{.seed = 9});
  FormParams p = {{"Action", "AssumeRole"}, {"RoleArn", kHubArn}, {"RoleSessionName", "s"}};
  ServerRequest req = SignedRequest(BuiltinUserCredentials(), p, clock.Now());
  EXPECT_EQ(a.Handle(req).body, b.Handle(req).body);
}

std::string Token(const std::string& claims) {
  return Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." + Base64UrlEncode(claims) +
         ".c2lnbmF0dXJl";
}

ServerResponse WebIdentity(StsService& service, const std::string& token,
                           const std::string& role = "arn:aws:iam::999999999999:role/"
                                                     "github-deploy-role") {
  ServerRequest req{.method = "POST", .target = "/", .path = "/"};
  req.body = FormEncode({{"Action", "AssumeRoleWithWebIdentity"},
                         {"Version", "2011-06-15"},
                         {"RoleArn", role},
                         {"RoleSessionName", "gha"},
                         {"WebIdentityToken", token}});
  return service.Handle(req);
}

TEST_F(LabSts, AssumeRoleWithWebIdentityFromAModelProvider) {
  ServerResponse ok = WebIdentity(
      service_, Token(R"({"iss":"https://token.actions.githubusercontent.com",)"
                      R"("sub":"repo:example-org/infrastructure:ref:refs/heads/main",)"
                      R"("aud":"sts.amazonaws.com"})"));
  ASSERT_EQ(ok.status, 200) << ok.body << log_.text();
  EXPECT_NE(ok.body.find("<AssumeRoleWithWebIdentityResult>"), std::string::npos);
  EXPECT_NE(ok.body.find("assumed-role/github-deploy-role/gha"), std::string::npos);
  EXPECT_NE(ok.body.find("<SubjectFromWebIdentityToken>repo:example-org/infrastructure:ref:"),
            std::string::npos);

  ServerResponse other_repo = WebIdentity(
      service_, Token(R"({"iss":"https://token.actions.githubusercontent.com",)"
                      R"("sub":"repo:someone/else:ref:refs/heads/main","aud":"sts.amazonaws.com"})"));
  EXPECT_EQ(other_repo.status, 403);
  EXPECT_EQ(ErrorOf(other_repo).code, "AccessDenied");
  EXPECT_NE(log_.text().find("token.actions.githubusercontent.com:sub"), std::string::npos)
      << log_.text();

  ServerResponse unknown = WebIdentity(
      service_, Token(R"({"iss":"https://accounts.example.com","sub":"x","aud":"y"})"));
  EXPECT_EQ(ErrorOf(unknown).code, "InvalidIdentityToken");
  EXPECT_NE(ErrorOf(unknown).message.find("No OpenIDConnect provider found"), std::string::npos);

  ServerResponse wrong_aud = WebIdentity(
      service_, Token(R"({"iss":"https://token.actions.githubusercontent.com",)"
                      R"("sub":"repo:example-org/infrastructure:x","aud":"other"})"));
  EXPECT_EQ(ErrorOf(wrong_aud).code, "InvalidIdentityToken");

  ServerResponse expired = WebIdentity(
      service_, Token(R"({"iss":"https://token.actions.githubusercontent.com",)"
                      R"("sub":"repo:example-org/infrastructure:x","aud":"sts.amazonaws.com",)"
                      R"("exp":1000})"));
  EXPECT_EQ(ErrorOf(expired).code, "ExpiredTokenException");
  EXPECT_EQ(ErrorOf(WebIdentity(service_, "garbage")).code, "InvalidIdentityToken");
}

class LabStsOutsideTheOrganization : public LabSts {
 protected:
  LabStsOutsideTheOrganization()
      : LabSts(EditedBuiltinModel(R"({"id": "111111111111", "name": "identity"})",
                                  R"({"id": "111111111111", "name": "identity",
                                      "organization": false})")) {}
};

TEST_F(LabStsOutsideTheOrganization, CallerWithoutOrgIdIsDeniedNamingPrincipalOrgId) {
  ServerResponse r = Call(BuiltinUserCredentials(), {{"Action", "AssumeRole"},
                                                     {"RoleArn", kHubArn},
                                                     {"RoleSessionName", "s1"}});
  EXPECT_EQ(ErrorOf(r).code, "AccessDenied");
  EXPECT_NE(log_.text().find("aws:PrincipalOrgID"), std::string::npos) << log_.text();
}

class LabStsExplicitDeny : public LabSts {
 protected:
  LabStsExplicitDeny()
      : LabSts(EditedBuiltinModel(
            R"("Statement": [{"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}])",
            R"("Statement": [{"Sid": "NoSpokes", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/automation-spoke-role"}])")) {}
};

TEST_F(LabStsExplicitDeny, AnScpDenyWins) {
  Credentials hub = Hub();
  ServerResponse r = Call(hub, {{"Action", "AssumeRole"},
                                {"RoleArn", kSpokeArn},
                                {"RoleSessionName", "s1"},
                                {"ExternalId", iam::kBuiltinExternalId}});
  EXPECT_EQ(ErrorOf(r).code, "AccessDenied");
  EXPECT_NE(log_.text().find("ExplicitDeny"), std::string::npos) << log_.text();
  EXPECT_NE(log_.text().find("NoSpokes"), std::string::npos) << log_.text();
}

TEST_F(LabSts, ExpiredSessionsStayExpiredForEver) {
  // The lab keeps no session table: a session's token is its record, so an expired session is
  // ExpiredToken however long ago it expired (as on AWS), never an unknown key.
  Credentials hub = Hub();
  clock_.Advance(std::chrono::hours(24 * 30));
  EXPECT_EQ(ErrorOf(Call(hub, {{"Action", "GetCallerIdentity"}})).code, "ExpiredToken");
  EXPECT_EQ(service_.sessions_issued(), 1u);
}

TEST_F(LabSts, ATokenThatIsNotTheKeysOwnIsRefusedWithTheReasonLogged) {
  Credentials first = Hub();
  Credentials second = Hub();
  const std::string token(first.session_token.reveal());

  Credentials altered = first;  // one character of the token changed
  std::string t = token;
  t[t.size() / 2] = t[t.size() / 2] == 'A' ? 'B' : 'A';
  altered.session_token = SecretString(t);
  EXPECT_EQ(ErrorOf(Call(altered, {{"Action", "GetCallerIdentity"}})).code,
            "InvalidClientTokenId");
  EXPECT_NE(log_.text().find("not one this lab issued"), std::string::npos) << log_.text();

  Credentials truncated = first;
  truncated.session_token = SecretString(token.substr(0, token.size() - 8));
  EXPECT_EQ(ErrorOf(Call(truncated, {{"Action", "GetCallerIdentity"}})).code,
            "InvalidClientTokenId");

  Credentials swapped = first;  // a valid token, but another session's
  swapped.session_token = second.session_token;
  EXPECT_EQ(ErrorOf(Call(swapped, {{"Action", "GetCallerIdentity"}})).code,
            "InvalidClientTokenId");
  EXPECT_NE(log_.text().find("does not belong to"), std::string::npos) << log_.text();

  Credentials long_term = BuiltinUserCredentials();  // a token with a user's key
  long_term.session_token = first.session_token;
  EXPECT_EQ(ErrorOf(Call(long_term, {{"Action", "GetCallerIdentity"}})).code,
            "InvalidClientTokenId");
  EXPECT_NE(log_.text().find("sent with the long-term key"), std::string::npos);

  Credentials without = first;
  without.session_token = SecretString("");
  EXPECT_EQ(ErrorOf(Call(without, {{"Action", "GetCallerIdentity"}})).code,
            "InvalidClientTokenId");
  EXPECT_NE(log_.text().find("sent without its session token"), std::string::npos);

  // Nothing secret in the log: neither the tokens nor the secrets.
  for (const Credentials* c : {&first, &second}) {
    EXPECT_EQ(log_.text().find(c->session_token.reveal().substr(17, 40)), std::string::npos);
    EXPECT_EQ(log_.text().find(c->secret_access_key.reveal()), std::string::npos);
  }
}

TEST_F(LabSts, SessionsOutliveARestartWithTheSameSeedOnly) {
  Credentials hub = Hub();
  hubspoke::testing::CapturingLogger log;
  StsService same(iam::BuiltinModel(), clock_, log, StsServiceOptions{.seed = 42});
  StsService other(iam::BuiltinModel(), clock_, log, StsServiceOptions{.seed = 43});
  FormParams who = {{"Action", "GetCallerIdentity"}};
  ServerResponse ok = same.Handle(SignedRequest(hub, who, clock_.Now()));
  EXPECT_EQ(ok.status, 200) << ok.body << log.text();
  EXPECT_EQ(ErrorOf(other.Handle(SignedRequest(hub, who, clock_.Now()))).code,
            "InvalidClientTokenId");
  // A lab run without --seed seals with a random key instead: same seed, other key, refused.
  StsService keyed(iam::BuiltinModel(), clock_, log,
                   StsServiceOptions{.seed = 42, .session_key = std::string(32, '\x07')});
  EXPECT_EQ(ErrorOf(keyed.Handle(SignedRequest(hub, who, clock_.Now()))).code,
            "InvalidClientTokenId");
}

TEST_F(LabSts, ASessionsPoliciesAndTagsTravelWithItThroughTheChain) {
  // The hub session is issued with an inline session policy that allows only
  // GetCallerIdentity: its own AssumeRole into the spoke is then denied, by that policy.
  Credentials limited = Assume(
      BuiltinUserCredentials(), kHubArn,
      {{"Policy",
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]})"}});
  ServerResponse denied = Call(limited, {{"Action", "AssumeRole"},
                                         {"RoleArn", kSpokeArn},
                                         {"RoleSessionName", "s1"},
                                         {"ExternalId", iam::kBuiltinExternalId}});
  EXPECT_EQ(ErrorOf(denied).code, "AccessDenied");
  EXPECT_NE(log_.text().find("inline session policy of"), std::string::npos) << log_.text();

  // A managed policy the model does not have stands in as allow-everything: the chain works.
  Credentials managed = Assume(BuiltinUserCredentials(), kHubArn,
                               {{"PolicyArns.member.1.arn",
                                 "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  ServerResponse allowed = Call(managed, {{"Action", "AssumeRole"},
                                          {"RoleArn", kSpokeArn},
                                          {"RoleSessionName", "s2"},
                                          {"ExternalId", iam::kBuiltinExternalId}});
  EXPECT_EQ(allowed.status, 200) << allowed.body << log_.text();
}

TEST(LabStsTestMode, SessionLifetimeCapsEveryIssuedSession) {
  ManualClock clock;
  hubspoke::testing::CapturingLogger log;
  StsService service(iam::BuiltinModel(), clock, log,
                     StsServiceOptions{.seed = 7, .max_session_lifetime = std::chrono::seconds(5)});
  ServerResponse r =
      service.Handle(SignedRequest(BuiltinUserCredentials(),
                                   {{"Action", "AssumeRole"},
                                    {"RoleArn", kHubArn},
                                    {"RoleSessionName", "short"},
                                    {"DurationSeconds", "3600"}},
                                   clock.Now(), {}));
  ASSERT_EQ(r.status, 200) << r.body << log.text();
  auto parsed = sts::ParseAssumeRoleResponse(r.body);
  ASSERT_TRUE(parsed) << r.body;
  ASSERT_TRUE(parsed->credentials.expiration);
  EXPECT_EQ(*parsed->credentials.expiration - clock.Now(), std::chrono::seconds(5));
  clock.Advance(std::chrono::seconds(4));
  ServerResponse alive = service.Handle(
      SignedRequest(parsed->credentials, {{"Action", "GetCallerIdentity"}}, clock.Now(), {}));
  EXPECT_EQ(alive.status, 200) << alive.body;
  clock.Advance(std::chrono::seconds(2));
  ServerResponse expired = service.Handle(
      SignedRequest(parsed->credentials, {{"Action", "GetCallerIdentity"}}, clock.Now(), {}));
  EXPECT_EQ(awsquery::ParseErrorResponse(expired.body, expired.status).code, "ExpiredToken");
}

}  // namespace
}  // namespace hubspoke::lab
