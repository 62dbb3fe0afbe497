#include "http/http_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace hubspoke {
namespace {

// Feeds `wire` whole, or one byte at a time; EOF afterwards when `eof`.
struct Parsed {
  Status status;
  bool done = false;
  bool keep_alive = false;
  bool excess = false;
  HttpResponse response;
};

Parsed Parse(const std::string& wire, bool byte_by_byte = false, const std::string& method = "GET",
             bool eof = false, ResponseLimits limits = {}) {
  ResponseParser parser(method, limits);
  Parsed out;
  if (byte_by_byte) {
    for (size_t i = 0; i < wire.size() && out.status && !parser.done(); ++i) {
      out.status = parser.Feed(std::string_view(wire).substr(i, 1));
    }
  } else {
    out.status = parser.Feed(wire);
  }
  if (out.status && eof) out.status = parser.FinishAtEof();
  out.done = parser.done();
  out.keep_alive = parser.keep_alive();
  out.excess = parser.has_excess();
  out.response = parser.response();
  return out;
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const HttpHeader& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

TEST(HttpParserTest, ContentLengthBodyWholeAndByteByByte) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\nhello";
  for (bool byte_by_byte : {false, true}) {
    SCOPED_TRACE(byte_by_byte);
    Parsed p = Parse(wire, byte_by_byte);
    ASSERT_TRUE(p.status) << p.status.error().message();
    EXPECT_TRUE(p.done);
    EXPECT_TRUE(p.keep_alive);
    EXPECT_EQ(p.response.status, 200);
    EXPECT_EQ(p.response.body, "hello");
    EXPECT_EQ(Header(p.response, "Content-Type"), "text/xml");
  }
}

TEST(HttpParserTest, ChunkedWithExtensionsAndTrailers) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;name=value\r\nWiki\r\n5 ; x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
      "0;last\r\nX-Checksum: abc\r\nX-Other: def\r\n\r\n";
  for (bool byte_by_byte : {false, true}) {
    SCOPED_TRACE(byte_by_byte);
    Parsed p = Parse(wire, byte_by_byte);
    ASSERT_TRUE(p.status) << p.status.error().message();
    EXPECT_TRUE(p.done);
    EXPECT_TRUE(p.keep_alive);
    EXPECT_EQ(p.response.body, "Wikipedia in\r\n\r\nchunks.");
    EXPECT_EQ(Header(p.response, "X-Checksum"), "<absent>");  // trailers are dropped
  }
}

TEST(HttpParserTest, FoldedHeadersAndBareLfAreTolerated) {
  Parsed p = Parse(
      "HTTP/1.1 200 OK\nX-Long: part one\r\n   part two\r\n\tpart three\r\nContent-Length: 0\n\n");
  ASSERT_TRUE(p.status) << p.status.error().message();
  EXPECT_TRUE(p.done);
  EXPECT_EQ(Header(p.response, "X-Long"), "part one part two part three");
}

