// ctest-label: threads
// The production client against real loopback servers (plain HTTP; TLS and CONNECT proxies are
// in http_client_tls_test.cc).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "http/test_server.h"
#include "hubspoke/http.h"

namespace hubspoke {
namespace {

using http_test::LoopbackServer;
using http_test::ReceivedRequest;
using http_test::Recorder;
using http_test::Reply;
using http_test::ServerConn;
using std::chrono::milliseconds;

HttpRequest Get(const std::string& url, milliseconds timeout = milliseconds(5000)) {
  return HttpRequest{.method = "GET", .url = url, .headers = {}, .body = {}, .timeout = timeout};
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Answers every request on every connection with 200 and the request line as the body.
void EchoRequestLine(ServerConn& conn, int /*index*/, Recorder* heads) {
  while (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
    if (heads != nullptr) heads->Add(request->head + request->body);
    if (!conn.Write(Reply(200, request->RequestLine()))) return;
  }
}

TEST(HttpClientTest, GetReturnsStatusHeadersAndBody) {
  Recorder heads;
  LoopbackServer server([&](ServerConn& conn, int) {
    std::optional<ReceivedRequest> request = conn.ReadRequest();
    if (!request) return;
    heads.Add(request->head);
    conn.Write(Reply(404, "not here", "X-Amzn-RequestId: abc-123\r\n"));
  });
  auto client = MakeHttpClient({});
  Result<HttpResponse> response = client->Send(Get(server.Url("http", "/a/b?x=1")));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 404);  // any HTTP status is a successful exchange
  EXPECT_EQ(response->body, "not here");
  const std::string* request_id = FindHeader(response->headers, "x-amzn-requestid");
  ASSERT_NE(request_id, nullptr);
  EXPECT_EQ(*request_id, "abc-123");
  ASSERT_EQ(heads.Get().size(), 1u);
  const std::string head = heads.Get()[0];
  EXPECT_TRUE(head.starts_with("GET /a/b?x=1 HTTP/1.1\r\n")) << head;
  EXPECT_TRUE(Contains(head, "\r\nHost: " + server.HostPort() + "\r\n")) << head;
  EXPECT_FALSE(Contains(head, "Content-Length")) << head;
  EXPECT_FALSE(Contains(head, "Connection:")) << head;  // keep-alive is the HTTP/1.1 default
}

TEST(HttpClientTest, PostSendsBodyAndContentLengthEvenWhenEmpty) {
  Recorder heads;
  LoopbackServer server([&](ServerConn& conn, int i) { EchoRequestLine(conn, i, &heads); });
  auto client = MakeHttpClient({});
  HttpRequest post{.method = "POST",
                   .url = server.Url(),
                   .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                               {"X-Amz-Date", "20150830T123600Z"}},
                   .body = "Action=GetCallerIdentity&Version=2011-06-15"};
  ASSERT_TRUE(client->Send(post));
  post.body.clear();
  ASSERT_TRUE(client->Send(post));
  const std::vector<std::string> seen = heads.Get();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].starts_with("POST / HTTP/1.1\r\n"));
  EXPECT_TRUE(Contains(seen[0], "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
  EXPECT_TRUE(Contains(seen[0], "\r\nX-Amz-Date: 20150830T123600Z\r\n"));
  EXPECT_TRUE(Contains(seen[0], "\r\nContent-Length: 43\r\n\r\nAction=GetCallerIdentity"));
  EXPECT_TRUE(Contains(seen[1], "\r\nContent-Length: 0\r\n\r\n"));
}

TEST(HttpClientTest, CallerHostHeaderIsKept) {
  Recorder heads;
  LoopbackServer server([&](ServerConn& conn, int i) { EchoRequestLine(conn, i, &heads); });
  auto client = MakeHttpClient({});
  HttpRequest request = Get(server.Url());
  request.headers.push_back({"Host", "sts.amazonaws.com"});
  ASSERT_TRUE(client->Send(request));
  ASSERT_EQ(heads.Get().size(), 1u);
  EXPECT_TRUE(Contains(heads.Get()[0], "\r\nHost: sts.amazonaws.com\r\n"));
  EXPECT_FALSE(Contains(heads.Get()[0], "Host: 127.0.0.1"));
}

TEST(HttpClientTest, KeepAliveReusesOneConnectionForThreeRequests) {
  LoopbackServer server([](ServerConn& conn, int i) { EchoRequestLine(conn, i, nullptr); });
  auto client = MakeHttpClient({});
  for (const char* path : {"/one", "/two", "/three"}) {
    Result<HttpResponse> response = client->Send(Get(server.Url("http", path)));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, std::string("GET ") + path + " HTTP/1.1");
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClientTest, IdleConnectionClosedByServerIsReplaced) {
  // The server answers one request per connection and closes without saying so.
  LoopbackServer server([](ServerConn& conn, int) {
    if (conn.ReadRequest()) conn.Write(Reply(200, "ok"));
  });
  auto client = MakeHttpClient({});
  for (int i = 0; i < 3; ++i) {
    Result<HttpResponse> response = client->Send(Get(server.Url()));
    ASSERT_TRUE(response) << i << ": " << response.error().message();
    std::this_thread::sleep_for(milliseconds(20));  // let the FIN arrive
  }
  EXPECT_EQ(server.accepted(), 3);
}

TEST(HttpClientTest, ReusedConnectionClosedBeforeAnswerIsRetriedOnceTransparently) {
  Recorder lines;
  LoopbackServer server([&](ServerConn& conn, int index) {
    if (index == 0) {
      std::optional<ReceivedRequest> first = conn.ReadRequest();
      if (!first) return;
      lines.Add("0 " + first->RequestLine());
      conn.Write(Reply(200, "first"));
      // Reads the second request, then closes as if its idle timer had fired: no byte back.
      if (std::optional<ReceivedRequest> second = conn.ReadRequest()) {
        lines.Add("0 " + second->RequestLine());
      }
      return;
    }
    while (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
      lines.Add(std::to_string(index) + " " + request->RequestLine());
      conn.Write(Reply(200, "fresh"));
    }
  });
  auto client = MakeHttpClient({});
  HttpRequest post{.method = "POST", .url = server.Url("http", "/first"), .body = "a=1"};
  Result<HttpResponse> first = client->Send(post);
  ASSERT_TRUE(first) << first.error().message();
  post.url = server.Url("http", "/second");
  Result<HttpResponse> second = client->Send(post);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->body, "fresh");
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(lines.Get(),
            (std::vector<std::string>{"0 POST /first HTTP/1.1", "0 POST /second HTTP/1.1",
                                      "1 POST /second HTTP/1.1"}));
}

