// ctest-label: threads
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <set>
#include <thread>
#include <vector>

#include "testing/fake_process_runner.h"
#include "core/time.h"
#include "hubspoke/refreshing.h"
#include "lab/lab_testing.h"
#include "testing/sts_fixture.h"
#include "testing/manual_time_transport.h"

namespace hubspoke {
namespace {

using lab::testing::ManualClock;
using std::chrono::seconds;
using testing::FakeSts;

constexpr char kBaseKey[] = "AKIABASEBASEBASE0001";
constexpr char kBaseSecret[] = "baseSecret/wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLE";
constexpr char kHubRole[] = "arn:aws:iam::999999999999:role/automation-hub-role";
constexpr char kSpokeRole[] = "arn:aws:iam::888888888888:role/automation-spoke-role";

using testing::IssuedKey;
using testing::OnManualTime;

// The cache must never send through sys.http (one transport, not thread-safe).
class ForbiddenTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest&) override {
    ADD_FAILURE() << "SpokeSessionCache used sys.http";
    return Error(ErrorCode::kInternal, "sys.http is not for the cache");
  }
};

class SpokeSessionCacheTest : public ::testing::Test {
 protected:
  SpokeSessionCacheTest()
      : env_(testing::HermeticEnvironment(
            {{"AWS_ENDPOINT_URL", sts_.url()}, {"AWS_REGION", "eu-west-1"}})),
        sys_{clock_, *env_, forbidden_, log_, random_, files_, processes_} {
    sts_.AddKey(kBaseKey, kBaseSecret, "arn:aws:iam::111111111111:user/sys-automation");
    Credentials base;
    base.access_key_id = kBaseKey;
    base.secret_access_key = SecretString(kBaseSecret);
    base_ = MakeStaticCredentialsProvider(std::move(base), "test base");
  }

  SpokeSessionCacheOptions Options() {
    return SpokeSessionCacheOptions{
        .transport_factory = [this]() -> std::unique_ptr<HttpTransport> {
          ++transports_made_;
          return std::make_unique<OnManualTime>(MakeHttpClient({}), clock_);
        }};
  }
  std::unique_ptr<SpokeSessionCache> MakeCache() {
    return std::make_unique<SpokeSessionCache>(sys_, base_, Options());
  }

  SpokeCredentialsInput Input(const std::string& spoke_account = "888888888888") {
    return SpokeCredentialsInput{.hub_account_id = "999999999999",
                                 .spoke_account_id = spoke_account,
                                 .hub_role_name = "automation-hub-role",
                                 .spoke_role_name = "automation-spoke-role",
                                 .external_id = "this-is-my-automation",
                                 .session_string = "me@example.com"};
  }

  void ExpectNoSecretsInLog() {
    const std::string log = log_.text();
    EXPECT_EQ(log.find(kBaseSecret), std::string::npos);
    for (const auto& s : sts_.secrets()) EXPECT_EQ(log.find(s), std::string::npos) << s;
  }

  FakeSts sts_;
  ManualClock clock_;
  testing::CapturingLogger log_;
  testing::MaxRandom random_;
  testing::MemoryFileSystem files_;
  testing::FakeProcessRunner processes_;
  ForbiddenTransport forbidden_;
  std::unique_ptr<Environment> env_;
  SystemContext sys_;
  std::shared_ptr<CredentialsProvider> base_;
  std::atomic<int> transports_made_{0};
};

TEST_F(SpokeSessionCacheTest, SameKeySameProviderAndTheResolvedKey) {
  auto cache = MakeCache();
  auto a = cache->Get(Input());
  auto b = cache->Get(Input());
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(cache->spoke_sessions(), 1u);
  EXPECT_EQ(cache->hub_sessions(), 1u);
  auto key = cache->KeyFor(Input());
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->partition, "aws");
  EXPECT_EQ(key->region, "eu-west-1");
  EXPECT_EQ(key->account, "888888888888");
  EXPECT_EQ(key->role_arn, kSpokeRole);
  EXPECT_EQ(key->external_id, "this-is-my-automation");
  EXPECT_NE(key->session.find("888888888888-me@example.com"), std::string::npos);
  EXPECT_NE(key->session.find(key->hub), std::string::npos);
  EXPECT_NE(key->hub.find(kHubRole), std::string::npos);
  EXPECT_EQ((*a)->Describe(), std::string("spoke hop ") + kSpokeRole);
  EXPECT_TRUE(sts_.calls().empty());  // Get is lazy
}