TEST(HttpParserTest, InterimResponsesAreSkipped) {
  Parsed p = Parse(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(p.status) << p.status.error().message();
  EXPECT_EQ(p.response.status, 201);
  EXPECT_EQ(Header(p.response, "Link"), "<absent>");
  EXPECT_EQ(p.response.body, "ok");
}

TEST(HttpParserTest, HeadAnd204And304HaveNoBody) {
  Parsed head = Parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", false, "HEAD");
  ASSERT_TRUE(head.status);
  EXPECT_TRUE(head.done);
  EXPECT_TRUE(head.keep_alive);
  for (int status : {204, 304}) {
    Parsed p = Parse("HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 10\r\n\r\n");
    ASSERT_TRUE(p.status);
    EXPECT_TRUE(p.done) << status;
  }
  Parsed connect = Parse("HTTP/1.1 200 Connection established\r\n\r\n", false, "CONNECT");
  ASSERT_TRUE(connect.status);
  EXPECT_TRUE(connect.done);
}

TEST(HttpParserTest, BodyToEofNeedsEofAndIsNotReusable) {
  Parsed open = Parse("HTTP/1.1 200 OK\r\n\r\nsome body");
  ASSERT_TRUE(open.status);
  EXPECT_FALSE(open.done);
  Parsed closed = Parse("HTTP/1.1 200 OK\r\n\r\nsome body", false, "GET", /*eof=*/true);
  ASSERT_TRUE(closed.status);
  EXPECT_TRUE(closed.done);
  EXPECT_FALSE(closed.keep_alive);
  EXPECT_EQ(closed.response.body, "some body");
  // A transfer coding other than chunked last is also delimited by EOF.
  Parsed gzip = Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", false, "GET", true);
  ASSERT_TRUE(gzip.status);
  EXPECT_EQ(gzip.response.body, "xx");
  EXPECT_FALSE(gzip.keep_alive);
}

TEST(HttpParserTest, KeepAliveRules) {
  EXPECT_FALSE(
      Parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(
      Parse("HTTP/1.1 200 OK\r\nConnection: foo, Close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(Parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(
      Parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
  // Transfer-Encoding beats Content-Length, but such a response ends the connection.
  Parsed both = Parse(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nok\r\n0\r\n\r\n");
  ASSERT_TRUE(both.status);
  EXPECT_EQ(both.response.body, "ok");
  EXPECT_FALSE(both.keep_alive);
  // Bytes after the response: the connection is out of step.
  Parsed excess = Parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA");
  ASSERT_TRUE(excess.status);
  EXPECT_TRUE(excess.excess);
  EXPECT_FALSE(excess.keep_alive);
}

TEST(HttpParserTest, MalformedResponsesAreParseErrorsNamingWhatIsWrong) {
  const std::pair<std::string, std::string> cases[] = {
      {"HTTP/1.1 OK\r\n\r\n", "bad status line \"HTTP/1.1 OK\""},
      {"SSH-2.0-OpenSSH_9.2\r\n", "bad status line"},
      {"HTTP/2 200\r\n\r\n", "bad status line"},
      {"HTTP/1.1 20x OK\r\n\r\n", "bad status code"},
      {"HTTP/1.1 099 Low\r\n\r\n", "bad status code"},
      {"HTTP/1.1 2000 OK\r\n\r\n", "bad status code"},
      {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "101 Switching Protocols"},
      {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "bad header line"},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "bad header line"},
      {"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", "bad header line"},
      {"HTTP/1.1 200 OK\r\n continued\r\n\r\n", "continuation line before any header"},
      {"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "stray CR or NUL"},
      {std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27), "stray CR or NUL"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       "conflicting Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size line"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "bad chunk size line"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n",
       "missing CRLF after chunk data"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
       "bad trailer line"},
  };
  for (const auto& [wire, expected] : cases) {
    SCOPED_TRACE(wire);
    Parsed p = Parse(wire);
    ASSERT_FALSE(p.status);
    EXPECT_EQ(p.status.error().code(), ErrorCode::kParse);
    EXPECT_NE(p.status.error().message().find(expected), std::string::npos)
        << p.status.error().message();
  }
  // Identical repeated lengths are fine (RFC 9110 §8.6).
  EXPECT_TRUE(Parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok").status);
}

TEST(HttpParserTest, LimitsGiveResponseTooLarge) {
  const ResponseLimits small{.max_header_bytes = 100, .max_body_bytes = 10};
  const std::pair<std::string, std::string> cases[] = {
      {"HTTP/1.1 200 OK\r\nX: " + std::string(200, 'a') + "\r\n\r\n", "headers exceed 100"},
      {"HTTP/1.1 200 OK\r\nX: " + std::string(200, 'a'), "headers exceed 100"},  // no newline
      {"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", "body of 11 bytes exceeds 10"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\naaaaaa\r\n6\r\n",
       "chunked body exceeds 10"},
      {"HTTP/1.1 200 OK\r\n\r\n" + std::string(11, 'b'), "body exceeds 10"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " + std::string(200, 't'),
       "trailers exceed 100"},
  };
  for (const auto& [wire, expected] : cases) {
    SCOPED_TRACE(wire);
    Parsed p = Parse(wire, false, "GET", false, small);
    ASSERT_FALSE(p.status);
    EXPECT_EQ(p.status.error().code(), ErrorCode::kNetwork);
    EXPECT_NE(p.status.error().message().find("response too large: " + expected), std::string::npos)
        << p.status.error().message();
  }
  // The defaults are 64 KiB and 16 MiB.
  Parsed big = Parse("HTTP/1.1 200 OK\r\nContent-Length: 16777217\r\n\r\n");
  ASSERT_FALSE(big.status);
  EXPECT_NE(big.status.error().message().find("response too large"), std::string::npos);
  Parsed headers = Parse("HTTP/1.1 200 OK\r\nX: " + std::string(64 * 1024, 'h') + "\r\n\r\n");
  ASSERT_FALSE(headers.status);
  EXPECT_NE(headers.status.error().message().find("headers exceed 65536"), std::string::npos);
}

TEST(HttpParserTest, EofBeforeTheEndIsATruncationError) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "connection closed before any response"},
      {"HTTP/1.1 200 OK\r\nContent-Le", "(in the headers)"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "(body: 3 of 10 bytes)"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "(in the chunked body)"},
  };
  for (const auto& [wire, expected] : cases) {
    SCOPED_TRACE(wire);
    Parsed p = Parse(wire, false, "GET", /*eof=*/true);
    ASSERT_FALSE(p.status);
    EXPECT_EQ(p.status.error().code(), ErrorCode::kNetwork);
    EXPECT_NE(p.status.error().message().find(expected), std::string::npos)
        << p.status.error().message();
  }
}

}  // namespace
}  // namespace hubspoke
