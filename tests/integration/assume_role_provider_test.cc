// ctest-label: threads
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/time.h"
#include "hubspoke/refreshing.h"
#include "lab/lab_testing.h"
#include "testing/sts_fixture.h"
#include "testing/manual_time_transport.h"

namespace hubspoke {
namespace {

using testing::FakeSts;

using testing::kBaseKey;
using testing::kBaseSecret;
constexpr char kHubRole[] = "arn:aws:iam::999999999999:role/automation-hub-role";
constexpr char kSpokeRole[] = "arn:aws:iam::888888888888:role/automation-spoke-role";
constexpr char kThirdRole[] = "arn:aws:iam::777777777777:role/third";

using testing::IssuedKey;
using testing::OnManualTime;

class FailingProvider final : public CredentialsProvider {
 public:
  Result<Credentials> GetCredentials() override {
    return Error(ErrorCode::kNotConfigured, "base hop: nothing here");
  }
  std::string Describe() const override { return "failing"; }
};

class AssumeRoleProviderTest : public testing::FakeStsTest {
 protected:
  AssumeRoleProviderOptions Hop(const std::string& name, const std::string& role,
                                std::shared_ptr<TransportPool> pool = nullptr) {
    return AssumeRoleProviderOptions{.request = {.role_arn = role,
                                                 .role_session_name = name + "-session",
                                                 .duration = std::chrono::seconds(900),
                                                 .external_id = "ext-" + name},
                                     .sts = {.endpoint = sts_.url(), .signing_region = "eu-west-1"},
                                     .hop_name = name,
                                     .hint =
                                         [name](const Error& e) {
                                           return e.aws() ? "hint for " + name + " " + e.aws()->code
                                                          : std::string();
                                         },
                                     .transports = std::move(pool)};
  }

  std::shared_ptr<CredentialsProvider> base_ =
      MakeStaticCredentialsProvider(testing::BaseCredentials(), "test base");
};

TEST_F(AssumeRoleProviderTest, SignsWithTheSourceAndSendsTheRequest) {
  auto hub = MakeAssumeRoleProvider(sys_, base_, Hop("hub", kHubRole));
  EXPECT_EQ(hub->Describe(), std::string("hub hop ") + kHubRole);
  auto response = hub->AssumeRole();
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->assumed_role_arn,
            "arn:aws:sts::999999999999:assumed-role/automation-hub-role/hub-session");
  EXPECT_EQ(response->credentials.access_key_id, IssuedKey(1));
  ASSERT_TRUE(response->credentials.expiration.has_value());
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].signature_ok);
  EXPECT_EQ(calls[0].access_key_id, kBaseKey);
  EXPECT_EQ(calls[0].params["RoleArn"], kHubRole);
  EXPECT_EQ(calls[0].params["RoleSessionName"], "hub-session");
  EXPECT_EQ(calls[0].params["DurationSeconds"], "900");
  EXPECT_EQ(calls[0].params["ExternalId"], "ext-hub");
  // GetCredentials is a fresh AssumeRole each time: no caching here.
  auto again = hub->GetCredentials();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->access_key_id, IssuedKey(2));
  const std::string log = log_.text();
  EXPECT_NE(log.find(std::string("hub: AssumeRole ") + kHubRole +
                     " session hub-session duration 900s with external id"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("hub: got arn:aws:sts::999999999999:assumed-role/automation-hub-role/"
                     "hub-session (ASIA…0001, expires "),
            std::string::npos)
      << log;
  ExpectNoSecretsInLog();
}

