// ctest-label: threads
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "hubspoke/refreshing.h"
#include "lab/lab_testing.h"
#include "testing/fake_sts.h"

namespace hubspoke {
namespace {

using lab::testing::ManualClock;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::CapturingLogger;

constexpr auto kBounded = std::chrono::seconds(10);  // every wait in these tests is bounded

// An inner provider with a script: counts its calls, issues "ASIATEST<n>" credentials that
// expire `lifetime` after the clock's now (or never), or fails; a gate holds calls in flight.
class ScriptedProvider final : public CredentialsProvider {
 public:
  explicit ScriptedProvider(const Clock& clock) : clock_(clock) {}

  Result<Credentials> GetCredentials() override {
    std::unique_lock<std::mutex> lock(mu_);
    const int n = ++calls_;
    ++in_flight_;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    cv_.notify_all();
    cv_.wait(lock, [&] { return gate_open_; });
    if (latency_.count() > 0) {  // an STS round trip: lets concurrent refreshes overlap
      lock.unlock();
      std::this_thread::sleep_for(latency_);
      lock.lock();
    }
    --in_flight_;
    if (error_) return *error_;
    Credentials c;
    c.access_key_id = Key(n);
    c.secret_access_key = SecretString("secret-" + std::to_string(n) + "-wJalrXUtnFEMI");
    c.session_token = SecretString("token-" + std::to_string(n) + "-FwoGZXIvYXdzEXAMPLE");
    if (lifetime_) c.expiration = clock_.Now() + *lifetime_;
    return c;
  }
  std::string Describe() const override { return "scripted source"; }

  static std::string Key(int n) { return "ASIATEST" + std::to_string(n); }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  int max_in_flight() const {
    std::lock_guard<std::mutex> lock(mu_);
    return max_in_flight_;
  }
  void SetLifetime(std::optional<seconds> lifetime) {
    std::lock_guard<std::mutex> lock(mu_);
    lifetime_ = lifetime;
  }
  void SetLatency(std::chrono::milliseconds latency) {
    std::lock_guard<std::mutex> lock(mu_);
    latency_ = latency;
  }
  void FailWith(std::optional<Error> error) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = std::move(error);
  }
  void CloseGate() {
    std::lock_guard<std::mutex> lock(mu_);
    gate_open_ = false;
  }
  void OpenGate() {
    std::lock_guard<std::mutex> lock(mu_);
    gate_open_ = true;
    cv_.notify_all();
  }
  // Waits (bounded) until `n` calls have started.
  bool WaitForCalls(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kBounded, [&] { return calls_ >= n; });
  }

 private:
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  bool gate_open_ = true;
  std::optional<seconds> lifetime_ = seconds(3600);
  std::chrono::milliseconds latency_{0};
  std::optional<Error> error_;
};

// Opens the gate when a test ends, early or not; declared after the threads or futures that may
// be held by the gate, so it runs before they are joined.
class OpenGateOnExit {
 public:
  explicit OpenGateOnExit(ScriptedProvider& p) : p_(p) {}
  ~OpenGateOnExit() { p_.OpenGate(); }

 private:
  ScriptedProvider& p_;
};

// Threads that call GetCredentials once each and keep what they got; `returned` lets a test
// check that they are still waiting.
class Callers {
 public:
  Callers(CredentialsProvider& provider, int n) : results_(n) {
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this, &provider, i] {
        auto r = provider.GetCredentials();
        std::lock_guard<std::mutex> lock(mu_);
        results_[i].emplace(std::move(r));
        ++returned_;
        cv_.notify_all();
      });
    }
  }
  ~Callers() { Join(); }
  void Join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  // True when some caller returned within `d` (a negative check: callers must be blocked).
  bool AnyReturnsWithin(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, d, [&] { return returned_ > 0; });
  }
  const std::vector<std::optional<Result<Credentials>>>& results() {
    Join();
    return results_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int returned_ = 0;
  std::vector<std::optional<Result<Credentials>>> results_;
  std::vector<std::thread> threads_;
};

