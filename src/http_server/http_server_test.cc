// ctest-label: threads
// The HTTP server against real loopback clients: our own client for well-formed exchanges, raw
// sockets for keep-alive, pipelining, chunked bodies, 100-continue and connection handling.
#include "http_server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/http.h"
#include "http_server/server_test_client.h"

namespace hubspoke {
namespace {

using namespace server_test;  // the shared client and helpers (server_test_client.h)
using std::chrono::milliseconds;

TEST(HttpServer, GetEchoWithOurClient) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->url(), "http://127.0.0.1:" + std::to_string(server->port()));
  auto client = MakeHttpClient({});
  Result<HttpResponse> response =
      client->Send(HttpRequest{.method = "GET", .url = server->url() + "/a%2Fb/c?x=%20y&z=1"});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /a%2Fb/c?x=%20y&z=1\n");
  EXPECT_EQ(*FindHeader(response->headers, "x-path"), "/a%2Fb/c");  // raw, not decoded
  EXPECT_EQ(*FindHeader(response->headers, "x-query"), "x=%20y&z=1");
  EXPECT_TRUE(FindHeader(response->headers, "x-peer")->starts_with("127.0.0.1:"));
  ASSERT_NE(FindHeader(response->headers, "date"), nullptr);
  EXPECT_TRUE(FindHeader(response->headers, "date")->ends_with(" GMT"));
  EXPECT_EQ(*FindHeader(response->headers, "content-length"), "24");
}

TEST(HttpServer, PostEchoWithOurClient) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  auto client = MakeHttpClient({});
  const std::string body(100000, 'b');
  Result<HttpResponse> response =
      client->Send(HttpRequest{.method = "POST",
                               .url = server->url() + "/",
                               .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                               .body = body});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /\n" + body);
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  std::set<std::string> peers;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(client.Send(Get("/n/" + std::to_string(i))));
    std::optional<RawResponse> r = client.ReadResponse();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "GET /n/" + std::to_string(i) + "\n");
    EXPECT_FALSE(r->closes());
    peers.insert(*r->Header("x-peer"));
  }
  EXPECT_EQ(peers.size(), 1u);

  // Our client reuses its connection too.
  auto ours = MakeHttpClient({});
  peers.clear();
  for (int i = 0; i < 20; ++i) {
    Result<HttpResponse> r = ours->Send(HttpRequest{.method = "GET", .url = server->url() + "/"});
    ASSERT_TRUE(r) << r.error().message();
    peers.insert(*FindHeader(r->headers, "x-peer"));
  }
  EXPECT_EQ(peers.size(), 1u);
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  std::string burst;
  for (int i = 0; i < 50; ++i) {
    burst += i % 2 == 0 ? Get("/p/" + std::to_string(i))
                        : Post("/p/" + std::to_string(i), "body" + std::to_string(i));
  }
  ASSERT_TRUE(client.Send(burst));
  for (int i = 0; i < 50; ++i) {
    std::optional<RawResponse> r = client.ReadResponse();
    ASSERT_TRUE(r) << i;
    const std::string target = "/p/" + std::to_string(i);
    EXPECT_EQ(r->body, i % 2 == 0 ? "GET " + target + "\n"
                                  : "POST " + target + "\nbody" + std::to_string(i));
  }
}

TEST(HttpServer, ChunkedRequestBody) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(
      "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n"));
  std::this_thread::sleep_for(milliseconds(20));  // the body arrives in pieces
  ASSERT_TRUE(client.Send("6;x=y\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nT: v\r\n\r\n"));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /c\nWikipedia in \r\n\r\nchunks.");
  // The connection stays usable.
  ASSERT_TRUE(client.Send(Get("/after")));
  ASSERT_TRUE(client.ReadResponse());
}

