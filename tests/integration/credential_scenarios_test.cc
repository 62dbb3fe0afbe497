// Credential sources as data: every folder under tests/scenarios/credentials/ is one scenario
// (env.json, fs/, http-traffic.json, test-case.json; the format is in that folder's README.md),
// run by the one parameterized test below. Each is materialized in a temp directory, run against
// a ReplayTransport (no network), a FakeClock and a map environment whose HOME is that directory
// (so the runner's own ~/.aws is never read), and checked: the credentials or the error, the
// HTTP traffic (all of it, in order), and that no secret of the scenario reaches the log, the
// error or the provider's description.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/time.h"
#include "hubspoke/credential_sources.h"
#include "testing/fake_sts.h"
#include "testing/replay_transport.h"

namespace hubspoke {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path ScenariosDir() {
  if (const char* dir = std::getenv("HUBSPOKE_CREDENTIAL_SCENARIOS"); dir && *dir) return dir;
  return fs::path(HUBSPOKE_SCENARIOS_DIR) / "credentials";
}

std::vector<std::string> DiscoverScenarios() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ScenariosDir(), ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "test-case.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The scenario's files, copied under a fresh temp root with ${ROOT} and ${HOME} substituted in
// their text and their permission bits kept (an executable credential_process helper stays one).
class Materialized {
 public:
  explicit Materialized(const fs::path& scenario) {
    std::string tmpl = (fs::temp_directory_path() / "hubspoke-scenario-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    root_ = tmpl;
    fs::create_directories(home());
    const fs::path from = scenario / "fs";
    if (!fs::exists(from)) return;
    for (const auto& entry : fs::recursive_directory_iterator(from)) {
      const fs::path to = root_ / fs::relative(entry.path(), from);
      if (entry.is_directory()) {
        fs::create_directories(to);
        continue;
      }
      fs::create_directories(to.parent_path());
      std::ofstream(to, std::ios::binary | std::ios::trunc) << Substitute(ReadText(entry.path()));
      fs::permissions(to, fs::status(entry.path()).permissions());
      files_.push_back(to);
    }
  }
  ~Materialized() {
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }
  Materialized(const Materialized&) = delete;
  Materialized& operator=(const Materialized&) = delete;

  fs::path root() const { return root_; }
  fs::path home() const { return root_ / "home"; }
  const std::vector<fs::path>& files() const { return files_; }
  std::string Substitute(std::string text) const {
    text = ReplaceAll(std::move(text), "${HOME}", home().string());
    return ReplaceAll(std::move(text), "${ROOT}", root_.string());
  }

 private:
  fs::path root_;
  std::vector<fs::path> files_;
};

json ReadJson(const fs::path& path, const json& fallback) {
  if (!fs::exists(path)) return fallback;
  json j = json::parse(ReadText(path), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) ADD_FAILURE() << path << " is not valid JSON";
  return j;
}

std::optional<ErrorReason> ReasonNamed(const std::string& name) {
  static const std::map<std::string, ErrorReason> kReasons = {
      {"unspecified", ErrorReason::kUnspecified},
      {"profile_loop", ErrorReason::kProfileLoop},
      {"credential_process_loop", ErrorReason::kCredentialProcessLoop},
      {"credential_process_too_deep", ErrorReason::kCredentialProcessTooDeep},
      {"no_credentials_found", ErrorReason::kNoCredentialsFound},
  };
  auto it = kReasons.find(name);
  if (it == kReasons.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Strings(const json& j) {
  if (j.is_string()) return {j.get<std::string>()};
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& v : j) out.push_back(v.get<std::string>());
  }
  return out;
}

// ---- secrets -------------------------------------------------------------------------------
// Everything secret a scenario holds: the values of the secret variables in env.json, the
// secret properties of the shared config files, every JSON field that names a secret or token
// (credential responses, SSO caches), STS's <SecretAccessKey> and <SessionToken>, the IMDS
// session token, the files that hold a token (web identity, container authorization), and
// test-case.json's own "secrets" list.

void AddSecret(std::set<std::string>& secrets, std::string value) {
  // Trim, then ignore values too short to be a meaningful leak ("", "x").
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
  if (value.size() >= 6) secrets.insert(value);
}

void SecretsInJson(const json& j, std::set<std::string>& secrets) {
  static const std::set<std::string> kSecretKeys = {
      "secretaccesskey", "token",        "sessiontoken", "accesstoken",
      "refreshtoken",    "clientsecret", "secret_access_key", "session_token"};
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (v.is_string() && kSecretKeys.count(lower)) AddSecret(secrets, v.get<std::string>());
      SecretsInJson(v, secrets);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) SecretsInJson(v, secrets);
  }
}

