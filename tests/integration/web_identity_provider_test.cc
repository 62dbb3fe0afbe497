// ctest-label: threads
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <mutex>

#include "testing/fake_process_runner.h"
#include "core/base64.h"
#include "hubspoke/credential_sources.h"
#include "lab/jwt.h"
#include "lab/lab_testing.h"
#include "iam/model.h"
#include "lab/sts_service.h"
#include "http_server/http_server.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"

namespace hubspoke {
namespace {

constexpr char kRole[] = "arn:aws:iam::999999999999:role/github-deploy-role";

// An unsigned JWT the lab accepts (it reads claims, it does not verify signatures). The
// signature part doubles as a marker to look for in logs and messages.
std::string Jwt(const std::string& sub, const std::string& extra_claims = "",
                const std::string& iss = "https://token.actions.githubusercontent.com") {
  return Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." +
         Base64UrlEncode(R"({"iss":")" + iss + R"(","sub":")" + sub +
                         R"(","aud":"sts.amazonaws.com")" + extra_claims + "}") +
         ".c2VjcmV0LXNpZ25hdHVyZS1tYXJrZXI";
}
constexpr char kSignatureMarker[] = "c2VjcmV0LXNpZ25hdHVyZS1tYXJrZXI";
const std::string kMainBranch = "repo:example-org/infrastructure:ref:refs/heads/main";

struct SeenRequest {
  std::vector<HttpHeader> headers;
  std::string body;
};

// The lab's STS behind a real server whose handler records what reached it.
class RecordingLab {
 public:
  RecordingLab() : service_(iam::BuiltinModel(), clock_, log_, lab::StsServiceOptions{.seed = 3}) {
    auto started = HttpServer::Start(ServerOptions{.threads = 1}, [this](const ServerRequest& r) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(SeenRequest{r.headers, r.body});
      }
      return service_.Handle(r);
    });
    EXPECT_TRUE(started) << started.error().message();
    if (started) server_ = std::move(started).value();
  }
  ~RecordingLab() {
    if (server_) server_->Stop();
  }
  std::string url() const { return server_ ? server_->url() : "http://127.0.0.1:1"; }
  std::vector<SeenRequest> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  std::string log() const { return log_.text(); }
  lab::testing::ManualClock& clock() { return clock_; }

 private:
  lab::testing::ManualClock clock_;
  testing::CapturingLogger log_;
  lab::StsService service_;
  std::unique_ptr<HttpServer> server_;
  mutable std::mutex mu_;
  std::vector<SeenRequest> seen_;
};

std::string Param(const SeenRequest& r, const std::string& name) {
  auto form = FormDecode(r.body);
  if (!form) return "";
  for (const auto& [k, v] : *form)
    if (k == name) return v;
  return "";
}

class WebIdentityProviderTest : public ::testing::Test {
 protected:
  WebIdentityProviderTest() : dir_("/var/run/secrets/oidc"), token_file_(dir_ + "/token") {
    files_.AddDirectory(dir_);
    Env({});
  }

  void Env(std::vector<std::pair<std::string, std::string>> vars) {
    env_ = MakeMapEnvironment(std::move(vars));
    sys_ = std::make_unique<SystemContext>(
        SystemContext{clock_, *env_, *http_, log_, random_, files_, processes_});
  }
  void WriteToken(const std::string& token) { files_.AddFile(token_file_, token + "\n"); }
  StsClientOptions Sts() {
    return StsClientOptions{.endpoint = lab_.url(), .signing_region = "us-east-1"};
  }
  std::unique_ptr<CredentialsProvider> Provider(const std::string& session = "gha-run-1") {
    return MakeWebIdentityCredentialsProvider(*sys_,
                                              WebIdentityProviderOptions{.role_arn = kRole,
                                                                         .token_file = token_file_,
                                                                         .session_name = session,
                                                                         .source = "profile ci",
                                                                         .sts = Sts()});
  }
  // No token, no issued secret, in our log, the lab's log or an error.
  void ExpectNoSecrets(const Result<Credentials>& r) {
    std::string text = log_.text() + lab_.log();
    if (!r) text += r.error().ToString();
    EXPECT_EQ(text.find(kSignatureMarker), std::string::npos) << text;
    if (r) {
      EXPECT_EQ(text.find(r->secret_access_key.reveal()), std::string::npos) << text;
      EXPECT_EQ(text.find(r->session_token.reveal()), std::string::npos) << text;
    }
  }

