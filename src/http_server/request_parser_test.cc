// ctest-label: threads
// The request parser alone: tables of well-formed and malformed requests, fed whole and byte by
// byte.
#include "http_server/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hubspoke {
namespace {

using State = RequestParser::State;

// Feeds `wire` in pieces of `step` bytes (0 = all at once) until done or error; returns the
// number of bytes consumed.
size_t FeedAll(RequestParser& parser, std::string_view wire, size_t step = 0) {
  size_t used = 0;
  while (used < wire.size() && (parser.state() == State::kHead || parser.state() == State::kBody)) {
    const size_t n = step == 0 ? wire.size() - used : std::min(step, wire.size() - used);
    const size_t took = parser.Feed(wire.substr(used, n));
    used += took;
    if (took < n) break;
  }
  return used;
}

TEST(HttpServerRequestParser, ParsesGetWithRawPathAndQuery) {
  for (size_t step : {0, 1, 3, 7}) {
    RequestParser parser;
    const std::string wire =
        "GET /a%2Fb/c?x=%20y&z HTTP/1.1\r\nHost: h\r\nX-Thing:  v a l \t\r\nEmpty:\r\n\r\n";
    EXPECT_EQ(FeedAll(parser, wire, step), wire.size());
    ASSERT_EQ(parser.state(), State::kDone) << step;
    const ServerRequest& r = parser.request();
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.target, "/a%2Fb/c?x=%20y&z");
    EXPECT_EQ(r.path, "/a%2Fb/c");  // not percent-decoded
    EXPECT_EQ(r.query, "x=%20y&z");
    ASSERT_EQ(r.headers.size(), 3u);
    EXPECT_EQ(r.headers[1].name, "X-Thing");
    EXPECT_EQ(r.headers[1].value, "v a l");
    EXPECT_EQ(r.headers[2].value, "");
    EXPECT_TRUE(parser.keep_alive());
    EXPECT_FALSE(r.http10);
  }
}

TEST(HttpServerRequestParser, ContentLengthBodyAndPipelinedRest) {
  RequestParser parser;
  const std::string first = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  const std::string wire = first + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(parser.Feed(wire), first.size());  // stops at the end of the first request
  ASSERT_EQ(parser.state(), State::kDone);
  EXPECT_EQ(parser.request().body, "hello");
  parser.Reset();
  EXPECT_FALSE(parser.started());
  EXPECT_EQ(parser.Feed(std::string_view(wire).substr(first.size())), wire.size() - first.size());
  ASSERT_EQ(parser.state(), State::kDone);
  EXPECT_EQ(parser.request().path, "/next");
  EXPECT_EQ(parser.request().body, "");
}

TEST(HttpServerRequestParser, ChunkedBodyWithExtensionsAndTrailers) {
  const std::string wire =
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n1 ; ext\r\n \r\n006\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (size_t step : {0, 1, 2, 5}) {
    RequestParser parser;
    EXPECT_EQ(FeedAll(parser, wire, step), wire.size());
    ASSERT_EQ(parser.state(), State::kDone) << step << " " << parser.error_reason();
    EXPECT_EQ(parser.request().body, "hello world!");
    EXPECT_EQ(parser.request().headers.size(), 2u);  // trailers are not merged
  }
}

