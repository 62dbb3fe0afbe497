// ctest-label: threads
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>


#include "chain/input_fields.h"
#include "hubspoke/hubspoke.h"
#include "testing/sts_fixture.h"

namespace hubspoke {
namespace {

using testing::FakeSts;

using testing::kBaseKey;
using testing::kBaseSecret;
using testing::kNoFile;

// Records where requests go and answers none of them: for tests about the endpoint only.
class RecordingTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    urls.push_back(request.url);
    return Error(ErrorCode::kNetwork, "offline (test)");
  }
  std::vector<std::string> urls;
};

ProfileSet ConfigOf(const std::string& text) {
  auto set = ParseProfileFile(text, ProfileFileKind::kConfig, "test-config");
  EXPECT_TRUE(set.has_value()) << set.error().ToString();
  return set ? *set : ProfileSet{};
}

class ChainTest : public testing::FakeStsTest {
 protected:
  ChainTest() : FakeStsTest({{"AWS_REGION", "eu-west-1"}}, /*sts_endpoint=*/true) {}

  SpokeCredentialsInput Input() {
    return SpokeCredentialsInput{.hub_account_id = "999999999999",
                                 .spoke_account_id = "888888888888",
                                 .hub_role_name = "automation-hub-role",
                                 .spoke_role_name = "automation-spoke-role",
                                 .external_id = "this-is-my-automation",
                                 .session_string = "me@example.com"};
  }

  std::shared_ptr<CredentialsProvider> base_ =
      MakeStaticCredentialsProvider(testing::BaseCredentials(), "test");
};

TEST_F(ChainTest, HubThenSpokeWithTheSeedsSessionNames) {
  auto spoke = GetSpokeCredentials(Input(), sys_, *base_);
  ASSERT_TRUE(spoke.has_value()) << spoke.error().ToString();
  EXPECT_EQ(spoke->assumed_role_arn,
            "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/"
            "888888888888-me@example.com");
  EXPECT_EQ(spoke->hub_session_arn,
            "arn:aws:sts::999999999999:assumed-role/automation-hub-role/me@example.com");
  EXPECT_EQ(spoke->region, "eu-west-1");
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 2u);
  // Hub hop signed with the base key; spoke hop signed with the hub session (key + token).
  EXPECT_TRUE(calls[0].signature_ok);
  EXPECT_EQ(calls[0].access_key_id, kBaseKey);
  EXPECT_EQ(calls[0].params["RoleArn"], "arn:aws:iam::999999999999:role/automation-hub-role");
  EXPECT_EQ(calls[0].params["RoleSessionName"], "me@example.com");
  EXPECT_EQ(calls[0].params["ExternalId"], "this-is-my-automation");
  EXPECT_EQ(calls[0].params["DurationSeconds"], "900");
  EXPECT_TRUE(calls[1].signature_ok);
  EXPECT_EQ(calls[1].access_key_id.rfind("ASIAFAKE", 0), 0u);
  EXPECT_EQ(calls[1].params["RoleArn"], "arn:aws:iam::888888888888:role/automation-spoke-role");
  EXPECT_EQ(calls[1].params["RoleSessionName"], "888888888888-me@example.com");
  EXPECT_EQ(calls[1].params["ExternalId"], "this-is-my-automation");
  EXPECT_EQ(calls[1].params["DurationSeconds"], "3600");
  EXPECT_EQ(spoke->credentials.access_key_id.rfind("ASIAFAKE", 0), 0u);
  EXPECT_FALSE(spoke->credentials.session_token.empty());
  // Both hops went over one kept-alive connection.
  EXPECT_NE(calls[0].client_port, 0);
  EXPECT_EQ(calls[0].client_port, calls[1].client_port);
  ExpectNoSecretsInLog();
}