TEST(HttpServer, ExpectContinueIsAnsweredBeforeTheBody) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(
      "PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  std::optional<RawResponse> interim = client.ReadResponse(milliseconds(2000));
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->head, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.Send("data"));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "PUT /e\ndata");

  // Our client speaks it too (it sends the body without waiting, which is allowed).
  auto ours = MakeHttpClient({});
  Result<HttpResponse> response = ours->Send(HttpRequest{.method = "POST",
                                                         .url = server->url() + "/",
                                                         .headers = {{"Expect", "100-continue"}},
                                                         .body = "x"});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServer, ExpectContinueWithTooLargeBodyGets413InsteadOfContinue) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 10;
  auto server = StartOrDie(options, EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(
      "PUT / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(r->closes());
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000)));
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  // The second request is pipelined after a closing one and must not be answered.
  ASSERT_TRUE(client.Send(Get("/1", "Connection: close\r\n") + Get("/2")));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /1\n");
  EXPECT_TRUE(r->closes());
  std::string rest;
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000), &rest));
  EXPECT_EQ(rest, "");
}

TEST(HttpServer, Http10ClosesUnlessKeepAliveIsAsked) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  {
    RawClient client(server->port());
    ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
    std::optional<RawResponse> r = client.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->head.starts_with("HTTP/1.1 200 OK\r\n"));
    EXPECT_TRUE(r->closes());
    EXPECT_TRUE(client.WaitClosed(milliseconds(2000)));
  }
  {
    RawClient client(server->port());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(client.Send("GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      std::optional<RawResponse> r = client.ReadResponse();
      ASSERT_TRUE(r);
      ASSERT_NE(r->Header("connection"), nullptr);
      EXPECT_EQ(*r->Header("connection"), "keep-alive");  // a 1.0 client needs to be told
    }
  }
}

TEST(HttpServer, ClientHalfCloseStillGetsItsAnswers) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/a") + Get("/b")));
  client.ShutdownWrite();
  std::optional<RawResponse> a = client.ReadResponse();
  std::optional<RawResponse> b = client.ReadResponse();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->body, "GET /b\n");
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000)));
}

TEST(HttpServer, HeadGetsContentLengthButNoBody) {
  auto server = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/g")));
  std::optional<RawResponse> head = client.ReadResponse(milliseconds(5000), /*no_body=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(*head->Header("content-length"), "8");         // "HEAD /h\n"
  std::optional<RawResponse> get = client.ReadResponse();  // framing intact after HEAD
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "GET /g\n");
}

TEST(HttpServer, HandlerExceptionBecomes500AndServerStaysUp) {
  auto server = StartOrDie(TestOptions(), [](const ServerRequest& r) -> ServerResponse {
    if (r.path == "/throw") throw std::runtime_error("secret internals");
    return ServerResponse{.body = "fine"};
  });
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/throw") + Get("/ok")));
  std::optional<RawResponse> bad = client.ReadResponse();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 500);
  EXPECT_EQ(bad->body.find("secret"), std::string::npos);
  std::optional<RawResponse> ok = client.ReadResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "fine");
}

TEST(HttpServer, HandlerCannotSplitTheResponse) {
  auto server = StartOrDie(TestOptions(), [](const ServerRequest& r) {
    if (r.path == "/status") return ServerResponse{.status = 1000};
    return ServerResponse{.headers = {{"X-Echo", "a\r\nSet-Cookie: evil=1"}}, .body = "x"};
  });
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/") + Get("/status")));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->head.find("evil"), std::string::npos);
  std::optional<RawResponse> status = client.ReadResponse();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 500);
}

TEST(HttpServer, HandlerControlsCloseDateAndNoContent) {
  auto server = StartOrDie(TestOptions(), [](const ServerRequest& r) {
    if (r.path == "/close") return ServerResponse{.body = "bye", .close = true};
    if (r.path == "/204") return ServerResponse{.status = 204, .body = "dropped"};
    return ServerResponse{.headers = {{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"},
                                      {"Content-Length", "999"},
                                      {"Transfer-Encoding", "chunked"}},
                          .body = "dated"};
  });
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/date") + Get("/204") + Get("/close")));
  std::optional<RawResponse> dated = client.ReadResponse();
  ASSERT_TRUE(dated);
  EXPECT_EQ(*dated->Header("date"), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(*dated->Header("content-length"), "5");  // the server owns framing
  EXPECT_EQ(dated->Header("transfer-encoding"), nullptr);
  EXPECT_EQ(dated->body, "dated");
  std::optional<RawResponse> no_content = client.ReadResponse();
  ASSERT_TRUE(no_content);
  EXPECT_EQ(no_content->status, 204);
  EXPECT_EQ(no_content->Header("content-length"), nullptr);
  std::optional<RawResponse> bye = client.ReadResponse();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->body, "bye");
  EXPECT_TRUE(bye->closes());
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000)));
}

TEST(HttpServer, Ipv6Loopback) {
  ServerOptions options = TestOptions();
  options.host = "::1";
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, EchoHandler);
  if (!server) GTEST_SKIP() << "no IPv6 loopback here: " << server.error().message();
  EXPECT_EQ((*server)->url(), "http://[::1]:" + std::to_string((*server)->port()));
  RawClient client((*server)->port(), /*ipv6=*/true);
  ASSERT_TRUE(client.Send(Get("/6")));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->Header("x-peer")->starts_with("[::1]:"));
}

