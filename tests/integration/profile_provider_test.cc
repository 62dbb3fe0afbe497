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

#include "hubspoke/providers.h"
#include "lab/lab_testing.h"
#include "testing/fake_sts.h"

namespace hubspoke {
namespace {

namespace fs = std::filesystem;
using lab::testing::LabServer;

constexpr char kUserKey[] = "AKIALABEXAMPLE000001";
constexpr char kUserSecret[] = "labSecretKey/sysAutomation/EXAMPLEKEY001";
constexpr char kHubArn[] = "arn:aws:iam::999999999999:role/automation-hub-role";
constexpr char kSpokeArn[] = "arn:aws:iam::888888888888:role/automation-spoke-role";

// A temp HOME with ~/.aws/config and ~/.aws/credentials, a map environment pointing at them and
// at `sts_url`, and a client-side SystemContext whose log is captured.
class Fixture {
 public:
  Fixture(const std::string& config, const std::string& credentials,
          std::vector<std::pair<std::string, std::string>> extra_env = {},
          const std::string& sts_url = "")
      : dir_(fs::temp_directory_path() /
             ("hubspoke-profile-" + std::to_string(::getpid()) + "-" + std::to_string(++count_))) {
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
    sys_ = std::make_unique<SystemContext>(SystemContext{clock_, *env_, *http_, log_, random_});
    auto loaded = LoadProfiles(*env_);
    EXPECT_TRUE(loaded) << loaded.error().message();
    if (loaded) profiles_ = std::move(*loaded);
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
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
  static inline int count_ = 0;
  fs::path dir_;
  hubspoke::testing::FakeClock clock_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  hubspoke::testing::CapturingLogger log_;
  hubspoke::testing::MaxRandom random_;
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

TEST(ProfileProvider, StaticKeysFromTheCredentialsFileWinOverTheConfigFile) {
  Fixture f("[profile base]\naws_access_key_id = AKIAFROMCONFIGFILE01\n"
            "aws_secret_access_key = from-config\nregion = eu-west-1\n",
            kBaseCredentials);
  auto c = f.Profile("base")->GetCredentials();
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id, kUserKey);
  EXPECT_EQ(c->secret_access_key.reveal(), kUserSecret);
  EXPECT_FALSE(c->expiration.has_value());
}

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

TEST(ProfileProvider, SourceProfileLoopIsReportedWithItsPath) {
  Fixture f(kChainConfig, kBaseCredentials);
  auto c = f.Profile("loop-a")->GetCredentials();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_EQ(c.error().message(), "source_profile loop: loop-a → loop-b → loop-c → loop-a");
  EXPECT_EQ(c.error().reason(), ErrorReason::kProfileLoop);
}

TEST(ProfileProvider, ProblemsNameTheProfileAndTheSetting) {
  Fixture f(kChainConfig, kBaseCredentials, {{"AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001"}});
  struct Case {
    std::string profile;
    std::string expected;
  } cases[] = {
      {"dangling", "profile dangling: source_profile nowhere: profile nowhere does not exist in "},
      {"sourceless", "profile sourceless: role_arn needs source_profile or credential_source"},
      {"both-sources", "profile both-sources sets both source_profile and credential_source"},
      {"bad-source", "profile bad-source: credential_source 'Laptop' must be Environment, "
                     "Ec2InstanceMetadata or EcsContainer"},
      {"bad-duration", "profile bad-duration: duration_seconds '10m' must be a number of seconds "
                       "from 900 to 43200"},
      {"not-an-arn", "profile not-an-arn: role_arn 'automation-hub-role' is not a role ARN"},
      {"from-env", "profile from-env: credential_source Environment: AWS_ACCESS_KEY_ID"},
      {"missing", "profile missing does not exist in "},
  };
  for (const Case& c : cases) {
    auto r = f.Profile(c.profile)->GetCredentials();
    ASSERT_FALSE(r) << c.profile;
    EXPECT_EQ(r.error().code(), ErrorCode::kMisconfigured) << c.profile << ": "
                                                           << r.error().message();
    EXPECT_EQ(r.error().message().rfind(c.expected, 0), 0u)
        << c.profile << ": " << r.error().message();
  }
}

TEST(ProfileProvider, AnAbsentDefaultProfileIsNotConfiguredButANamedOneIsAnError) {
  Fixture f("", "");
  auto implicit = f.Profile("default", /*explicit_name=*/false)->GetCredentials();
  ASSERT_FALSE(implicit);
  EXPECT_EQ(implicit.error().code(), ErrorCode::kNotConfigured);
  auto named = f.Profile("default", /*explicit_name=*/true)->GetCredentials();
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().code(), ErrorCode::kMisconfigured);
  // A profile with settings but no credentials lets the chain move on.
  Fixture g(kChainConfig, "");
  auto region_only = g.Profile("region-only", false)->GetCredentials();
  ASSERT_FALSE(region_only);
  EXPECT_EQ(region_only.error().code(), ErrorCode::kNotConfigured);
}

TEST(ProfileProvider, CredentialSourceEnvironmentAssumesTheRoleWithTheEnvironmentKeys) {
  LabServer lab(iam::BuiltinModel());
  Fixture f(kChainConfig, "",
            {{"AWS_ACCESS_KEY_ID", kUserKey}, {"AWS_SECRET_ACCESS_KEY", kUserSecret}}, lab.url());
  auto c = f.Profile("from-env")->GetCredentials();
  ASSERT_TRUE(c) << c.error().ToString() << "\n" << lab.log();
  EXPECT_EQ(f.Arn(*c).rfind("arn:aws:sts::999999999999:assumed-role/automation-hub-role/"
                            "assume-spoke-role-", 0),
            0u)
      << "the default session name";
}

TEST(ProfileProvider, AProfileMayNameItselfAsSourceWhenItHasKeys) {
  LabServer lab(iam::BuiltinModel());
  Fixture f(std::string("[profile self]\nrole_arn = ") + kHubArn + "\nsource_profile = self\n",
            std::string("[self]\naws_access_key_id = ") + kUserKey +
                "\naws_secret_access_key = " + kUserSecret + "\n",
            {}, lab.url());
  auto c = f.Profile("self")->GetCredentials();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(f.Arn(*c).rfind("arn:aws:sts::999999999999:assumed-role/automation-hub-role/", 0), 0u);
}

TEST(ProfileProvider, MfaSerialAsksTheReaderAndSendsTheCode) {
  LabServer lab(lab::testing::EditedBuiltinModel(
      R"("name": "sys-automation",)",
      R"("name": "sys-automation", "mfa_devices": ["arn:aws:iam::111111111111:mfa/sys-automation"],)"));
  Fixture f(std::string("[profile mfa]\nrole_arn = ") + kHubArn +
                "\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/sys-automation\n",
            kBaseCredentials, {}, lab.url());
  std::vector<std::string> asked;
  auto reader = [&](const std::string& serial) -> Result<std::string> {
    asked.push_back(serial);
    return std::string("123456");
  };
  auto c = f.Profile("mfa", true, reader)->GetCredentials();
  ASSERT_TRUE(c) << c.error().ToString() << "\n" << lab.log();
  EXPECT_EQ(asked, std::vector<std::string>{"arn:aws:iam::111111111111:mfa/sys-automation"});

  // No terminal: a clear error naming the profile and the device, and nothing sent.
  auto none = f.Profile("mfa")->GetCredentials();
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find(
                "profile mfa: mfa_serial arn:aws:iam::111111111111:mfa/sys-automation: no terminal"),
            std::string::npos)
      << none.error().message();
}

TEST(ProfileProvider, CredentialProcessProfileAndItsFailures) {
  Fixture f("", "");
  const fs::path ok = f.dir() / "ok.sh";
  Fixture::Write(ok, "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS000000001\","
                     " \"SecretAccessKey\": \"process-secret-value\"}'\n");
  const fs::path bad = f.dir() / "bad.sh";
  Fixture::Write(bad, "#!/bin/sh\necho 'process-secret-value is not JSON'\n");
  const fs::path fails = f.dir() / "fails.sh";
  Fixture::Write(fails, "#!/bin/sh\necho 'oops' >&2\nexit 3\n");
  for (const auto& p : {ok, bad, fails}) ::chmod(p.c_str(), 0700);
  Fixture::Write(f.dir() / ".aws" / "config",
                 "[profile ok]\ncredential_process = " + ok.string() +
                     "\n[profile bad]\ncredential_process = " + bad.string() +
                     "\n[profile fails]\ncredential_process = " + fails.string() + "\n");
  Fixture g("", "", {{"AWS_CONFIG_FILE", (f.dir() / ".aws" / "config").string()}});
  auto c = g.Profile("ok")->GetCredentials();
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id, "AKIAPROCESS000000001");
  for (const char* name : {"bad", "fails"}) {
    auto r = g.Profile(name)->GetCredentials();
    ASSERT_FALSE(r) << name;
    EXPECT_NE(r.error().code(), ErrorCode::kNotConfigured);
    EXPECT_NE(r.error().message().find(std::string("profile ") + name), std::string::npos)
        << r.error().message();
    ExpectNoSecrets(r.error().ToString() + g.log(), {"process-secret-value"});
  }
}

