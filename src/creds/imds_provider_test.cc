// ctest-label: threads
// The IMDS provider against a scripted instance metadata service on 127.0.0.1 (a raw loopback
// server, so it can misbehave), the real HTTP client, and a clock the test moves.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "testing/fake_process_runner.h"
#include "core/time.h"
#include "http/test_server.h"
#include "hubspoke/credential_sources.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"

namespace hubspoke {
namespace {

using http_test::LoopbackServer;
using http_test::ReceivedRequest;
using http_test::Reply;
using http_test::ServerConn;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kRole[] = "web-role";
constexpr char kKeyId[] = "ASIAIMDSEXAMPLE00001";
constexpr char kSecret[] = "imdsSecret/wJalrXUtnFEMIK7MDENGbPxRfiCY";
constexpr char kSessionToken[] = "imdsSessionToken//////////IQoJb3JpZ2luX2VjEXAMPLE";
constexpr char kExpiration[] = "2031-05-06T07:08:09Z";
constexpr char kTokenPath[] = "/latest/api/token";
constexpr char kListPath[] = "/latest/meta-data/iam/security-credentials/";

std::string CredentialsJson() {
  return std::string(
             R"({"Code":"Success","LastUpdated":"2031-05-06T01:00:00Z","Type":"AWS-HMAC",)") +
         R"("AccessKeyId":")" + kKeyId + R"(","SecretAccessKey":")" + kSecret + R"(","Token":")" +
         kSessionToken + R"(","Expiration":")" + kExpiration + R"("})";
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

using TestClock = testing::FakeClock;

// What the fake IMDS saw.
struct Seen {
  std::string method;
  std::string path;
  std::optional<std::string> token;  // X-aws-ec2-metadata-token
  std::optional<std::string> ttl;    // X-aws-ec2-metadata-token-ttl-seconds
};

// A scripted instance metadata service: issues tokens on PUT, answers the role listing and the
// role's credentials to requests with a valid token (401 otherwise, as IMDSv2-only instances do).
class FakeImds {
 public:
  FakeImds()
      : server_([this](ServerConn& conn, int) {
          while (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
            if (!conn.Write(Answer(*request))) return;
          }
        }) {}

  std::string url() const { return server_.Url("http", ""); }
  int accepted() const { return server_.accepted(); }
  std::vector<Seen> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  int puts() const {
    int n = 0;
    for (const Seen& s : seen()) n += s.method == "PUT";
    return n;
  }
  // Every token it issued (secrets, for the leak checks).
  std::vector<std::string> tokens() const {
    std::lock_guard<std::mutex> lock(mu_);
    return issued_;
  }

  // Knobs, set before the provider runs.
  void FailNext(int status) {
    With([&] { fail_next_.push_back(status); });
  }
  void SetTokenStatus(int status) {
    With([&] { token_status_ = status; });
  }
  void SetRole(std::string role) {
    With([&] { role_ = std::move(role); });
  }
  void SetRequireToken(bool on) {
    With([&] { require_token_ = on; });
  }
  void SetAcceptTokens(bool on) {
    With([&] { accept_tokens_ = on; });
  }
  void SetCredentials(int status, std::string body) {
    With([&] {
      credentials_status_ = status;
      credentials_body_ = std::move(body);
    });
  }
  // IMDS forgets every token (a restart, or the TTL passed on its side).
  void ForgetTokens() {
    With([&] { valid_.clear(); });
  }

 private:
  template <typename F>
  void With(F f) {
    std::lock_guard<std::mutex> lock(mu_);
    f();
  }

