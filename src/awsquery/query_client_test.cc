// ctest-label: threads
#include "awsquery/query_client.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/sts_fixture.h"

namespace hubspoke::awsquery {
namespace {

class QueryClientTest : public testing::FakeStsTest {
 protected:
  QueryClientTest() { caller_ = testing::BaseCredentials(); }
  QueryClientOptions Options() {
    return QueryClientOptions{.endpoint = sts_.url(),
                              .signing_region = "us-east-1",
                              .service = "sts",
                              .label = "STS",
                              .api_version = "2011-06-15"};
  }

  Credentials caller_;
};

TEST_F(QueryClientTest, SignsSendsAndKeepsTheRequestId) {
  QueryClient client(sys_, Options());
  auto reply = client.Call(&caller_, "GetCallerIdentity", {});
  ASSERT_TRUE(reply.has_value()) << reply.error().ToString();
  EXPECT_NE(reply->body.find("<GetCallerIdentityResult>"), std::string::npos);
  ASSERT_EQ(sts_.calls().size(), 1u);
  EXPECT_TRUE(sts_.calls()[0].signature_ok);
  EXPECT_EQ(sts_.calls()[0].params.at("Version"), "2011-06-15");
}

// Throttling is retried under the shared policy and reported to the caller as kThrottled on
// every occurrence, so that a caller running many calls can lower its concurrency.
TEST_F(QueryClientTest, ThrottlingIsRetriedAndReportedForConcurrencyControl) {
  std::vector<ErrorCode> seen;
  QueryClientOptions options = Options();
  options.on_retry = [&](const Error& e) { seen.push_back(e.code()); };
  QueryClient client(sys_, options);
  sts_.FailNext({400, "Throttling"});
  sts_.FailNext({503, "ServiceUnavailable"});
  auto reply = client.Call(&caller_, "GetCallerIdentity", {});
  ASSERT_TRUE(reply.has_value()) << reply.error().ToString();
  EXPECT_EQ(seen, (std::vector<ErrorCode>{ErrorCode::kThrottled, ErrorCode::kRemote}));
  EXPECT_EQ(clock_.sleeps().size(), 2u);
  EXPECT_NE(log_.text().find("STS GetCallerIdentity: attempt 1/4 failed"), std::string::npos)
      << log_.text();
}

TEST_F(QueryClientTest, ARefusalIsNotRetriedAndCarriesTheAwsDetails) {
  std::vector<ErrorCode> seen;
  QueryClientOptions options = Options();
  options.on_retry = [&](const Error& e) { seen.push_back(e.code()); };
  QueryClient client(sys_, options);
  sts_.FailNext({403, "AccessDenied"});
  auto reply = client.Call(&caller_, "AssumeRole", {{"RoleArn", "arn:aws:iam::1:role/x"}});
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code(), ErrorCode::kAccessDenied);
  ASSERT_TRUE(reply.error().aws().has_value());
  EXPECT_EQ(reply.error().aws()->code, "AccessDenied");
  EXPECT_FALSE(reply.error().aws()->request_id.empty());
  EXPECT_EQ(reply.error().message().rfind("STS AssumeRole: AccessDenied (HTTP 403, request id ", 0),
            0u)
      << reply.error().message();
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(sts_.calls().size(), 1u);
}

TEST_F(QueryClientTest, AServiceIsNamedByItsLabel) {
  QueryClientOptions options = Options();
  options.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
  options.label = "IAM";
  options.service = "iam";
  options.retry.max_attempts = 2;
  QueryClient client(sys_, options);
  auto reply = client.Call(&caller_, "GetRole", {{"RoleName", "x"}});
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(reply.error().message().rfind("gave up after 2 attempts: IAM GetRole http://127.0.0.1:1",
                                          0),
            0u)
      << reply.error().message();
}

// With a limiter, throttles are paced and get extra attempts: six throttles in a row do not fail
// the call (the ordinary budget is 4), and the limiter learned from them.
TEST_F(QueryClientTest, ALimiterAbsorbsThrottlesBeyondTheOrdinaryBudget) {
  QueryClientOptions options = Options();
  options.limiter = std::make_shared<StsRateLimiter>();
  int attempts = 0;
  options.on_attempt = [&] { ++attempts; };
  QueryClient client(sys_, options);
  for (int i = 0; i < 6; ++i) sts_.FailNext({400, "Throttling"});
  auto reply = client.Call(&caller_, "GetCallerIdentity", {});
  ASSERT_TRUE(reply.has_value()) << reply.error().ToString();
  EXPECT_EQ(attempts, 7);
  EXPECT_EQ(options.limiter->stats().throttled, 6u);
  EXPECT_GE(options.limiter->stats().decreases, 1u);
  EXPECT_GT(options.limiter->rate(), 0);
}

// Other transient failures still stop at the ordinary budget, with the count in the message.
TEST_F(QueryClientTest, ALimiterDoesNotExtendTheBudgetForOtherFailures) {
  QueryClientOptions options = Options();
  options.limiter = std::make_shared<StsRateLimiter>();
  options.retry.max_attempts = 3;
  QueryClient client(sys_, options);
  sts_.FailNext({400, "Throttling"});
  for (int i = 0; i < 5; ++i) sts_.FailNext({503, "ServiceUnavailable"});
  auto reply = client.Call(&caller_, "GetCallerIdentity", {});
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(sts_.calls().size(), 4u);  // one throttle + three ordinary attempts
  EXPECT_EQ(reply.error().message().rfind("gave up after 4 attempts: STS GetCallerIdentity", 0), 0u)
      << reply.error().message();
}

}  // namespace
}  // namespace hubspoke::awsquery