class CachingProviderTest : public ::testing::Test {
 protected:
  CachingProviderTest()
      : inner_(std::make_shared<ScriptedProvider>(clock_)),
        cache_(MakeCachingProvider(inner_, clock_, log_)),
        start_(clock_.Now()) {}
  std::string KeyNow() {
    auto c = cache_->GetCredentials();
    EXPECT_TRUE(c.has_value()) << c.error().ToString();
    return c ? c->access_key_id : "error: " + c.error().message();
  }
  // Moves the clock to `at` after the start.
  void At(seconds at) {
    clock_.Advance(at - std::chrono::duration_cast<seconds>(clock_.Now() - start_));
  }
  int Warnings() const {
    std::string log = log_.text();
    int n = 0;
    for (std::size_t at = 0;
         (at = log.find("refreshing credentials from", at)) != std::string::npos; ++at)
      ++n;
    return n;
  }

  ManualClock clock_;
  CapturingLogger log_;
  std::shared_ptr<ScriptedProvider> inner_;
  std::shared_ptr<CachingCredentialsProvider> cache_;
  TimePoint start_;
};

TEST_F(CachingProviderTest, FreshCredentialsComeFromTheCacheWithoutCopies) {
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  auto a = cache_->GetSharedCredentials();
  At(minutes(54));  // 6 minutes left: still fresh (advisory window 5 min)
  auto b = cache_->GetSharedCredentials();
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->get(), b->get());  // the same snapshot, shared
  EXPECT_EQ(inner_->calls(), 1);
  EXPECT_EQ(cache_->Describe(), "scripted source");
}

TEST_F(CachingProviderTest, NonExpiringCredentialsAreCachedForever) {
  inner_->SetLifetime(std::nullopt);
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  clock_.Advance(seconds(10LL * 366 * 24 * 3600));
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  EXPECT_EQ(inner_->calls(), 1);
}

TEST_F(CachingProviderTest, AdvisoryWindowOneCallerRefreshesWhileOthersGetTheCurrentCredentials) {
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  At(minutes(56));  // 4 minutes left: advisory
  inner_->CloseGate();
  auto refresher = std::async(std::launch::async, [&] { return cache_->GetCredentials(); });
  OpenGateOnExit open_refresher(*inner_);
  ASSERT_TRUE(inner_->WaitForCalls(2));
  // While that refresh is held in flight, other callers are served at once, from the cache.
  auto others = std::async(std::launch::async, [&] {
    std::vector<std::string> keys;
    for (int i = 0; i < 20; ++i) {
      auto c = cache_->GetCredentials();
      keys.push_back(c ? c->access_key_id : "error");
    }
    return keys;
  });
  OpenGateOnExit open_others(*inner_);
  const bool served = others.wait_for(kBounded) == std::future_status::ready;
  ASSERT_TRUE(served) << "callers in the advisory window waited for the refresh";
  for (const auto& key : others.get()) EXPECT_EQ(key, ScriptedProvider::Key(1));
  EXPECT_EQ(inner_->calls(), 2);
  inner_->OpenGate();
  auto refreshed = refresher.get();
  ASSERT_TRUE(refreshed.has_value());
  EXPECT_EQ(refreshed->access_key_id, ScriptedProvider::Key(2));
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(2));
  EXPECT_EQ(inner_->calls(), 2);
  EXPECT_EQ(inner_->max_in_flight(), 1);
}

TEST_F(CachingProviderTest, MandatoryWindowCallersWaitForTheOneRefresh) {
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  At(seconds(3600 - 30));  // 30 s left: mandatory
  inner_->CloseGate();
  Callers callers(*cache_, 16);
  OpenGateOnExit open(*inner_);
  ASSERT_TRUE(inner_->WaitForCalls(2));
  EXPECT_FALSE(callers.AnyReturnsWithin(std::chrono::milliseconds(200)))
      << "a caller in the mandatory window did not wait for the refresh";
  inner_->OpenGate();
  for (const auto& r : callers.results()) {
    ASSERT_TRUE(r.has_value() && r->has_value());
    EXPECT_EQ((*r)->access_key_id, ScriptedProvider::Key(2));
  }
  EXPECT_EQ(inner_->calls(), 2);
  EXPECT_EQ(inner_->max_in_flight(), 1);
}