  RecordingLab lab_;
  std::string dir_;
  std::string token_file_;
  testing::FakeClock clock_;
  testing::CapturingLogger log_;
  testing::MaxRandom random_;
  testing::MemoryFileSystem files_;
  testing::FakeProcessRunner processes_;
  std::unique_ptr<HttpTransport> http_ = MakeHttpClient({});
  std::unique_ptr<Environment> env_;
  std::unique_ptr<SystemContext> sys_;
};

TEST_F(WebIdentityProviderTest, AssumesTheRoleWithAnUnsignedRequest) {
  WriteToken(Jwt(kMainBranch));
  auto provider = Provider();
  EXPECT_EQ(provider->Describe(), "web identity (profile ci)");
  auto c = provider->GetCredentials();
  ASSERT_TRUE(c.has_value()) << c.error().ToString() << lab_.log();
  EXPECT_EQ(c->access_key_id.rfind("ASIA", 0), 0u);
  EXPECT_FALSE(c->secret_access_key.empty());
  EXPECT_FALSE(c->session_token.empty());
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_GT(*c->expiration, lab_.clock().Now());
  auto seen = lab_.seen();
  ASSERT_EQ(seen.size(), 1u);
  // Security: the token is the credential; nothing is signed, no key travels.
  EXPECT_EQ(FindHeader(seen[0].headers, "Authorization"), nullptr);
  EXPECT_EQ(FindHeader(seen[0].headers, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(Param(seen[0], "Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(Param(seen[0], "RoleArn"), kRole);
  EXPECT_EQ(Param(seen[0], "RoleSessionName"), "gha-run-1");
  EXPECT_EQ(Param(seen[0], "WebIdentityToken"), Jwt(kMainBranch));  // trimmed of its newline
  EXPECT_NE(lab_.log().find("assumed-role/github-deploy-role/gha-run-1"), std::string::npos)
      << lab_.log();
  ExpectNoSecrets(c);
}

// EKS and CI runners rewrite the file; every call must read it again.
TEST_F(WebIdentityProviderTest, RereadsTheRotatedTokenFile) {
  auto provider = Provider();
  WriteToken(Jwt(kMainBranch));
  auto first = provider->GetCredentials();
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  const std::string rotated = Jwt("repo:example-org/infrastructure:ref:refs/heads/release");
  WriteToken(rotated);
  auto second = provider->GetCredentials();
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  auto seen = lab_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(Param(seen[1], "WebIdentityToken"), rotated);
  EXPECT_NE(first->access_key_id, second->access_key_id);
  // A token for another repository: the role's trust policy refuses it.
  WriteToken(Jwt("repo:someone/else:ref:refs/heads/main"));
  auto denied = provider->GetCredentials();
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code(), ErrorCode::kAccessDenied);
  ASSERT_TRUE(denied.error().aws().has_value());
  EXPECT_EQ(denied.error().aws()->code, "AccessDenied");
  EXPECT_NE(denied.error().hint().find("trust policy"), std::string::npos);
  ExpectNoSecrets(denied);
}

TEST_F(WebIdentityProviderTest, MissingOrEmptyTokenFileNamesTheFileAndTheSource) {
  auto missing = Provider()->GetCredentials();
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kMisconfigured);
  EXPECT_EQ(missing.error().message(), "profile ci: web_identity_token_file: cannot read '" +
                                           token_file_ + "': No such file or directory");
  WriteToken("  \n");
  auto empty = Provider()->GetCredentials();
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), ErrorCode::kMisconfigured);
  EXPECT_EQ(empty.error().message(),
            "profile ci: web_identity_token_file: '" + token_file_ + "' is empty");
  EXPECT_TRUE(lab_.seen().empty());
}