TEST(HttpClientTest, FreshConnectionClosedBeforeAnswerIsNotRetried) {
  LoopbackServer server([](ServerConn& conn, int) { conn.ReadRequest(); });
  auto client = MakeHttpClient({});
  Result<HttpResponse> response = client->Send(Get(server.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_TRUE(Contains(response.error().message(), server.HostPort()));
  EXPECT_TRUE(Contains(response.error().message(), "connection closed before any response"))
      << response.error().message();
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClientTest, ConnectionCloseFromServerIsHonoured) {
  LoopbackServer server([](ServerConn& conn, int) {
    if (conn.ReadRequest()) conn.Write(Reply(200, "bye", "Connection: close\r\n"));
    conn.WaitForClose();  // the client must close, not send another request here
  });
  auto client = MakeHttpClient({});
  ASSERT_TRUE(client->Send(Get(server.Url())));
  ASSERT_TRUE(client->Send(Get(server.Url())));
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClientTest, ConnectionCloseFromCallerIsHonoured) {
  LoopbackServer server([](ServerConn& conn, int i) { EchoRequestLine(conn, i, nullptr); });
  auto client = MakeHttpClient({});
  HttpRequest request = Get(server.Url());
  request.headers.push_back({"Connection", "close"});
  ASSERT_TRUE(client->Send(request));
  ASSERT_TRUE(client->Send(request));
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClientTest, ChunkedBodyWithExtensionsAndTrailersArrivingSlowly) {
  LoopbackServer server([](ServerConn& conn, int) {
    while (conn.ReadRequest()) {
      const char* pieces[] = {"HTTP/1.1 200 OK\r\nTransfer-", "Encoding: chunked\r\n\r\n",
                              "5;ext=\"quoted\"\r\nhel",      "lo\r\n6\r\n wor",
                              "ld\r\n0\r\nX-Trailer: t\r\n",  "\r\n"};
      for (const char* piece : pieces) {
        if (!conn.Write(piece)) return;
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
  });
  auto client = MakeHttpClient({});
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> response = client->Send(Get(server.Url()));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, "hello world");
  }
  EXPECT_EQ(server.accepted(), 1);  // a chunked response leaves the connection reusable
}

TEST(HttpClientTest, BodyDelimitedByEofIsReadAndTheConnectionIsNotReused) {
  LoopbackServer server([](ServerConn& conn, int) {
    if (conn.ReadRequest())
      conn.Write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it");
  });
  auto client = MakeHttpClient({});
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> response = client->Send(Get(server.Url()));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, "all of it");
  }
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClientTest, HeadResponseHasNoBodyAndKeepsTheConnection) {
  LoopbackServer server([](ServerConn& conn, int) {
    while (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
      if (request->RequestLine().starts_with("HEAD")) {
        conn.Write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
      } else {
        conn.Write(Reply(200, "body"));
      }
    }
  });
  auto client = MakeHttpClient({});
  HttpRequest head = Get(server.Url());
  head.method = "HEAD";
  Result<HttpResponse> r1 = client->Send(head);
  ASSERT_TRUE(r1) << r1.error().message();
  EXPECT_EQ(r1->body, "");
  Result<HttpResponse> r2 = client->Send(Get(server.Url()));
  ASSERT_TRUE(r2) << r2.error().message();
  EXPECT_EQ(r2->body, "body");
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClientTest, InterimContinueIsSkipped) {
  LoopbackServer server([](ServerConn& conn, int) {
    if (conn.ReadRequest()) conn.Write("HTTP/1.1 100 Continue\r\n\r\n" + Reply(200, "final"));
  });
  auto client = MakeHttpClient({});
  Result<HttpResponse> response = client->Send(Get(server.Url()));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "final");
}