TEST_F(ChainTest, MfaGoesOnTheHubHopOnlyAndTheCodeIsAskedForLazily) {
  SpokeCredentialsInput in = Input();
  in.mfa_serial = "arn:aws:iam::111111111111:mfa/me";
  int asked = 0;
  in.mfa_reader = [&](const std::string& serial) -> Result<std::string> {
    ++asked;
    EXPECT_EQ(serial, "arn:aws:iam::111111111111:mfa/me");
    return std::string("123456");
  };
  auto spoke = GetSpokeCredentials(in, sys_, *base_);
  ASSERT_TRUE(spoke.has_value()) << spoke.error().ToString();
  EXPECT_EQ(asked, 1);
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].params["SerialNumber"], "arn:aws:iam::111111111111:mfa/me");
  EXPECT_EQ(calls[0].params["TokenCode"], "123456");
  EXPECT_EQ(calls[1].params.count("SerialNumber"), 0u);
  EXPECT_EQ(calls[1].params.count("TokenCode"), 0u);
  // A code given up front is sent as it is, and nothing is asked.
  in.mfa_code = "654321";
  asked = 0;
  ASSERT_TRUE(GetSpokeCredentials(in, sys_, *base_).has_value());
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(sts_.calls()[2].params["TokenCode"], "654321");
}

TEST_F(ChainTest, BadMfaInputSendsNothingAndNeverQuotesTheCode) {
  InputFieldNames names;
  names.mfa_serial = "--mfa-serial";
  names.mfa_code = "--mfa-code";
  struct Row {
    std::string serial, code, error;
  } rows[] = {
      {"arn:aws:iam::111111111111:mfa/me", "12345", "--mfa-code: an MFA code is exactly 6 digits"},
      {"arn:aws:iam::111111111111:mfa/me", "1234567", "--mfa-code: an MFA code is exactly 6 digits"},
      {"arn:aws:iam::111111111111:mfa/me", "12345x", "--mfa-code: an MFA code is exactly 6 digits"},
      {"", "123456", "--mfa-code: an MFA code needs the device: give --mfa-serial too"},
      {"GAHT1234", "", "--mfa-serial: 'GAHT1234': an MFA serial is 9 to 256 characters"},
      {"arn:aws:iam::1:mfa/a b", "", "an MFA serial holds only letters, digits and _+=/:,.@-"},
  };
  for (const Row& row : rows) {
    SpokeCredentialsInput in = Input();
    in.mfa_serial = row.serial;
    in.mfa_code = row.code;
    Status s = ValidateSpokeInput(in, names);
    ASSERT_FALSE(s.has_value()) << row.serial << " " << row.code;
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().ToString().find(row.error), std::string::npos) << s.error().ToString();
    if (!row.code.empty()) {
      EXPECT_EQ(s.error().ToString().find(row.code), std::string::npos);
    }
    EXPECT_FALSE(GetSpokeCredentials(in, sys_, *base_).has_value());
  }
  SpokeCredentialsInput hardware = Input();
  hardware.mfa_serial = "GAHT12345678";  // a hardware token's serial
  hardware.mfa_code = "123456";
  EXPECT_TRUE(ValidateSpokeInput(hardware, names).has_value());
  EXPECT_TRUE(sts_.calls().empty());
}

TEST_F(ChainTest, PerHopExternalIdsAndSpokeSessionOptions) {
  SpokeCredentialsInput in = Input();
  in.hub_external_id = "hub-only-id";
  in.spoke_external_id = "spoke-only-id";
  in.duration = std::chrono::seconds(1800);
  in.source_identity = "alice";
  in.tags = {{"ticket", "OPS-42"}, {"team", "platform"}};
  in.policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n";
  in.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
  auto spoke = GetSpokeCredentials(in, sys_, *base_);
  ASSERT_TRUE(spoke.has_value()) << spoke.error().ToString();
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].params["ExternalId"], "hub-only-id");
  EXPECT_EQ(calls[0].params["SourceIdentity"], "alice");
  EXPECT_EQ(calls[0].params.count("Tags.member.1.Key"), 0u);
  EXPECT_EQ(calls[0].params.count("Policy"), 0u);
  EXPECT_EQ(calls[1].params["ExternalId"], "spoke-only-id");
  EXPECT_EQ(calls[1].params["DurationSeconds"], "1800");
  EXPECT_EQ(calls[1].params["Tags.member.1.Key"], "ticket");
  EXPECT_EQ(calls[1].params["Tags.member.1.Value"], "OPS-42");
  EXPECT_EQ(calls[1].params["Tags.member.2.Key"], "team");
  EXPECT_EQ(calls[1].params["Policy"], R"({"Statement":[],"Version":"2012-10-17"})");
  EXPECT_EQ(calls[1].params["PolicyArns.member.1.arn"], "arn:aws:iam::aws:policy/ReadOnlyAccess");
}