// Regression: a credential_process that called this tool back with its own profile started
// processes without end. The marker carries the chain into the helper; entering a profile that
// is on it is a loop, reported at once with the whole path.
TEST(ProfileProvider, CredentialProcessLoopIsStoppedTheFirstTimeAProfileIsEnteredAgain) {
  Fixture f("[profile a]\ncredential_process = /bin/false\n"
            "[profile b]\nsource_profile = a\nrole_arn = " + std::string(kHubArn) + "\n",
            "", {{"ASSUME_SPOKE_ROLE_PROFILE_CHAIN", "outer\na"}});
  auto r = f.Profile("a")->GetCredentials();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(r.error().message().find("credential_process loop: outer → a → a"), std::string::npos)
      << r.error().message();
  EXPECT_EQ(r.error().reason(), ErrorReason::kCredentialProcessLoop);
  // Through a source_profile hop: the loop is found on the hop and shows the in-process path.
  r = f.Profile("b")->GetCredentials();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("credential_process loop: outer → a → b → a"),
            std::string::npos)
      << r.error().message();
}

TEST(ProfileProvider, CredentialProcessNestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 8; ++i) deep += (i ? "\n" : "") + std::string("p") + std::to_string(i);
  Fixture f("[profile fresh]\ncredential_process = /bin/false\n", "",
            {{"ASSUME_SPOKE_ROLE_PROFILE_CHAIN", deep}});
  auto r = f.Profile("fresh")->GetCredentials();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("credential_process nesting deeper than 8"),
            std::string::npos)
      << r.error().message();
  EXPECT_EQ(r.error().reason(), ErrorReason::kCredentialProcessTooDeep);
}

