// ctest-label: threads
// Response serialisation: status lines, framing headers, the Date format and what a handler may
// not do.
#include "http_server/response_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace hubspoke {
namespace {

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";

std::string Serialize(const ServerResponse& response, bool head_only = false,
                      ConnectionHeader connection = ConnectionHeader::kNone) {
  std::string out;
  AppendResponse(response, head_only, connection, kDate, &out);
  return out;
}

TEST(HttpServerResponseWriter, HttpDateIsImfFixdate) {
  // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
  EXPECT_EQ(HttpDate(std::chrono::system_clock::from_time_t(784111777)), kDate);
  EXPECT_TRUE(CachedHttpDate().ends_with(" GMT"));
  EXPECT_EQ(CachedHttpDate().size(), kDate.size());
}

TEST(HttpServerResponseWriter, StatusLineHeadersAndBody) {
  EXPECT_EQ(Serialize(ServerResponse{.status = 404, .headers = {{"X-A", "b"}}, .body = "nope"}),
            "HTTP/1.1 404 Not Found\r\nX-A: b\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Length: 4\r\n\r\nnope");
  // Unknown codes keep a valid status line with an empty reason.
  EXPECT_TRUE(Serialize(ServerResponse{.status = 299}).starts_with("HTTP/1.1 299 \r\n"));
}

TEST(HttpServerResponseWriter, ConnectionHeaderAndHead) {
  EXPECT_EQ(Serialize(ServerResponse{.body = "abc"}, /*head_only=*/true, ConnectionHeader::kClose),
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 3\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_NE(Serialize(ServerResponse{}, false, ConnectionHeader::kKeepAlive)
                .find("\r\nConnection: keep-alive\r\n"),
            std::string::npos);
}

TEST(HttpServerResponseWriter, NoBodyStatusesHaveNoContentLength) {
  for (int status : {204, 304}) {
    const std::string wire = Serialize(ServerResponse{.status = status, .body = "ignored"});
    EXPECT_EQ(wire.find("Content-Length"), std::string::npos) << status;
    EXPECT_TRUE(wire.ends_with("\r\n\r\n")) << status;
  }
}

TEST(HttpServerResponseWriter, ServerOwnsFramingHandlerMayOwnDate) {
  const std::string wire =
      Serialize(ServerResponse{.headers = {{"Content-Length", "1"},
                                           {"Transfer-Encoding", "chunked"},
                                           {"Connection", "keep-alive"},
                                           {"Keep-Alive", "timeout=5"},
                                           {"Date", "Mon, 01 Jan 2024 00:00:00 GMT"}},
                               .body = "hello"});
  EXPECT_EQ(wire,
            "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 5\r\n\r\n"
            "hello");
}

TEST(HttpServerResponseWriter, UnsendableResponsesBecome500) {
  const ServerResponse cases[] = {
      {.status = 99},
      {.status = 600},
      {.headers = {{"Bad Name", "v"}}},
      {.headers = {{"", "v"}}},
      {.headers = {{"X", "a\r\nSet-Cookie: x=1"}}},
      {.headers = {{"X", "a\nb"}}},
      {.headers = {{"X", std::string("a\0b", 3)}}},
  };
  for (const ServerResponse& response : cases) {
    const std::string wire = Serialize(response);
    EXPECT_TRUE(wire.starts_with("HTTP/1.1 500 Internal Server Error\r\n")) << wire;
    EXPECT_EQ(wire.find("Set-Cookie"), std::string::npos);
  }
}

TEST(HttpServerResponseWriter, ErrorResponseNamesTheReasonAndCloses) {
  const std::string wire = ErrorResponse(431, "request header fields too large", kDate);
  EXPECT_TRUE(wire.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  EXPECT_NE(wire.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_TRUE(
      wire.ends_with("\r\n\r\nRequest Header Fields Too Large: request header fields too large\n"));
}

}  // namespace
}  // namespace hubspoke