TEST_F(CachingProviderTest, WithNothingCachedCallersWaitAndShareTheRefreshError) {
  inner_->FailWith(Error(ErrorCode::kAccessDenied, "STS AssumeRole: AccessDenied"));
  inner_->CloseGate();
  Callers callers(*cache_, 8);
  OpenGateOnExit open(*inner_);
  ASSERT_TRUE(inner_->WaitForCalls(1));
  EXPECT_FALSE(callers.AnyReturnsWithin(std::chrono::milliseconds(200)));
  inner_->OpenGate();
  for (const auto& r : callers.results()) {
    ASSERT_TRUE(r.has_value());
    ASSERT_FALSE(r->has_value());
    EXPECT_EQ(r->error().code(), ErrorCode::kAccessDenied);
    EXPECT_EQ(r->error().message(), "STS AssumeRole: AccessDenied");
  }
  EXPECT_EQ(inner_->calls(), 1);
}

TEST_F(CachingProviderTest, FailedRefreshKeepsServingValidCredentialsThenSurfacesTheError) {
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  inner_->FailWith(Error(ErrorCode::kNetwork, "STS AssumeRole: connection refused"));

  At(seconds(3600 - 240));  // advisory: the refresh fails, the current credentials are served
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  EXPECT_EQ(inner_->calls(), 2);
  EXPECT_EQ(Warnings(), 1);
  EXPECT_NE(log_.text().find("connection refused"), std::string::npos) << log_.text();
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));  // backing off: no new attempt yet
  EXPECT_EQ(inner_->calls(), 2);

  clock_.Advance(seconds(1));  // the backoff (1 s) has passed
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  EXPECT_EQ(inner_->calls(), 3);

  At(seconds(3600 - 30));  // mandatory: still valid, so still served after the failed refresh
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  EXPECT_EQ(inner_->calls(), 4);
  EXPECT_EQ(Warnings(), 1);  // one warning per run of failures

  At(seconds(3600 + 1));  // expired: the error surfaces
  auto expired = cache_->GetCredentials();
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(expired.error().message(), "STS AssumeRole: connection refused");
  EXPECT_EQ(inner_->calls(), 5);
  EXPECT_FALSE(cache_->GetCredentials().has_value());  // backing off (8 s): same error, no call
  EXPECT_EQ(inner_->calls(), 5);

  inner_->FailWith(std::nullopt);
  clock_.Advance(seconds(8));
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(6));
  EXPECT_EQ(inner_->calls(), 6);
  EXPECT_EQ(Warnings(), 1);
  // Security: no secret in the log.
  const std::string log = log_.text();
  for (int n = 1; n <= 6; ++n) {
    EXPECT_EQ(log.find("secret-" + std::to_string(n)), std::string::npos);
    EXPECT_EQ(log.find("token-" + std::to_string(n)), std::string::npos);
  }
}

TEST(CachingProvider, BackoffDoublesUpToTheCapAndRestartsAfterASuccess) {
  ManualClock clock;
  CapturingLogger log;
  auto inner = std::make_shared<ScriptedProvider>(clock);
  auto cache = MakeCachingProvider(
      inner, clock, log,
      CachingOptions{.backoff_base = std::chrono::seconds(1), .backoff_cap = seconds(4)});
  inner->FailWith(Error(ErrorCode::kThrottled, "Throttling"));
  // Each step: advance, call, the expected number of inner calls so far.
  const std::vector<std::pair<int, int>> steps = {{0, 1},  // first attempt; next after 1 s
                                                  {0, 1},  // backing off: the error without a call
                                                  {1, 2},  // next after 2 s
                                                  {1, 2}, {1, 3},  // next after 4 s
                                                  {3, 3}, {1, 4},  // capped: next after 4 s
                                                  {3, 4}, {1, 5}};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    clock.Advance(seconds(steps[i].first));
    auto r = cache->GetCredentials();
    ASSERT_FALSE(r.has_value()) << i;
    EXPECT_EQ(r.error().code(), ErrorCode::kThrottled) << i;
    EXPECT_EQ(inner->calls(), steps[i].second) << "step " << i;
  }
  inner->FailWith(std::nullopt);
  clock.Advance(seconds(4));
  ASSERT_TRUE(cache->GetCredentials().has_value());
  EXPECT_EQ(inner->calls(), 6);
  // A new run of failures starts again from the base.
  inner->FailWith(Error(ErrorCode::kThrottled, "Throttling"));
  clock.Advance(seconds(3600 - 200));  // advisory
  ASSERT_TRUE(cache->GetCredentials().has_value());
  EXPECT_EQ(inner->calls(), 7);
  clock.Advance(seconds(1));
  ASSERT_TRUE(cache->GetCredentials().has_value());
  EXPECT_EQ(inner->calls(), 8);
}

