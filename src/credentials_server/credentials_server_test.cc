// ctest-label: threads
#include "hubspoke/credentials_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "http_server/server_test_client.h"
#include "testing/fake_sts.h"

namespace hubspoke {
namespace {

constexpr char kSecret[] = "credentials-server-test-secret-key-0001";
constexpr char kToken[] = "credentials-server-test-session-token-0001";

// Hands out numbered credentials, or fails when told to.
class CountingProvider final : public CredentialsProvider {
 public:
  Result<Credentials> GetCredentials() override {
    if (fail) return Error(ErrorCode::kNetwork, "hub hop arn:aws:iam::1:role/h: STS unreachable");
    int n = ++calls;
    Credentials c;
    c.access_key_id = "ASIATESTTESTTEST000" + std::to_string(n % 10);
    c.secret_access_key = SecretString(kSecret);
    c.session_token = SecretString(kToken);
    c.expiration = *ParseTimestamp("2030-01-02T03:04:05Z");
    return c;
  }
  std::string Describe() const override { return "counting test provider"; }

  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
};

int PortOf(const CredentialsServer& server) {
  const std::string& url = server.url();  // http://127.0.0.1:PORT/credentials
  return std::stoi(url.substr(17, url.size() - 17 - 12));
}

class CredentialsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_ = std::make_shared<CountingProvider>();
    auto server = CredentialsServer::Start(provider_, log_);
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(*server);
    // http://127.0.0.1:PORT/credentials
    const std::string& url = server_->url();
    ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
    ASSERT_EQ(url.substr(url.size() - 12), "/credentials") << url;
    port_ = PortOf(*server_);
  }

  httplib::Result Get(const std::string& path, const std::string& authorization) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    httplib::Headers headers;
    if (!authorization.empty()) headers.emplace("Authorization", authorization);
    return client.Get(path, headers);
  }

  void ExpectNoSecretInLog() {
    const std::string text = log_.text();
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
    EXPECT_EQ(text.find(server_->token().reveal()), std::string::npos) << text;
  }

  hubspoke::testing::CapturingLogger log_;
  std::shared_ptr<CountingProvider> provider_;
  std::unique_ptr<CredentialsServer> server_;
  int port_ = 0;
};

TEST_F(CredentialsServerTest, TokenIsLongAndRandom) {
  const std::string token(server_->token().reveal());
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << "hex only";
  auto other = CredentialsServer::Start(provider_, log_);
  ASSERT_TRUE(other);
  EXPECT_NE((*other)->token().reveal(), token);
  EXPECT_NE((*other)->url(), server_->url()) << "a port of its own";
}

TEST_F(CredentialsServerTest, ServesTheProvidersCredentialsAsTheContainerProtocolDoes) {
  auto r = Get("/credentials", std::string(server_->token().reveal()));
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  auto body = nlohmann::json::parse(r->body);
  EXPECT_EQ(body.at("AccessKeyId"), "ASIATESTTESTTEST0001");
  EXPECT_EQ(body.at("SecretAccessKey"), kSecret);
  EXPECT_EQ(body.at("Token"), kToken);
  EXPECT_EQ(body.at("Expiration"), "2030-01-02T03:04:05Z");
  // Every request asks the provider again: freshness is the provider's (caching) business.
  auto again = Get("/credentials", std::string(server_->token().reveal()));
  ASSERT_TRUE(again);
  EXPECT_EQ(nlohmann::json::parse(again->body).at("AccessKeyId"), "ASIATESTTESTTEST0002");
  EXPECT_EQ(server_->served(), 2u);
  ExpectNoSecretInLog();
}

TEST_F(CredentialsServerTest, RefusesRequestsWithoutTheToken) {
  const std::string token(server_->token().reveal());
  for (const std::string& sent :
       {std::string(), std::string("wrong"), token.substr(0, 63), token + "0",
        "Bearer " + token}) {
    auto r = Get("/credentials", sent);
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 401) << "Authorization: " << sent.size() << " bytes";
    EXPECT_EQ(r->body.find(kSecret), std::string::npos);
  }
  EXPECT_EQ(provider_->calls.load(), 0) << "the provider is never asked without the token";
  EXPECT_NE(log_.text().find("without the authorization token"), std::string::npos);
  ExpectNoSecretInLog();
}

