// ctest-label: threads
// The profile provider and the default chain with real files (a temp directory), a map
// environment, and the lab's STS on loopback for role_arn chains.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "hubspoke/credential_sources.h"
#include "lab/lab_testing.h"
#include "testing/fake_sts.h"
#include "testing/temp_directory.h"

namespace hubspoke {
namespace {

namespace fs = std::filesystem;
using lab::testing::LabServer;

constexpr char kUserKey[] = "AKIALABEXAMPLE000001";
constexpr char kUserSecret[] = "labSecretKey/sysAutomation/EXAMPLEKEY001";
constexpr char kHubArn[] = "arn:aws:iam::999999999999:role/automation-hub-role";
constexpr char kSpokeArn[] = "arn:aws:iam::888888888888:role/automation-spoke-role";

// A temporary HOME with ~/.aws/config and ~/.aws/credentials, a map environment pointing at them and
// at `sts_url`, and a client-side SystemContext whose log is captured.
class Fixture {
 public:
  Fixture(const std::string& config, const std::string& credentials,
          std::vector<std::pair<std::string, std::string>> extra_env = {},
          const std::string& sts_url = "")
      : dir_(tmp_.path()) {
    fs::create_directories(dir_ / ".aws");
    Write(dir_ / ".aws" / "config", config);
    Write(dir_ / ".aws" / "credentials", credentials);
    std::vector<std::pair<std::string, std::string>> vars = std::move(extra_env);
    auto add_default = [&](const std::string& name, const std::string& value) {
      for (const auto& [k, v] : vars)
        if (k == name) return;
      vars.emplace_back(name, value);
    };
    add_default("HOME", dir_.string());
    add_default("AWS_EC2_METADATA_DISABLED", "true");  // off EC2: no 1 s wait per chain
    if (!sts_url.empty()) add_default("AWS_ENDPOINT_URL", sts_url);
    env_ = MakeMapEnvironment(vars);
    http_ = MakeHttpClient({});
    sys_ = std::make_unique<SystemContext>(
        SystemContext{clock_, *env_, *http_, log_, random_, *files_, *processes_});
    auto loaded = LoadProfiles(*env_, *files_);
    EXPECT_TRUE(loaded) << loaded.error().message();
    if (loaded) profiles_ = std::move(*loaded);
  }
  static void Write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  }
  fs::path dir() const { return dir_; }
  const SystemContext& sys() const { return *sys_; }
  const ProfileSet& profiles() const { return profiles_; }
  std::string log() const { return log_.text(); }

  std::unique_ptr<CredentialsProvider> Profile(const std::string& name, bool explicit_name = true,
                                               MfaCodeReader mfa = nullptr) {
    return MakeProfileCredentialsProvider(
        *sys_, profiles_,
        ProfileProviderOptions{.profile_name = name,
                               .explicit_profile = explicit_name,
                               .mfa_reader = mfa ? std::move(mfa) : NoTerminal()});
  }
  std::unique_ptr<CredentialsProvider> Chain(const std::string& profile = "") {
    return MakeDefaultCredentialsChain(
        *sys_, profiles_, DefaultChainOptions{.profile = profile, .mfa_reader = NoTerminal()});
  }

  // Who the credentials belong to, asked of the STS at AWS_ENDPOINT_URL.
  std::string Arn(const Credentials& c) {
    StsClient sts(*sys_, StsClientOptions{.endpoint = *env_->Get("AWS_ENDPOINT_URL"),
                                          .signing_region = "us-east-1"});
    auto id = sts.GetCallerIdentity(c);
    return id ? id->arn : "error: " + id.error().message();
  }

  static MfaCodeReader NoTerminal() {
    return [](const std::string&) -> Result<std::string> {
      return Error(ErrorCode::kMisconfigured, "no terminal in tests");
    };
  }

