// The STS token bucket (rate_limiter.h) on the fake clock, and the lab's STS throttling with it.
#include "lab/rate_limiter.h"

#include <gtest/gtest.h>

#include "awsquery/query_errors.h"
#include "lab/lab_testing.h"

namespace hubspoke::lab {
namespace {

using std::chrono::milliseconds;
using testing::ManualClock;

TEST(RateLimiter, ABucketStartsFullRefillsAtTheRateAndIsCappedAtTheBurst) {
  ManualClock clock;
  RateLimiter limiter(5, 0, clock);  // burst: 5 (the rate rounded up)
  EXPECT_EQ(limiter.burst(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.TryAcquire("a")) << i;
  EXPECT_FALSE(limiter.TryAcquire("a"));
  // Refused requests take nothing: one token 200 ms later, not less.
  clock.Advance(milliseconds(199));
  EXPECT_FALSE(limiter.TryAcquire("a"));
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(limiter.TryAcquire("a"));
  EXPECT_FALSE(limiter.TryAcquire("a"));
  // Each key has its own bucket.
  EXPECT_TRUE(limiter.TryAcquire("b"));
  // A long pause refills to the burst, no further.
  clock.Advance(std::chrono::seconds(60));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.TryAcquire("a")) << i;
  EXPECT_FALSE(limiter.TryAcquire("a"));
}

TEST(RateLimiter, FractionalRatesBurstsAndAClockGoingBack) {
  ManualClock clock;
  RateLimiter slow(0.5, 0, clock);  // burst 1, a token every 2 s
  EXPECT_TRUE(slow.TryAcquire("a"));
  clock.Advance(milliseconds(1999));
  EXPECT_FALSE(slow.TryAcquire("a"));
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(slow.TryAcquire("a"));
  clock.Set(clock.Now() - std::chrono::hours(1));  // stepping back adds nothing
  EXPECT_FALSE(slow.TryAcquire("a"));
  RateLimiter bursty(1, 3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bursty.TryAcquire("a")) << i;
  EXPECT_FALSE(bursty.TryAcquire("a"));
  RateLimiter unlimited(0, 0, clock);
  EXPECT_FALSE(unlimited.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.TryAcquire("a"));
}

TEST(LabStsRate, OverTheRateIsThrottlingPerCallingAccountAndLogged) {
  ManualClock clock;
  hubspoke::testing::CapturingLogger log;
  StsService service(iam::BuiltinModel(), clock, log,
                     StsServiceOptions{.seed = 1, .sts_rate = 2, .log_requests = true});
  auto call = [&] {
    return service.Handle(testing::SignedRequest(testing::BuiltinUserCredentials(),
                                                 {{"Action", "GetCallerIdentity"}},
                                                 clock.Now()));
  };
  EXPECT_EQ(call().status, 200);
  EXPECT_EQ(call().status, 200);
  ServerResponse throttled = call();
  ASSERT_EQ(throttled.status, 400);
  AwsErrorDetails e = awsquery::ParseErrorResponse(throttled.body, throttled.status);
  EXPECT_EQ(e.code, "Throttling");
  EXPECT_EQ(e.message, "Rate exceeded");
  clock.Advance(milliseconds(500));
  EXPECT_EQ(call().status, 200);
  EXPECT_EQ(call().status, 400);
  const std::string text = log.text();
  EXPECT_NE(text.find("service=sts action=GetCallerIdentity caller=111111111111 status=200"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("service=sts action=GetCallerIdentity caller=111111111111 status=400 "
                      "code=Throttling"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find(iam::kBuiltinSecretAccessKey), std::string::npos);
}

}  // namespace
}  // namespace hubspoke::lab
