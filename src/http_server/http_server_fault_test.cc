// ctest-label: threads
// The fault-injection hook's mechanics: delay, drop, truncate, garbage, status override.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_server/http_server.h"
#include "http_server/server_test_client.h"

namespace hubspoke {
namespace {

using namespace server_test;  // the shared client and helpers (server_test_client.h)
using std::chrono::milliseconds;
using Kind = FaultAction::Kind;

// A server whose hook looks the fault up by path, counting handler calls.
class FaultServer {
 public:
  explicit FaultServer(std::function<FaultAction(const ServerRequest&)> hook, int threads = 2) {
    ServerOptions options = TestOptions();
    options.threads = threads;
    options.fault_hook = std::move(hook);
    Result<std::unique_ptr<HttpServer>> server =
        HttpServer::Start(options, [this](const ServerRequest& r) {
          ++handled_;
          return EchoHandler(r);
        });
    EXPECT_TRUE(server) << server.error().message();
    if (server) server_ = std::move(server).value();
  }
  uint16_t port() const { return server_->port(); }
  int handled() const { return handled_.load(); }

 private:
  std::atomic<int> handled_{0};
  std::unique_ptr<HttpServer> server_;  // stopped before handled_ goes away
};

TEST(HttpServerFault, DelayHoldsTheResponseWithoutBlockingTheWorker) {
  FaultServer server(
      [](const ServerRequest& r) {
        return r.path == "/slow" ? FaultAction{.delay = milliseconds(300)} : FaultAction{};
      },
      /*threads=*/1);
  RawClient slow(server.port());
  RawClient fast(server.port());
  const TestClock::time_point start = TestClock::now();
  ASSERT_TRUE(slow.Send(Get("/slow")));
  std::this_thread::sleep_for(milliseconds(20));
  ASSERT_TRUE(fast.Send(Get("/fast")));
  std::optional<RawResponse> f = fast.ReadResponse();
  ASSERT_TRUE(f);
  EXPECT_LT(Since(start), milliseconds(250));  // served while /slow is held
  std::optional<RawResponse> s = slow.ReadResponse();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->body, "GET /slow\n");
  EXPECT_GE(Since(start), milliseconds(295));
  EXPECT_LT(Since(start), milliseconds(2000));
}

TEST(HttpServerFault, DelayKeepsPipelinedOrder) {
  FaultServer server([](const ServerRequest& r) {
    return r.path == "/slow" ? FaultAction{.delay = milliseconds(150)} : FaultAction{};
  });
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/slow") + Get("/fast") + Post("/post", "abc")));
  std::optional<RawResponse> a = client.ReadResponse();
  std::optional<RawResponse> b = client.ReadResponse();
  std::optional<RawResponse> c = client.ReadResponse();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->body, "GET /slow\n");
  EXPECT_EQ(b->body, "GET /fast\n");
  EXPECT_EQ(c->body, "POST /post\nabc");
}

TEST(HttpServerFault, DropClosesWithoutAResponseAndSkipsTheHandler) {
  FaultServer server([](const ServerRequest& r) {
    if (r.path == "/drop") return FaultAction{.kind = Kind::kDrop};
    if (r.path == "/late-drop") return FaultAction{.kind = Kind::kDrop, .delay = milliseconds(100)};
    return FaultAction{};
  });
  for (const char* path : {"/drop", "/late-drop"}) {
    RawClient client(server.port());
    const TestClock::time_point start = TestClock::now();
    ASSERT_TRUE(client.Send(Get(path)));
    std::string received;
    EXPECT_TRUE(client.WaitClosed(milliseconds(2000), &received)) << path;
    EXPECT_EQ(received, "") << path;
    if (std::string(path) == "/late-drop") {
      EXPECT_GE(Since(start), milliseconds(95));
    }
  }
  EXPECT_EQ(server.handled(), 0);
}

TEST(HttpServerFault, TruncateSendsExactlyThatManyBytesThenCloses) {
  FaultServer server([](const ServerRequest& r) {
    return r.path == "/cut" ? FaultAction{.kind = Kind::kTruncate, .truncate_bytes = 40}
                            : FaultAction{};
  });
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/cut")));
  std::string received;
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000), &received));
  EXPECT_EQ(received.size(), 40u);
  EXPECT_EQ(received, std::string("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n").substr(0, 40));
  EXPECT_EQ(server.handled(), 1);  // the handler ran; its answer was lost on the way
}

TEST(HttpServerFault, GarbageInsteadOfAResponse) {
  FaultServer server([](const ServerRequest& r) {
    if (r.path == "/custom") return FaultAction{.kind = Kind::kGarbage, .garbage = "junk\x01"};
    return FaultAction{.kind = Kind::kGarbage};
  });
  {
    RawClient client(server.port());
    ASSERT_TRUE(client.Send(Get("/custom")));
    std::string received;
    EXPECT_TRUE(client.WaitClosed(milliseconds(2000), &received));
    EXPECT_EQ(received, "junk\x01");
  }
  {
    RawClient client(server.port());
    ASSERT_TRUE(client.Send(Get("/default")));
    std::string received;
    EXPECT_TRUE(client.WaitClosed(milliseconds(2000), &received));
    EXPECT_FALSE(received.empty());
    EXPECT_FALSE(received.starts_with("HTTP/"));
  }
  EXPECT_EQ(server.handled(), 0);
}

TEST(HttpServerFault, StatusOverrideReplacesTheHandler) {
  std::mutex mu;
  std::vector<std::string> seen;
  FaultServer server([&](const ServerRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(r.method + " " + r.path + " " + r.body + " " + r.peer.substr(0, 10));
    }
    if (r.path != "/throttle") return FaultAction{};
    return FaultAction{.kind = Kind::kStatus,
                       .status = 400,
                       .headers = {{"Content-Type", "text/xml"}},
                       .body =
                           "<ErrorResponse><Error><Code>Throttling</Code></Error>"
                           "</ErrorResponse>"};
  });
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(Post("/throttle", "Action=AssumeRole") + Get("/next")));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(*r->Header("content-type"), "text/xml");
  EXPECT_NE(r->body.find("Throttling"), std::string::npos);
  EXPECT_FALSE(r->closes());  // the connection carries on
  std::optional<RawResponse> next = client.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /next\n");
  EXPECT_EQ(server.handled(), 1);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "POST /throttle Action=AssumeRole 127.0.0.1:");
}

TEST(HttpServerFault, ThrowingHookBecomes500) {
  FaultServer server([](const ServerRequest&) -> FaultAction { throw 42; });
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/")));
  std::optional<RawResponse> r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(server.handled(), 0);
}

}  // namespace
}  // namespace hubspoke
