#include "testing/replay_transport.h"

#include <gtest/gtest.h>

namespace hubspoke::testing {
namespace {

constexpr char kTraffic[] = R"({"events": [
  {"name": "token", "request": {"method": "PUT", "url": "http://169.254.169.254/latest/api/token",
                                "headers": {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}},
   "response": {"status": 200, "body": "tok"}},
  {"name": "sts", "request": {"method": "POST", "host": "sts.us-east-1.amazonaws.com", "path": "/",
                              "headers": {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIA*"},
                              "absent_headers": ["X-Amz-Security-Token"],
                              "form": {"Action": "AssumeRole", "RoleSessionName": "s p"}},
   "response": {"status": 403, "headers": {"x-amzn-RequestId": "r"}, "json": {"a": 1}}},
  {"name": "portal", "request": {"method": "GET", "host": "portal.sso.eu-west-1.amazonaws.com",
                                 "path": "/federation/credentials", "query": {"role_name": "Read/Only"}},
   "response": {"error": "timeout"}}
]})";

HttpRequest Put() {
  return {.method = "PUT",
          .url = "http://169.254.169.254/latest/api/token",
          .headers = {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}}};
}
HttpRequest Sts() {
  return {.method = "POST",
          .url = "https://sts.us-east-1.amazonaws.com/",
          .headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/…"}},
          .body = "Action=AssumeRole&RoleSessionName=s%20p&Version=2011-06-15"};
}
HttpRequest Portal() {
  return {.method = "GET",
          .url = "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?"
                 "account_id=1&role_name=Read%2FOnly"};
}

ReplayTransport Load() {
  auto traffic = ParseHttpTraffic(kTraffic);
  EXPECT_TRUE(traffic) << traffic.error().message();
  return ReplayTransport(traffic ? std::move(*traffic) : std::vector<RecordedExchange>{});
}

TEST(ReplayTransport, AnswersTheRecordedRequestsInOrder) {
  ReplayTransport t = Load();
  auto token = t.Send(Put());
  ASSERT_TRUE(token);
  EXPECT_EQ(token->status, 200);
  EXPECT_EQ(token->body, "tok");
  auto sts = t.Send(Sts());
  ASSERT_TRUE(sts);
  EXPECT_EQ(sts->status, 403);
  EXPECT_EQ(sts->body, R"({"a":1})");
  ASSERT_NE(FindHeader(sts->headers, "X-Amzn-RequestId"), nullptr);
  auto portal = t.Send(Portal());
  ASSERT_FALSE(portal);
  EXPECT_EQ(portal.error().code(), ErrorCode::kTimeout);
  EXPECT_TRUE(t.problems().empty());
  EXPECT_TRUE(t.unconsumed().empty());
  EXPECT_EQ(t.consumed(), 3u);
}

TEST(ReplayTransport, OutOfOrderUnexpectedAndUnconsumedAreProblems) {
  ReplayTransport t = Load();
  auto early = t.Send(Sts());
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code(), ErrorCode::kInternal);
  ASSERT_EQ(t.problems().size(), 1u);
  EXPECT_NE(t.problems()[0].find("out of order"), std::string::npos) << t.problems()[0];
  EXPECT_EQ(t.unconsumed().size(), 3u);

  ASSERT_TRUE(t.Send(Put()));
  ASSERT_TRUE(t.Send(Sts()));
  ASSERT_FALSE(t.Send(Portal()));
  auto extra = t.Send(Put());
  ASSERT_FALSE(extra);
  ASSERT_EQ(t.problems().size(), 2u);
  EXPECT_NE(t.problems()[1].find("unexpected request PUT"), std::string::npos) << t.problems()[1];
}

TEST(ReplayTransport, MissingRequiredFieldsAreNamed) {
  ReplayTransport t = Load();
  HttpRequest put = Put();
  put.headers.clear();
  ASSERT_FALSE(t.Send(put));
  ASSERT_TRUE(t.Send(Put()));
  HttpRequest sts = Sts();
  sts.headers.push_back({"X-Amz-Security-Token", "t"});
  sts.body = "Action=AssumeRole";
  ASSERT_FALSE(t.Send(sts));
  ASSERT_TRUE(t.Send(Sts()));
  HttpRequest portal = Portal();
  portal.url = "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=1";
  ASSERT_FALSE(t.Send(portal));
  const auto p = t.problems();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_NE(p[0].find("missing header X-aws-ec2-metadata-token-ttl-seconds"), std::string::npos) << p[0];
  EXPECT_NE(p[1].find("unexpected header X-Amz-Security-Token"), std::string::npos) << p[1];
  EXPECT_NE(p[1].find("missing form field RoleSessionName"), std::string::npos) << p[1];
  EXPECT_NE(p[2].find("missing query parameter role_name"), std::string::npos) << p[2];
  EXPECT_EQ(t.unconsumed().size(), 1u);
}

TEST(ReplayTransport, MalformedTrafficIsRefused) {
  for (const char* bad : {
           "not json",
           R"({"event": []})",
           R"({"events": [{"request": {"method": "GET"}, "response": {"status": 200}}]})",
           R"({"events": [{"request": {"url": "http://x/"}, "response": {"status": 200}}]})",
           R"({"events": [{"request": {"method": "GET", "url": "http://x/", "header": {}},
                           "response": {"status": 200}}]})",
           R"({"events": [{"request": {"method": "GET", "url": "http://x/"}, "response": {}}]})",
           R"({"events": [{"request": {"method": "GET", "url": "http://x/"},
                           "response": {"error": "dns"}}]})",
       }) {
    auto parsed = ParseHttpTraffic(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace hubspoke::testing