TEST_F(CredentialsServerTest, ServesNothingElse) {
  const std::string token(server_->token().reveal());
  for (const char* path : {"/", "/credentials/", "/latest/meta-data/", "/credentials/../x"}) {
    auto r = Get(path, token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
  httplib::Client client("127.0.0.1", port_);
  auto post = client.Post("/credentials", httplib::Headers{{"Authorization", token}}, "x",
                          "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  auto unauthenticated_post = client.Post("/credentials", "x", "text/plain");
  ASSERT_TRUE(unauthenticated_post);
  EXPECT_EQ(unauthenticated_post->status, 401) << "the token is checked before the method";
  EXPECT_EQ(provider_->calls.load(), 0);
}

TEST_F(CredentialsServerTest, ProviderFailureIsA503WithItsMessage) {
  provider_->fail = true;
  auto r = Get("/credentials", std::string(server_->token().reveal()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  auto body = nlohmann::json::parse(r->body);
  EXPECT_EQ(body.at("code"), "CredentialsUnavailable");
  EXPECT_NE(body.at("message").get<std::string>().find("STS unreachable"), std::string::npos);
  EXPECT_NE(log_.text().find("STS unreachable"), std::string::npos) << log_.text();
  EXPECT_EQ(server_->served(), 0u);
}

// Issue 11: a local user holding idle connections without the token must not lock out the
// child. Such connections are cut after untrusted_timeout; the child's live to the normal ones.
TEST_F(CredentialsServerTest, ConnectionsWithoutTheTokenAreCutAfterTheUntrustedTimeout) {
  using server_test::RawClient;
  using std::chrono::milliseconds;
  // Without defer_accept, so that the silent connection is accepted at once.
  auto server = CredentialsServer::Start(
      provider_, log_,
      CredentialsServerOptions{.untrusted_timeout = milliseconds(300),
                               .defer_accept = std::chrono::seconds(0)});
  ASSERT_TRUE(server) << server.error().message();
  const auto port = static_cast<uint16_t>(PortOf(**server));
  const std::string authorized =
      server_test::Get("/credentials", "Authorization: " + std::string((*server)->token().reveal()) + "\r\n");
  const auto start = server_test::TestClock::now();
  RawClient silent(port);
  RawClient refused(port);  // a wrong token earns nothing either
  ASSERT_TRUE(refused.Send(server_test::Get("/credentials", "Authorization: wrong\r\n")));
  RawClient child(port);
  ASSERT_TRUE(child.Send(authorized));
  std::optional<server_test::RawResponse> first = child.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);

  EXPECT_TRUE(silent.WaitClosed(milliseconds(3000)));
  std::optional<server_test::RawResponse> denied = refused.ReadResponse();
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_TRUE(refused.WaitClosed(milliseconds(3000)));
  EXPECT_LT(server_test::Since(start), milliseconds(2000)) << "not the 5 s request timeout";
  // The child's kept-alive connection outlives them by far.
  EXPECT_FALSE(child.WaitClosed(milliseconds(700)));
  ASSERT_TRUE(child.Send(authorized));
  std::optional<server_test::RawResponse> second = child.ReadResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  ExpectNoSecretInLog();
}

// By default a silent connection is not even accepted until defer_accept (3 s) has passed,
// then it is cut after the untrusted timeout; requests that have arrived are answered at once.
TEST_F(CredentialsServerTest, SilentConnectionsAreAcceptedOnlyAfterTheDeferPeriod) {
  using server_test::RawClient;
  using std::chrono::milliseconds;
  auto server = CredentialsServer::Start(
      provider_, log_, CredentialsServerOptions{.untrusted_timeout = milliseconds(300)});
  ASSERT_TRUE(server) << server.error().message();
  const auto port = static_cast<uint16_t>(PortOf(**server));
  const auto start = server_test::TestClock::now();
  RawClient silent(port);
  ASSERT_TRUE(silent.connected());
  RawClient refused(port);
  ASSERT_TRUE(refused.Send(server_test::Get("/credentials", "Authorization: wrong\r\n")));
  std::optional<server_test::RawResponse> denied = refused.ReadResponse();
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_LT(server_test::Since(start), milliseconds(1000)) << "answered at once";
  EXPECT_TRUE(silent.WaitClosed(milliseconds(8000)));
  EXPECT_GE(server_test::Since(start), milliseconds(2500)) << "not before the defer period";
  ExpectNoSecretInLog();
}

// The second line of defence, without defer_accept: idle connections accepted at once, churned
// by eviction, and still the child is served every time.
TEST_F(CredentialsServerTest, TwoHundredIdleConnectionsWithoutTheTokenDoNotLockOutTheChild) {
  using std::chrono::milliseconds;
  auto server = CredentialsServer::Start(
      provider_, log_, CredentialsServerOptions{.defer_accept = std::chrono::seconds(0)});
  ASSERT_TRUE(server) << server.error().message();
  server_ = std::move(*server);
  port_ = PortOf(*server_);
  server_test::IdleAttacker attacker(static_cast<uint16_t>(port_), 200);
  ASSERT_EQ(attacker.held(), 200u);
  int tries = 0;
  std::vector<std::string> failures;
  const auto start = server_test::TestClock::now();
  while (server_test::Since(start) < milliseconds(3000)) {
    ++tries;
    auto r = Get("/credentials", std::string(server_->token().reveal()));
    if ((!r || r->status != 200) && failures.size() < 5) {
      failures.push_back(r ? "status " + std::to_string(r->status)
                           : httplib::to_string(r.error()));
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_GE(tries, 10);
  EXPECT_EQ(server_->served(), static_cast<uint64_t>(tries)) << ::testing::PrintToString(failures);
  EXPECT_GT(attacker.reopened(), 0u) << "the attacker was fighting for the slots";
  ExpectNoSecretInLog();
}

TEST_F(CredentialsServerTest, NothingListensAfterStop) {
  server_->Stop();
  server_->Stop();  // idempotent
  auto r = Get("/credentials", std::string(server_->token().reveal()));
  EXPECT_FALSE(r) << "status " << (r ? r->status : 0);
}

}  // namespace
}  // namespace hubspoke
