// ctest-label: threads
#include "hubspoke/fanout.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "testing/sts_fixture.h"

namespace hubspoke {
namespace {

class ForEachSpokeTest : public testing::FakeStsTest {
 protected:
  ForEachSpokeTest() : FakeStsTest({{"AWS_REGION", "eu-west-1"}}, /*sts_endpoint=*/true) {}

  ForEachSpokeOptions Options() {
    ForEachSpokeOptions o;
    o.input = SpokeCredentialsInput{.hub_account_id = "999999999999",
                                    .hub_role_name = "automation-hub-role",
                                    .spoke_role_name = "automation-spoke-role",
                                    .external_id = "this-is-my-automation",
                                    .session_string = "me@example.com"};
    o.concurrency = 4;
    o.profiles = &profiles_;
    return o;
  }

  static std::vector<SpokeAccount> Accounts(int n) {
    std::vector<SpokeAccount> out;
    for (int i = 0; i < n; ++i) {
      std::string id = std::to_string(100000000000LL + i);
      out.push_back({id, "spoke-" + std::to_string(i)});
    }
    return out;
  }

  std::size_t CallsOf(const std::string& role_arn_part) const {
    std::size_t n = 0;
    for (const auto& c : sts_.calls()) {
      if (c.action == "AssumeRole" && c.params.at("RoleArn").find(role_arn_part) != std::string::npos) ++n;
    }
    return n;
  }

  ProfileSet profiles_;
  std::shared_ptr<CredentialsProvider> base_ =
      MakeStaticCredentialsProvider(testing::BaseCredentials(), "test");
};

TEST_F(ForEachSpokeTest, EveryAccountOnceWithItsOwnSessionAndOneHubSession) {
  const auto accounts = Accounts(25);
  std::mutex mu;
  std::set<std::string> seen_accounts, seen_keys;
  auto report = ForEachSpoke(sys_, base_, accounts, Options(), [&](const SpokeTask& task) {
    auto creds = task.credentials->GetSharedCredentials();
    if (!creds) return SpokeOutcome::Failed(creds.error().message());
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(seen_accounts.insert(task.account.id).second) << task.account.id;
    seen_keys.insert((*creds)->access_key_id);
    EXPECT_EQ(task.assumed_role_arn, "arn:aws:sts::" + task.account.id +
                                         ":assumed-role/automation-spoke-role/" + task.account.id +
                                         "-me@example.com");
    EXPECT_EQ(task.region, "eu-west-1");
    return SpokeOutcome::Ok();
  });
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->ok, 25u);
  EXPECT_EQ(report->failed, 0u);
  EXPECT_EQ(seen_accounts.size(), 25u);
  EXPECT_EQ(seen_keys.size(), 25u);  // a session per spoke
  EXPECT_EQ(CallsOf("automation-hub-role"), 1u);
  EXPECT_EQ(CallsOf("automation-spoke-role"), 25u);
  EXPECT_EQ(report->sts_attempts, 26u);
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    EXPECT_EQ(report->results[i].account.id, accounts[i].id);  // the order given
    EXPECT_EQ(report->results[i].status, SpokeStatus::kOk);
    EXPECT_EQ(report->results[i].sts_attempts, 1);
  }
  ExpectNoSecretsInLog();
}

TEST_F(ForEachSpokeTest, NeverMoreThanTheConcurrencyAtOnce) {
  std::atomic<int> now{0}, peak{0};
  auto options = Options();
  options.concurrency = 3;
  auto report = ForEachSpoke(sys_, base_, Accounts(12), options, [&](const SpokeTask&) {
    int n = ++now;
    int p = peak.load();
    while (n > p && !peak.compare_exchange_weak(p, n)) {}
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --now;
    return SpokeOutcome::Ok();
  });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->ok, 12u);
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);
}