TEST(HttpServerRequestParser, LeadingEmptyLinesAreIgnored) {
  RequestParser parser;
  const std::string wire = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(FeedAll(parser, wire), wire.size());
  EXPECT_EQ(parser.state(), State::kDone);

  // An extra CRLF after a body does not start a request (the idle timeout still applies)…
  RequestParser after_body;
  after_body.Feed("\r\n");
  EXPECT_FALSE(after_body.started());
  EXPECT_EQ(after_body.state(), State::kHead);
  // …and one split across reads is still an empty line.
  RequestParser split;
  split.Feed("\r");
  split.Feed("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(split.state(), State::kDone);
  // Found by fuzz/http_request_fuzz.cc: two empty lines fed byte by byte made "\r\n\r\n" look
  // like the end of an empty head (400 malformed request line).
  for (size_t step : {1, 3}) {
    RequestParser bytewise;
    EXPECT_EQ(FeedAll(bytewise, wire, step), wire.size()) << step;
    EXPECT_EQ(bytewise.state(), State::kDone) << step;
    EXPECT_EQ(bytewise.request().target, "/");
  }
  RequestParser lone_cr;
  lone_cr.Feed("\r");
  lone_cr.Feed("\n");
  EXPECT_FALSE(lone_cr.started());
}

TEST(HttpServerRequestParser, ConnectionSemantics) {
  struct Case {
    std::string version, connection;
    bool keep_alive;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1", "", true},
      {"HTTP/1.1", "Connection: close\r\n", false},
      {"HTTP/1.1", "Connection: keep-alive, Close\r\n", false},
      {"HTTP/1.0", "", false},
      {"HTTP/1.0", "Connection: keep-alive\r\n", true},
      {"HTTP/1.0", "Connection: Keep-Alive\r\n", true},
  };
  for (const Case& c : cases) {
    RequestParser parser;
    FeedAll(parser, "GET / " + c.version + "\r\nHost: h\r\n" + c.connection + "\r\n");
    ASSERT_EQ(parser.state(), State::kDone) << c.version << c.connection;
    EXPECT_EQ(parser.keep_alive(), c.keep_alive) << c.version << c.connection;
  }
}

TEST(HttpServerRequestParser, ExpectContinue) {
  RequestParser parser;
  parser.Feed("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(parser.state(), State::kBody);
  EXPECT_TRUE(parser.expect_continue());
  parser.Feed("abc");
  EXPECT_EQ(parser.state(), State::kDone);
}

TEST(HttpServerRequestParser, MalformedRequestsTable) {
  struct Case {
    const char* name;
    std::string wire;
    int status;
  };
  const std::vector<Case> cases = {
      {"no spaces", "GET\r\nHost: h\r\n\r\n", 400},
      {"double space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"trailing space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400},
      {"bad method", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400},
      {"HTTP/2", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"absolute form", "GET http://x/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"authority form", "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"asterisk not OPTIONS", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"fragment", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"control in target", "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"non-ASCII target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400},
      {"empty name", "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", 400},
      {"bad name char", "GET / HTTP/1.1\r\nHost: h\r\nX\"y: v\r\n\r\n", 400},
      {"NUL in value", std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a") + '\0' + "b\r\n\r\n", 400},
      {"bare CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400},
      {"bare LF", "GET / HTTP/1.1\nHost: h\n\n", 400},
      {"missing Host", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"conflicting Content-Length",
       "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
      {"Content-Length list disagrees",
       "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\n", 400},
      {"negative Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"plus Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\na", 400},
      {"empty Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400},
      {"huge Content-Length",
       "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
      {"Content-Length and chunked",
       "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"chunked not last", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
       400},
      {"gzip then chunked",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"bad chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       400},
      {"chunk size overflow",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
       "ffffffffffffffffff\r\n",
       400},
      {"chunk data without CRLF",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400},
      {"chunk size space no ext",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n", 400},
      {"unknown expectation", "GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", 417},
  };
  for (const Case& c : cases) {
    for (size_t step : {0, 1}) {
      RequestParser parser;
      FeedAll(parser, c.wire, step);
      EXPECT_EQ(parser.state(), State::kError) << c.name << " step " << step;
      EXPECT_EQ(parser.error_status(), c.status) << c.name << " step " << step;
      EXPECT_FALSE(parser.error_reason().empty()) << c.name;
    }
  }
}

TEST(HttpServerRequestParser, HeadLimitGives431) {
  RequestParser parser(RequestLimits{.max_header_bytes = 100, .max_body_bytes = 10});
  FeedAll(parser, "GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(parser.error_status(), 431);

  RequestParser dribbled(RequestLimits{.max_header_bytes = 100, .max_body_bytes = 10});
  FeedAll(dribbled, "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(200, 'a'), 1);
  EXPECT_EQ(dribbled.error_status(), 431);  // before the head ends

  std::string crlfs;
  for (int i = 0; i < 100; ++i) crlfs += "\r\n";
  RequestParser blank(RequestLimits{.max_header_bytes = 100, .max_body_bytes = 10});
  FeedAll(blank, crlfs, 2);
  EXPECT_EQ(blank.error_status(), 431);
}

TEST(HttpServerRequestParser, BodyLimitGives413) {
  RequestParser by_length(RequestLimits{.max_header_bytes = 1000, .max_body_bytes = 10});
  by_length.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n");
  EXPECT_EQ(by_length.error_status(), 413);  // at once, from the header

  RequestParser chunked(RequestLimits{.max_header_bytes = 1000, .max_body_bytes = 10});
  FeedAll(chunked,
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
          "6\r\nabcdef\r\n5\r\nabcde\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.error_status(), 413);

  RequestParser exact(RequestLimits{.max_header_bytes = 1000, .max_body_bytes = 10});
  FeedAll(exact, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789");
  EXPECT_EQ(exact.state(), State::kDone);
}

TEST(HttpServerRequestParser, TrailerLimitGives431) {
  RequestParser parser(RequestLimits{.max_header_bytes = 100, .max_body_bytes = 10});
  FeedAll(parser, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " +
                      std::string(200, 'a') + "\r\n\r\n");
  EXPECT_EQ(parser.error_status(), 431);
}

TEST(HttpServerRequestParser, ResetClearsEverything) {
  RequestParser parser;
  FeedAll(parser, "POST /a?b HTTP/1.0\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx");
  ASSERT_EQ(parser.state(), State::kDone);
  parser.Reset();
  FeedAll(parser, "GET /c HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(parser.state(), State::kDone);
  EXPECT_EQ(parser.request().query, "");
  EXPECT_EQ(parser.request().body, "");
  EXPECT_EQ(parser.request().headers.size(), 1u);
  EXPECT_FALSE(parser.request().http10);
}

}  // namespace
}  // namespace hubspoke
