// JSON protocol errors: where the code comes from, which prefixes and suffixes go, and what is
// retried.
#include "organizations/json_errors.h"

#include <gtest/gtest.h>

namespace hubspoke::organizations {
namespace {

HttpResponse Response(int status, std::string body, std::vector<HttpHeader> headers = {}) {
  return HttpResponse{.status = status, .headers = std::move(headers), .body = std::move(body)};
}

TEST(ParseJsonError, CodeFromHeaderThenTypeThenCode) {
  auto d = ParseJsonError(
      Response(400, R"({"__type":"FromBody","Message":"m"})",
               {{"X-Amzn-ErrorType", "FromHeader:http://internal.amazon.com/coral/com.amazon.x/"},
                {"X-Amzn-RequestId", "r-1"}}));
  EXPECT_EQ(d.code, "FromHeader");
  EXPECT_EQ(d.message, "m");
  EXPECT_EQ(d.request_id, "r-1");
  EXPECT_EQ(d.http_status, 400);
  EXPECT_EQ(ParseJsonError(Response(400, R"({"__type":"aws.org#FromType","code":"C"})")).code,
            "FromType");
  EXPECT_EQ(ParseJsonError(Response(400, R"({"code":"FromCode","message":"lower"})")).code,
            "FromCode");
  EXPECT_EQ(ParseJsonError(Response(400, R"({"code":"FromCode","message":"lower"})")).message,
            "lower");
}

TEST(ParseJsonError, UntrustedTextIsPrintableAndCut) {
  auto d = ParseJsonError(Response(
      400, "{\"__type\":\"Bad\\u001b[2JCode\",\"Message\":\"" + std::string(900, 'm') + "\"}",
      {{"x-amzn-RequestId", "id\r\nInjected: yes"}}));
  EXPECT_EQ(d.code, "Bad?[2JCode");
  EXPECT_EQ(d.message, std::string(500, 'm') + "…");
  EXPECT_EQ(d.request_id, "id??Injected: yes");
}

TEST(ParseJsonError, ABodyThatIsNotJsonLeavesCodeAndMessageEmpty) {
  for (const char* body : {"", "<html>503</html>", "[1,2]", "{\"__type\": 7}"}) {
    auto d = ParseJsonError(Response(503, body));
    EXPECT_EQ(d.code, "") << body;
    EXPECT_EQ(d.message, "") << body;
    EXPECT_EQ(d.http_status, 503);
  }
}

TEST(ClassifyJsonError, OrganizationsCodes) {
  struct Row {
    const char* code;
    int status;
    ErrorCode expected;
    bool retryable;
  };
  for (const Row& r : std::initializer_list<Row>{
           {"AccessDeniedException", 400, ErrorCode::kAccessDenied, false},
           {"TooManyRequestsException", 400, ErrorCode::kThrottled, true},
           {"ThrottlingException", 400, ErrorCode::kThrottled, true},
           {"ServiceException", 500, ErrorCode::kRemote, true},
           {"AWSOrganizationsNotInUseException", 400, ErrorCode::kMisconfigured, false},
           {"ParentNotFoundException", 400, ErrorCode::kInvalidArgument, false},
           {"InvalidInputException", 400, ErrorCode::kInvalidArgument, false},
           {"", 503, ErrorCode::kRemote, true},
           {"", 429, ErrorCode::kThrottled, true},
           {"SomethingElse", 400, ErrorCode::kRemote, false},
       }) {
    const auto c = ClassifyJsonError(r.code, r.status);
    EXPECT_EQ(c.code, r.expected) << r.code << " " << r.status;
    EXPECT_EQ(c.retryable, r.retryable) << r.code << " " << r.status;
  }
}

}  // namespace
}  // namespace hubspoke::organizations
