// ctest-label: threads
// The lab behind our HttpServer, driven by our real client (GetSpokeCredentials, StsClient).
#include <gtest/gtest.h>

#include "testing/fake_process_runner.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/sts_client.h"
#include "lab/lab_testing.h"
#include "testing/memory_file_system.h"

namespace hubspoke::lab {
namespace {

using testing::BuiltinUserCredentials;
using testing::EditedBuiltinModel;
using testing::LabServer;

// A client-side system pointed at the lab.
class Client {
 public:
  explicit Client(const std::string& url)
      : env_(MakeMapEnvironment({{"AWS_ENDPOINT_URL", url}, {"AWS_REGION", "us-east-1"}})),
        http_(MakeHttpClient({})),
        sys_{clock_, *env_, *http_, log_, random_, files_, processes_} {}
  const SystemContext& sys() const { return sys_; }
  std::string log() const { return log_.text(); }

  Result<SpokeCredentials> Chain(SpokeCredentialsInput input) {
    auto base = MakeStaticCredentialsProvider(BuiltinUserCredentials(), "test keys");
    return GetSpokeCredentials(input, sys_, *base);
  }

 private:
  hubspoke::testing::FakeClock clock_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  hubspoke::testing::CapturingLogger log_;
  hubspoke::testing::MaxRandom random_;
  hubspoke::testing::MemoryFileSystem files_;
  hubspoke::testing::FakeProcessRunner processes_;
  SystemContext sys_;
};

SpokeCredentialsInput SeedInput() {
  return SpokeCredentialsInput{.hub_account_id = iam::kBuiltinHubAccount,
                               .spoke_account_id = iam::kBuiltinSpokeAccount,
                               .hub_role_name = iam::kBuiltinHubRole,
                               .spoke_role_name = iam::kBuiltinSpokeRole,
                               .external_id = iam::kBuiltinExternalId,
                               .session_string = "me@example.com"};
}

TEST(LabChain, OurClientRunsTheSeedChainAgainstTheBuiltinModel) {
  LabServer lab(iam::BuiltinModel());
  Client client(lab.url());
  auto spoke = client.Chain(SeedInput());
  ASSERT_TRUE(spoke) << spoke.error().ToString() << "\n" << lab.log();
  EXPECT_EQ(spoke->assumed_role_arn,
            "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/"
            "888888888888-me@example.com");
  EXPECT_EQ(spoke->hub_session_arn,
            "arn:aws:sts::999999999999:assumed-role/automation-hub-role/me@example.com");

  StsClient sts(client.sys(), StsClientOptions{.endpoint = lab.url(), .signing_region = "us-east-1"});
  auto who = sts.GetCallerIdentity(spoke->credentials);
  ASSERT_TRUE(who) << who.error().ToString();
  EXPECT_EQ(who->arn, spoke->assumed_role_arn);
  EXPECT_EQ(who->account, "888888888888");
  // Security: the lab's log never holds a secret or a token.
  EXPECT_EQ(lab.log().find(spoke->credentials.secret_access_key.reveal()), std::string::npos);
  EXPECT_EQ(lab.log().find(spoke->credentials.session_token.reveal()), std::string::npos);
  EXPECT_EQ(lab.log().find(iam::kBuiltinSecretAccessKey), std::string::npos);
}

TEST(LabChain, WrongExternalIdFailsOnTheSpokeHopAndTheLabSaysWhy) {
  LabServer lab(iam::BuiltinModel());
  Client client(lab.url());
  SpokeCredentialsInput input = SeedInput();
  input.external_id = "wrong-external-id";
  auto spoke = client.Chain(input);
  ASSERT_FALSE(spoke);
  EXPECT_NE(spoke.error().message().find("spoke hop"), std::string::npos)
      << spoke.error().ToString();
  ASSERT_TRUE(spoke.error().aws());
  EXPECT_EQ(spoke.error().aws()->code, "AccessDenied");
  EXPECT_EQ(spoke.error().aws()->http_status, 403);
  EXPECT_NE(lab.log().find("StringEquals sts:ExternalId"), std::string::npos) << lab.log();
}

TEST(LabChain, TrustPolicyNamingAnotherRoleIsDenied) {
  std::string hub_principal =
      R"("Principal": {"AWS": "arn:aws:iam::999999999999:role/automation-hub-role"},)";
  std::string other = R"("Principal": {"AWS": "arn:aws:iam::999999999999:role/other-hub-role"},)";
  LabServer lab(EditedBuiltinModel(hub_principal, other));  // the 888888888888 spoke only
  Client client(lab.url());
  auto spoke = client.Chain(SeedInput());
  ASSERT_FALSE(spoke);
  ASSERT_TRUE(spoke.error().aws());
  EXPECT_EQ(spoke.error().aws()->code, "AccessDenied");
  EXPECT_NE(lab.log().find("trust policy of arn:aws:iam::888888888888:role/automation-spoke-role"),
            std::string::npos)
      << lab.log();
}

TEST(LabChain, CallerOutsideTheOrganizationIsDeniedNamingPrincipalOrgId) {
  LabServer lab(EditedBuiltinModel(R"({"id": "111111111111", "name": "identity"})",
                                   R"({"id": "111111111111", "name": "identity",
                                       "organization": false})"));
  Client client(lab.url());
  auto spoke = client.Chain(SeedInput());
  ASSERT_FALSE(spoke);
  EXPECT_NE(spoke.error().message().find("hub hop"), std::string::npos);
  EXPECT_NE(lab.log().find("aws:PrincipalOrgID"), std::string::npos) << lab.log();
}

TEST(LabChain, ChainedDurationAboveOneHourIsAValidationError) {
  LabServer lab(iam::BuiltinModel());
  Client client(lab.url());
  // Our client refuses --duration 7200 before sending; StsClient sends whatever it is given.
  SpokeCredentialsInput input = SeedInput();
  input.duration = std::chrono::seconds(7200);
  EXPECT_FALSE(client.Chain(input));
  EXPECT_EQ(lab.log().find("AssumeRole"), std::string::npos) << "nothing was sent";

  StsClient sts(client.sys(), StsClientOptions{.endpoint = lab.url(), .signing_region = "us-east-1"});
  auto hub = sts.AssumeRole(BuiltinUserCredentials(),
                            AssumeRoleRequest{.role_arn = "arn:aws:iam::999999999999:role/"
                                                          "automation-hub-role",
                                              .role_session_name = "hub"});
  ASSERT_TRUE(hub) << hub.error().ToString();
  auto spoke = sts.AssumeRole(
      hub->credentials,
      AssumeRoleRequest{.role_arn = "arn:aws:iam::888888888888:role/automation-spoke-role",
                        .role_session_name = "spoke",
                        .duration = std::chrono::seconds(7200),
                        .external_id = iam::kBuiltinExternalId});
  ASSERT_FALSE(spoke);
  ASSERT_TRUE(spoke.error().aws());
  EXPECT_EQ(spoke.error().aws()->code, "ValidationError");
  EXPECT_EQ(spoke.error().aws()->message,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
            "role chaining.");
}

TEST(LabChain, ExpiredSessionThroughTheServer) {
  LabServer lab(iam::BuiltinModel());
  Client client(lab.url());
  StsClient sts(client.sys(), StsClientOptions{.endpoint = lab.url(), .signing_region = "us-east-1"});
  auto hub = sts.AssumeRole(BuiltinUserCredentials(),
                            AssumeRoleRequest{.role_arn = "arn:aws:iam::999999999999:role/"
                                                          "automation-hub-role",
                                              .role_session_name = "hub",
                                              .duration = std::chrono::seconds(900)});
  ASSERT_TRUE(hub) << hub.error().ToString();
  // The lab's clock moves 10 minutes past expiry; the client's stays (within the 15 min skew).
  lab.clock().Advance(std::chrono::seconds(900 + 600));
  auto who = sts.GetCallerIdentity(hub->credentials);
  ASSERT_FALSE(who);
  ASSERT_TRUE(who.error().aws());
  EXPECT_EQ(who.error().aws()->code, "ExpiredToken");
}

}  // namespace
}  // namespace hubspoke::lab
