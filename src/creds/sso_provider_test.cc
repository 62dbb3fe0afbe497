// ctest-label: threads
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/sha.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <atomic>
#include <vector>

#include "testing/fake_process_runner.h"
#include "core/hex.h"
#include "core/time.h"
#include "hubspoke/credential_sources.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"

namespace hubspoke {
namespace {

constexpr char kAccessToken[] = "ssoAccessToken-aoaAAAAAGbdEXAMPLE";
constexpr char kRefreshToken[] = "ssoRefreshToken-Aorvzzz-EXAMPLE";
constexpr char kClientSecret[] = "ssoClientSecret-eyJraWQiOiJrZXktEXAMPLE";
constexpr char kRoleSecret[] = "ssoRoleSecret/wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLE";
constexpr char kRoleToken[] = "ssoRoleToken/IQoJb3JpZ2luX2VjEXAMPLE";
constexpr char kStartUrl[] = "https://d-abc123example.awsapps.com/start";

// The cache file name, computed with OpenSSL (independently of crypto/sha1.cc).
std::string CacheName(const std::string& key) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest)) +
         ".json";
}

// An httplib server on 127.0.0.1 in a thread of its own, stopped with the object: the plumbing of
// the two fakes below, which add their routes to server_ and then call Start().
class LoopbackServer {
 public:
  ~LoopbackServer() { Stop(); }
  std::string url() const { return url_; }
  // A fake calls it from its own destructor: its handlers use its members, which are gone by
  // the time this base's destructor runs.
  void Stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

 protected:
  void Start() {
    int port = server_.bind_to_any_port("127.0.0.1");
    url_ = "http://127.0.0.1:" + std::to_string(port);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 2000 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  httplib::Server server_;

 private:
  std::thread thread_;
  std::string url_;
};

struct PortalReply {
  int status;
  std::string error_type;  // x-amzn-ErrorType
  std::string body;
};

// A loopback SSO portal: GetRoleCredentials checks the bearer header and the query and answers
// with scripted replies first, then with role credentials.
class FakePortal : public LoopbackServer {
 public:
  ~FakePortal() { Stop(); }
  FakePortal() {
    server_.Get("/federation/credentials", [this](const httplib::Request& req,
                                                  httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_;
      last_query_ = "account_id=" + req.get_param_value("account_id") +
                    "&role_name=" + req.get_param_value("role_name");
      res.set_header("x-amzn-RequestId", "portal-req-" + std::to_string(calls_));
      if (!replies_.empty()) {
        PortalReply r = replies_.front();
        replies_.pop_front();
        res.status = r.status;
        if (!r.error_type.empty()) res.set_header("x-amzn-ErrorType", r.error_type);
        res.set_content(r.body, "application/json");
        return;
      }
      if (req.get_header_value("x-amz-sso_bearer_token") != kAccessToken) {
        res.status = 401;
        res.set_header("x-amzn-ErrorType", "UnauthorizedException:http://internal.amazon.com/");
        res.set_content(R"({"message":"Session token not found or invalid"})", "application/json");
        return;
      }
      if (req.get_param_value("account_id") != "123456789012" ||
          req.get_param_value("role_name") != "ReadOnly") {
        res.status = 403;
        res.set_header("x-amzn-ErrorType", "ForbiddenException:http://internal.amazon.com/");
        res.set_content(R"({"message":"No access"})", "application/json");
        return;
      }
      res.set_content(std::string(R"({"roleCredentials":{"accessKeyId":"ASIASSOEXAMPLE000001",)") +
                          R"("secretAccessKey":")" + kRoleSecret + R"(","sessionToken":")" +
                          kRoleToken + R"(","expiration":4071006245000}})",
                      "application/json");
    });
    Start();
  }
  void Reply(PortalReply r) {
    std::lock_guard<std::mutex> lock(mu_);
    replies_.push_back(std::move(r));
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::string last_query() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_query_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<PortalReply> replies_;
  int calls_ = 0;
  std::string last_query_;
};

constexpr char kOldAccessToken[] = "ssoOldAccessToken-expired-EXAMPLE";
constexpr char kNewRefreshToken[] = "ssoRefreshToken-rotated-EXAMPLE";

// A loopback SSO-OIDC: CreateToken with the refresh grant answers kAccessToken (the token the
// portal accepts) for the known client and refresh token, else 400 invalid_grant.
class FakeOidc : public LoopbackServer {
 public:
  ~FakeOidc() { Stop(); }
  FakeOidc() {
    server_.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_;
      auto body = nlohmann::json::parse(req.body, nullptr, false);
      const bool ok = body.is_object() && body.value("grantType", "") == "refresh_token" &&
                      body.value("clientId", "") == "client-id" &&
                      body.value("clientSecret", "") == kClientSecret &&
                      body.value("refreshToken", "") == kRefreshToken &&
                      req.get_header_value("Authorization").empty();
      if (!ok) {
        res.status = 400;
        res.set_content(R"({"error":"invalid_grant","error_description":"Invalid refresh token"})",
                        "application/json");
        return;
      }
      res.set_content(std::string(R"({"accessToken":")") + kAccessToken +
                          R"(","expiresIn":28800,"refreshToken":")" + kNewRefreshToken +
                          R"(","tokenType":"Bearer"})",
                      "application/json");
    });
    Start();
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  int calls_ = 0;
};