TEST_F(ChainTest, SessionStringIsSanitizedAndSpokeNameTruncatedTo64) {
  SpokeCredentialsInput in = Input();
  in.session_string = "me and you/ops:" + std::string(60, 'x');
  in.session_string.resize(64);
  ASSERT_TRUE(GetSpokeCredentials(in, sys_, *base_).has_value());
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].params["RoleSessionName"].substr(0, 15), "me-and-you-ops-");
  EXPECT_EQ(calls[1].params["RoleSessionName"].size(), 64u);
  EXPECT_EQ(calls[1].params["RoleSessionName"].substr(0, 28), "888888888888-me-and-you-ops-");
}

TEST_F(ChainTest, ThrottlingIsRetriedWithBackoff) {
  sts_.FailNext({400, "Throttling"});
  sts_.FailNext({503, "ServiceUnavailable"});
  auto spoke = GetSpokeCredentials(Input(), sys_, *base_);
  ASSERT_TRUE(spoke.has_value()) << spoke.error().ToString();
  EXPECT_EQ(sts_.calls().size(), 4u);
  // The shared RetryPolicy, full jitter with the maximum draw: before retry n, up to
  // base 100 ms × 2^(n-1) (botocore's standard mode has the same shape).
  auto sleeps = clock_.sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_EQ(sleeps[0].count(), 99);
  EXPECT_EQ(sleeps[1].count(), 199);
}

