// ctest-label: threads
#include "testing/fake_process_runner.h"
#include "lab/faults.h"

#include <gtest/gtest.h>

#include "hubspoke/hubspoke.h"
#include "hubspoke/credentials_provider.h"
#include "lab/lab_testing.h"
#include "testing/memory_file_system.h"

namespace hubspoke::lab {
namespace {

using testing::BuiltinUserCredentials;
using testing::LabServer;

TEST(LabFaultSpec, ParsesTheDocumentedExample) {
  auto spec = ParseFaultSpec(
      "seed=42,throttle=0.2,503=0.1,latency=50ms@0.3,drop=0.05,truncate=0.05,garbage=0.05,"
      "first=3:throttle,every=10:500,skew=-20m");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->seed, 42u);
  EXPECT_EQ(spec->probabilities.size(), 5u);
  EXPECT_EQ(spec->latency, std::chrono::milliseconds(50));
  EXPECT_DOUBLE_EQ(spec->latency_probability, 0.3);
  EXPECT_EQ(spec->skew, std::chrono::seconds(-1200));
  ASSERT_EQ(spec->schedules.size(), 2u);
  EXPECT_FALSE(spec->schedules[0].every);
  EXPECT_EQ(spec->schedules[0].n, 3u);
  EXPECT_TRUE(spec->schedules[1].every);
  EXPECT_EQ(spec->schedules[1].kind, FaultKind::k500);
}

TEST(LabFaultSpec, RejectsBadItemsNamingThem) {
  for (const char* bad : {"throttle=2", "throttle=0.6,503=0.6", "latency=fast", "first=0:drop",
                          "first=3:explode", "boom=1", "seed=-1", "skew=5ms", "throttle"}) {
    auto spec = ParseFaultSpec(bad);
    ASSERT_FALSE(spec) << bad;
    EXPECT_EQ(spec.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(spec.error().message().rfind("--faults: '", 0), 0u) << spec.error().message();
  }
}

std::vector<FaultAction::Kind> Sequence(const std::string& text, int n) {
  auto spec = ParseFaultSpec(text);
  EXPECT_TRUE(spec);
  auto log = MakeNullLogger();
  FaultInjector injector(*spec, *log, /*id_seed=*/1);
  std::vector<FaultAction::Kind> out;
  for (int i = 0; i < n; ++i) out.push_back(injector.Decide(ServerRequest{}).kind);
  return out;
}

TEST(LabFaultInjector, SameSeedSameFaults) {
  auto a = Sequence("seed=5,throttle=0.3,drop=0.2", 200);
  EXPECT_EQ(a, Sequence("seed=5,throttle=0.3,drop=0.2", 200));
  EXPECT_NE(a, Sequence("seed=6,throttle=0.3,drop=0.2", 200));
  long throttled = std::count(a.begin(), a.end(), FaultAction::Kind::kStatus);
  EXPECT_GT(throttled, 30);
  EXPECT_LT(throttled, 90);
  auto first = Sequence("first=2:drop,every=3:503", 6);
  EXPECT_EQ(first, (std::vector<FaultAction::Kind>{
                       FaultAction::Kind::kDrop, FaultAction::Kind::kDrop,
                       FaultAction::Kind::kStatus, FaultAction::Kind::kNone,
                       FaultAction::Kind::kNone, FaultAction::Kind::kStatus}));
}

// The faults follow the spec's seed; their request ids follow the lab's id seed (random per run
// without --seed), so two runs never hand out the same ids.
TEST(LabFaultInjector, RequestIdsFollowTheLabsSeedNotTheSpecs) {
  auto spec = ParseFaultSpec("every=1:503");
  ASSERT_TRUE(spec);
  auto log = MakeNullLogger();
  auto ids = [&](std::uint64_t id_seed) {
    FaultInjector injector(*spec, *log, id_seed);
    std::vector<std::string> out;
    for (int i = 0; i < 3; ++i) {
      FaultAction a = injector.Decide(ServerRequest{});
      EXPECT_EQ(a.kind, FaultAction::Kind::kStatus);
      std::string id;
      for (const auto& [k, v] : a.headers) {
        if (k == "x-amzn-RequestId") id = v;
      }
      EXPECT_EQ(id.size(), 36u);
      EXPECT_NE(a.body.find(id), std::string::npos);
      out.push_back(id);
    }
    return out;
  };
  const auto a = ids(11);
  EXPECT_EQ(a, ids(11));
  const auto b = ids(12);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NE(a[i], b[i]);
  EXPECT_NE(a[0], a[1]);
}

// An Organizations request (JSON 1.1) gets its faults in JSON, with the codes its clients know.
TEST(LabFaultInjector, OrganizationsFaultsSpeakJson) {
  auto spec = ParseFaultSpec("every=1:throttle");
  ASSERT_TRUE(spec);
  auto log = MakeNullLogger();
  FaultInjector injector(*spec, *log, 3);
  ServerRequest org{.method = "POST", .target = "/", .path = "/",
                    .headers = {{"X-Amz-Target", "AWSOrganizationsV20161128.ListAccounts"}}};
  FaultAction a = injector.Decide(org);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body.find("{\"__type\":\"TooManyRequestsException\""), 0u) << a.body;
  ServerRequest sts{.method = "POST", .target = "/", .path = "/"};
  FaultAction b = injector.Decide(sts);
  EXPECT_NE(b.body.find("<Code>Throttling</Code>"), std::string::npos) << b.body;
  auto five = ParseFaultSpec("every=1:503");
  FaultInjector five_injector(*five, *log, 3);
  EXPECT_NE(five_injector.Decide(org).body.find("ServiceException"), std::string::npos);
}

// The seed chain through a lab with faults, our client retrying (3 retries per call).
class LabFaults : public ::testing::Test {
 protected:
  void Start(const std::string& spec_text) {
    auto spec = ParseFaultSpec(spec_text);
    ASSERT_TRUE(spec) << spec.error().message();
    lab_.reset();  // the old server goes before its injector
    injector_ = std::make_unique<FaultInjector>(*spec, log_, /*id_seed=*/7);
    ServerOptions options;
    options.fault_hook = injector_->AsHook();
    lab_ = std::make_unique<LabServer>(iam::BuiltinModel(), std::move(options));
  }
  Result<SpokeCredentials> Chain() {
    auto env = MakeMapEnvironment({{"AWS_ENDPOINT_URL", lab_->url()}, {"AWS_REGION", "us-east-1"}});
    auto http = MakeHttpClient({});
    hubspoke::testing::MaxRandom random;
    hubspoke::testing::MemoryFileSystem files;
    hubspoke::testing::FakeProcessRunner processes;
    SystemContext sys{clock_, *env, *http, client_log_, random, files, processes};
    auto base = MakeStaticCredentialsProvider(BuiltinUserCredentials(), "test keys");
    SpokeCredentialsInput input{.hub_account_id = iam::kBuiltinHubAccount,
                                .spoke_account_id = iam::kBuiltinSpokeAccount,
                                .hub_role_name = iam::kBuiltinHubRole,
                                .spoke_role_name = iam::kBuiltinSpokeRole,
                                .external_id = iam::kBuiltinExternalId,
                                .session_string = "faults",
                                .timeout = std::chrono::milliseconds(2000)};
    return GetSpokeCredentials(input, sys, *base);
  }
  void TearDown() override {
    lab_.reset();  // stops the server before the injector goes
  }