class SsoProviderTest : public ::testing::Test {
 protected:
  SsoProviderTest() : home_("/home/tester"), cache_(home_ + "/.aws/sso/cache") {
    files_.AddDirectory(cache_, 0700);
    env_ = MakeMapEnvironment({{"HOME", home_}});
    sys_ = std::make_unique<SystemContext>(
        SystemContext{clock_, *env_, *http_, log_, random_, files_, processes_});
  }

  // A token as `aws sso login` caches it for an sso-session (with the refresh material).
  void CacheToken(const std::string& key, const std::string& expires_at,
                  const char* access_token = kAccessToken) {
    files_.AddFile(cache_ + "/" + CacheName(key),
                   std::string(R"({"startUrl":")") + kStartUrl +
                       R"(","region":"eu-west-1","accessToken":")" + access_token +
                       R"(","expiresAt":")" + expires_at + R"(","clientId":"client-id",)" +
                       R"("clientSecret":")" + kClientSecret + R"(","registrationExpiresAt":)" +
                       R"("2099-01-01T00:00:00Z","refreshToken":")" + kRefreshToken + R"("})");
  }
  SsoProviderOptions Options() {
    return SsoProviderOptions{.profile_name = "dev",
                              .sso_session_name = "my-sso",
                              .start_url = kStartUrl,
                              .sso_region = "eu-west-1",
                              .account_id = "123456789012",
                              .role_name = "ReadOnly",
                              .portal_endpoint = portal_.url(),
                              .oidc_endpoint = oidc_.url()};
  }
  Result<Credentials> Get(SsoProviderOptions options) {
    auto r = MakeSsoCredentialsProvider(*sys_, std::move(options))->GetCredentials();
    std::string text = log_.text();
    if (!r) text += r.error().ToString();
    for (const char* secret : {kAccessToken, kRefreshToken, kClientSecret, kRoleSecret,
                               kRoleToken, kOldAccessToken, kNewRefreshToken}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << text;
    }
    return r;
  }

  FakePortal portal_;
  FakeOidc oidc_;
  std::string home_;
  std::string cache_;
  testing::FakeClock clock_;
  testing::CapturingLogger log_;
  testing::MaxRandom random_;
  testing::MemoryFileSystem files_;
  testing::FakeProcessRunner processes_;
  std::unique_ptr<HttpTransport> http_ = MakeHttpClient({});
  std::unique_ptr<Environment> env_;
  std::unique_ptr<SystemContext> sys_;
};

// Legacy profiles, missing and expired tokens, the portal's 401/403 and retries are scenarios:
// tests/scenarios/credentials/sso_*.
TEST_F(SsoProviderTest, SsoSessionTokenFromTheDefaultCacheDir) {
  CacheToken("my-sso", "2099-01-01T00:00:00Z");
  auto provider = MakeSsoCredentialsProvider(*sys_, Options());
  EXPECT_EQ(provider->Describe(),
            "IAM Identity Center (profile dev, role ReadOnly in 123456789012)");
  auto c = Get(Options());
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ASIASSOEXAMPLE000001");
  EXPECT_EQ(c->secret_access_key.reveal(), kRoleSecret);
  EXPECT_EQ(c->session_token.reveal(), kRoleToken);
  ASSERT_TRUE(c->expiration.has_value());
  // expiration is epoch milliseconds.
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::seconds>(c->expiration->time_since_epoch()).count(),
      4071006245);
  EXPECT_EQ(portal_.calls(), 1);
  EXPECT_EQ(portal_.last_query(), "account_id=123456789012&role_name=ReadOnly");
}

// A FIFO is refused (the real FileSystem's tests show a FIFO without a writer does not hang the
// read); a directory is not a missing token.
TEST_F(SsoProviderTest, CacheFileMustBeARegularFile) {
  const std::string path = cache_ + "/" + CacheName("my-sso");
  files_.AddFifo(path);
  auto fifo = Get(Options());
  ASSERT_FALSE(fifo.has_value());
  EXPECT_EQ(fifo.error().code(), ErrorCode::kMisconfigured);
  EXPECT_EQ(fifo.error().message(),
            "profile dev: the cached SSO token for session my-sso: cannot read '" + path +
                "': is a FIFO (a regular file is required)");
  files_.AddDirectory(path);
  auto dir = Get(Options());
  ASSERT_FALSE(dir.has_value());
  EXPECT_NE(dir.error().message().find("': is a directory (a regular file is required)"),
            std::string::npos)
      << dir.error().message();
  EXPECT_EQ(portal_.calls(), 0);
}