TEST(HttpServer, StartRejectsBadHostOptionsAndBusyPort) {
  ServerOptions by_name = TestOptions();
  by_name.host = "example.com";
  Result<std::unique_ptr<HttpServer>> a = HttpServer::Start(by_name, EchoHandler);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code(), ErrorCode::kInvalidArgument);

  ServerOptions bad = TestOptions();
  bad.threads = -1;
  EXPECT_FALSE(HttpServer::Start(bad, EchoHandler));
  bad = TestOptions();
  bad.header_timeout = milliseconds(0);
  EXPECT_FALSE(HttpServer::Start(bad, EchoHandler));
  EXPECT_FALSE(HttpServer::Start(TestOptions(), nullptr));

  auto first = StartOrDie(TestOptions(), EchoHandler);
  ASSERT_NE(first, nullptr);
  ServerOptions same_port = TestOptions();
  same_port.port = first->port();
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(same_port, EchoHandler);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::kNetwork);
}

TEST(HttpServer, StopWithOpenConnectionsReturnsPromptly) {
  ServerOptions options = TestOptions();
  options.header_timeout = milliseconds(60000);
  options.idle_timeout = milliseconds(60000);
  options.body_timeout = milliseconds(60000);
  options.fault_hook = [](const ServerRequest& r) {
    return r.path == "/slow" ? FaultAction{.delay = milliseconds(60000)} : FaultAction{};
  };
  auto server = StartOrDie(options, EchoHandler);
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 30; ++i) {
    clients.push_back(std::make_unique<RawClient>(server->port()));
    switch (i % 3) {
      case 0:  // idle after a request
        ASSERT_TRUE(clients.back()->Send(Get("/")));
        ASSERT_TRUE(clients.back()->ReadResponse());
        break;
      case 1:  // half a request
        ASSERT_TRUE(clients.back()->Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n"));
        break;
      default:  // a response held by a fault delay
        ASSERT_TRUE(clients.back()->Send(Get("/slow")));
        break;
    }
  }
  std::this_thread::sleep_for(milliseconds(50));
  const TestClock::time_point start = TestClock::now();
  server->Stop();
  EXPECT_LT(Since(start), milliseconds(1000));
  for (auto& c : clients) EXPECT_TRUE(c->WaitClosed(milliseconds(1000)));
  server->Stop();  // idempotent
  RawClient late(server->port());
  EXPECT_FALSE(late.connected() && late.Send(Get("/")) && late.ReadResponse(milliseconds(500)));
}

}  // namespace
}  // namespace hubspoke
