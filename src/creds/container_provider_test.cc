// ctest-label: threads
// The container provider against real loopback HTTP servers and the real HTTP client. The ECS
// agent address (169.254.170.2) cannot be bound in a test, so requests meant for it and for other
// non-loopback hosts go through a loopback HTTP proxy that records the absolute URL the client
// asked for: the URL building and the host rules are tested on the wire, not through a seam.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
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

constexpr char kKeyId[] = "ASIACONTAINEREXAMPLE";
constexpr char kSecret[] = "containerSecret/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kSessionToken[] = "containerSessionToken//////////IQoJb3JpZ2luX2VjEXAMPLE";
constexpr char kAuthToken[] = "authTokenFromEnv-eyJhbGciOiJSUzI1NiJ9.EXAMPLE";
constexpr char kFileToken1[] = "authTokenFromFile-one-eyJhbGciOiJ.EXAMPLE";
constexpr char kFileToken2[] = "authTokenFromFile-two-eyJhbGciOiJ.EXAMPLE";
constexpr char kExpiration[] = "2031-05-06T07:08:09Z";

constexpr char kFullUri[] = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
constexpr char kRelativeUri[] = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
constexpr char kTokenVar[] = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
constexpr char kTokenFileVar[] = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

std::string CredentialsJson() {
  return std::string(R"({"AccessKeyId":")") + kKeyId + R"(","SecretAccessKey":")" + kSecret +
         R"(","Token":")" + kSessionToken + R"(","Expiration":")" + kExpiration +
         R"(","RoleArn":"arn:aws:iam::111111111111:role/task"})";
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A credentials endpoint on 127.0.0.1: answers each request with the next scripted reply, then
// with the credentials document; records every request.
class Endpoint {
 public:
  Endpoint()
      : server_([this](ServerConn& conn, int) {
          while (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
            std::string reply;
            {
              std::lock_guard<std::mutex> lock(mu_);
              requests_.push_back(*request);
              if (!script_.empty()) {
                reply = std::move(script_.front());
                script_.pop_front();
              } else {
                reply = Reply(200, CredentialsJson(), "Content-Type: application/json\r\n");
              }
            }
            if (!conn.Write(reply)) return;
          }
        }) {}

  void Then(std::string raw_reply) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(raw_reply));
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string Url(const std::string& path) const { return server_.Url("http", path); }

 private:
  mutable std::mutex mu_;
  std::deque<std::string> script_;
  std::vector<ReceivedRequest> requests_;
  LoopbackServer server_;  // last: its thread uses the members above
};

// An HTTP proxy on 127.0.0.1: records each request head and answers with the credentials
// document (or 403 to CONNECT), one request per connection.
class RecordingProxy {
 public:
  RecordingProxy()
      : server_([this](ServerConn& conn, int) {
          std::optional<ReceivedRequest> request = conn.ReadRequest();
          if (!request) return;
          {
            std::lock_guard<std::mutex> lock(mu_);
            request_lines_.push_back(request->RequestLine());
          }
          if (request->RequestLine().rfind("CONNECT ", 0) == 0) {
            conn.Write(Reply(403, "", "Connection: close\r\n"));
          } else {
            conn.Write(Reply(200, CredentialsJson(), "Connection: close\r\n"));
          }
        }) {}

  std::vector<std::string> request_lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return request_lines_;
  }
  std::string url() const { return server_.Url("http", ""); }
  int accepted() const { return server_.accepted(); }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> request_lines_;
  LoopbackServer server_;
};

class ContainerProviderTest : public ::testing::Test {
 protected:
  ContainerProviderTest() { files_.AddDirectory(dir_); }

  // Every test: nothing secret in the log, whatever happened.
  void TearDown() override { ExpectNoSecrets(log_.text()); }

  static void ExpectNoSecrets(const std::string& text) {
    for (const char* secret : {kSecret, kSessionToken, kAuthToken, kFileToken1, kFileToken2}) {
      EXPECT_FALSE(Contains(text, secret)) << "leaked " << secret << " in: " << text;
    }
  }

  // Runs the provider once with `env`, through `http_options` (proxies).
  Result<Credentials> Run(std::vector<std::pair<std::string, std::string>> env,
                          HttpClientOptions http_options = {}) {
    env_ = MakeMapEnvironment(std::move(env));
    http_ = MakeHttpClient(std::move(http_options));
    SystemContext sys{clock_, *env_, *http_, log_, random_, files_, processes_};
    provider_ = MakeContainerCredentialsProvider(sys);
    return provider_->GetCredentials();
  }

