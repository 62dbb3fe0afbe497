// ctest-label: threads
// ServerOptions::trusts: connections that have not shown a trusted request get short deadlines
// and are evicted, oldest first, to make room at max_connections, so that idle connections of
// anyone who can connect cannot lock out the clients that matter (issue 11).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http_server/http_server.h"
#include "http_server/server_test_client.h"

namespace hubspoke {
namespace {

using namespace server_test;  // the shared client and helpers (server_test_client.h)
using std::chrono::milliseconds;

constexpr char kKey[] = "X-Key: good\r\n";

bool HasGoodKey(const ServerRequest& r) {
  const std::string* key = FindHeader(r.headers, "x-key");
  return key != nullptr && *key == "good";
}

// One worker (eviction picks the oldest untrusted connection of the worker a newcomer goes
// to), and timeouts long enough not to interfere unless a test shortens them.
ServerOptions TrustOptions() {
  ServerOptions o = TestOptions();
  o.threads = 1;
  o.header_timeout = milliseconds(10000);
  o.idle_timeout = milliseconds(10000);
  o.body_timeout = milliseconds(10000);
  o.trusts = HasGoodKey;
  o.untrusted_timeout = milliseconds(10000);
  return o;
}

// One request on `client` (with the key or without), answered with a 200.
::testing::AssertionResult Served(RawClient& client, bool with_key) {
  if (!client.connected()) return ::testing::AssertionFailure() << "not connected";
  if (!client.Send(Get("/", with_key ? kKey : ""))) {
    return ::testing::AssertionFailure() << "send failed";
  }
  std::optional<RawResponse> r = client.ReadResponse(milliseconds(3000));
  if (!r) return ::testing::AssertionFailure() << "no response";
  if (r->status != 200) return ::testing::AssertionFailure() << "status " << r->status;
  return ::testing::AssertionSuccess();
}

TEST(HttpServerTrust, StartRejectsANonPositiveUntrustedTimeout) {
  ServerOptions bad = TrustOptions();
  bad.untrusted_timeout = milliseconds(0);
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(bad, server_test::EchoHandler);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code(), ErrorCode::kInvalidArgument);
  bad.trusts = nullptr;  // only used with `trusts`
  EXPECT_TRUE(HttpServer::Start(bad, server_test::EchoHandler));
}

TEST(HttpServerTrust, AtTheLimitTheOldestUntrustedConnectionMakesRoomForANewcomer) {
  ServerOptions options = TrustOptions();
  options.max_connections = 3;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  // Accepted in this order (the kernel's accept queue is FIFO; each is served or has been
  // accepted before the next is served).
  RawClient oldest(server->port());  // untrusted, never sends a byte
  RawClient trusted(server->port());
  ASSERT_TRUE(Served(trusted, true));
  RawClient younger(server->port());  // untrusted, served without the key
  ASSERT_TRUE(Served(younger, false));

  RawClient newcomer(server->port());
  EXPECT_TRUE(Served(newcomer, false)) << "served, not refused with a 503";
  std::string received;
  EXPECT_TRUE(oldest.WaitClosed(milliseconds(3000), &received)) << "the oldest was evicted";
  EXPECT_EQ(received, "");
  EXPECT_TRUE(Served(trusted, true));
  EXPECT_TRUE(Served(younger, false)) << "only one was evicted";
}

TEST(HttpServerTrust, TrustedConnectionsAreNeverEvicted) {
  ServerOptions options = TrustOptions();
  options.max_connections = 2;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  RawClient first(server->port());  // the oldest, trusted and idle
  ASSERT_TRUE(Served(first, true));
  RawClient second(server->port());
  ASSERT_TRUE(Served(second, false));

  // The limit: the untrusted one makes room, not the older trusted one.
  RawClient third(server->port());
  ASSERT_TRUE(Served(third, false));
  EXPECT_TRUE(second.WaitClosed(milliseconds(3000)));
  ASSERT_TRUE(Served(third, true));  // now trusted as well

  // Nothing left to evict: a newcomer is refused as without `trusts`.
  {
    RawClient refused(server->port());
    refused.Send(Get("/", kKey));
    std::string received;
    EXPECT_TRUE(refused.WaitClosed(milliseconds(3000), &received));
    EXPECT_TRUE(received.empty() || received.starts_with("HTTP/1.1 503 ")) << received;
  }
  EXPECT_TRUE(Served(first, true));
  EXPECT_TRUE(Served(third, true));
}

TEST(HttpServerTrust, PredicateThatThrowsTrustsNobody) {
  ServerOptions options = TrustOptions();
  options.max_connections = 1;
  options.trusts = [](const ServerRequest&) -> bool { throw std::runtime_error("no"); };
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  RawClient first(server->port());
  ASSERT_TRUE(Served(first, true));
  RawClient second(server->port());
  EXPECT_TRUE(Served(second, true));
  EXPECT_TRUE(first.WaitClosed(milliseconds(3000))) << "still untrusted, so evicted";
}

TEST(HttpServerTrust, UntrustedConnectionsGetTheShortTimeoutsTrustedOnesTheNormalOnes) {
  ServerOptions options = TrustOptions();
  options.untrusted_timeout = milliseconds(200);
  options.idle_timeout = milliseconds(1500);
  const TestClock::time_point start = TestClock::now();
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  RawClient silent(server->port());  // header deadline, from accept
  RawClient idle(server->port());    // idle deadline, after an untrusted request
  ASSERT_TRUE(Served(idle, false));
  RawClient slow(server->port());  // body deadline
  ASSERT_TRUE(slow.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab"));
  RawClient trusted(server->port());
  ASSERT_TRUE(Served(trusted, true));

  std::string received;
  EXPECT_TRUE(silent.WaitClosed(milliseconds(3000), &received));
  EXPECT_EQ(received, "");
  EXPECT_TRUE(idle.WaitClosed(milliseconds(3000)));
  EXPECT_TRUE(slow.WaitClosed(milliseconds(3000), &received));
  EXPECT_TRUE(received.starts_with("HTTP/1.1 408 ")) << received;
  EXPECT_LT(Since(start), milliseconds(1000)) << "cut after 200 ms, not 1.5 s or 10 s";

  // Past untrusted_timeout since its last response, the trusted one is still served…
  std::this_thread::sleep_for(milliseconds(400));
  ASSERT_TRUE(Served(trusted, false));
  const TestClock::time_point last = TestClock::now();
  EXPECT_FALSE(trusted.WaitClosed(milliseconds(1000)));
  // …until the normal idle timeout.
  EXPECT_TRUE(trusted.WaitClosed(milliseconds(3000)));
  EXPECT_GE(Since(last), milliseconds(1450));
}

TEST(HttpServerTrust, TwoHundredHeldUntrustedConnectionsDoNotLockOutTrustedClients) {
  ServerOptions options = TrustOptions();
  options.max_connections = 64;
  options.header_timeout = milliseconds(5000);
  options.untrusted_timeout = milliseconds(2000);
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  IdleAttacker attacker(server->port(), 200);
  ASSERT_EQ(attacker.held(), 200u);
  int served = 0;
  int tries = 0;
  std::vector<std::string> failures;
  const TestClock::time_point start = TestClock::now();
  while (Since(start) < milliseconds(3000)) {
    RawClient client(server->port());
    ++tries;
    if (::testing::AssertionResult r = Served(client, true)) {
      ++served;
    } else if (failures.size() < 5) {
      failures.push_back(r.message());
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(served, tries) << ::testing::PrintToString(failures);
  EXPECT_GE(tries, 10);
  EXPECT_GT(attacker.reopened(), 0u) << "the attacker was fighting for the slots";
}

// Without defer_accept a client that connects and is then held up (a loaded machine) before it
// sends is accepted at once and, while it says nothing, is evicted by the idle connections that
// keep arriving; with it, nothing is accepted before it has sent, so it is served.
TEST(HttpServerTrust, DeferAcceptKeepsAClientSlowToSendFromBeingEvicted) {
  for (const bool defer : {false, true}) {
    SCOPED_TRACE(defer ? "defer_accept 3 s" : "no defer_accept");
    ServerOptions options = TrustOptions();
    options.max_connections = 2;
    if (defer) options.defer_accept = std::chrono::seconds(3);
    auto server = StartOrDie(options);
    ASSERT_NE(server, nullptr);
    RawClient slow(server->port());
    ASSERT_TRUE(slow.connected());
    IdleAttacker attacker(server->port(), 20);
    ASSERT_EQ(attacker.held(), 20u);
    std::this_thread::sleep_for(milliseconds(300));  // held up between connect and send
    if (defer) {
      EXPECT_TRUE(Served(slow, true));
      EXPECT_EQ(attacker.reopened(), 0u) << "no idle connection was accepted yet";
    } else {
      EXPECT_FALSE(Served(slow, true)) << "evicted before it sent";
      EXPECT_GT(attacker.reopened(), 0u);
    }
  }
}

TEST(HttpServerTrust, StartRejectsADeferAcceptOutOfRange) {
  ServerOptions bad = TrustOptions();
  bad.defer_accept = std::chrono::seconds(-1);
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(bad, server_test::EchoHandler);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code(), ErrorCode::kInvalidArgument);
  bad.defer_accept = std::chrono::seconds(61);
  EXPECT_FALSE(HttpServer::Start(bad, server_test::EchoHandler));
}

}  // namespace
}  // namespace hubspoke