  std::string Answer(const ReceivedRequest& request) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string line = request.RequestLine();
    const std::string method = line.substr(0, line.find(' '));
    const std::size_t path_at = line.find(' ') + 1;
    const std::string path = line.substr(path_at, line.rfind(' ') - path_at);
    seen_.push_back({method, path, request.Header("X-aws-ec2-metadata-token"),
                     request.Header("X-aws-ec2-metadata-token-ttl-seconds")});
    if (!fail_next_.empty()) {
      const int status = fail_next_.front();
      fail_next_.pop_front();
      return Reply(status, "");
    }
    if (method == "PUT" && path == kTokenPath) {
      if (token_status_ != 200) return Reply(token_status_, "");
      const std::string token = "imdsApiToken-" + std::to_string(issued_.size() + 1) +
                                "-AQAEAHd8XEXAMPLEEXAMPLEEXAMPLE==";
      issued_.push_back(token);
      valid_.push_back(token);
      return Reply(200, token,
                   "X-aws-ec2-metadata-token-ttl-seconds: " +
                       request.Header("X-aws-ec2-metadata-token-ttl-seconds").value_or("?") +
                       "\r\n");
    }
    if (method != "GET" || path.rfind(kListPath, 0) != 0) return Reply(404, "Not Found");
    const std::optional<std::string> token = request.Header("X-aws-ec2-metadata-token");
    bool valid = false;
    for (const std::string& t : valid_) valid |= token == t;
    if ((require_token_ || token) && (!valid || !accept_tokens_)) return Reply(401, "");
    const std::string rest = path.substr(std::string(kListPath).size());
    if (rest.empty()) return role_.empty() ? Reply(404, "Not Found") : Reply(200, role_ + "\n");
    if (rest != role_) return Reply(404, "Not Found");
    return Reply(credentials_status_, credentials_body_);
  }

  mutable std::mutex mu_;
  std::vector<Seen> seen_;
  std::vector<std::string> issued_;
  std::vector<std::string> valid_;
  std::deque<int> fail_next_;
  int token_status_ = 200;
  std::string role_ = kRole;
  bool require_token_ = true;
  bool accept_tokens_ = true;
  int credentials_status_ = 200;
  std::string credentials_body_ = CredentialsJson();
  LoopbackServer server_;  // last: its thread uses the members above
};

// A listening socket that never accepts: connections complete (the kernel's backlog) and then
// nothing is ever answered, like a firewall that swallows packets after the handshake.
class SilentEndpoint {
 public:
  SilentEndpoint() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentEndpoint() { close(fd_); }
  SilentEndpoint(const SilentEndpoint&) = delete;
  SilentEndpoint& operator=(const SilentEndpoint&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// An HTTP proxy that records request lines and refuses everything with 403 (which the provider
// reads as "IMDS is turned off"): shows which URL the provider chose without reaching it.
class RefusingProxy {
 public:
  RefusingProxy()
      : server_([this](ServerConn& conn, int) {
          if (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
            {
              std::lock_guard<std::mutex> lock(mu_);
              lines_.push_back(request->RequestLine());
            }
            conn.Write(Reply(403, "", "Connection: close\r\n"));
          }
        }) {}
  std::string url() const { return server_.Url("http", ""); }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  LoopbackServer server_;
};

class ImdsProviderTest : public ::testing::Test {
 protected:
  void TearDown() override { ExpectNoSecrets(log_.text()); }

  void ExpectNoSecrets(const std::string& text) {
    std::vector<std::string> secrets = {kSecret, kSessionToken};
    for (const std::string& t : imds_.tokens()) secrets.push_back(t);
    for (const std::string& s : secrets) {
      EXPECT_FALSE(Contains(text, s)) << "leaked " << s << " in: " << text;
    }
    EXPECT_FALSE(Contains(text, "imdsApiToken")) << text;  // not even a token from another run
  }

  // A provider reading `env`, talking to the fake IMDS unless the options say otherwise.
  CredentialsProvider& Make(std::vector<std::pair<std::string, std::string>> env,
                            ImdsProviderOptions options = {}, HttpClientOptions http = {}) {
    env_ = MakeMapEnvironment(std::move(env));
    http_ = MakeHttpClient(std::move(http));
    SystemContext sys{clock_, *env_, *http_, log_, random_, files_, processes_};
    provider_ = MakeImdsCredentialsProvider(sys, std::move(options));
    return *provider_;
  }
  ImdsProviderOptions AtFake() { return {.endpoint = imds_.url()}; }

  Error Failure(const Result<Credentials>& r) {
    EXPECT_FALSE(r.has_value());
    if (r.has_value()) return Error(ErrorCode::kInternal, "unexpected success");
    ExpectNoSecrets(r.error().ToString());
    return r.error();
  }

  static void ExpectTheCredentials(const Result<Credentials>& c) {
    ASSERT_TRUE(c.has_value()) << c.error().ToString();
    EXPECT_EQ(c->access_key_id, kKeyId);
    EXPECT_EQ(c->secret_access_key.reveal(), kSecret);
    EXPECT_EQ(c->session_token.reveal(), kSessionToken);
    ASSERT_TRUE(c->expiration.has_value());
    EXPECT_EQ(FormatRfc3339(*c->expiration), kExpiration);
  }

  FakeImds imds_;
  TestClock clock_{std::chrono::sys_days(std::chrono::year(2031) / 5 / 6)};
  testing::CapturingLogger log_;
  testing::MaxRandom random_;
  testing::MemoryFileSystem files_;
  testing::FakeProcessRunner processes_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<CredentialsProvider> provider_;
};

// More IMDS cases (403, IMDSv1 fallback, no role, persistent 401) are scenarios:
// tests/scenarios/credentials/imds_*. Here: sockets, timeouts, proxies and the token's TTL.
TEST_F(ImdsProviderTest, TokenThenRoleThenCredentialsEachWithTheToken) {
  CredentialsProvider& p = Make({}, AtFake());
  EXPECT_EQ(p.Describe(), "EC2 instance metadata");
  ExpectTheCredentials(p.GetCredentials());
  const std::vector<Seen> seen = imds_.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].path, "/latest/api/token");
  EXPECT_EQ(seen[0].ttl, "21600");
  EXPECT_FALSE(seen[0].token.has_value());
  ASSERT_EQ(imds_.tokens().size(), 1u);
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].path, "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(seen[1].token, imds_.tokens()[0]);
  EXPECT_EQ(seen[2].path, "/latest/meta-data/iam/security-credentials/web-role");
  EXPECT_EQ(seen[2].token, imds_.tokens()[0]);
  EXPECT_EQ(p.Describe(), "EC2 instance metadata (role web-role)");
  EXPECT_TRUE(Contains(log_.text(), "new session token")) << log_.text();
  EXPECT_TRUE(Contains(log_.text(), "role web-role")) << log_.text();
}