TEST(HttpClientTest, OversizeHeadersAreResponseTooLarge) {
  LoopbackServer server([](ServerConn& conn, int) {
    if (!conn.ReadRequest()) return;
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 1000; ++i)
      head += "X-Filler-" + std::to_string(i) + ": " + std::string(80, 'f') + "\r\n";
    conn.Write(head + "Content-Length: 0\r\n\r\n");
  });
  auto client = MakeHttpClient({});
  Result<HttpResponse> response = client->Send(Get(server.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_TRUE(Contains(response.error().message(), "response too large: headers exceed 65536"))
      << response.error().message();
}

TEST(HttpClientTest, OversizeBodyIsResponseTooLarge) {
  LoopbackServer server([](ServerConn& conn, int) {
    if (!conn.ReadRequest()) return;
    conn.Write("HTTP/1.1 200 OK\r\n\r\n");
    const std::string mib(1 << 20, 'x');
    for (int i = 0; i < 17; ++i) {
      if (!conn.Write(mib)) return;
    }
  });
  auto client = MakeHttpClient({});
  Result<HttpResponse> response = client->Send(Get(server.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_TRUE(Contains(response.error().message(), "response too large: body exceeds 16777216"))
      << response.error().message();
}

TEST(HttpClientTest, MalformedStatusLineIsAParseError) {
  LoopbackServer server([](ServerConn& conn, int) {
    if (conn.ReadRequest()) conn.Write("HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n");
  });
  auto client = MakeHttpClient({});
  Result<HttpResponse> response = client->Send(Get(server.Url()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kParse);
  EXPECT_EQ(response.error().message(),
            server.HostPort() + ": malformed HTTP response: bad status line \"HTTP/1.1 OK\"");
}

TEST(HttpClientTest, SilentServerTimesOutWithinTheRequestTimeout) {
  LoopbackServer server([](ServerConn& conn, int) {
    conn.ReadRequest();
    conn.WaitForClose();
  });
  auto client = MakeHttpClient({});
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = client->Send(Get(server.Url(), milliseconds(300)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(response.error().message(),
            server.HostPort() + ": request timed out after 300 ms while waiting for the response");
  EXPECT_GE(elapsed, milliseconds(290));
  EXPECT_LT(elapsed, milliseconds(1500));
}

TEST(HttpClientTest, TimeoutCoversASlowTrickle) {
  // One byte every 50 ms never completes within 300 ms: the deadline is for the whole exchange,
  // not per read.
  LoopbackServer server([](ServerConn& conn, int) {
    if (!conn.ReadRequest()) return;
    const std::string reply = Reply(200, std::string(100, 'x'));
    for (char c : reply) {
      if (!conn.Write(std::string(1, c))) return;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  auto client = MakeHttpClient({});
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = client->Send(Get(server.Url(), milliseconds(300)));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
}

TEST(HttpClientTest, ConnectionRefusedNamesHostPortAndReason) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);  // bound, never listening, now closed: nothing accepts on this port
  auto client = MakeHttpClient({});
  Result<HttpResponse> response =
      client->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.error().message(),
            "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST(HttpClientTest, ConnectTimeoutIsHonoured) {
  // A listener that never accepts, with its accept queue full: Linux drops further SYNs, so a
  // new connect stays pending.
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 0), 0);
  socklen_t len = sizeof(addr);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(milliseconds(50));
  const std::string host_port = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto client = MakeHttpClient({.connect_timeout = milliseconds(200)});
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = client->Send(Get("http://" + host_port + "/"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  for (int fd : fillers) close(fd);
  close(listener);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(response.error().message(),
            host_port + ": connect timed out after 200 ms while connecting");
  EXPECT_GE(elapsed, milliseconds(190));
  EXPECT_LT(elapsed, milliseconds(1500));
}

TEST(HttpClientTest, LocalhostNameResolvesAndConnects) {
  LoopbackServer server([](ServerConn& conn, int i) { EchoRequestLine(conn, i, nullptr); });
  auto client = MakeHttpClient({});
  // "localhost" may resolve to ::1 first, where nothing listens: the next address is tried.
  Result<HttpResponse> response =
      client->Send(Get("http://localhost:" + std::to_string(server.port()) + "/x"));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body, "GET /x HTTP/1.1");
}

TEST(HttpClientTest, ErrorsNeverContainRequestHeadersOrBody) {
  LoopbackServer server([](ServerConn& conn, int index) {
    if (!conn.ReadRequest()) return;
    if (index == 0)
      conn.Write("garbage\r\n\r\n");
    else
      conn.WaitForClose();
  });
  auto client = MakeHttpClient({});
  HttpRequest request{.method = "POST",
                      .url = server.Url("http", "/?X-Amz-Signature=SIGSECRET"),
                      .headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSECRET"},
                                  {"X-Amz-Security-Token", "TOKENSECRET"}},
                      .body = "SecretAccessKey=BODYSECRET",
                      .timeout = milliseconds(300)};
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> response = client->Send(request);
    ASSERT_FALSE(response);
    const std::string text = response.error().ToString();
    EXPECT_FALSE(Contains(text, "SECRET")) << text;
  }
  request.headers.push_back({"X-Bad", "v\r\nInjected: TOKENSECRET"});
  Result<HttpResponse> injected = client->Send(request);
  ASSERT_FALSE(injected);
  EXPECT_EQ(injected.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Contains(injected.error().message(), "SECRET"));
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClientTest, InvalidRequestsAreRejectedBeforeConnecting) {
  auto client = MakeHttpClient({});
  const std::pair<HttpRequest, std::string> cases[] = {
      {Get("ftp://example.com/"), "unsupported URL scheme"},
      {Get("https://user:pw@example.com/"), "user information"},
      {HttpRequest{.method = "GET BAD", .url = "http://127.0.0.1:1/"}, "invalid HTTP method"},
      {HttpRequest{.method = "GET", .url = "http://127.0.0.1:1/", .headers = {{"Bad Name", "x"}}},
       "invalid HTTP header name"},
      {HttpRequest{.method = "POST",
                   .url = "http://127.0.0.1:1/",
                   .headers = {{"Content-Length", "99"}},
                   .body = "short"},
       "Content-Length header does not match"},
      {HttpRequest{.method = "POST",
                   .url = "http://127.0.0.1:1/",
                   .headers = {{"Transfer-Encoding", "chunked"}}},
       "Transfer-Encoding is not supported"},
  };
  for (const auto& [request, expected] : cases) {
    SCOPED_TRACE(expected);
    Result<HttpResponse> response = client->Send(request);
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(Contains(response.error().message(), expected)) << response.error().message();
  }
}

TEST(HttpClientTest, HttpProxyGetsAbsoluteFormAndCredentialsUnlessNoProxy) {
  Recorder proxy_heads;
  LoopbackServer proxy([&](ServerConn& conn, int) {
    while (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
      proxy_heads.Add(request->head);
      conn.Write(Reply(200, "from proxy"));
    }
  });
  LoopbackServer origin([](ServerConn& conn, int) {
    while (conn.ReadRequest()) conn.Write(Reply(200, "from origin"));
  });
  const std::string url = origin.Url("http", "/path?q=1");
  {
    auto client = MakeHttpClient({.http_proxy = "http://user:pass@" + proxy.HostPort()});
    for (int i = 0; i < 2; ++i) {
      Result<HttpResponse> response = client->Send(Get(url));
      ASSERT_TRUE(response) << response.error().message();
      EXPECT_EQ(response->body, "from proxy");
    }
    EXPECT_EQ(proxy.accepted(), 1);  // kept alive to the proxy too
    const std::vector<std::string> heads = proxy_heads.Get();
    ASSERT_EQ(heads.size(), 2u);
    ReceivedRequest seen{.head = heads[0], .body = {}};
    EXPECT_EQ(seen.RequestLine(), "GET http://" + origin.HostPort() + "/path?q=1 HTTP/1.1");
    EXPECT_EQ(seen.Header("host"), origin.HostPort());
    EXPECT_EQ(seen.Header("proxy-authorization"), "Basic dXNlcjpwYXNz");
  }
  {
    // https_proxy is for https URLs only; no_proxy sends this one straight to the origin.
    // (One client at a time: the test server serves one connection at a time.)
    auto client = MakeHttpClient({.https_proxy = "http://" + proxy.HostPort()});
    Result<HttpResponse> response = client->Send(Get(url));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, "from origin");
  }
  {
    auto bypass = MakeHttpClient(
        {.http_proxy = "http://" + proxy.HostPort(), .no_proxy = "example.com, 127.0.0.1"});
    Result<HttpResponse> response = bypass->Send(Get(url));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, "from origin");
  }
  EXPECT_EQ(proxy.accepted(), 1);
}

TEST(HttpClientTest, BadProxySettingIsReportedOnSend) {
  auto client = MakeHttpClient({.http_proxy = "socks5://user:s3cret@proxy:1080"});
  Result<HttpResponse> response = client->Send(Get("http://127.0.0.1:1/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(response.error().message(), "unsupported proxy scheme"));
  EXPECT_FALSE(Contains(response.error().message(), "s3cret"));
}

}  // namespace
}  // namespace hubspoke