void SecretsInText(const std::string& text, std::set<std::string>& secrets) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) SecretsInJson(j, secrets);
  static const std::regex kXml("<(SecretAccessKey|SessionToken)>([^<]*)</");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kXml); it != std::sregex_iterator();
       ++it) {
    AddSecret(secrets, (*it)[2].str());
  }
  // JSON a helper script prints, or a token file's JSON-looking line: the fields by name.
  static const std::regex kQuoted(
      R"re("(SecretAccessKey|SessionToken|Token|accessToken|secretAccessKey|sessionToken)"\s*:\s*"([^"]*)")re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kQuoted);
       it != std::sregex_iterator(); ++it) {
    AddSecret(secrets, (*it)[2].str());
  }
  static const std::regex kIni(R"((?:^|\n)\s*(aws_secret_access_key|aws_session_token|aws_security_token)\s*=\s*([^\n]*))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kIni); it != std::sregex_iterator();
       ++it) {
    AddSecret(secrets, (*it)[2].str());
  }
}

std::set<std::string> ScenarioSecrets(const Materialized& m, const json& env, const json& traffic,
                                      const json& test_case) {
  std::set<std::string> secrets;
  static const std::set<std::string> kSecretVars = {
      "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN"};
  static const std::set<std::string> kTokenFileVars = {"AWS_WEB_IDENTITY_TOKEN_FILE",
                                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"};
  for (const auto& [k, v] : env.items()) {
    if (!v.is_string()) continue;
    if (kSecretVars.count(k)) AddSecret(secrets, v.get<std::string>());
  }
  for (const auto& file : m.files()) {
    const std::string text = ReadText(file);
    SecretsInText(text, secrets);
    // Token files: by name, or named by a variable or a web_identity_token_file property.
    bool token_file = file.filename().string().find("token") != std::string::npos;
    for (const auto& [k, v] : env.items()) {
      if (kTokenFileVars.count(k) && v.is_string() && m.Substitute(v.get<std::string>()) == file.string()) {
        token_file = true;
      }
    }
    if (token_file && json::parse(text, nullptr, false).is_discarded()) AddSecret(secrets, text);
  }
  for (const auto& file : m.files()) {
    const std::string text = ReadText(file);
    static const std::regex kTokenFile(R"(web_identity_token_file\s*=\s*([^\n]*))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kTokenFile);
         it != std::sregex_iterator(); ++it) {
      const fs::path p = (*it)[1].str();
      if (fs::is_regular_file(p)) AddSecret(secrets, ReadText(p));
    }
  }
  if (traffic.contains("events")) {
    for (const auto& e : traffic["events"]) {
      if (!e.contains("response")) continue;
      const json& r = e["response"];
      if (r.contains("json")) SecretsInJson(r["json"], secrets);
      if (r.contains("body") && r["body"].is_string()) {
        const std::string body = r["body"].get<std::string>();
        SecretsInText(body, secrets);
        // The IMDSv2 session token is the whole body of the PUT's answer.
        const json& q = e.value("request", json::object());
        if (q.value("method", "") == "PUT" &&
            (q.value("url", "") + q.value("path", "")).find("/latest/api/token") != std::string::npos) {
          AddSecret(secrets, body);
        }
      }
      const json& q = e.value("request", json::object());
      if (q.contains("headers")) {
        for (const auto& [k, v] : q["headers"].items()) {
          std::string lower = k;
          std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
          if ((lower == "x-amz-sso_bearer_token" || lower == "authorization" ||
               lower == "x-aws-ec2-metadata-token") &&
              v.is_string() && v.get<std::string>().find('*') == std::string::npos) {
            AddSecret(secrets, v.get<std::string>());
          }
        }
      }
    }
  }
  for (const auto& s : Strings(test_case.value("secrets", json::array()))) AddSecret(secrets, s);
  if (test_case.contains("expected") && test_case["expected"].contains("credentials")) {
    const json& c = test_case["expected"]["credentials"];
    AddSecret(secrets, c.value("secret_access_key", ""));
    AddSecret(secrets, c.value("session_token", ""));
  }
  return secrets;
}

// ---- the test ------------------------------------------------------------------------------

class CredentialScenario : public ::testing::TestWithParam<std::string> {};

void CheckCredentials(const json& want, const Result<Credentials>& got, const std::string& source,
                      const std::string& call) {
  ASSERT_TRUE(got) << call << "expected credentials, got " << ErrorCodeName(got.error().code())
                   << ": " << got.error().ToString();
  EXPECT_EQ(got->access_key_id, want.value("access_key_id", "")) << call;
  EXPECT_EQ(got->secret_access_key.reveal(), want.value("secret_access_key", "")) << call;
  EXPECT_EQ(got->session_token.reveal(), want.value("session_token", ""))
      << call << "(no session_token in the scenario means none)";
  const std::string expiration = want.value("expiration", "");
  if (expiration.empty()) {
    EXPECT_FALSE(got->expiration.has_value())
        << call << "no expiration expected, got " << FormatRfc3339(*got->expiration);
  } else {
    auto t = ParseTimestamp(expiration);
    ASSERT_TRUE(t) << "test-case.json: bad expiration " << expiration;
    ASSERT_TRUE(got->expiration.has_value()) << call << "expected expiration " << expiration;
    EXPECT_EQ(FormatRfc3339(*got->expiration), FormatRfc3339(*t)) << call;
  }
  if (want.contains("source")) {
    EXPECT_EQ(source, want.value("source", "")) << call;
  }
}

void CheckError(const json& want, const Result<Credentials>& got, const std::string& call) {
  ASSERT_FALSE(got) << call << "expected an error, got credentials " << got->access_key_id;
  const Error& e = got.error();
  const std::string shown = e.ToString();
  if (want.contains("code")) {
    EXPECT_EQ(ErrorCodeName(e.code()), want.value("code", "")) << call << shown;
  }
  if (want.contains("reason")) {
    auto reason = ReasonNamed(want.value("reason", ""));
    ASSERT_TRUE(reason) << "test-case.json: unknown reason " << want.value("reason", "");
    EXPECT_EQ(e.reason(), *reason) << call << shown;
  }
  if (want.contains("message")) {
    EXPECT_EQ(e.message(), want.value("message", "")) << call;
  }
  if (want.contains("message_starts_with")) {
    EXPECT_EQ(e.message().rfind(want.value("message_starts_with", ""), 0), 0u)
        << call << e.message();
  }
  for (const auto& part : Strings(want.value("message_contains", json::array()))) {
    EXPECT_NE(e.message().find(part), std::string::npos) << call << "'" << part << "' in " << e.message();
  }
  for (const auto& part : Strings(want.value("message_excludes", json::array()))) {
    EXPECT_EQ(shown.find(part), std::string::npos) << call << "'" << part << "' not in " << shown;
  }
  for (const auto& part : Strings(want.value("hint_contains", json::array()))) {
    EXPECT_NE(e.hint().find(part), std::string::npos) << call << "'" << part << "' in " << e.hint();
  }
  if (want.contains("aws_code") || want.contains("aws_status") || want.contains("aws_request_id")) {
    ASSERT_TRUE(e.aws().has_value()) << call << "no AWS details: " << shown;
    if (want.contains("aws_code")) {
      EXPECT_EQ(e.aws()->code, want.value("aws_code", "")) << call;
    }
    if (want.contains("aws_status")) {
      EXPECT_EQ(e.aws()->http_status, want.value("aws_status", 0)) << call;
    }
    if (want.contains("aws_request_id")) {
      EXPECT_EQ(e.aws()->request_id, want.value("aws_request_id", "")) << call;
    }
  }
}

TEST_P(CredentialScenario, Run) {
  const fs::path dir = ScenariosDir() / GetParam();
  const json test_case = ReadJson(dir / "test-case.json", json::object());
  const json env_json = ReadJson(dir / "env.json", json::object());
  const json traffic_json = ReadJson(dir / "http-traffic.json", json{{"events", json::array()}});
  ASSERT_TRUE(test_case.is_object() && env_json.is_object() && traffic_json.is_object());
  for (const auto& [k, v] : test_case.items()) {
    static const std::set<std::string> kKeys = {"description", "time",     "provider",
                                                "mfa_code",    "mfa_serial", "calls",    "secrets",
                                                "expected",    "log_contains", "sleeps_ms"};
    ASSERT_TRUE(kKeys.count(k)) << "test-case.json: unknown key " << k;
  }
  ASSERT_TRUE(test_case.contains("expected")) << "test-case.json: expected is required";
  const json& expected = test_case["expected"];
  ASSERT_NE(expected.contains("credentials"), expected.contains("error"))
      << "test-case.json: expected has credentials or error";

  Materialized m(dir);
  ASSERT_FALSE(m.root().empty());

  std::vector<std::pair<std::string, std::string>> vars;
  bool home = false;
  for (const auto& [k, v] : env_json.items()) {
    ASSERT_TRUE(v.is_string()) << "env.json: " << k << " must be a string";
    vars.emplace_back(k, m.Substitute(v.get<std::string>()));
    home = home || k == "HOME";
  }
  if (!home) vars.emplace_back("HOME", m.home().string());
  for (const auto& [k, v] : vars) {
    // An empty HOME would make the profile loader fall back to the passwd entry: the runner's.
    if (k == "HOME") {
      ASSERT_FALSE(v.empty()) << "env.json: HOME may not be empty";
    }
  }
  auto env = MakeMapEnvironment(vars);

  auto exchanges = testing::ParseHttpTraffic(ReadText(dir / "http-traffic.json").empty()
                                                 ? R"({"events": []})"
                                                 : m.Substitute(ReadText(dir / "http-traffic.json")));
  ASSERT_TRUE(exchanges) << exchanges.error().message();
  testing::ReplayTransport http(std::move(*exchanges));

  TimePoint start = *ParseTimestamp("2026-01-01T00:00:00Z");
  if (test_case.contains("time")) {
    auto t = ParseTimestamp(test_case.value("time", ""));
    ASSERT_TRUE(t) << "test-case.json: bad time";
    start = *t;
  }
  testing::FakeClock clock(start);
  testing::CapturingLogger log;
  testing::MaxRandom random;
  // The real disk: the scenario's fs/ is materialized there (credential_process scripts run).
  std::unique_ptr<FileSystem> files = MakeRealFileSystem();
  // Real children: credential_process scenarios run the scripts of their fs/.
  std::unique_ptr<ProcessRunner> processes = MakeRealProcessRunner();
  SystemContext sys{clock, *env, http, log, random, *files, *processes};

  const std::string mfa_code = test_case.value("mfa_code", "");
  std::vector<std::string> mfa_asked;  // the serials the reader was asked for
  MfaCodeReader mfa = [mfa_code, &mfa_asked](const std::string& serial) -> Result<std::string> {
    mfa_asked.push_back(serial);
    if (mfa_code.empty()) return Error(ErrorCode::kMisconfigured, "no terminal in tests");
    return mfa_code;
  };

  const json provider_json = test_case.value("provider", json{{"kind", "default_chain"}});
  const std::string kind = provider_json.value("kind", "default_chain");
  ASSERT_TRUE(kind == "default_chain" || kind == "profile") << "test-case.json: provider.kind";

  std::vector<Result<Credentials>> results;
  std::string described;
  auto profiles = LoadProfiles(*env, *files);
  const int calls = test_case.value("calls", 1);
  if (!profiles) {
    results.push_back(profiles.error());
  } else {
    std::unique_ptr<CredentialsProvider> provider;
    if (kind == "default_chain") {
      provider = MakeDefaultCredentialsChain(
          sys, *profiles,
          DefaultChainOptions{.profile = provider_json.value("profile", ""), .mfa_reader = mfa});
    } else {
      provider = MakeProfileCredentialsProvider(
          sys, *profiles,
          ProfileProviderOptions{.profile_name = provider_json.value("name", "default"),
                                 .explicit_profile = provider_json.value("explicit", true),
                                 .mfa_reader = mfa});
    }
    for (int i = 0; i < calls; ++i) results.push_back(provider->GetCredentials());
    described = provider->Describe();
  }

  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string call = results.size() > 1 ? "call " + std::to_string(i + 1) + ": " : "";
    if (expected.contains("credentials")) {
      CheckCredentials(expected["credentials"], results[i], described, call);
    } else {
      CheckError(expected["error"], results[i], call);
    }
  }

  if (test_case.contains("mfa_serial")) {
    EXPECT_EQ(mfa_asked, std::vector<std::string>(static_cast<std::size_t>(calls),
                                                  test_case.value("mfa_serial", "")))
        << "the MFA reader is asked for the profile's mfa_serial once per call";
  }
  for (const auto& part : Strings(test_case.value("log_contains", json::array()))) {
    EXPECT_NE(log.text().find(part), std::string::npos) << "'" << part << "' in the log:\n"
                                                        << log.text();
  }
  if (test_case.contains("sleeps_ms")) {
    std::vector<long long> slept;
    for (auto d : clock.sleeps()) slept.push_back(d.count());
    EXPECT_EQ(slept, test_case["sleeps_ms"].get<std::vector<long long>>()) << "the clock's sleeps";
  }
  for (const auto& p : http.problems()) ADD_FAILURE() << "HTTP: " << p;
  for (const auto& u : http.unconsumed()) ADD_FAILURE() << "HTTP: recorded exchange never requested: " << u;

  // No secret of the scenario in the log, the error or the provider's description.
  const std::set<std::string> secrets = ScenarioSecrets(m, env_json, traffic_json, test_case);
  RecordProperty("secrets_checked", static_cast<int>(secrets.size()));
  if (expected.contains("credentials")) {
    EXPECT_FALSE(secrets.empty()) << "no secret found to check for leaks";
  }
  std::string said = log.text() + "\n" + described;
  for (const auto& r : results) {
    if (!r) said += "\n" + r.error().ToString() + "\n" + r.error().hint();
  }
  for (const auto& s : secrets) {
    EXPECT_EQ(said.find(s), std::string::npos) << "secret '" << s << "' leaked into:\n" << said;
  }
}

std::string ScenarioTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Credentials, CredentialScenario, ::testing::ValuesIn(DiscoverScenarios()),
                         ScenarioTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CredentialScenario);

// The folder exists and holds scenarios: a wrong path must not pass by running none.
TEST(CredentialScenarios, AreFound) { EXPECT_GE(DiscoverScenarios().size(), 30u) << ScenariosDir(); }

}  // namespace
}  // namespace hubspoke
