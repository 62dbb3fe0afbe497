#include "hubspoke/credentials_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "core/time.h"
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
    port_ = std::stoi(url.substr(17, url.size() - 17 - 12));
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
  const std::string& token = server_->token().reveal();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << "hex only";
  auto other = CredentialsServer::Start(provider_, log_);
  ASSERT_TRUE(other);
  EXPECT_NE((*other)->token().reveal(), token);
  EXPECT_NE((*other)->url(), server_->url()) << "a port of its own";
}

TEST_F(CredentialsServerTest, ServesTheProvidersCredentialsAsTheContainerProtocolDoes) {
  auto r = Get("/credentials", server_->token().reveal());
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
  auto again = Get("/credentials", server_->token().reveal());
  ASSERT_TRUE(again);
  EXPECT_EQ(nlohmann::json::parse(again->body).at("AccessKeyId"), "ASIATESTTESTTEST0002");
  EXPECT_EQ(server_->served(), 2u);
  ExpectNoSecretInLog();
}

TEST_F(CredentialsServerTest, RefusesRequestsWithoutTheToken) {
  const std::string token = server_->token().reveal();
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
  const std::string token = server_->token().reveal();
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
  auto r = Get("/credentials", server_->token().reveal());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  auto body = nlohmann::json::parse(r->body);
  EXPECT_EQ(body.at("code"), "CredentialsUnavailable");
  EXPECT_NE(body.at("message").get<std::string>().find("STS unreachable"), std::string::npos);
  EXPECT_NE(log_.text().find("STS unreachable"), std::string::npos) << log_.text();
  EXPECT_EQ(server_->served(), 0u);
}

TEST_F(CredentialsServerTest, NothingListensAfterStop) {
  server_->Stop();
  server_->Stop();  // idempotent
  auto r = Get("/credentials", server_->token().reveal());
  EXPECT_FALSE(r) << "status " << (r ? r->status : 0);
}

}  // namespace
}  // namespace hubspoke