TEST_F(ChainTest, ThrottlingBeyondTheBudgetFailsNamingTheHop) {
  SpokeCredentialsInput in = Input();
  in.retries = 1;
  sts_.FailNext({400, "Throttling"});
  sts_.FailNext({400, "Throttling"});
  auto spoke = GetSpokeCredentials(in, sys_, *base_);
  ASSERT_FALSE(spoke.has_value());
  EXPECT_EQ(spoke.error().code(), ErrorCode::kThrottled);
  EXPECT_EQ(sts_.calls().size(), 2u);
  const std::string msg = spoke.error().ToString();
  EXPECT_NE(msg.find("hub hop arn:aws:iam::999999999999:role/automation-hub-role"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find("gave up after 2 attempts"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Throttling"), std::string::npos) << msg;
}

TEST_F(ChainTest, NonXml5xxIsRetried) {
  sts_.FailNext({502, ""});
  ASSERT_TRUE(GetSpokeCredentials(Input(), sys_, *base_).has_value());
  EXPECT_EQ(sts_.calls().size(), 3u);
}

TEST_F(ChainTest, SpokeAccessDeniedIsNotRetriedAndExplained) {
  sts_.DenyRole("arn:aws:iam::888888888888:role/automation-spoke-role");
  auto spoke = GetSpokeCredentials(Input(), sys_, *base_);
  ASSERT_FALSE(spoke.has_value());
  EXPECT_EQ(sts_.calls().size(), 2u);
  const Error& e = spoke.error();
  EXPECT_EQ(e.code(), ErrorCode::kAccessDenied);
  ASSERT_TRUE(e.aws().has_value());
  EXPECT_EQ(e.aws()->code, "AccessDenied");
  EXPECT_EQ(e.aws()->request_id, "req-2");
  EXPECT_NE(e.message().find("spoke hop arn:aws:iam::888888888888:role/automation-spoke-role"),
            std::string::npos);
  EXPECT_NE(e.message().find("request id req-2"), std::string::npos);
  EXPECT_NE(e.hint().find("the spoke role's trust policy must name the hub role; check the "
                          "external id"),
            std::string::npos);
  ExpectNoSecretsInLog();
  EXPECT_EQ(e.ToString().find(kBaseSecret), std::string::npos);
}

TEST_F(ChainTest, WrongBaseSecretNamesTheHubHopAndTheBaseKey) {
  Credentials wrong;
  wrong.access_key_id = kBaseKey;
  wrong.secret_access_key = SecretString("not-the-secret");
  auto provider = MakeStaticCredentialsProvider(std::move(wrong), "test");
  auto spoke = GetSpokeCredentials(Input(), sys_, *provider);
  ASSERT_FALSE(spoke.has_value());
  EXPECT_EQ(sts_.calls().size(), 1u);
  const std::string msg = spoke.error().ToString();
  EXPECT_NE(msg.find("hub hop"), std::string::npos);
  EXPECT_NE(msg.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_NE(msg.find("base secret access key"), std::string::npos);
  EXPECT_EQ(msg.find("not-the-secret"), std::string::npos);
}

TEST_F(ChainTest, InvalidInputSendsNothing) {
  SpokeCredentialsInput in = Input();
  in.duration = std::chrono::seconds(7200);
  auto spoke = GetSpokeCredentials(in, sys_, *base_);
  ASSERT_FALSE(spoke.has_value());
  EXPECT_EQ(spoke.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(spoke.error().message().find("1 hour"), std::string::npos);
  in = Input();
  in.spoke_account_id = "8888";
  ASSERT_FALSE(GetSpokeCredentials(in, sys_, *base_).has_value());
  EXPECT_TRUE(sts_.calls().empty());
}

TEST_F(ChainTest, MissingBaseCredentialsNameTheBaseHop) {
  auto empty_env = testing::HermeticEnvironment({});
  auto provider = MakeEnvironmentCredentialsProvider(*empty_env);
  auto spoke = GetSpokeCredentials(Input(), sys_, *provider);
  ASSERT_FALSE(spoke.has_value());
  EXPECT_NE(spoke.error().message().find("base hop"), std::string::npos);
  EXPECT_NE(spoke.error().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_TRUE(sts_.calls().empty());
}

TEST_F(ChainTest, PartitionOfTheRegionIsUsedInArns) {
  auto env = testing::HermeticEnvironment(
      {{"AWS_ENDPOINT_URL", sts_.url()}, {"AWS_REGION", "cn-north-1"}});
  SystemContext sys{clock_, *env, *http_, log_, random_, files_, processes_};
  auto spoke = GetSpokeCredentials(Input(), sys, *base_);
  ASSERT_TRUE(spoke.has_value()) << spoke.error().ToString();
  EXPECT_EQ(sts_.calls()[0].params["RoleArn"],
            "arn:aws-cn:iam::999999999999:role/automation-hub-role");
  EXPECT_EQ(spoke->spoke_role_arn, "arn:aws-cn:iam::888888888888:role/automation-spoke-role");
}

// The library resolves the region and endpoint from the shared config as the CLI does: a
// profile's region picks that region's STS endpoint.
TEST_F(ChainTest, TheProfilesRegionPicksItsRegionalStsEndpoint) {
  auto env = testing::HermeticEnvironment({{"AWS_CONFIG_FILE", kNoFile},
                                 {"AWS_SHARED_CREDENTIALS_FILE", kNoFile}});
  RecordingTransport http;
  SystemContext sys{clock_, *env, http, log_, random_, files_, processes_};
  const ProfileSet config = ConfigOf("[profile ops]\nregion = eu-central-1\n"
                                     "[default]\nregion = ap-southeast-2\n");
  SpokeCredentialsInput input = Input();
  input.profile = "ops";
  auto spoke = GetSpokeCredentials(input, sys, *base_, SpokeChainOptions{.profiles = &config});
  ASSERT_FALSE(spoke.has_value());
  ASSERT_EQ(http.urls.size(), 4u);  // the hub hop, tried 1 + 3 times
  EXPECT_EQ(http.urls[0].rfind("https://sts.eu-central-1.amazonaws.com", 0), 0u) << http.urls[0];

  // Without a profile named: AWS_PROFILE's, else default's.
  http.urls.clear();
  input.profile.clear();
  spoke = GetSpokeCredentials(input, sys, *base_, SpokeChainOptions{.profiles = &config});
  ASSERT_FALSE(http.urls.empty());
  EXPECT_EQ(http.urls[0].rfind("https://sts.ap-southeast-2.amazonaws.com", 0), 0u) << http.urls[0];
  auto ops_env = testing::HermeticEnvironment({{"AWS_PROFILE", "ops"}});
  SystemContext ops_sys{clock_, *ops_env, http, log_, random_, files_, processes_};
  http.urls.clear();
  spoke = GetSpokeCredentials(input, ops_sys, *base_, SpokeChainOptions{.profiles = &config});
  ASSERT_FALSE(http.urls.empty());
  EXPECT_EQ(http.urls[0].rfind("https://sts.eu-central-1.amazonaws.com", 0), 0u) << http.urls[0];
}

// Without SpokeChainOptions::profiles the library reads the files the environment names.
TEST_F(ChainTest, TheSharedConfigFileIsReadWhenNoProfilesAreGiven) {
  const std::string path = "/home/u/.aws/config";
  files_.AddFile(path, "[profile lab]\nregion = eu-west-3\nendpoint_url = " + sts_.url() + "\n");
  auto env = testing::HermeticEnvironment({{"AWS_CONFIG_FILE", path},
                                 {"AWS_SHARED_CREDENTIALS_FILE", kNoFile}});
  SystemContext sys{clock_, *env, *http_, log_, random_, files_, processes_};
  SpokeCredentialsInput input = Input();
  input.profile = "lab";
  auto spoke = GetSpokeCredentials(input, sys, *base_);
  ASSERT_TRUE(spoke.has_value()) << spoke.error().ToString();
  EXPECT_EQ(spoke->region, "eu-west-3");  // the child's AWS_REGION
  ASSERT_EQ(sts_.calls().size(), 2u);

  // The environment beats the profile, as in the SDKs; the input beats both.
  auto region_env = testing::HermeticEnvironment({{"AWS_CONFIG_FILE", path},
                                        {"AWS_SHARED_CREDENTIALS_FILE", kNoFile},
                                        {"AWS_REGION", "us-west-2"}});
  const ProfileSet config =
      ConfigOf("[profile lab]\nregion = eu-west-3\nendpoint_url = " + sts_.url() + "\n");
  auto e = ResolveSpokeEndpoint(input, *region_env, config);
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  EXPECT_EQ(e->region, "us-west-2");
  EXPECT_EQ(e->url, sts_.url());
  input.region = "ca-central-1";
  EXPECT_EQ(ResolveSpokeEndpoint(input, *region_env, config)->region, "ca-central-1");
}

TEST_F(ChainTest, AProfileThatDoesNotExistIsAnInputError) {
  SpokeCredentialsInput input = Input();
  input.profile = "nope";
  const ProfileSet config = ConfigOf("[profile ops]\nregion = eu-central-1\n");
  auto spoke = GetSpokeCredentials(input, sys_, *base_, SpokeChainOptions{.profiles = &config});
  ASSERT_FALSE(spoke.has_value());
  EXPECT_EQ(spoke.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(spoke.error().message().rfind("profile: no profile 'nope' in test-config", 0), 0u)
      << spoke.error().message();
  EXPECT_TRUE(sts_.calls().empty());
  InputFieldNames names;
  names.profile = "--profile";
  EXPECT_EQ(ResolveSpokeEndpoint(input, *env_, config, names).error().message().rfind(
                "--profile: no profile 'nope'", 0),
            0u);
}

TEST(StsEndpoint, Precedence) {
  const ProfileSet none;
  auto resolve = [&](const Environment& env, std::string region, std::string endpoint_url) {
    return ResolveSpokeEndpoint(
        SpokeCredentialsInput{.region = std::move(region), .endpoint_url = std::move(endpoint_url)},
        env, none);
  };
  auto env = testing::HermeticEnvironment({{"AWS_DEFAULT_REGION", "eu-west-2"}});
  auto e = resolve(*env, "", "");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->url, "https://sts.eu-west-2.amazonaws.com");
  env = testing::HermeticEnvironment({{"AWS_REGION", "us-gov-west-1"},
                                      {"AWS_DEFAULT_REGION", "eu-west-2"},
                            {"AWS_ENDPOINT_URL", "http://a:1"}, {"AWS_ENDPOINT_URL_STS", "http://b:2"}});
  e = resolve(*env, "", "");
  EXPECT_EQ(e->url, "http://b:2");
  EXPECT_EQ(e->region, "us-gov-west-1");
  e = resolve(*env, "ap-south-1", "http://c:3");
  EXPECT_EQ(e->url, "http://c:3");
  EXPECT_EQ(e->region, "ap-south-1");
  EXPECT_EQ(resolve(*testing::HermeticEnvironment({}), "", "")->url,
            "https://sts.us-east-1.amazonaws.com");
  auto bad = resolve(*testing::HermeticEnvironment({{"AWS_REGION", "Mars"}}), "", "");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("AWS_REGION"), std::string::npos);
  auto bad_url =
      resolve(*testing::HermeticEnvironment({{"AWS_ENDPOINT_URL", "ftp://x"}}), "", "");
  ASSERT_FALSE(bad_url.has_value());
  EXPECT_NE(bad_url.error().message().find("AWS_ENDPOINT_URL"), std::string::npos);
}

}  // namespace
}  // namespace hubspoke