  hubspoke::testing::CapturingLogger log_;
  hubspoke::testing::CapturingLogger client_log_;
  hubspoke::testing::FakeClock clock_;  // records the client's backoff sleeps, never sleeps
  std::unique_ptr<FaultInjector> injector_;
  std::unique_ptr<LabServer> lab_;
};

TEST_F(LabFaults, ChainSucceedsWithinTheRetryBudgetDespiteThrottling) {
  Start("first=3:throttle");
  auto spoke = Chain();
  ASSERT_TRUE(spoke) << spoke.error().ToString();
  EXPECT_EQ(injector_->requests(), 5u);  // 3 throttled + hub + spoke
  EXPECT_EQ(clock_.sleeps().size(), 3u);
  EXPECT_NE(log_.text().find("fault #3"), std::string::npos);
}

TEST_F(LabFaults, ChainSucceedsDespite5xxAndDroppedConnections) {
  Start("every=2:503");
  auto spoke = Chain();
  ASSERT_TRUE(spoke) << spoke.error().ToString();
  Start("first=1:500,every=3:drop");
  auto again = Chain();
  ASSERT_TRUE(again) << again.error().ToString() << "\n" << client_log_.text();
}

TEST_F(LabFaults, ChainSucceedsDespiteTruncatedAndMalformedResponses) {
  Start("first=1:truncate");
  auto truncated = Chain();
  ASSERT_TRUE(truncated) << truncated.error().ToString() << "\n" << client_log_.text();
  Start("first=1:garbage");
  auto garbage = Chain();
  ASSERT_TRUE(garbage) << garbage.error().ToString() << "\n" << client_log_.text();
}

TEST_F(LabFaults, BeyondTheBudgetItFailsClearlyAndPromptly) {
  Start("every=1:throttle");
  auto started = std::chrono::steady_clock::now();
  auto spoke = Chain();
  ASSERT_FALSE(spoke);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(spoke.error().code(), ErrorCode::kThrottled) << spoke.error().ToString();
  EXPECT_NE(spoke.error().message().find("hub hop"), std::string::npos);
  EXPECT_NE(spoke.error().message().find("Throttling"), std::string::npos);
  EXPECT_NE(spoke.error().message().find("gave up after 4 attempts"), std::string::npos)
      << spoke.error().message();
  EXPECT_EQ(injector_->requests(), 4u);
}

TEST_F(LabFaults, SeededRandomFaultsAreReproducible) {
  Start("seed=3,throttle=0.2,503=0.1");
  auto first = Chain();
  const std::string first_log = log_.text();
  Start("seed=3,throttle=0.2,503=0.1");
  auto second = Chain();
  EXPECT_EQ(first.has_value(), second.has_value());
  EXPECT_EQ(log_.text().substr(first_log.size()), first_log);
}

}  // namespace
}  // namespace hubspoke::lab