TEST_F(SpokeSessionCacheTest, SameProviderForEveryThread) {
  auto cache = MakeCache();
  constexpr int kThreads = 16;
  std::vector<CachingCredentialsProvider*> got(kThreads);
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      auto p = cache->Get(Input());
      got[t] = p ? p->get() : nullptr;
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_NE(got[0], nullptr);
  for (auto* p : got) EXPECT_EQ(p, got[0]);
  EXPECT_EQ(cache->spoke_sessions(), 1u);
}

TEST_F(SpokeSessionCacheTest, KeySeparatesWhatShapesTheSession) {
  auto cache = MakeCache();
  auto provider = [&](const SpokeCredentialsInput& in) {
    auto p = cache->Get(in);
    EXPECT_TRUE(p.has_value()) << p.error().ToString();
    return p ? p->get() : nullptr;
  };
  SpokeCredentialsInput tagged = Input();
  tagged.tags = {{"team", "platform"}, {"ticket", "OPS-42"}};
  tagged.policy = R"({"Version": "2012-10-17", "Statement": []})";
  tagged.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess",
                        "arn:aws:iam::aws:policy/SecurityAudit"};
  auto* base = provider(Input());
  auto* with_options = provider(tagged);

  std::vector<SpokeCredentialsInput> different;
  for (int i = 0; i < 10; ++i) different.push_back(Input());
  different[0].spoke_account_id = "777777777777";
  different[1].external_id = "another-external-id";
  different[2].spoke_external_id = "spoke-only";
  different[3].region = "eu-west-2";
  different[4].duration = seconds(1800);
  different[5].session_string = "someone-else";
  different[6].hub_role_name = "other-hub-role";
  different[7].hub_external_id = "hub-only";
  different[8].source_identity = "alice";
  different[9].endpoint_url = sts_.url() + "/other";
  std::set<CachingCredentialsProvider*> seen = {base, with_options};
  for (std::size_t i = 0; i < different.size(); ++i) {
    EXPECT_TRUE(seen.insert(provider(different[i])).second) << "variant " << i;
  }
  // Tag and policy ARN order, and policy whitespace, do not make another session.
  SpokeCredentialsInput reordered = tagged;
  std::swap(reordered.tags[0], reordered.tags[1]);
  std::swap(reordered.policy_arns[0], reordered.policy_arns[1]);
  reordered.policy = "{\n  \"Statement\": [],\n  \"Version\": \"2012-10-17\"\n}";
  EXPECT_EQ(provider(reordered), with_options);
  // Retries and timeouts are not part of the key.
  SpokeCredentialsInput patient = Input();
  patient.retries = 7;
  patient.timeout = std::chrono::milliseconds(30000);
  EXPECT_EQ(provider(patient), base);
  EXPECT_EQ(cache->spoke_sessions(), 12u);
}

TEST_F(SpokeSessionCacheTest, InputsWithoutASessionStringShareTheirSessions) {
  auto cache = std::make_unique<SpokeSessionCache>(
      sys_, base_, SpokeSessionCacheOptions{.default_session_string = "svc-default"});
  SpokeCredentialsInput in = Input();
  in.session_string = "";
  auto a = cache->Get(in);
  clock_.Advance(seconds(5));
  auto b = cache->Get(in);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_NE(cache->KeyFor(in)->session.find("888888888888-svc-default"), std::string::npos);
  // Without one configured, the default is fixed when the cache is made.
  auto cache2 = MakeCache();
  auto c = cache2->Get(in);
  clock_.Advance(seconds(5));
  auto d = cache2->Get(in);
  ASSERT_TRUE(c.has_value() && d.has_value());
  EXPECT_EQ(c->get(), d->get());
}

