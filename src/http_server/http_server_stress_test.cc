// ctest-label: threads
// The server under load and under attack: seeded random/mutated requests, many concurrent
// kept-alive clients, and a throughput smoke check (printed, not asserted).
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/http.h"
#include "http_server/http_server.h"
#include "http_server/server_test_client.h"

namespace hubspoke {
namespace {

using namespace server_test;  // the shared client and helpers (server_test_client.h)
using std::chrono::milliseconds;

// Well-formed requests the mutations start from.
std::vector<std::string> Seeds() {
  return {
      Get("/"),
      Get("/a/b?c=d&e=%20f", "Accept: */*\r\nX-Amz-Date: 20240101T000000Z\r\n"),
      Post("/", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr",
           "Content-Type: application/x-www-form-urlencoded\r\n"),
      "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;x=y\r\nhello\r\n3\r\nabc\r\n0\r\nTrailer: v\r\n\r\n",
      "PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nxyz",
      "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "HEAD /h HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
      Get("/1") + Post("/2", "two") + Get("/3", "Connection: close\r\n"),
  };
}

std::string Mutate(std::string s, std::mt19937& rng) {
  auto pick = [&](size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  static const std::vector<std::string> kTokens = {"\r\n",
                                                   "\n",
                                                   "\r",
                                                   " ",
                                                   "\t",
                                                   ":",
                                                   "\0",
                                                   "\xff",
                                                   "0",
                                                   "-1",
                                                   "ffffffffffffffffffff",
                                                   "Content-Length: 5\r\n",
                                                   "Transfer-Encoding: chunked\r\n",
                                                   "Host: x\r\n",
                                                   "\r\n\r\n",
                                                   "HTTP/1.1",
                                                   "http://x/",
                                                   "%00",
                                                   "Expect: 100-continue\r\n",
                                                   "Connection: close\r\n"};
  const int rounds = 1 + static_cast<int>(pick(4));
  for (int round = 0; round < rounds; ++round) {
    switch (pick(8)) {
      case 0:  // flip a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256));
        break;
      case 1: {  // insert a token
        std::string token = kTokens[pick(kTokens.size())];
        if (token.empty()) token.assign(1, '\0');
        s.insert(pick(s.size() + 1), token);
        break;
      }
      case 2: {  // delete a range
        const size_t at = pick(s.size() + 1);
        s.erase(at, pick(16));
        break;
      }
      case 3: {  // duplicate a range
        const size_t at = pick(s.size() + 1);
        const std::string range = s.substr(at, pick(64));
        s.insert(pick(s.size() + 1), range);
        break;
      }
      case 4:  // truncate
        s.resize(pick(s.size() + 1));
        break;
      case 5: {  // random bytes
        std::string junk(pick(200), '\0');
        for (char& c : junk) c = static_cast<char>(pick(256));
        s.insert(pick(s.size() + 1), junk);
        break;
      }
      case 6:  // a huge header
        s.insert(std::min(s.size(), s.find("\r\n") + 2),
                 "X: " + std::string(pick(20000), 'a') + "\r\n");
        break;
      default:  // change digits (lengths, chunk sizes)
        for (char& c : s) {
          if (c >= '0' && c <= '9' && pick(3) == 0) c = static_cast<char>('0' + pick(10));
        }
        break;
    }
  }
  return s;
}

TEST(HttpServerStress, FuzzedRequestsAreAnsweredOrClosedAndTheServerStaysHealthy) {
  ServerOptions options = TestOptions();
  options.header_timeout = milliseconds(150);
  options.body_timeout = milliseconds(150);
  options.idle_timeout = milliseconds(150);
  options.max_header_bytes = 4096;
  options.max_body_bytes = 64 * 1024;
  auto server = StartOrDie(options, EchoHandler);
  ASSERT_NE(server, nullptr);
  const std::vector<std::string> seeds = Seeds();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 250;  // 2,000 in all
  std::atomic<int> not_closed{0}, not_http{0}, answered{0}, silent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(20240601u + static_cast<unsigned>(t));
      for (int i = 0; i < kPerThread; ++i) {
        std::string wire = seeds[rng() % seeds.size()];
        if (rng() % 10 != 0) wire = Mutate(std::move(wire), rng);  // a tenth stay valid
        RawClient client(server->port());
        if (!client.connected()) {
          ++not_closed;
          continue;
        }
        // Random split points exercise the incremental parser across reads.
        size_t sent = 0;
        while (sent < wire.size()) {
          const size_t n = std::min(wire.size() - sent, 1 + static_cast<size_t>(rng() % 700));
          if (!client.Send(std::string_view(wire).substr(sent, n))) break;
          sent += n;
        }
        // Most clients then half-close; the rest just go quiet and meet the timeouts.
        if (rng() % 25 != 0) client.ShutdownWrite();
        std::string received;
        if (!client.WaitClosed(milliseconds(3000), &received)) ++not_closed;
        if (received.empty()) {
          ++silent;
        } else if (!received.starts_with("HTTP/1.1 ")) {
          ++not_http;
        } else {
          ++answered;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(not_closed.load(), 0);
  EXPECT_EQ(not_http.load(), 0);
  EXPECT_GT(answered.load(), 1000);
  std::printf("[ fuzz     ] 2000 requests: %d answered, %d closed silently\n", answered.load(),
              silent.load());

  auto client = MakeHttpClient({});
  Result<HttpResponse> healthy =
      client->Send(HttpRequest{.method = "POST", .url = server->url() + "/ok", .body = "fine"});
  ASSERT_TRUE(healthy) << healthy.error().message();
  EXPECT_EQ(healthy->body, "POST /ok\nfine");
}

TEST(HttpServerStress, ThirtyTwoKeptAliveClientsConcurrently) {
  std::atomic<int> in_flight{0}, max_in_flight{0}, calls{0};
  auto server = StartOrDie(TestOptions(), [&](const ServerRequest& r) {
    ++calls;
    const int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    // Until two calls have overlapped once, hold briefly so that they can (bounded).
    const TestClock::time_point start = TestClock::now();
    while (max_in_flight.load() < 2 && Since(start) < milliseconds(50)) std::this_thread::yield();
    --in_flight;
    std::string reversed(r.body.rbegin(), r.body.rend());
    return ServerResponse{.headers = {{"X-Peer", r.peer}}, .body = reversed};
  });
  ASSERT_NE(server, nullptr);
  constexpr int kClients = 32;
  constexpr int kRequests = 200;
  std::atomic<int> ok{0}, wrong{0}, multi_connection{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      auto client = MakeHttpClient({});
      std::set<std::string> peers;
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = "client-" + std::to_string(t) + "-request-" + std::to_string(i);
        Result<HttpResponse> r =
            client->Send(HttpRequest{.method = "POST", .url = server->url() + "/", .body = body});
        if (r && r->status == 200 && r->body == std::string(body.rbegin(), body.rend())) {
          ++ok;
          peers.insert(*FindHeader(r->headers, "x-peer"));
        } else {
          ++wrong;
        }
      }
      if (peers.size() != 1) ++multi_connection;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(multi_connection.load(), 0);  // each client kept one connection alive throughout
  EXPECT_EQ(calls.load(), kClients * kRequests);
  EXPECT_GE(max_in_flight.load(), 2);  // the handler really ran concurrently
}

// Not a timed assertion: prints requests/s and latency percentiles for the log. Closed loop:
// every connection keeps `pipeline` requests in flight and sends the next ones as soon as its
// responses are in; each client thread polls its connections. The clients share the machine's
// cores with the server, so these numbers understate the server.
TEST(HttpServerStress, ThroughputSmoke) {
  auto server = StartOrDie(TestOptions(), [](const ServerRequest&) {
    return ServerResponse{.headers = {{"Content-Type", "text/xml"}},
                          .body = "<AssumeRoleResponse>…</AssumeRoleResponse>"};
  });
  ASSERT_NE(server, nullptr);
  const std::string request = Post("/", "Action=AssumeRole&Version=2011-06-15");
  struct Run {
    const char* name;
    int threads, connections_per_thread, pipeline;
  };
  for (const Run& run : {Run{"64 kept-alive connections, 1 request in flight each", 2, 32, 1},
                         Run{"8 kept-alive connections, 16 pipelined requests each", 2, 4, 16}}) {
    std::atomic<long> total{0};
    std::atomic<bool> failed{false};
    std::vector<std::vector<double>> latencies(static_cast<size_t>(run.threads));
    const milliseconds duration(600);
    std::vector<std::thread> threads;
    const TestClock::time_point start = TestClock::now();
    for (int t = 0; t < run.threads; ++t) {
      threads.emplace_back([&, t] {
        std::string burst;
        for (int p = 0; p < run.pipeline; ++p) burst += request;
        std::vector<std::unique_ptr<RawClient>> conns;
        std::vector<pollfd> fds;
        std::vector<TestClock::time_point> sent_at;
        for (int c = 0; c < run.connections_per_thread; ++c) {
          conns.push_back(std::make_unique<RawClient>(server->port()));
          fds.push_back(pollfd{.fd = conns.back()->fd(), .events = POLLIN, .revents = 0});
          sent_at.push_back(TestClock::now());
          if (!conns.back()->Send(burst)) failed = true;
        }
        std::vector<double>& lat = latencies[static_cast<size_t>(t)];
        while (Since(start) < duration && !failed) {
          if (::poll(fds.data(), fds.size(), 1000) <= 0) {
            failed = true;
            break;
          }
          for (size_t c = 0; c < conns.size(); ++c) {
            if (fds[c].revents == 0) continue;
            for (int p = 0; p < run.pipeline; ++p) {
              std::optional<RawResponse> r = conns[c]->ReadResponse();
              if (!r || r->status != 200) failed = true;
            }
            const TestClock::time_point now = TestClock::now();
            lat.push_back(std::chrono::duration<double, std::micro>(now - sent_at[c]).count());
            total += run.pipeline;
            sent_at[c] = now;
            if (!conns[c]->Send(burst)) failed = true;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    const double seconds = std::chrono::duration<double>(TestClock::now() - start).count();
    EXPECT_FALSE(failed.load());
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    const auto percentile = [&](double p) {
      return all.empty() ? 0.0
                         : all[std::min(all.size() - 1,
                                        static_cast<size_t>(p * static_cast<double>(all.size())))];
    };
    std::printf("[ throughput ] %s: %.0f requests/s (latency p50 %.2f ms, p99 %.2f ms)\n", run.name,
                static_cast<double>(total.load()) / seconds, percentile(0.50) / 1000,
                percentile(0.99) / 1000);
  }
}

}  // namespace
}  // namespace hubspoke