  // The error of a failed run, after checking that it carries no secret.
  Error Failure(const Result<Credentials>& r) {
    EXPECT_FALSE(r.has_value());
    if (r.has_value()) return Error(ErrorCode::kInternal, "unexpected success");
    ExpectNoSecrets(r.error().ToString());
    return r.error();
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    files_.AddFile(path, content);
    return path;
  }

  void ExpectTheCredentials(const Result<Credentials>& c) {
    ASSERT_TRUE(c.has_value()) << c.error().ToString();
    EXPECT_EQ(c->access_key_id, kKeyId);
    EXPECT_EQ(c->secret_access_key.reveal(), kSecret);
    EXPECT_EQ(c->session_token.reveal(), kSessionToken);
    ASSERT_TRUE(c->expiration.has_value());
    EXPECT_EQ(FormatRfc3339(*c->expiration), kExpiration);
  }

  const std::string dir_ = "/var/run/secrets/eks";
  testing::FakeClock clock_;  // records sleeps, never sleeps
  testing::CapturingLogger log_;
  testing::MaxRandom random_;
  testing::MemoryFileSystem files_;
  testing::FakeProcessRunner processes_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<CredentialsProvider> provider_;
};

// The endpoint's requests and answers (URIs, tokens, retries, error statuses) are scenarios:
// tests/scenarios/credentials/container_*. Here: what needs real sockets, proxies, special files
// or a file that changes between calls.
TEST_F(ContainerProviderTest, NotConfiguredWithoutEitherUri) {
  Result<Credentials> r = Run({{kTokenVar, kAuthToken}, {kFullUri, ""}});
  Error e = Failure(r);
  EXPECT_EQ(e.code(), ErrorCode::kNotConfigured);
  EXPECT_TRUE(Contains(e.message(), kRelativeUri)) << e.message();
  EXPECT_EQ(provider_->Describe(), "container credentials");
}

TEST_F(ContainerProviderTest, TokenFileWinsOverTheVariableAndIsReadOnEveryCall) {
  Endpoint endpoint;
  const std::string path = WriteFile("token", std::string(kFileToken1) + "\n");
  ExpectTheCredentials(
      Run({{kFullUri, endpoint.Url("/creds")}, {kTokenFileVar, path}, {kTokenVar, kAuthToken}}));
  WriteFile("token", std::string("  ") + kFileToken2 + "\r\n");  // rotated, as EKS does
  ExpectTheCredentials(provider_->GetCredentials());
  const auto requests = endpoint.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Header("Authorization"), kFileToken1);
  EXPECT_EQ(requests[1].Header("Authorization"), kFileToken2);
}

// The file is read on every call, so whatever it is must not hang or exhaust us: a FIFO without
// a writer, /dev/zero, a directory are refused at once, naming the variable and the path (the real
// FileSystem's tests show they are, on disk).
TEST_F(ContainerProviderTest, TokenFileMustBeASmallRegularFile) {
  Endpoint endpoint;
  const std::string fifo = dir_ + "/fifo";
  files_.AddFifo(fifo);
  files_.AddCharDevice("/dev/zero");
  const std::string big = WriteFile("big-token", std::string(64 * 1024 + 1, 'x'));
  const std::pair<std::string, std::string> cases[] = {
      {fifo, "cannot read '" + fifo + "': is a FIFO (a regular file is required)"},
      {"/dev/zero",
       "cannot read '/dev/zero': is a character device (a regular file is required)"},
      {dir_, "cannot read '" + dir_ + "': is a directory (a regular file is required)"},
      {big, "'" + big + "' is larger than 64 KiB"},
  };
  for (const auto& [path, why] : cases) {
    const auto start = std::chrono::steady_clock::now();
    Error e = Failure(Run({{kFullUri, endpoint.Url("/creds")}, {kTokenFileVar, path}}));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << path;
    EXPECT_EQ(e.code(), ErrorCode::kMisconfigured);
    EXPECT_EQ(e.message(), std::string(kTokenFileVar) + ": " + why);
  }
  EXPECT_TRUE(endpoint.requests().empty());
}

