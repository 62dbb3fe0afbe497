// ctest-label: threads
// The server's limits and timeouts against hostile and broken clients: every one is cut off,
// answered with the right status where one is due, and never holds up anyone else.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http_server/http_server.h"
#include "http_server/server_test_client.h"

namespace hubspoke {
namespace {

using namespace server_test;  // the shared client and helpers (server_test_client.h)
using std::chrono::milliseconds;

// Short timeouts for the timeout tests; each test lengthens the ones it does not exercise.
ServerOptions ShortTimeouts() {
  ServerOptions o = TestOptions();
  o.header_timeout = milliseconds(200);
  o.idle_timeout = milliseconds(200);
  o.body_timeout = milliseconds(200);
  o.send_timeout = milliseconds(200);
  return o;
}

// Sends `wire`, expects one response with `status` and "Connection: close", then the close.
void ExpectRejected(uint16_t port, const std::string& wire, int status, const std::string& name) {
  RawClient client(port);
  ASSERT_TRUE(client.connected()) << name;
  client.Send(wire);  // the server may close before taking everything
  std::optional<RawResponse> r = client.ReadResponse(milliseconds(3000));
  ASSERT_TRUE(r) << name;
  EXPECT_EQ(r->status, status) << name;
  EXPECT_TRUE(r->closes()) << name;
  EXPECT_TRUE(client.WaitClosed(milliseconds(3000))) << name;
}

TEST(HttpServerLimits, OversizedRequestLineOrHeadersGet431AndClose) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  ExpectRejected(server->port(), Get("/" + std::string(2000, 'a')), 431, "long request line");
  std::string many;
  for (int i = 0; i < 100; ++i) many += "X-H" + std::to_string(i) + ": value\r\n";
  ExpectRejected(server->port(), Get("/", many), 431, "many headers");
  // A head that never ends is refused once it passes the limit, not at the timeout.
  RawClient endless(server->port());
  const TestClock::time_point start = TestClock::now();
  endless.Send("GET / HTTP/1.1\r\nX: " + std::string(5000, 'x'));
  std::optional<RawResponse> r = endless.ReadResponse(milliseconds(3000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_LT(Since(start), milliseconds(500));
  // Just under the limit is fine.
  RawClient fits(server->port());
  fits.Send(Get("/", "X: " + std::string(900, 'x') + "\r\n"));
  std::optional<RawResponse> ok = fits.ReadResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServerLimits, OversizedBodyGets413AndClose) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1000;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  ExpectRejected(server->port(), Post("/", std::string(1001, 'b')), 413, "Content-Length");
  ExpectRejected(server->port(),
                 "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "300\r\n" +
                     std::string(0x300, 'b') + "\r\n300\r\n" + std::string(0x300, 'b') +
                     "\r\n0\r\n\r\n",
                 413, "chunked");
  RawClient exact(server->port());
  exact.Send(Post("/", std::string(1000, 'b')));
  std::optional<RawResponse> ok = exact.ReadResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServerLimits, SlowlorisIsCutOffAtTheHeaderTimeout) {
  ServerOptions options = ShortTimeouts();
  options.idle_timeout = milliseconds(10000);
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  // One byte every 20 ms: steady progress must not extend the 200 ms header deadline, which
  // runs from accept (so the clock starts before connecting).
  const std::string wire = Get("/", "X-Slow: " + std::string(1000, 's') + "\r\n");
  const TestClock::time_point start = TestClock::now();
  RawClient client(server->port());
  std::string received;
  bool closed = false;
  for (size_t i = 0; i < wire.size() && Since(start) < milliseconds(3000); ++i) {
    if (!client.Send(wire.substr(i, 1))) break;
    if ((closed = client.WaitClosed(milliseconds(20), &received))) break;
  }
  if (!closed) closed = client.WaitClosed(milliseconds(2000), &received);
  const milliseconds elapsed = Since(start);
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, milliseconds(190));
  EXPECT_LT(elapsed, milliseconds(1000));
  EXPECT_TRUE(received.starts_with("HTTP/1.1 408 Request Timeout\r\n")) << received;
}

TEST(HttpServerLimits, SilentNewConnectionIsClosedAtTheHeaderTimeout) {
  ServerOptions options = ShortTimeouts();
  options.idle_timeout = milliseconds(10000);
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  const TestClock::time_point start = TestClock::now();
  RawClient client(server->port());
  std::string received;
  EXPECT_TRUE(client.WaitClosed(milliseconds(3000), &received));
  EXPECT_GE(Since(start), milliseconds(190));
  EXPECT_LT(Since(start), milliseconds(1000));
  EXPECT_EQ(received, "");  // nothing was asked, nothing is answered
}

TEST(HttpServerLimits, BodyTimeout) {
  ServerOptions options = ShortTimeouts();
  options.header_timeout = milliseconds(10000);
  options.idle_timeout = milliseconds(10000);
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  const TestClock::time_point start = TestClock::now();
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
  bool closed = false;
  std::string received;
  for (int i = 0; i < 100 && !closed; ++i) {  // dribbling the body does not help either
    if (!client.Send("d")) break;
    closed = client.WaitClosed(milliseconds(20), &received);
  }
  if (!closed) closed = client.WaitClosed(milliseconds(2000), &received);
  EXPECT_TRUE(closed);
  EXPECT_GE(Since(start), milliseconds(190));
  EXPECT_LT(Since(start), milliseconds(1000));
  EXPECT_TRUE(received.starts_with("HTTP/1.1 408 ")) << received;
}

TEST(HttpServerLimits, IdleKeepAliveTimeout) {
  ServerOptions options = ShortTimeouts();
  options.header_timeout = milliseconds(10000);
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  // Requests every 100 ms keep the connection open past the 200 ms idle timeout…
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send(Get("/")));
    ASSERT_TRUE(client.ReadResponse()) << i;
    std::this_thread::sleep_for(milliseconds(100));
  }
  // …and silence closes it.
  const TestClock::time_point start = TestClock::now();
  std::string received;
  EXPECT_TRUE(client.WaitClosed(milliseconds(3000), &received));
  EXPECT_LT(Since(start), milliseconds(1000));
  EXPECT_EQ(received, "");
}