// /dev/zero is refused for what it is (not read up to the limit); a FIFO is refused (the real
// FileSystem's tests show one without a writer does not hang the read); a file over 64 KiB is
// not a token.
TEST_F(WebIdentityProviderTest, TokenFileMustBeASmallRegularFile) {
  auto error_for = [&](const std::string& file) {
    Env({{"AWS_ROLE_ARN", kRole}, {"AWS_WEB_IDENTITY_TOKEN_FILE", file}});
    const auto start = std::chrono::steady_clock::now();
    auto c = MakeEnvironmentWebIdentityCredentialsProvider(*sys_, Sts())->GetCredentials();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << file;
    EXPECT_FALSE(c.has_value()) << file;
    if (c) return std::string();
    EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
    return c.error().message();
  };
  files_.AddCharDevice("/dev/zero");
  EXPECT_EQ(error_for("/dev/zero"),
            "AWS_WEB_IDENTITY_TOKEN_FILE: cannot read '/dev/zero': is a character device (a "
            "regular file is required)");
  const std::string fifo = dir_ + "/fifo";
  files_.AddFifo(fifo);
  EXPECT_EQ(error_for(fifo), "AWS_WEB_IDENTITY_TOKEN_FILE: cannot read '" + fifo +
                                 "': is a FIFO (a regular file is required)");
  EXPECT_EQ(error_for(dir_), "AWS_WEB_IDENTITY_TOKEN_FILE: cannot read '" + dir_ +
                                 "': is a directory (a regular file is required)");
  WriteToken(std::string(64 * 1024, 'x'));  // and a newline
  EXPECT_EQ(error_for(token_file_),
            "AWS_WEB_IDENTITY_TOKEN_FILE: '" + token_file_ + "' is larger than 64 KiB");
  EXPECT_TRUE(lab_.seen().empty());
}

TEST_F(WebIdentityProviderTest, InvalidIdentityTokenIsAccessDeniedAndNotRetried) {
  WriteToken(Jwt(kMainBranch, "", "https://accounts.example.com"));
  auto c = Provider()->GetCredentials();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kAccessDenied);
  ASSERT_TRUE(c.error().aws().has_value());
  EXPECT_EQ(c.error().aws()->code, "InvalidIdentityToken");
  EXPECT_EQ(c.error().aws()->http_status, 400);
  EXPECT_NE(c.error().message().find("web identity (profile ci) " + std::string(kRole) +
                                     ": STS AssumeRoleWithWebIdentity: InvalidIdentityToken"),
            std::string::npos)
      << c.error().message();
  EXPECT_NE(c.error().hint().find("OIDC identity provider"), std::string::npos);
  EXPECT_EQ(lab_.seen().size(), 1u);
  ExpectNoSecrets(c);
}

TEST_F(WebIdentityProviderTest, ExpiredTokenNamesTheFile) {
  WriteToken(Jwt(kMainBranch, R"(,"exp":1000)"));
  auto c = Provider()->GetCredentials();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(c.error().aws()->code, "ExpiredTokenException");
  EXPECT_NE(c.error().hint().find(token_file_ + " has expired"), std::string::npos);
  ExpectNoSecrets(c);
}

TEST_F(WebIdentityProviderTest, DefaultSessionNameAndRoleValidation) {
  WriteToken(Jwt(kMainBranch));
  auto c = Provider("")->GetCredentials();
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  std::string session = Param(lab_.seen().at(0), "RoleSessionName");
  ASSERT_EQ(session.rfind("assume-spoke-role-", 0), 0u) << session;
  EXPECT_EQ(session.size(), std::string("assume-spoke-role-").size() + 13) << session;  // ms
  auto bad_session = Provider("no spaces allowed")->GetCredentials();
  ASSERT_FALSE(bad_session.has_value());
  EXPECT_EQ(bad_session.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_session.error().message().find("profile ci: role_session_name"), std::string::npos);
  auto bad_role = MakeWebIdentityCredentialsProvider(
                      *sys_, WebIdentityProviderOptions{.role_arn = "github-deploy-role",
                                                        .token_file = token_file_,
                                                        .source = "profile ci",
                                                        .sts = Sts()})
                      ->GetCredentials();
  ASSERT_FALSE(bad_role.has_value());
  EXPECT_EQ(bad_role.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_role.error().message().find("profile ci: role_arn"), std::string::npos);
  EXPECT_EQ(lab_.seen().size(), 1u);
}

