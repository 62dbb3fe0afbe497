#include "sys/retry.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/fake_sts.h"

namespace hubspoke {
namespace {

using testing::CapturingLogger;
using testing::FakeClock;
using testing::MaxRandom;

class ZeroRandom final : public Random {
 public:
  std::uint64_t Below(std::uint64_t) override { return 0; }
};

TEST(RetryPolicy, ExponentialDelayCappedWithOrWithoutJitter) {
  MaxRandom max;
  ZeroRandom zero;
  const RetryPolicy jittered{.max_attempts = 10, .base = std::chrono::milliseconds(100),
                             .cap = std::chrono::milliseconds(1000)};
  EXPECT_EQ(jittered.Delay(1, max).count(), 99);
  EXPECT_EQ(jittered.Delay(2, max).count(), 199);
  EXPECT_EQ(jittered.Delay(3, max).count(), 399);
  EXPECT_EQ(jittered.Delay(5, max).count(), 999);  // 1600 capped at 1000
  EXPECT_EQ(jittered.Delay(60, max).count(), 999);  // no overflow
  EXPECT_EQ(jittered.Delay(3, zero).count(), 0);
  RetryPolicy exact = jittered;
  exact.jitter = false;
  EXPECT_EQ(exact.Delay(1, max).count(), 100);
  EXPECT_EQ(exact.Delay(2, zero).count(), 200);
  EXPECT_EQ(exact.Delay(9, zero).count(), 1000);
}

struct Loop {
  FakeClock clock;
  MaxRandom random;
  CapturingLogger log;
  RetryContext context{clock, random, log, "test call"};
};

TEST(RunWithRetries, RetriesTransientFailuresThenGivesUpSayingSo) {
  Loop loop;
  int calls = 0;
  Result<int> r = RunWithRetries<int>(
      RetryPolicy{.max_attempts = 3},
      loop.context,
      [&](int n) -> Attempt<int> {
        ++calls;
        EXPECT_EQ(n, calls);
        return {Error(ErrorCode::kThrottled, "Throttling " + std::to_string(n)), true};
      },
      ErrorMessageOf<int>);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r.error().code(), ErrorCode::kThrottled);  // the code survives for the caller
  EXPECT_EQ(r.error().message(), "gave up after 3 attempts: Throttling 3");
  ASSERT_EQ(loop.clock.sleeps().size(), 2u);
  EXPECT_NE(loop.log.text().find("test call: attempt 1/3 failed (Throttling 1); retrying in 99 ms"),
            std::string::npos)
      << loop.log.text();
}

// A deadline: no retry starts whose wait would end at or past it; the last error is returned as
// a timeout that says so.
TEST(RunWithRetries, NoRetryStartsPastTheDeadline) {
  Loop loop;
  loop.context.deadline = loop.clock.Monotonic() + std::chrono::milliseconds(250);
  loop.context.deadline_what = "the chain's timeout of 0.25 s";
  int calls = 0;
  Result<int> r = RunWithRetries<int>(
      RetryPolicy{.max_attempts = 10, .base = std::chrono::milliseconds(100), .jitter = false},
      loop.context,
      [&](int) -> Attempt<int> {
        ++calls;
        return {Error(ErrorCode::kNetwork, "connection reset"), true};
      },
      ErrorMessageOf<int>);
  ASSERT_FALSE(r.has_value());
  // FakeClock's sleeps do not move Monotonic(): waits of 100 and 200 ms end before 250, the
  // third (400 ms) would not.
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(r.error().reason(), ErrorReason::kDeadline);
  EXPECT_EQ(r.error().message(),
            "gave up at the deadline (the chain's timeout of 0.25 s) after 3 attempts: "
            "connection reset");
  EXPECT_EQ(loop.clock.sleeps().size(), 2u);
}

TEST(RunWithRetries, StopsAtSuccessOrAtAFailureNotWorthRetrying) {
  Loop loop;
  int calls = 0;
  Result<int> ok = RunWithRetries<int>(
      RetryPolicy{.max_attempts = 5}, loop.context,
      [&](int n) -> Attempt<int> {
        ++calls;
        if (n < 2) return {Error(ErrorCode::kNetwork, "reset"), true};
        return {42};
      },
      ErrorMessageOf<int>);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 42);
  EXPECT_EQ(calls, 2);

  calls = 0;
  Result<int> denied = RunWithRetries<int>(
      RetryPolicy{.max_attempts = 5}, loop.context,
      [&](int) -> Attempt<int> {
        ++calls;
        return {Error(ErrorCode::kAccessDenied, "AccessDenied"), false};
      },
      ErrorMessageOf<int>);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(denied.error().message(), "AccessDenied");  // one attempt: nothing to add
}

TEST(RunWithRetries, OneAttemptMeansNoRetryAndAResponseCanBeTheLastWord) {
  Loop loop;
  int calls = 0;
  Result<int> r = RunWithRetries<int>(
      RetryPolicy{.max_attempts = 0}, loop.context,
      [&](int) -> Attempt<int> {
        ++calls;
        return {503, true};  // a 5xx answer: retryable, but a value
      },
      [](const Result<int>& v) { return "HTTP " + std::to_string(*v); });
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 503);
  EXPECT_TRUE(loop.clock.sleeps().empty());

  loop.context.say_attempts = false;
  Result<int> quiet = RunWithRetries<int>(
      RetryPolicy{.max_attempts = 2}, loop.context,
      [&](int) -> Attempt<int> { return {Error(ErrorCode::kTimeout, "timed out"), true}; },
      ErrorMessageOf<int>);
  EXPECT_EQ(quiet.error().message(), "timed out");
}

}  // namespace
}  // namespace hubspoke