TEST_F(ImdsProviderTest, TokenIsReusedUntilItsTtl) {
  CredentialsProvider& p = Make({}, AtFake());
  ExpectTheCredentials(p.GetCredentials());
  ExpectTheCredentials(p.GetCredentials());
  EXPECT_EQ(imds_.puts(), 1);
  clock_.Advance(seconds(21600 - 120));
  ExpectTheCredentials(p.GetCredentials());
  EXPECT_EQ(imds_.puts(), 1);
  clock_.Advance(seconds(120));
  ExpectTheCredentials(p.GetCredentials());
  EXPECT_EQ(imds_.puts(), 2);
  EXPECT_EQ(imds_.seen().back().token, imds_.tokens()[1]);
}

TEST_F(ImdsProviderTest, UnknownTokenIsRenewedOnceOn401) {
  CredentialsProvider& p = Make({}, AtFake());
  ExpectTheCredentials(p.GetCredentials());
  imds_.ForgetTokens();
  ExpectTheCredentials(p.GetCredentials());
  const std::vector<Seen> seen = imds_.seen();
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen[3].path, kListPath);  // with the forgotten token: 401
  EXPECT_EQ(seen[3].token, imds_.tokens()[0]);
  EXPECT_EQ(seen[4].method, "PUT");
  EXPECT_EQ(seen[5].path, kListPath);
  EXPECT_EQ(seen[5].token, imds_.tokens()[1]);
  EXPECT_EQ(seen[6].token, imds_.tokens()[1]);
  EXPECT_EQ(imds_.puts(), 2);
}