TEST_F(SpokeSessionCacheTest, SpokesShareOneHubSession) {
  auto cache = MakeCache();
  auto one = cache->Get(Input("888888888888"));
  auto two = cache->Get(Input("777777777777"));
  ASSERT_TRUE(one.has_value() && two.has_value());
  EXPECT_NE(one->get(), two->get());
  EXPECT_EQ(cache->hub_sessions(), 1u);
  ASSERT_TRUE((*one)->GetCredentials().has_value());
  auto creds = (*two)->GetCredentials();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 3u);  // hub once, then each spoke
  EXPECT_EQ(calls[0].params["RoleArn"], kHubRole);
  EXPECT_EQ(calls[0].params["RoleSessionName"], "me@example.com");
  EXPECT_EQ(calls[0].params["DurationSeconds"], "900");
  EXPECT_EQ(calls[1].params["RoleSessionName"], "888888888888-me@example.com");
  EXPECT_EQ(calls[2].params["RoleArn"], "arn:aws:iam::777777777777:role/automation-spoke-role");
  EXPECT_EQ(calls[2].access_key_id, IssuedKey(1));
  for (const auto& c : calls) EXPECT_TRUE(c.signature_ok);
  // The hops ran one after the other: the pool's one warm transport served all three.
  EXPECT_EQ(transports_made_.load(), 1);
  EXPECT_EQ(calls[0].client_port, calls[2].client_port);
  ExpectNoSecretsInLog();
}

TEST_F(SpokeSessionCacheTest, RefreshesFromTheTopDown) {
  auto cache = MakeCache();
  SpokeCredentialsInput in = Input();
  in.duration = seconds(900);
  in.hub_duration = seconds(3600);
  auto spoke = cache->Get(in);
  ASSERT_TRUE(spoke.has_value());
  ASSERT_TRUE((*spoke)->GetCredentials().has_value());
  ASSERT_EQ(sts_.calls().size(), 2u);

  clock_.Advance(seconds(900 - 20));  // spoke due, hub fresh: only the spoke is refreshed
  auto creds = (*spoke)->GetCredentials();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, IssuedKey(3));
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].params["RoleArn"], kSpokeRole);
  EXPECT_EQ(calls[2].access_key_id, IssuedKey(1));

  clock_.Advance(seconds(2700));  // both due: hub first, then the spoke with the new hub
  creds = (*spoke)->GetCredentials();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  calls = sts_.calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[3].params["RoleArn"], kHubRole);
  EXPECT_EQ(calls[3].access_key_id, kBaseKey);
  EXPECT_EQ(calls[4].params["RoleArn"], kSpokeRole);
  EXPECT_EQ(calls[4].access_key_id, IssuedKey(4));
  EXPECT_EQ(creds->access_key_id, IssuedKey(5));
  ExpectNoSecretsInLog();
}

// The required load test: 64 threads hammer one key; each refresh cycle costs one STS call.
TEST_F(SpokeSessionCacheTest, SixtyFourThreadsOnOneKeyMakeOneStsCallPerRefresh) {
  constexpr int kThreads = 64;
  constexpr int kCallsPerPhase = 50;
  auto cache = MakeCache();
  SpokeCredentialsInput in = Input();
  in.duration = seconds(900);
  in.hub_duration = seconds(3600);
  struct Phase {
    seconds advance;
    std::size_t sts_calls;  // expected after the phase
  };
  const std::vector<Phase> phases = {
      {seconds(0), 2},    // cold: hub + spoke, once
      {seconds(300), 2},  // fresh
      {seconds(360), 3},  // spoke advisory (≈4 min left): one refresh, by one caller
      {seconds(500), 3},  // fresh again (≈400 s left)
      {seconds(380), 4},  // spoke mandatory (≈20 s left): everyone waits for one refresh
  };
  std::barrier sync(kThreads + 1);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (std::size_t p = 0; p < phases.size(); ++p) {
        sync.arrive_and_wait();
        for (int i = 0; i < kCallsPerPhase; ++i) {
          auto provider = cache->Get(in);  // the lookup too, as a service would
          if (!provider || !(*provider)->GetSharedCredentials()) ++failures;
        }
        sync.arrive_and_wait();
      }
    });
  }
  for (std::size_t p = 0; p < phases.size(); ++p) {
    clock_.Advance(phases[p].advance);
    sync.arrive_and_wait();
    sync.arrive_and_wait();
    EXPECT_EQ(sts_.calls().size(), phases[p].sts_calls) << "phase " << p;
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(cache->spoke_sessions(), 1u);
  EXPECT_EQ(transports_made_.load(), 1);  // refreshes of one key never overlap
  ExpectNoSecretsInLog();
}