TEST_F(ForEachSpokeTest, ARefusedSpokeIsReportedWithItsHopWhileTheOthersRun) {
  const auto accounts = Accounts(5);
  sts_.DenyRole("arn:aws:iam::" + accounts[2].id + ":role/automation-spoke-role");
  std::atomic<int> called{0};
  auto report = ForEachSpoke(sys_, base_, accounts, Options(), [&](const SpokeTask& task) {
    EXPECT_NE(task.account.id, accounts[2].id);
    ++called;
    return SpokeOutcome::Ok();
  });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(called.load(), 4);
  EXPECT_EQ(report->ok, 4u);
  EXPECT_EQ(report->failed, 1u);
  const SpokeResult& r = report->results[2];
  EXPECT_EQ(r.status, SpokeStatus::kChainFailed);
  EXPECT_EQ(r.hop, "spoke");
  ASSERT_TRUE(r.aws.has_value());
  EXPECT_EQ(r.aws->code, "AccessDenied");
  EXPECT_FALSE(r.aws->request_id.empty());
  EXPECT_EQ(r.role_arn, "arn:aws:iam::" + accounts[2].id + ":role/automation-spoke-role");
  EXPECT_NE(r.message.find("spoke hop " + r.role_arn), std::string::npos) << r.message;
  EXPECT_FALSE(r.hint.empty());
}

TEST_F(ForEachSpokeTest, ARefusedHubFailsEveryAccountOnceAndCallsNothing) {
  sts_.DenyRole("arn:aws:iam::999999999999:role/automation-hub-role");
  auto report = ForEachSpoke(sys_, base_, Accounts(6), Options(), [&](const SpokeTask&) {
    ADD_FAILURE() << "called without credentials";
    return SpokeOutcome::Ok();
  });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->failed, 6u);
  for (const auto& r : report->results) {
    EXPECT_EQ(r.status, SpokeStatus::kChainFailed);
    EXPECT_EQ(r.hop, "hub");
  }
  EXPECT_EQ(sts_.calls().size(), 1u);  // one hub call, no retry of a refusal, no spoke call
}

// A hub session the caller already has (fanout --org listed the organization with it) is used
// instead of a hub hop: with MFA a second hop would need a second code.
TEST_F(ForEachSpokeTest, AHubSessionGivenIsUsedInsteadOfAHubHop) {
  sts_.DenyRole("arn:aws:iam::999999999999:role/automation-hub-role");  // any hub hop fails
  ForEachSpokeOptions options = Options();
  // One account at a time: the spoke hops start at once here (no hub hop before them), and the
  // fake STS's HTTP library races when several of its connections open together (TSan saw it
  // inside cpp-httplib, not in our code).
  options.concurrency = 1;
  // The fake STS knows the given key (as the hub session's), so the spoke hops it signs pass.
  sts_.AddKey("ASIAGIVENHUBSESSION1", "given/hub/session/secret/0000000000000000",
              "arn:aws:sts::999999999999:assumed-role/automation-hub-role/me@example.com");
  Credentials hub;
  hub.access_key_id = "ASIAGIVENHUBSESSION1";
  hub.secret_access_key = SecretString("given/hub/session/secret/0000000000000000");
  hub.expiration = sys_.clock.Now() + std::chrono::hours(1);
  options.hub_session = hub;
  auto report = ForEachSpoke(sys_, base_, Accounts(3), options, [&](const SpokeTask& task) {
    auto creds = task.credentials->GetSharedCredentials();
    return creds ? SpokeOutcome::Ok() : SpokeOutcome::Failed(creds.error().message());
  });
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->ok, 3u);
  EXPECT_EQ(CallsOf("automation-hub-role"), 0u);
  EXPECT_EQ(CallsOf("automation-spoke-role"), 3u);
  ExpectNoSecretsInLog();
}