TEST_F(ImdsProviderTest, MissingTokenOn401IsRenewedToo) {
  // An IMDSv1 fallback (404 to the PUT) against an instance that then demands a token.
  imds_.SetTokenStatus(404);
  Error e = Failure(Make({}, AtFake()).GetCredentials());
  EXPECT_EQ(e.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(imds_.puts(), 2);
  EXPECT_EQ(imds_.seen().size(), 4u);
}

TEST_F(ImdsProviderTest, TransientFailuresAreRetriedWhenAttemptsAllow) {
  imds_.FailNext(500);
  imds_.FailNext(503);
  ExpectTheCredentials(
      Make({{"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3"}}, AtFake()).GetCredentials());
  EXPECT_EQ(imds_.puts(), 3);
  EXPECT_EQ(clock_.sleeps(), (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
  EXPECT_TRUE(Contains(log_.text(), "attempt 1/3 failed (HTTP 500)")) << log_.text();

  // One attempt by default, as the SDKs: the failure is reported, not retried.
  imds_.FailNext(503);
  Error e = Failure(Make({}, AtFake()).GetCredentials());
  EXPECT_EQ(e.code(), ErrorCode::kRemote);
  EXPECT_TRUE(Contains(e.message(), "HTTP 503")) << e.message();
  EXPECT_EQ(imds_.puts(), 4);
}

TEST_F(ImdsProviderTest, RetriesApplyToTheCredentialRequestsToo) {
  CredentialsProvider& p = Make({}, {.endpoint = imds_.url(), .attempts = 2});
  ExpectTheCredentials(p.GetCredentials());  // token cached
  imds_.FailNext(502);
  ExpectTheCredentials(p.GetCredentials());
  const std::vector<Seen> seen = imds_.seen();
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[3].path, kListPath);
  EXPECT_EQ(seen[4].path, kListPath);
  EXPECT_EQ(clock_.sleeps().size(), 1u);
}

TEST_F(ImdsProviderTest, DisabledByTheEnvironment) {
  for (const char* value : {"true", "TRUE", "True"}) {
    Error e = Failure(Make({{"AWS_EC2_METADATA_DISABLED", value}}, AtFake()).GetCredentials());
    EXPECT_EQ(e.code(), ErrorCode::kNotConfigured);
    EXPECT_TRUE(Contains(e.message(), "AWS_EC2_METADATA_DISABLED")) << e.message();
  }
  EXPECT_EQ(imds_.accepted(), 0);
  ExpectTheCredentials(Make({{"AWS_EC2_METADATA_DISABLED", "false"}}, AtFake()).GetCredentials());
}

TEST_F(ImdsProviderTest, EndpointFromTheEnvironmentAndTheOptionFirst) {
  ExpectTheCredentials(
      Make({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_.url() + "/"}}).GetCredentials());
  EXPECT_EQ(imds_.seen().front().path, "/latest/api/token");  // no double slash
  SilentEndpoint dead;
  ExpectTheCredentials(
      Make({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", dead.url()}}, AtFake()).GetCredentials());
  Error bad =
      Failure(Make({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254"}}).GetCredentials());
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad.message(), "AWS_EC2_METADATA_SERVICE_ENDPOINT")) << bad.message();
}

TEST_F(ImdsProviderTest, EndpointModeChoosesTheDefaultAddress) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> env;
    std::string line;
  };
  const std::vector<Case> cases = {
      {{}, "PUT http://169.254.169.254/latest/api/token HTTP/1.1"},
      {{{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv4"}},
       "PUT http://169.254.169.254/latest/api/token HTTP/1.1"},
      {{{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}},
       "PUT http://[fd00:ec2::254]/latest/api/token HTTP/1.1"},
      {{{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv6"}},
       "PUT http://[fd00:ec2::254]/latest/api/token HTTP/1.1"},
  };
  for (const Case& c : cases) {
    RefusingProxy proxy;
    Error e = Failure(Make(c.env, {}, {.http_proxy = proxy.url()}).GetCredentials());
    EXPECT_EQ(e.code(), ErrorCode::kNotConfigured) << e.message();
    EXPECT_TRUE(Contains(e.message(), "HTTP 403")) << e.message();
    EXPECT_EQ(proxy.lines(), std::vector<std::string>{c.line});
  }
  Error bad = Failure(Make({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"}}).GetCredentials());
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad.message(), "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")) << bad.message();
}

TEST_F(ImdsProviderTest, SilentEndpointIsNotConfiguredWithinTheTimeout) {
  SilentEndpoint silent;
  CredentialsProvider& p = Make({}, {.endpoint = silent.url()});
  const auto started = std::chrono::steady_clock::now();
  Error e = Failure(p.GetCredentials());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(e.code(), ErrorCode::kNotConfigured);
  EXPECT_EQ(e.message(),
            "no EC2 instance metadata service at " + silent.url() + " (timed out after 1 s)");
  EXPECT_TRUE(Contains(e.hint(), "HttpPutResponseHopLimit")) << e.hint();
  EXPECT_LT(elapsed, seconds(3));
  EXPECT_GE(elapsed, milliseconds(900));
}

TEST_F(ImdsProviderTest, TimeoutAndAttemptsFromTheEnvironment) {
  SilentEndpoint silent;
  CredentialsProvider& p =
      Make({{"AWS_METADATA_SERVICE_TIMEOUT", "0.25"}, {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2"}},
           {.endpoint = silent.url(), .timeout = seconds(30)});
  const auto started = std::chrono::steady_clock::now();
  Error e = Failure(p.GetCredentials());
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(3));
  EXPECT_EQ(e.code(), ErrorCode::kNotConfigured);
  EXPECT_TRUE(Contains(e.message(), "(timed out after 250 ms, 2 attempts)")) << e.message();
  EXPECT_EQ(clock_.sleeps().size(), 1u);

  for (const char* bad : {"soon", "0", "-1", "1s"}) {
    Error invalid =
        Failure(Make({{"AWS_METADATA_SERVICE_TIMEOUT", bad}}, AtFake()).GetCredentials());
    EXPECT_EQ(invalid.code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_TRUE(Contains(invalid.message(), "AWS_METADATA_SERVICE_TIMEOUT")) << invalid.message();
  }
  Error attempts =
      Failure(Make({{"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "many"}}, AtFake()).GetCredentials());
  EXPECT_EQ(attempts.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(imds_.accepted(), 0);
}

TEST_F(ImdsProviderTest, ConnectionRefusedIsNotConfigured) {
  int port;
  {
    SilentEndpoint probe;  // a port that was just free
    port = std::stoi(probe.url().substr(std::string("http://127.0.0.1:").size()));
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const auto started = std::chrono::steady_clock::now();
  Error e = Failure(Make({}, {.endpoint = url}).GetCredentials());
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(2));
  EXPECT_EQ(e.code(), ErrorCode::kNotConfigured);
  EXPECT_TRUE(Contains(e.message(), "no EC2 instance metadata service at " + url)) << e.message();
  EXPECT_TRUE(Contains(e.message(), "refused")) << e.message();
}

TEST_F(ImdsProviderTest, RoleWithoutCredentialsIsMisconfigured) {
  imds_.SetCredentials(404, "Not Found");
  Error missing = Failure(Make({}, AtFake()).GetCredentials());
  EXPECT_EQ(missing.code(), ErrorCode::kMisconfigured);
  EXPECT_TRUE(Contains(missing.message(), "role web-role has no credentials")) << missing.message();

  imds_.SetCredentials(200, std::string(R"({"Code":"AssumeRoleUnauthorizedAccess",)") +
                                R"("Message":"EC2 cannot assume the role web-role.",)" +
                                R"("SecretAccessKey":")" + kSecret + R"("})");
  Error unauthorized = Failure(Make({}, AtFake()).GetCredentials());
  EXPECT_EQ(unauthorized.code(), ErrorCode::kMisconfigured);
  EXPECT_TRUE(Contains(unauthorized.message(),
                       "Code AssumeRoleUnauthorizedAccess: EC2 cannot assume the role web-role."))
      << unauthorized.message();
  EXPECT_EQ(provider_->Describe(), "EC2 instance metadata");
}

TEST_F(ImdsProviderTest, IncompleteOrBrokenCredentialsAreParseErrors) {
  imds_.SetCredentials(200, std::string(R"({"Code":"Success","AccessKeyId":"ASIAX",)") +
                                R"("SecretAccessKey":")" + kSecret + R"("})");
  Error no_token = Failure(Make({}, AtFake()).GetCredentials());
  EXPECT_EQ(no_token.code(), ErrorCode::kParse);
  EXPECT_TRUE(Contains(no_token.message(), "no Token")) << no_token.message();

  imds_.SetCredentials(200, CredentialsJson().substr(0, CredentialsJson().size() / 2));
  Error truncated = Failure(Make({}, AtFake()).GetCredentials());
  EXPECT_EQ(truncated.code(), ErrorCode::kParse);

  imds_.SetRole("web role/../../x");
  Error bad_role = Failure(Make({}, AtFake()).GetCredentials());
  EXPECT_EQ(bad_role.code(), ErrorCode::kParse);
  EXPECT_TRUE(Contains(bad_role.message(), "not a valid IAM role name")) << bad_role.message();
}

}  // namespace
}  // namespace hubspoke