TEST_F(SpokeSessionCacheTest, FailedRefreshKeepsServingTheCurrentSession) {
  auto cache = MakeCache();
  SpokeCredentialsInput in = Input();
  in.retries = 0;
  auto spoke = cache->Get(in);
  ASSERT_TRUE(spoke.has_value());
  auto first = (*spoke)->GetCredentials();
  ASSERT_TRUE(first.has_value());
  clock_.Advance(seconds(3600 - 200));  // spoke advisory; the hub (15 min) has expired
  sts_.FailNext({503, "ServiceUnavailable"});
  auto during = (*spoke)->GetCredentials();
  ASSERT_TRUE(during.has_value()) << during.error().ToString();
  EXPECT_EQ(during->access_key_id, first->access_key_id);
  const std::string log = log_.text();
  EXPECT_NE(log.find("refreshing credentials from spoke hop " + std::string(kSpokeRole) +
                     " failed; using the current ones"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("hub hop " + std::string(kHubRole) + ": STS AssumeRole: ServiceUnavailable"),
            std::string::npos)
      << log;
  ExpectNoSecretsInLog();
}

TEST_F(SpokeSessionCacheTest, ErrorsNameTheirHop) {
  {
    auto empty = MakeMapEnvironment({});
    std::shared_ptr<CredentialsProvider> missing = MakeEnvironmentCredentialsProvider(*empty);
    SpokeSessionCache cache(sys_, missing, Options());
    auto creds = (*cache.Get(Input()))->GetCredentials();
    ASSERT_FALSE(creds.has_value());
    EXPECT_EQ(creds.error().code(), ErrorCode::kNotConfigured);
    EXPECT_EQ(creds.error().message().rfind("base hop: environment (AWS_ACCESS_KEY_ID): ", 0), 0u)
        << creds.error().message();
    EXPECT_NE(creds.error().hint().find("export AWS_ACCESS_KEY_ID"), std::string::npos);
  }
  auto cache = MakeCache();
  sts_.DenyRole("arn:aws:iam::999999999999:role/denied-hub");
  SpokeCredentialsInput hub_denied = Input();
  hub_denied.hub_role_name = "denied-hub";
  auto creds = (*cache->Get(hub_denied))->GetCredentials();
  ASSERT_FALSE(creds.has_value());
  EXPECT_EQ(
      creds.error().message().rfind(
          "hub hop arn:aws:iam::999999999999:role/denied-hub: STS AssumeRole: AccessDenied", 0),
      0u)
      << creds.error().message();
  EXPECT_NE(creds.error().hint().find("the hub role's trust policy must name the base identity"),
            std::string::npos);

  sts_.DenyRole(kSpokeRole);
  creds = (*cache->Get(Input()))->GetCredentials();
  ASSERT_FALSE(creds.has_value());
  EXPECT_EQ(creds.error().message().rfind(
                std::string("spoke hop ") + kSpokeRole + ": STS AssumeRole: AccessDenied", 0),
            0u)
      << creds.error().message();
  EXPECT_NE(creds.error().hint().find("the spoke role's trust policy must name the hub role"),
            std::string::npos);
}

TEST_F(SpokeSessionCacheTest, InvalidInputIsRefusedWithoutAnEntry) {
  auto cache = MakeCache();
  SpokeCredentialsInput in = Input();
  in.duration = seconds(7200);
  auto p = cache->Get(in);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(p.error().message().find("1 hour"), std::string::npos);
  in = Input();
  in.spoke_account_id = "8888";
  EXPECT_FALSE(cache->Get(in).has_value());
  EXPECT_FALSE(cache->KeyFor(in).has_value());
  EXPECT_EQ(cache->spoke_sessions(), 0u);
  EXPECT_EQ(cache->hub_sessions(), 0u);
  EXPECT_TRUE(sts_.calls().empty());
}

}  // namespace
}  // namespace hubspoke