TEST(ProfileProvider, CredentialProcessHelperGetsTheChainMarker) {
  Fixture f("", "");
  const fs::path out = f.dir() / "chain.txt";
  const fs::path helper = f.dir() / "helper.sh";
  Fixture::Write(helper, "#!/bin/sh\nprintf '%s' \"$ASSUME_SPOKE_ROLE_PROFILE_CHAIN\" > " +
                             out.string() +
                             "\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS000000001\","
                             " \"SecretAccessKey\": \"process-secret-value\"}'\n");
  ::chmod(helper.c_str(), 0700);
  Fixture::Write(f.dir() / ".aws" / "config",
                 "[profile top]\nrole_arn = " + std::string(kHubArn) +
                     "\nsource_profile = helper\n[profile helper]\ncredential_process = " +
                     helper.string() + "\n");
  Fixture g("", "",
            {{"AWS_CONFIG_FILE", (f.dir() / ".aws" / "config").string()},
             {"ASSUME_SPOKE_ROLE_PROFILE_CHAIN", "outer"}});
  auto c = g.Profile("helper")->GetCredentials();
  ASSERT_TRUE(c) << c.error().message();
  std::ifstream in(out);
  std::string chain((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(chain, "outer\nhelper");
}

// ---- the default chain --------------------------------------------------------------------

TEST(DefaultChain, EnvironmentFirstUnlessAProfileIsNamedOnTheCommandLine) {
  Fixture f("", kBaseCredentials + "[default]\naws_access_key_id = AKIADEFAULTPROFILE01\n"
                                   "aws_secret_access_key = default-profile-secret\n",
            {{"AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001"},
             {"AWS_SECRET_ACCESS_KEY", "environment-secret"},
             {"AWS_PROFILE", "base"}});
  auto chain = f.Chain();
  auto from_env = chain->GetCredentials();
  ASSERT_TRUE(from_env) << from_env.error().message();
  EXPECT_EQ(from_env->access_key_id, "AKIAENVIRONMENT00001") << "AWS_PROFILE does not skip env";
  EXPECT_EQ(chain->Describe(), "environment (AWS_ACCESS_KEY_ID)");

  auto named = f.Chain("base");
  auto from_profile = named->GetCredentials();
  ASSERT_TRUE(from_profile) << from_profile.error().message();
  EXPECT_EQ(from_profile->access_key_id, kUserKey);
  EXPECT_EQ(named->Describe(), "profile base (static keys)");
}

TEST(DefaultChain, NothingFoundListsEverySourceAndWhy) {
  Fixture f("", "");
  auto c = f.Chain()->GetCredentials();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kNotConfigured);
  const std::string m = c.error().message();
  for (const char* part : {"AWS_ACCESS_KEY_ID", "no profile default", "AWS_WEB_IDENTITY_TOKEN_FILE",
                           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED"}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << " in " << m;
  }
  EXPECT_NE(c.error().hint().find("whoami"), std::string::npos);
  // Each source once: the ones whose message names them are not prefixed again.
  EXPECT_NE(m.find("; no profile default in "), std::string::npos) << m;
  EXPECT_NE(m.find("; no web identity: AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos) << m;
  EXPECT_NE(m.find("environment: AWS_ACCESS_KEY_ID"), std::string::npos) << m;
  EXPECT_NE(m.find("; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), std::string::npos) << m;
  EXPECT_EQ(m.find("profile: no profile"), std::string::npos) << m;
  EXPECT_EQ(m.find("web identity: no web identity"), std::string::npos) << m;
  EXPECT_EQ(m.find("EC2 instance metadata: EC2 instance metadata"), std::string::npos) << m;
}

TEST(DefaultChain, APresentButBrokenSourceStopsTheChain) {
  // The profile would work, but the environment has half a key pair: the SDKs stop there.
  Fixture f("", kBaseCredentials, {{"AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001"},
                                   {"AWS_PROFILE", "base"}});
  auto c = f.Chain()->GetCredentials();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(c.error().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  // A named profile that does not exist stops it too.
  Fixture g("", "", {{"AWS_PROFILE", "typo"}});
  auto typo = g.Chain()->GetCredentials();
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(typo.error().message().find("profile typo does not exist"), std::string::npos);
}

TEST(DefaultChain, FallsThroughToTheContainerEndpoint) {
  httplib::Server server;
  std::string seen_auth;
  server.Get("/creds", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    res.set_content(R"({"AccessKeyId": "ASIACONTAINER0000001", "SecretAccessKey": "container-secret",
                        "Token": "container-token", "Expiration": "2099-01-01T00:00:00Z"})",
                    "application/json");
  });
  server.set_keep_alive_max_count(1);  // stop() need not wait out our kept-alive connection
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  Fixture f("", "", {{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
                      "http://127.0.0.1:" + std::to_string(port) + "/creds"},
                     {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth-token"}});
  auto chain = f.Chain();
  auto c = chain->GetCredentials();
  server.stop();
  t.join();
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER0000001");
  EXPECT_EQ(seen_auth, "container-auth-token");
  EXPECT_NE(chain->Describe().find("container"), std::string::npos) << chain->Describe();
  ExpectNoSecrets(f.log() + chain->Describe(),
                  {"container-secret", "container-token", "container-auth-token"});
}

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