TEST_F(WebIdentityProviderTest, HalfConfiguredOptions) {
  auto none = MakeWebIdentityCredentialsProvider(*sys_, {.source = "profile ci", .sts = Sts()})
                  ->GetCredentials();
  EXPECT_EQ(none.error().code(), ErrorCode::kNotConfigured);
  auto no_role = MakeWebIdentityCredentialsProvider(
                     *sys_, {.token_file = token_file_, .source = "profile ci", .sts = Sts()})
                     ->GetCredentials();
  EXPECT_EQ(no_role.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(no_role.error().message().find("no role ARN"), std::string::npos);
  auto no_file = MakeWebIdentityCredentialsProvider(
                     *sys_, {.role_arn = kRole, .source = "profile ci", .sts = Sts()})
                     ->GetCredentials();
  EXPECT_EQ(no_file.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(no_file.error().message().find("no token file"), std::string::npos);
}

TEST_F(WebIdentityProviderTest, FromTheEnvironment) {
  WriteToken(Jwt(kMainBranch));
  Env({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file_},
       {"AWS_ROLE_ARN", kRole},
       {"AWS_ROLE_SESSION_NAME", "ci-session"}});
  auto provider = MakeEnvironmentWebIdentityCredentialsProvider(*sys_, Sts());
  EXPECT_EQ(provider->Describe(), "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)");
  auto c = provider->GetCredentials();
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(Param(lab_.seen().at(0), "RoleSessionName"), "ci-session");
  EXPECT_EQ(FindHeader(lab_.seen().at(0).headers, "Authorization"), nullptr);
  ExpectNoSecrets(c);

  Env({});
  EXPECT_EQ(
      MakeEnvironmentWebIdentityCredentialsProvider(*sys_, Sts())->GetCredentials().error().code(),
      ErrorCode::kNotConfigured);
  Env({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file_}});
  auto only_file = MakeEnvironmentWebIdentityCredentialsProvider(*sys_, Sts())->GetCredentials();
  EXPECT_EQ(only_file.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(only_file.error().message().find("AWS_ROLE_ARN is not"), std::string::npos);
  Env({{"AWS_ROLE_ARN", kRole}, {"AWS_WEB_IDENTITY_TOKEN_FILE", ""}});
  auto only_role = MakeEnvironmentWebIdentityCredentialsProvider(*sys_, Sts())->GetCredentials();
  EXPECT_EQ(only_role.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(only_role.error().message().find("AWS_WEB_IDENTITY_TOKEN_FILE is not"),
            std::string::npos);
  Env({{"AWS_ROLE_ARN", "arn:aws:iam::99:role/x"}, {"AWS_WEB_IDENTITY_TOKEN_FILE", token_file_}});
  auto bad_arn = MakeEnvironmentWebIdentityCredentialsProvider(*sys_, Sts())->GetCredentials();
  EXPECT_EQ(bad_arn.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_arn.error().message().find("AWS_ROLE_ARN"), std::string::npos);
  Env({{"AWS_ROLE_ARN", kRole}, {"AWS_WEB_IDENTITY_TOKEN_FILE", dir_ + "/absent"}});
  auto absent = MakeEnvironmentWebIdentityCredentialsProvider(*sys_, Sts())->GetCredentials();
  EXPECT_EQ(absent.error().code(), ErrorCode::kMisconfigured);
  EXPECT_EQ(absent.error().message(), "AWS_WEB_IDENTITY_TOKEN_FILE: cannot read '" + dir_ +
                                          "/absent': No such file or directory");
  EXPECT_EQ(lab_.seen().size(), 1u);
}

}  // namespace
}  // namespace hubspoke