 private:
  // Real files: credential_process helpers are scripts a child process runs.
  hubspoke::testing::TempDirectory tmp_{"hubspoke-profile"};
  fs::path dir_;
  std::unique_ptr<FileSystem> files_ = MakeRealFileSystem();
  hubspoke::testing::FakeClock clock_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  hubspoke::testing::CapturingLogger log_;
  hubspoke::testing::MaxRandom random_;
  std::unique_ptr<ProcessRunner> processes_ = MakeRealProcessRunner();
  std::unique_ptr<SystemContext> sys_;
  ProfileSet profiles_;
};

// Nothing the providers saw as a secret may appear in what they log or say.
void ExpectNoSecrets(const std::string& text, const std::vector<std::string>& secrets = {}) {
  EXPECT_EQ(text.find(kUserSecret), std::string::npos) << text;
  for (const auto& s : secrets) {
    if (!s.empty()) {
      EXPECT_EQ(text.find(s), std::string::npos) << text;
    }
  }
}

const std::string kBaseCredentials = std::string("[base]\naws_access_key_id = ") + kUserKey +
                                     "\naws_secret_access_key = " + kUserSecret + "\n";

// base (static keys) → hub (role, source_profile base) → spoke (role, external id,
// source_profile hub): the seed's chain written as AWS CLI profiles.
const std::string kChainConfig = std::string(R"(
[profile hub]
role_arn = )") + kHubArn + R"(
source_profile = base
role_session_name = hub-session

[profile spoke]
role_arn = )" + kSpokeArn + R"(
source_profile = hub
external_id = this-is-my-automation
role_session_name = spoke-session
duration_seconds = 900

[profile wrong-external-id]
role_arn = )" + kSpokeArn + R"(
source_profile = hub
external_id = not-the-one

[profile loop-a]
role_arn = )" + kHubArn + R"(
source_profile = loop-b

[profile loop-b]
role_arn = )" + kHubArn + R"(
source_profile = loop-c

[profile loop-c]
role_arn = )" + kHubArn + R"(
source_profile = loop-a

[profile dangling]
role_arn = )" + kHubArn + R"(
source_profile = nowhere

[profile sourceless]
role_arn = )" + kHubArn + R"(

[profile both-sources]
role_arn = )" + kHubArn + R"(
source_profile = base
credential_source = Environment

[profile from-env]
role_arn = )" + kHubArn + R"(
credential_source = Environment

[profile bad-source]
role_arn = )" + kHubArn + R"(
credential_source = Laptop

[profile bad-duration]
role_arn = )" + kHubArn + R"(
source_profile = base
duration_seconds = 10m

[profile not-an-arn]
role_arn = automation-hub-role
source_profile = base

[profile region-only]
region = eu-west-1
)";

TEST(ProfileProvider, SourceProfileChainOfThreeReachesTheSpoke) {
  LabServer lab(iam::BuiltinModel());
  Fixture f(kChainConfig, kBaseCredentials, {}, lab.url());
  auto provider = f.Profile("spoke");
  auto c = provider->GetCredentials();
  ASSERT_TRUE(c) << c.error().ToString() << "\n" << lab.log();
  EXPECT_EQ(f.Arn(*c), "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/spoke-session");
  EXPECT_EQ(c->access_key_id.rfind("ASIA", 0), 0u);
  ASSERT_TRUE(c->expiration.has_value());
  // duration_seconds = 900 reached STS.
  auto left = *c->expiration - std::chrono::system_clock::now();
  EXPECT_LE(left, std::chrono::seconds(901));
  EXPECT_GT(left, std::chrono::seconds(800));
  EXPECT_NE(provider->Describe().find("role " + std::string(kSpokeArn) + " ← profile hub: role " +
                                      kHubArn + " ← profile base: static keys"),
            std::string::npos)
      << provider->Describe();
  ExpectNoSecrets(f.log() + provider->Describe(),
                  {std::string(c->secret_access_key.reveal()), std::string(c->session_token.reveal())});
}

TEST(ProfileProvider, WrongExternalIdIsAccessDeniedNamingProfileRoleAndHint) {
  LabServer lab(iam::BuiltinModel());
  Fixture f(kChainConfig, kBaseCredentials, {}, lab.url());
  auto c = f.Profile("wrong-external-id")->GetCredentials();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kAccessDenied) << c.error().ToString();
  EXPECT_NE(c.error().message().find("profile wrong-external-id: AssumeRole " +
                                     std::string(kSpokeArn)),
            std::string::npos)
      << c.error().message();
  ASSERT_TRUE(c.error().aws().has_value());
  EXPECT_EQ(c.error().aws()->code, "AccessDenied");
  EXPECT_NE(c.error().hint().find("external_id"), std::string::npos) << c.error().hint();
  EXPECT_EQ(c.error().ToString().find("not-the-one"), std::string::npos)
      << "external ids are not echoed";
  ExpectNoSecrets(f.log() + c.error().ToString());
}

// Static keys, loops, misconfigured profiles, credential_source, MFA, credential_process and the
// default chain's precedence are scenarios (tests/scenarios/credentials/role_*, process_*,
// profile_*, chain_*); these need the lab's trust evaluation or a real socket.

// ---- the default chain --------------------------------------------------------------------

TEST(DefaultChain, AnImdsThatNeverAnswersIsSkippedWithinItsTimeout) {
  // A listening socket nobody accepts on: connections hang until the client gives up.
  httplib::Server never;
  never.Put("/latest/api/token", [&](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    res.set_content("late", "text/plain");
  });
  int port = never.bind_to_any_port("127.0.0.1");
  std::thread t([&] { never.listen_after_bind(); });
  Fixture f("", "", {{"AWS_EC2_METADATA_DISABLED", "false"},
                     {"AWS_EC2_METADATA_SERVICE_ENDPOINT",
                      "http://127.0.0.1:" + std::to_string(port)}});
  const auto start = std::chrono::steady_clock::now();
  auto c = f.Chain()->GetCredentials();
  const auto took = std::chrono::steady_clock::now() - start;
  never.stop();
  t.join();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kNotConfigured) << c.error().message();
  EXPECT_NE(c.error().message().find("EC2 instance metadata"), std::string::npos)
      << c.error().message();
  EXPECT_LT(took, std::chrono::milliseconds(2400)) << "bounded by the IMDS timeout (1 s)";
}

}  // namespace
}  // namespace hubspoke