TEST_F(CachingProviderTest, CredentialsAlreadyDueAreNotRefetchedOnEveryCall) {
  inner_->SetLifetime(seconds(120));  // inside the advisory window from the start
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(1));
  EXPECT_EQ(inner_->calls(), 1);
  clock_.Advance(seconds(1));  // backoff_base later, one caller asks again
  EXPECT_EQ(KeyNow(), ScriptedProvider::Key(2));
  EXPECT_EQ(inner_->calls(), 2);
}

TEST_F(CachingProviderTest, ExpiredCredentialsFromTheSourceAreAnError) {
  inner_->SetLifetime(seconds(-1));
  auto r = cache_->GetCredentials();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(r.error().message().find("scripted source: returned credentials that expired at"),
            std::string::npos)
      << r.error().message();
}

// 64 threads hammer one provider through fresh, advisory and mandatory phases; each phase that
// needs a refresh costs exactly one inner call, never two at once.
TEST(CachingProvider, SixtyFourThreadsMakeOneInnerCallPerRefresh) {
  constexpr int kThreads = 64;
  constexpr int kCallsPerPhase = 100;
  ManualClock clock;
  CapturingLogger log;
  auto inner = std::make_shared<ScriptedProvider>(clock);
  inner->SetLatency(std::chrono::milliseconds(5));
  auto cache = MakeCachingProvider(inner, clock, log);

  struct Phase {
    seconds advance;      // from the previous phase
    int inner_calls;      // expected after the phase
    bool all_see_newest;  // every call returns the latest credentials (callers waited)
  };
  // The credentials of refresh n expire 1 h after it.
  const std::vector<Phase> phases = {
      {seconds(0), 1, true},                 // nothing cached: all wait for refresh 1
      {minutes(30), 1, true},                // fresh
      {minutes(26), 2, false},               // 4 min left: advisory, one refresh
      {minutes(30), 2, true},                // fresh again (refresh 2 was at 56 min)
      {minutes(29) + seconds(30), 3, true},  // 30 s left: mandatory, all wait for refresh 3
      {minutes(61), 4, true},                // expired: all wait for refresh 4
  };
  std::barrier sync(kThreads + 1);
  std::atomic<int> failures{0};
  std::atomic<int> stale{0};
  std::atomic<int> newest{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (std::size_t p = 0; p < phases.size(); ++p) {
        sync.arrive_and_wait();  // the clock has been set for this phase
        for (int i = 0; i < kCallsPerPhase; ++i) {
          auto c = cache->GetSharedCredentials();
          if (!c) {
            ++failures;
          } else if ((*c)->access_key_id != ScriptedProvider::Key(newest.load())) {
            ++stale;
          }
        }
        sync.arrive_and_wait();  // phase done
      }
    });
  }
  for (std::size_t p = 0; p < phases.size(); ++p) {
    clock.Advance(phases[p].advance);
    newest = phases[p].inner_calls;
    stale = 0;
    sync.arrive_and_wait();
    sync.arrive_and_wait();
    EXPECT_EQ(inner->calls(), phases[p].inner_calls) << "phase " << p;
    if (phases[p].all_see_newest) {
      EXPECT_EQ(stale.load(), 0) << "phase " << p;
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(inner->max_in_flight(), 1);
}

}  // namespace
}  // namespace hubspoke