TEST_F(AssumeRoleProviderTest, ChainsToAnyDepthEachHopSignedByThePreviousSession) {
  auto hub = MakeAssumeRoleProvider(sys_, base_, Hop("hub", kHubRole));
  auto spoke = MakeAssumeRoleProvider(sys_, hub, Hop("spoke", kSpokeRole));
  auto third = MakeAssumeRoleProvider(sys_, spoke, Hop("third", kThirdRole));
  auto creds = third->GetCredentials();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, IssuedKey(3));
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].params["RoleArn"], kHubRole);
  EXPECT_EQ(calls[0].access_key_id, kBaseKey);
  EXPECT_EQ(calls[1].params["RoleArn"], kSpokeRole);
  EXPECT_EQ(calls[1].access_key_id, IssuedKey(1));
  EXPECT_EQ(calls[2].params["RoleArn"], kThirdRole);
  EXPECT_EQ(calls[2].access_key_id, IssuedKey(2));
  for (const auto& c : calls) EXPECT_TRUE(c.signature_ok);
  // Without a pool every hop sends through sys.http: one kept-alive connection.
  EXPECT_NE(calls[0].client_port, 0);
  EXPECT_EQ(calls[0].client_port, calls[1].client_port);
  EXPECT_EQ(calls[1].client_port, calls[2].client_port);
  ExpectNoSecretsInLog();
}

TEST_F(AssumeRoleProviderTest, StsErrorsNameTheHopAndRoleWithTheHint) {
  sts_.DenyRole(kSpokeRole);
  auto hub = MakeAssumeRoleProvider(sys_, base_, Hop("hub", kHubRole));
  auto spoke = MakeAssumeRoleProvider(sys_, hub, Hop("spoke", kSpokeRole));
  auto creds = spoke->GetCredentials();
  ASSERT_FALSE(creds.has_value());
  const Error& e = creds.error();
  EXPECT_EQ(e.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(e.message().rfind(std::string("spoke hop ") + kSpokeRole + ": STS AssumeRole: " +
                                  "AccessDenied (HTTP 403, request id req-2)",
                              0),
            0u)
      << e.message();
  EXPECT_EQ(e.hint(), "hint for spoke AccessDenied");
  ASSERT_TRUE(e.aws().has_value());
  EXPECT_EQ(e.aws()->request_id, "req-2");
}

TEST_F(AssumeRoleProviderTest, ErrorsOfTheSourcePassThroughUnchanged) {
  auto hub =
      MakeAssumeRoleProvider(sys_, std::make_shared<FailingProvider>(), Hop("hub", kHubRole));
  auto spoke = MakeAssumeRoleProvider(sys_, hub, Hop("spoke", kSpokeRole));
  auto creds = spoke->GetCredentials();
  ASSERT_FALSE(creds.has_value());
  EXPECT_EQ(creds.error().code(), ErrorCode::kNotConfigured);
  EXPECT_EQ(creds.error().message(), "base hop: nothing here");
  EXPECT_TRUE(sts_.calls().empty());

  // A hub error reaches the spoke's caller as the hub's.
  sts_.DenyRole(kHubRole);
  auto hub2 = MakeAssumeRoleProvider(sys_, base_, Hop("hub", kHubRole));
  auto spoke2 = MakeAssumeRoleProvider(sys_, hub2, Hop("spoke", kSpokeRole));
  auto denied = spoke2->GetCredentials();
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().message().rfind(std::string("hub hop ") + kHubRole + ": ", 0), 0u)
      << denied.error().message();
  EXPECT_EQ(denied.error().hint(), "hint for hub AccessDenied");
}

TEST_F(AssumeRoleProviderTest, EmptyHopNameReadsAssumeRole) {
  auto options = Hop("", kHubRole);
  auto p = MakeAssumeRoleProvider(sys_, base_, options);
  EXPECT_EQ(p->Describe(), std::string("assume-role hop ") + kHubRole);
}