TEST(HttpServerLimits, ReaderThatStopsReadingIsCutOffAndMemoryStaysBounded) {
  ServerOptions options = ShortTimeouts();
  options.header_timeout = milliseconds(10000);
  options.idle_timeout = milliseconds(10000);
  const std::string big(256 * 1024, 'x');
  auto server =
      StartOrDie(options, [&](const ServerRequest&) { return ServerResponse{.body = big}; });
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  std::string burst;
  for (int i = 0; i < 100; ++i) burst += Get("/");
  ASSERT_TRUE(client.Send(burst));
  std::this_thread::sleep_for(milliseconds(800));  // never reading: send_timeout is 200 ms
  std::string received;
  EXPECT_TRUE(client.WaitClosed(milliseconds(3000), &received));
  // Only what fitted in the socket buffers (plus one high-water mark) was ever produced.
  EXPECT_LT(received.size(), 100 * big.size() / 2);
}

TEST(HttpServerLimits, MaxConnections) {
  ServerOptions options = TestOptions();
  options.max_connections = 3;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(held.back()->Send(Get("/")));
    ASSERT_TRUE(held.back()->ReadResponse());
  }
  {
    RawClient extra(server->port());
    extra.Send(Get("/"));
    std::string received;
    EXPECT_TRUE(extra.WaitClosed(milliseconds(2000), &received));
    EXPECT_TRUE(received.empty() || received.starts_with("HTTP/1.1 503 ")) << received;
  }
  held.pop_back();  // below the limit again: a new connection is served (bounded retry)
  bool served = false;
  const TestClock::time_point start = TestClock::now();
  while (!served && Since(start) < milliseconds(3000)) {
    RawClient again(server->port());
    again.Send(Get("/"));
    std::optional<RawResponse> r = again.ReadResponse(milliseconds(1000));
    served = r && r->status == 200;
    if (!served) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(served);
  for (auto& c : held) {  // the held ones were never disturbed
    ASSERT_TRUE(c->Send(Get("/")));
    EXPECT_TRUE(c->ReadResponse());
  }
}

TEST(HttpServerLimits, SlowClientsDoNotBlockTheWorker) {
  ServerOptions options = TestOptions();
  options.threads = 1;  // everyone shares one event loop
  options.header_timeout = milliseconds(10000);
  options.body_timeout = milliseconds(10000);
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<RawClient>(server->port()));
    slow.back()->Send(i % 2 == 0 ? "GET / HTTP/1.1\r\nHo"
                                 : "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99\r\n\r\nab");
  }
  RawClient fast(server->port());
  const TestClock::time_point start = TestClock::now();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(fast.Send(Get("/fast")));
    ASSERT_TRUE(fast.ReadResponse(milliseconds(1000))) << i;
  }
  EXPECT_LT(Since(start), milliseconds(2000));
}

TEST(HttpServerLimits, MalformedRequestsGet400AndClose) {
  auto server = StartOrDie(TestOptions());
  ASSERT_NE(server, nullptr);
  struct Case {
    const char* name;
    std::string wire;
    int status;
  };
  const std::vector<Case> cases = {
      {"garbage line", "HELLO\r\n\r\n", 400},
      {"missing version", "GET /\r\nHost: t\r\n\r\n", 400},
      {"absolute form", "GET http://evil.example/ HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"authority form", "CONNECT evil.example:443 HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
      {"HTTP/0.9 style", "GET /\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n\tb\r\n\r\n", 400},
      {"space in name", "GET / HTTP/1.1\r\nHost: t\r\nBad Name: v\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400},
      {"invalid name char", "GET / HTTP/1.1\r\nHost: t\r\nX@Y: v\r\n\r\n", 400},
      {"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"CL conflict",
       "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"CL not a number", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\nab", 400},
      {"CL and TE",
       "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n",
       400},
      {"TE identity", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: identity\r\n\r\n", 400},
      {"TE gzip, chunked",
       "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
      {"bad chunk size",
       "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n", 400},
      {"chunk overrun",
       "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
       400},
      {"bare LF", "GET / HTTP/1.1\nHost: t\n\n", 400},
      {"NUL in target", std::string("GET /a") + '\0' + " HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"unknown Expect", "GET / HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\n\r\n", 417},
  };
  for (const Case& c : cases) ExpectRejected(server->port(), c.wire, c.status, c.name);
  // A bad request after good ones on the same connection: answered in order, then closed.
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/ok") + "GET / HTTP/1.1\r\nHost: t\r\n X\r\n\r\n" + Get("/never")));
  std::optional<RawResponse> ok = client.ReadResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  std::optional<RawResponse> bad = client.ReadResponse();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  std::string rest;
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000), &rest));
  EXPECT_EQ(rest, "");
}

}  // namespace
}  // namespace hubspoke