TEST_F(SsoProviderTest, BadCacheFilesAndResponses) {
  files_.AddFile(cache_ + "/" + CacheName("my-sso"), std::string("{not json ") + kAccessToken);
  auto bad = Get(Options());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(bad.error().message().find("is not a JSON object"), std::string::npos);
  CacheToken("my-sso", "2099-01-01T00:00:00Z");
  portal_.Reply({200, "",
                 std::string(R"({"roleCredentials":{"accessKeyId":"ASIAX",)") +
                     R"("secretAccessKey":")" + kRoleSecret + R"("}})"});
  auto partial = Get(Options());
  ASSERT_FALSE(partial.has_value());
  EXPECT_EQ(partial.error().code(), ErrorCode::kParse);
  EXPECT_NE(partial.error().message().find("has no sessionToken"), std::string::npos);
  SsoProviderOptions no_region = Options();
  no_region.sso_region.clear();
  EXPECT_NE(Get(no_region).error().message().find("profile dev: sso_region is not set"),
            std::string::npos);
}

// botocore's SSOTokenProvider: an expired access token with a valid refresh token is refreshed
// (CreateToken once), the cache file rewritten; the next run uses it without a CreateToken.
TEST_F(SsoProviderTest, ExpiredTokenIsRefreshedOnceAndTheCacheRewritten) {
  CacheToken("my-sso", FormatRfc3339(clock_.Now() - std::chrono::hours(1)), kOldAccessToken);
  const std::string path = cache_ + "/" + CacheName("my-sso");
  auto c = Get(Options());
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ASIASSOEXAMPLE000001");
  EXPECT_EQ(oidc_.calls(), 1);
  auto j = nlohmann::json::parse(*files_.Content(path));
  EXPECT_EQ(j["accessToken"], kAccessToken);
  EXPECT_EQ(j["refreshToken"], kNewRefreshToken);
  EXPECT_EQ(j["clientId"], "client-id");
  EXPECT_EQ(j["startUrl"], kStartUrl);
  auto expires = ParseTimestamp(j["expiresAt"].get<std::string>());
  ASSERT_TRUE(expires.has_value());
  EXPECT_EQ(*expires, clock_.Now() + std::chrono::seconds(28800));
  ASSERT_TRUE(Get(Options()).has_value());
  EXPECT_EQ(oidc_.calls(), 1);
  EXPECT_EQ(portal_.calls(), 2);
}

TEST_F(SsoProviderTest, ConcurrentCallersRefreshOnce) {
  CacheToken("my-sso", FormatRfc3339(clock_.Now() - std::chrono::minutes(1)), kOldAccessToken);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    // One HTTP client per thread, as each process (or each refreshing provider, through its
    // TransportPool) has its own: an HttpClient is not shared between threads.
    threads.emplace_back([&] {
      std::unique_ptr<HttpTransport> http = MakeHttpClient({});
      SystemContext sys{clock_, *env_, *http, log_, random_, files_, processes_};
      if (MakeSsoCredentialsProvider(sys, Options())->GetCredentials()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(oidc_.calls(), 1);
}

TEST_F(SsoProviderTest, RejectedRefreshAsksForLoginAndLeavesTheCache) {
  // The refresh token the OIDC service does not know (expired or revoked).
  const std::string path = cache_ + "/" + CacheName("my-sso");
  CacheToken("my-sso", FormatRfc3339(clock_.Now() - std::chrono::hours(1)), kOldAccessToken);
  std::string text = *files_.Content(path);
  text.replace(text.find(kRefreshToken), std::string(kRefreshToken).size(), "revoked-token");
  files_.AddFile(path, text);
  auto r = Get(Options());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(r.error().ToString().find("invalid_grant"), std::string::npos) << r.error().ToString();
  EXPECT_NE(r.error().ToString().find("run `aws sso login --sso-session my-sso`"),
            std::string::npos)
      << r.error().ToString();
  EXPECT_EQ(*files_.Content(path), text);
  EXPECT_EQ(portal_.calls(), 0);
  // Still valid but inside the window: the failed refresh keeps the cached token.
  CacheToken("my-sso", FormatRfc3339(clock_.Now() + std::chrono::minutes(5)));
  text = *files_.Content(path);
  text.replace(text.find(kRefreshToken), std::string(kRefreshToken).size(), "revoked-token");
  files_.AddFile(path, text);
  ASSERT_TRUE(Get(Options()).has_value());
  EXPECT_EQ(*files_.Content(path), text);
}

TEST_F(SsoProviderTest, LegacyProfilesAndSymlinkedCachesAreNotRefreshed) {
  SsoProviderOptions legacy = Options();
  legacy.sso_session_name.clear();
  CacheToken(kStartUrl, FormatRfc3339(clock_.Now() - std::chrono::hours(1)), kOldAccessToken);
  auto r = Get(legacy);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().ToString().find("run `aws sso login --profile dev`"), std::string::npos);
  CacheToken("elsewhere", FormatRfc3339(clock_.Now() - std::chrono::hours(1)), kOldAccessToken);
  files_.AddSymlink(cache_ + "/" + CacheName("my-sso"), cache_ + "/" + CacheName("elsewhere"));
  auto link = Get(Options());
  ASSERT_FALSE(link.has_value());
  EXPECT_NE(link.error().message().find("not a regular file"), std::string::npos)
      << link.error().message();
  EXPECT_EQ(oidc_.calls(), 0);
}

}  // namespace
}  // namespace hubspoke
