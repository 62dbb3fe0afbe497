// ctest-label: threads
// --sts-latency on the wire: the delay is the HTTP server's non-blocking fault delay, so many
// concurrent STS requests wait it out together instead of queueing behind busy worker threads;
// Organizations requests are not delayed.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "http_server/server_test_client.h"
#include "lab/lab_testing.h"

namespace hubspoke::lab {
namespace {

using std::chrono::milliseconds;

std::string Wire(const ServerRequest& r) {
  std::string out = r.method + " " + r.target + " HTTP/1.1\r\n";
  for (const HttpHeader& h : r.headers) out += h.name + ": " + h.value + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  return out;
}

TEST(LabStsLatency, SixtyFourConcurrentRequestsWaitTheLatencyOnceNotInTurn) {
  constexpr milliseconds kLatency{100};
  constexpr int kClients = 64;
  testing::LabServer lab(iam::BuiltinModel(), ServerOptions{},
                         StsServiceOptions{.seed = 7, .sts_latency = kLatency});
  const std::string request = Wire(testing::SignedRequest(
      testing::BuiltinUserCredentials(), {{"Action", "GetCallerIdentity"}}, lab.clock().Now()));
  std::vector<std::unique_ptr<server_test::RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<server_test::RawClient>(lab.port()));
    ASSERT_TRUE(clients.back()->connected());
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto& c : clients) ASSERT_TRUE(c->Send(request));
  for (auto& c : clients) {
    auto r = c->ReadResponse(milliseconds(10000));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, kLatency);
  // Two worker threads blocking for the latency would take 64 × 100 ms / 2 = 3.2 s; the
  // non-blocking delay takes the latency plus the work, well under a second even under load.
  EXPECT_LT(took, milliseconds(1000)) << std::chrono::duration_cast<milliseconds>(took).count();

  // Organizations requests are not STS: no latency.
  server_test::RawClient org(lab.port());
  const auto org_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(org.Send(Wire(testing::SignedOrganizationsRequest(
      testing::BuiltinUserCredentials(), "DescribeOrganization", "{}", lab.clock().Now()))));
  auto r = org.ReadResponse(milliseconds(10000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;  // the user may not describe (no organizations policy)
  EXPECT_LT(std::chrono::steady_clock::now() - org_start, kLatency);
}

}  // namespace
}  // namespace hubspoke::lab