TEST_F(ContainerProviderTest, PlainHttpToOtherHostsIsRefusedBeforeAnyRequest) {
  RecordingProxy proxy;  // would receive the request if the rule let it through
  for (const char* uri :
       {"http://169.254.169.254/latest/meta-data/", "http://example.com/creds",
        "http://10.0.0.1/creds", "http://127.0.0.1.nip.io/creds", "http://[fd00:ec2::24]/creds",
        "http://169.254.170.3/creds", "http://[fe80::1]/creds"}) {
    Error e = Failure(Run({{kFullUri, uri}, {kTokenVar, kAuthToken}}, {.http_proxy = proxy.url()}));
    EXPECT_EQ(e.code(), ErrorCode::kMisconfigured) << uri;
    EXPECT_TRUE(Contains(e.message(), kFullUri)) << e.message();
    EXPECT_TRUE(Contains(e.message(), "use https")) << e.message();
  }
  EXPECT_EQ(proxy.accepted(), 0);
  Error bad_url = Failure(Run({{kFullUri, "ftp://127.0.0.1/creds"}}));
  EXPECT_EQ(bad_url.code(), ErrorCode::kMisconfigured);
  EXPECT_TRUE(Contains(bad_url.message(), kFullUri)) << bad_url.message();
}

TEST_F(ContainerProviderTest, PlainHttpToLoopbackAndTheAgentsIsAllowed) {
  RecordingProxy proxy;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://127.0.0.2:8080/c", "GET http://127.0.0.2:8080/c HTTP/1.1"},
      {"http://127.255.255.254/c", "GET http://127.255.255.254/c HTTP/1.1"},
      {"http://LOCALHOST/c", "GET http://localhost/c HTTP/1.1"},
      {"http://[::1]:1234/c", "GET http://[::1]:1234/c HTTP/1.1"},
      {"http://[::ffff:127.0.0.1]/c", "GET http://[::ffff:127.0.0.1]/c HTTP/1.1"},
      {"http://169.254.170.2/v2/c", "GET http://169.254.170.2/v2/c HTTP/1.1"},
      {"http://169.254.170.23/v1/credentials", "GET http://169.254.170.23/v1/credentials HTTP/1.1"},
      {"http://[fd00:ec2::23]/v1/credentials", "GET http://[fd00:ec2::23]/v1/credentials HTTP/1.1"},
  };
  for (const auto& [uri, line] : cases) {
    ExpectTheCredentials(Run({{kFullUri, uri}}, {.http_proxy = proxy.url()}));
    ASSERT_FALSE(proxy.request_lines().empty()) << uri;
    EXPECT_EQ(proxy.request_lines().back(), line);
  }
  EXPECT_EQ(proxy.request_lines().size(), cases.size());
}

TEST_F(ContainerProviderTest, HttpsIsAcceptedForAnyHost) {
  RecordingProxy proxy;  // refuses the CONNECT: we only check that the request was attempted
  Error e =
      Failure(Run({{kFullUri, "https://creds.example.com/v1/credentials"}, {kTokenVar, kAuthToken}},
                  {.https_proxy = proxy.url()}));
  EXPECT_NE(e.code(), ErrorCode::kMisconfigured) << e.message();
  EXPECT_EQ(e.code(), ErrorCode::kNetwork) << e.message();
  ASSERT_FALSE(proxy.request_lines().empty());
  EXPECT_EQ(proxy.request_lines()[0], "CONNECT creds.example.com:443 HTTP/1.1");
}

TEST_F(ContainerProviderTest, BadJsonIsAParseErrorThatQuotesNothing) {
  Endpoint endpoint;
  const std::string truncated = CredentialsJson().substr(0, CredentialsJson().find(kSecret) + 10);
  endpoint.Then(Reply(200, truncated));
  Error e = Failure(Run({{kFullUri, endpoint.Url("/creds")}, {kTokenVar, kAuthToken}}));
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_TRUE(Contains(e.message(), "not a JSON object")) << e.message();
  EXPECT_FALSE(Contains(e.message(), std::string(kSecret).substr(0, 10))) << e.message();
  EXPECT_EQ(endpoint.requests().size(), 1u);  // a 200 is not retried

  endpoint.Then(Reply(200, R"({"AccessKeyId":"ASIAX"})"));
  Error missing = Failure(provider_->GetCredentials());
  EXPECT_EQ(missing.code(), ErrorCode::kParse);
  EXPECT_TRUE(Contains(missing.message(), "SecretAccessKey")) << missing.message();
}

}  // namespace
}  // namespace hubspoke