TEST_F(ForEachSpokeTest, BadInputIsRefusedBeforeAnyCall) {
  auto options = Options();
  options.input.external_id = "has spaces!";
  auto report = ForEachSpoke(sys_, base_, Accounts(3), options,
                             [](const SpokeTask&) { return SpokeOutcome::Ok(); });
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), ErrorCode::kInvalidArgument);
  auto bad_account = ForEachSpoke(sys_, base_, {{"12345", ""}}, Options(),
                                  [](const SpokeTask&) { return SpokeOutcome::Ok(); });
  ASSERT_FALSE(bad_account.has_value());
  EXPECT_EQ(bad_account.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(sts_.calls().empty());
}

TEST_F(ForEachSpokeTest, FailFastStartsNothingAfterTheFirstFailure) {
  auto options = Options();
  options.concurrency = 1;
  options.fail_fast = true;
  auto report = ForEachSpoke(sys_, base_, Accounts(6), options, [&](const SpokeTask& task) {
    return task.index == 1 ? SpokeOutcome{.status = SpokeStatus::kCommandFailed, .exit_status = 3}
                           : SpokeOutcome::Ok();
  });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->ok, 1u);
  EXPECT_EQ(report->failed, 1u);
  EXPECT_EQ(report->skipped, 4u);
  EXPECT_EQ(report->results[1].exit_status, 3);
  EXPECT_EQ(report->results[5].status, SpokeStatus::kSkipped);
}

TEST_F(ForEachSpokeTest, CancellationStopsNewAccountsAndRunningOnesSeeIt) {
  auto options = Options();
  options.concurrency = 2;
  options.cancellation = std::make_shared<FanoutCancellation>();
  std::atomic<int> started{0};
  auto report = ForEachSpoke(sys_, base_, Accounts(20), options, [&](const SpokeTask& task) {
    if (++started == 2) options.cancellation->Cancel();
    while (!task.cancellation.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return SpokeOutcome{.status = SpokeStatus::kCommandFailed, .signal = 2};
  });
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->cancelled);
  EXPECT_LE(started.load(), 3);
  EXPECT_GE(report->skipped, 17u);
  EXPECT_EQ(report->ok + report->failed + report->skipped, 20u);
}

TEST_F(ForEachSpokeTest, AnExceptionFailsOnlyItsAccount) {
  auto report = ForEachSpoke(sys_, base_, Accounts(3), Options(), [&](const SpokeTask& task) {
    if (task.index == 0) throw std::runtime_error("boom");
    return SpokeOutcome::Ok();
  });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->results[0].status, SpokeStatus::kCommandFailed);
  EXPECT_NE(report->results[0].message.find("boom"), std::string::npos);
  EXPECT_EQ(report->ok, 2u);
}

TEST_F(ForEachSpokeTest, ThrottlesAreAbsorbedAndCounted) {
  for (int i = 0; i < 5; ++i) sts_.FailNext({400, "Throttling"});
  auto report = ForEachSpoke(sys_, base_, Accounts(8), Options(),
                             [](const SpokeTask&) { return SpokeOutcome::Ok(); });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->ok, 8u);
  EXPECT_EQ(report->sts_throttled, 5u);
  EXPECT_EQ(report->sts_attempts, 9u + 5u);
}

TEST_F(ForEachSpokeTest, CallbacksNeverRunConcurrently) {
  std::atomic<int> inside{0};
  bool overlapped = false;
  auto options = Options();
  options.concurrency = 8;
  int finished = 0;
  options.on_finish = [&](const SpokeResult&, std::size_t) {
    if (++inside > 1) overlapped = true;
    ++finished;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    --inside;
  };
  auto report = ForEachSpoke(sys_, base_, Accounts(30), options,
                             [](const SpokeTask&) { return SpokeOutcome::Ok(); });
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(finished, 30);
}

TEST_F(ForEachSpokeTest, NoAccountsIsAnEmptyReportWithoutCalls) {
  auto report = ForEachSpoke(sys_, base_, {}, Options(),
                             [](const SpokeTask&) { return SpokeOutcome::Ok(); });
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->results.empty());
  EXPECT_TRUE(sts_.calls().empty());
}

}  // namespace
}  // namespace hubspoke