// With a pool the provider is thread-safe: concurrent calls borrow separate transports, and
// calls one after another reuse the warm one.
TEST_F(AssumeRoleProviderTest, WithAPoolConcurrentCallsBorrowTransportsAndReuseThem) {
  std::atomic<int> made{0};
  auto pool = std::make_shared<TransportPool>(
      [&] {
        ++made;
        return MakeHttpClient({});
      },
      /*max_idle=*/8);
  // sys.http must not be touched: replace it with one that fails the test.
  class Forbidden final : public HttpTransport {
   public:
    Result<HttpResponse> Send(const HttpRequest&) override {
      ADD_FAILURE() << "sys.http used by a pooled provider";
      return Error(ErrorCode::kInternal, "forbidden");
    }
  } forbidden;
  SystemContext sys{clock_, *env_, forbidden, log_, random_, files_, processes_};
  auto hub = MakeAssumeRoleProvider(sys, base_, Hop("hub", kHubRole, pool));

  // One after the other: one transport, one kept-alive connection (cpp-httplib closes a
  // connection after 5 requests, so stay below that).
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(hub->GetCredentials().has_value());
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(calls[0].client_port, calls[1].client_port);
  EXPECT_EQ(calls[1].client_port, calls[2].client_port);

  // At once: each thread borrows its own.
  constexpr int kThreads = 8;
  constexpr int kCalls = 4;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        if (hub->GetCredentials().has_value()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls);
  EXPECT_LE(made.load(), kThreads);
  EXPECT_EQ(static_cast<int>(pool->created()), made.load());
  calls = sts_.calls();
  EXPECT_EQ(calls.size(), 3u + kThreads * kCalls);
  for (const auto& c : calls) EXPECT_TRUE(c.signature_ok);
}

TEST(AssumeRoleProviderPool, KeepsAtMostMaxIdleTransports) {
  int made = 0;
  TransportPool pool(
      [&] {
        ++made;
        return MakeHttpClient({});
      },
      /*max_idle=*/1);
  {
    auto a = pool.Acquire();
    auto b = pool.Acquire();
    EXPECT_NE(a.get(), nullptr);
    EXPECT_NE(a.get(), b.get());
  }
  EXPECT_EQ(made, 2);
  { auto c = pool.Acquire(); }  // the one kept idle
  EXPECT_EQ(made, 2);
  TransportPool broken([] { return std::unique_ptr<HttpTransport>(); });
  EXPECT_EQ(broken.Acquire().get(), nullptr);
}

// Chains refresh from the top down: an expired spoke is refreshed with the still-valid cached
// hub; when both are due, the hub is refreshed first, then the spoke with the new hub session.
TEST_F(AssumeRoleProviderTest, CachedChainsRefreshFromTheTopDown) {
  lab::testing::ManualClock clock;
  OnManualTime http(MakeHttpClient({}), clock);
  SystemContext sys{clock, *env_, http, log_, random_, files_, processes_};
  auto hub_options = Hop("hub", kHubRole);
  hub_options.request.duration = std::chrono::seconds(3600);
  auto hub = MakeCachingProvider(MakeAssumeRoleProvider(sys, base_, hub_options), clock, log_);
  auto spoke =
      MakeCachingProvider(MakeAssumeRoleProvider(sys, hub, Hop("spoke", kSpokeRole)),  // 900 s
                          clock, log_);

  ASSERT_TRUE(spoke->GetCredentials().has_value());
  ASSERT_EQ(sts_.calls().size(), 2u);
  EXPECT_EQ(spoke->GetCredentials()->access_key_id, IssuedKey(2));  // cached
  ASSERT_EQ(sts_.calls().size(), 2u);

  clock.Advance(std::chrono::seconds(900 - 20));  // spoke: mandatory; hub: fresh
  auto refreshed = spoke->GetCredentials();
  ASSERT_TRUE(refreshed.has_value()) << refreshed.error().ToString();
  EXPECT_EQ(refreshed->access_key_id, IssuedKey(3));
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].params["RoleArn"], kSpokeRole);
  EXPECT_EQ(calls[2].access_key_id, IssuedKey(1));  // the cached hub session

  clock.Advance(std::chrono::seconds(2700));  // hub: 20 s left (mandatory); spoke: expired
  refreshed = spoke->GetCredentials();
  ASSERT_TRUE(refreshed.has_value()) << refreshed.error().ToString();
  EXPECT_EQ(refreshed->access_key_id, IssuedKey(5));
  calls = sts_.calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[3].params["RoleArn"], kHubRole);
  EXPECT_EQ(calls[3].access_key_id, kBaseKey);
  EXPECT_EQ(calls[4].params["RoleArn"], kSpokeRole);
  EXPECT_EQ(calls[4].access_key_id, IssuedKey(4));  // the new hub session
  for (const auto& c : calls) EXPECT_TRUE(c.signature_ok);
  ExpectNoSecretsInLog();
}

}  // namespace
}  // namespace hubspoke
