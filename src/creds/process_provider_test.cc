#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "creds/profile_chain_marker.h"
#include "hubspoke/credential_sources.h"
#include "testing/fake_process_runner.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"
#include "testing/temp_directory.h"

namespace hubspoke {
namespace {

constexpr char kKeyId[] = "AKIAPROCESSEXAMPLE01";
constexpr char kSecret[] = "procSecret/wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLE";
constexpr char kToken[] = "procToken/IQoJb3JpZ2luX2VjEXAMPLETOKEN";

class ProcessProviderTest : public ::testing::Test {
 protected:
  ProcessProviderTest()
      : env_(MakeMapEnvironment({{"PATH", PathOrDefault()},
                                 {"HUBSPOKE_TEST_KEY_ID", kKeyId},
                                 {"HUBSPOKE_TEST_DIR", "overridden"},
                                 {"HUBSPOKE_TEST_DIR", Dir()}})),
        http_(MakeHttpClient({})),
        sys_{clock_, *env_, *http_, log_, random_, files_, *processes_},
        fake_sys_{clock_, *env_, *http_, log_, random_, files_, fake_} {}



  static std::string PathOrDefault() {
    const char* p = std::getenv("PATH");
    return p && *p ? p : "/usr/bin:/bin";
  }
  const std::string& Dir() const { return tmp_.path(); }

  // A 0700 shell script in the temp dir; returns its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = Dir() + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    EXPECT_EQ(chmod(path.c_str(), 0700), 0);
    return path;
  }

  Result<Credentials> Run(const std::string& command,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return RunWith(sys_, command, timeout);
  }
  // Through the fake runner: what Script() said the helper does.
  Result<Credentials> RunFake(const std::string& command,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return RunWith(fake_sys_, command, timeout);
  }
  Result<Credentials> RunWith(const SystemContext& sys, const std::string& command,
                              std::chrono::milliseconds timeout) {
    auto provider = MakeProcessCredentialsProvider(
        sys,
        ProcessProviderOptions{.command = command, .profile_name = "dev", .timeout = timeout});
    EXPECT_EQ(provider->Describe(), "credential_process (profile dev)");
    auto r = provider->GetCredentials();
    ExpectNoSecrets(r);
    return r;
  }

  // Neither the error nor the log may show what the script printed.
  void ExpectNoSecrets(const Result<Credentials>& r) {
    std::string text = log_.text();
    if (!r) text += r.error().ToString();
    for (const char* secret : {kSecret, kToken}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << text;
    }
    EXPECT_EQ(text.find("procSecret"), std::string::npos) << text;
  }

  static std::string Json(const std::string& extra = "") {
    return std::string(R"({"Version": 1, "AccessKeyId": ")") + kKeyId +
           R"(", "SecretAccessKey": ")" + kSecret + "\"" + extra + "}";
  }
  // printf of `text` (single-quoted: the JSON has no single quotes).
  static std::string Print(const std::string& text) { return "printf '%s\\n' '" + text + "'"; }

  testing::FakeClock clock_;
  testing::CapturingLogger log_;
  testing::MaxRandom random_;
  testing::TempDirectory tmp_{"procprov"};  // real: the scripts run as child processes
  testing::MemoryFileSystem files_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<ProcessRunner> processes_ = MakeRealProcessRunner();
  testing::FakeProcessRunner fake_;
  SystemContext sys_;
  SystemContext fake_sys_;
};

// True when `pid` has exited (a zombie waiting for a parent to reap it counts as gone).
bool Gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  std::size_t close_paren = line.rfind(')');
  return close_paren == std::string::npos || line.substr(close_paren + 2, 1) == "Z";
}

pid_t ReadPid(const std::string& path) {
  std::ifstream f(path);
  pid_t pid = 0;
  f >> pid;
  return pid;
}

TEST_F(ProcessProviderTest, LongTermKeys) {
  auto c = Run(Script("long-term", Print(Json())));
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, kKeyId);
  EXPECT_EQ(c->secret_access_key.reveal(), kSecret);
  EXPECT_TRUE(c->session_token.empty());
  EXPECT_FALSE(c->expiration.has_value());
}

TEST_F(ProcessProviderTest, TemporaryKeysWithExpiration) {
  auto c = Run(Script("temporary", Print(Json(std::string(R"(, "SessionToken": ")") + kToken +
                                              R"(", "Expiration": "2099-01-02T03:04:05Z")"))));
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->session_token.reveal(), kToken);
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::seconds>(c->expiration->time_since_epoch()).count(),
      4071006245);
}

// The command runs through /bin/sh -c with the provider's environment (not the test process's)
// and stdin from /dev/null (cat returns at once); stderr is ours and does not disturb stdout.
TEST_F(ProcessProviderTest, ShellEnvironmentStdinAndStderr) {
  std::string script =
      Script("env",
             "input=$(cat)\n[ -z \"$input\" ] || exit 9\n"
             "echo 'helper: some diagnostics on stderr' >&2\n"
             "printf '{\"Version\":1,\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\"}' "
             "\"$HUBSPOKE_TEST_KEY_ID\" \"$(basename \"$HUBSPOKE_TEST_DIR\")\"");
  // Shell syntax in the command itself works, as with the AWS CLI.
  auto c = Run(script + " 2>&1 >/dev/null | cat >&2; " + script);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, kKeyId);
  // The last definition of a variable wins, as in MapEnvironment.
  EXPECT_EQ(c->secret_access_key.reveal(), std::filesystem::path(Dir()).filename().string());
}

TEST_F(ProcessProviderTest, NonZeroExitNamesTheStatusNotTheOutput) {
  auto c = Run(Script("exit3", Print(Json()) + "\nexit 3"));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(c.error().message().find("profile dev: credential_process exited with status 3"),
            std::string::npos)
      << c.error().message();
  auto missing = Run("/nonexistent/credential-helper");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("status 127 (command not found)"), std::string::npos)
      << missing.error().message();
  // The shell itself killed, and a script the shell ran killed.
  auto killed = Run(Print(Json()) + "; kill -KILL $$");
  ASSERT_FALSE(killed.has_value());
  EXPECT_NE(killed.error().message().find("credential_process was killed by SIGKILL"),
            std::string::npos)
      << killed.error().message();
  auto script_killed = Run(Script("killed", Print(Json()) + "\nkill -TERM $$") + "; exit $?");
  ASSERT_FALSE(script_killed.has_value());
  EXPECT_NE(script_killed.error().message().find(
                "exited with status 143 (a command it ran was killed by SIGTERM)"),
            std::string::npos)
      << script_killed.error().message();
}

TEST_F(ProcessProviderTest, BadJsonIsNotEchoed) {
  std::string truncated = Json();
  truncated.pop_back();
  auto c = Run(Script("bad-json", Print(truncated)));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(c.error().message().find("profile dev: credential_process printed invalid JSON"),
            std::string::npos)
      << c.error().message();
  auto not_object = Run(Script("array", Print("[1, 2]")));
  ASSERT_FALSE(not_object.has_value());
  EXPECT_NE(not_object.error().message().find("not a JSON object"), std::string::npos);
  auto empty = Run(Script("empty", "true"));
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message().find("invalid JSON"), std::string::npos);
}

TEST_F(ProcessProviderTest, OnlyVersionOne) {
  std::string v2 = Json();
  v2.replace(v2.find("1"), 1, "2");
  auto c = Run(Script("v2", Print(v2)));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(c.error().message().find("Version 2; only Version 1 is supported"), std::string::npos)
      << c.error().message();
  std::string as_string = Json();
  as_string.replace(as_string.find("1"), 1, "\"1\"");
  auto s = Run(Script("v-string", Print(as_string)));
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("Version that is not a number"), std::string::npos);
  auto none = Run(Script("no-version", Print(std::string(R"({"AccessKeyId": "AKIAX", )") +
                                             R"("SecretAccessKey": ")" + kSecret + "\"}")));
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message().find("has no Version"), std::string::npos);
}

TEST_F(ProcessProviderTest, MissingFields) {
  auto no_secret = Run(Script("no-secret", Print(R"({"Version": 1, "AccessKeyId": "AKIAX"})")));
  ASSERT_FALSE(no_secret.has_value());
  EXPECT_NE(no_secret.error().message().find("has no SecretAccessKey"), std::string::npos)
      << no_secret.error().message();
  auto no_key = Run(Script(
      "no-key", Print(std::string(R"({"Version": 1, "SecretAccessKey": ")") + kSecret + "\"}")));
  ASSERT_FALSE(no_key.has_value());
  EXPECT_NE(no_key.error().message().find("has no AccessKeyId"), std::string::npos);
  auto bad_type = Run(Script("bad-token", Print(Json(R"(, "SessionToken": 42)"))));
  ASSERT_FALSE(bad_type.has_value());
  EXPECT_NE(bad_type.error().message().find("SessionToken that is not a string"),
            std::string::npos);
  auto bad_time = Run(Script("bad-time", Print(Json(R"(, "Expiration": "tomorrow")"))));
  ASSERT_FALSE(bad_time.has_value());
  EXPECT_NE(bad_time.error().message().find("Expiration that is not an ISO 8601 time"),
            std::string::npos);
}

TEST_F(ProcessProviderTest, ExpiredCredentialsAreRefused) {
  auto c = Run(Script("expired", Print(Json(std::string(R"(, "SessionToken": ")") + kToken +
                                            R"(", "Expiration": "2000-01-01T00:00:00Z")"))));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(c.error().message().find("returned credentials that expired at 2000-01-01T00:00:00Z"),
            std::string::npos)
      << c.error().message();
}

TEST_F(ProcessProviderTest, HugeStdoutIsCutOff) {
  auto started = std::chrono::steady_clock::now();
  auto c = Run(Script("huge", std::string("while :; do echo '") + kSecret + "'; done"));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(c.error().message().find("more than 1 MiB"), std::string::npos) << c.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

// The regression this guards: a hung helper (waiting for a browser, a lock, the network) must
// not hang the chain, and must not leave its children behind.
TEST_F(ProcessProviderTest, HangingCommandIsKilledWithItsProcessGroup) {
  std::string script = Script("hang",
                              "echo $$ > \"$HUBSPOKE_TEST_DIR/shell.pid\"\n"
                              "sleep 30 &\necho $! > \"$HUBSPOKE_TEST_DIR/child.pid\"\n"
                              "wait");
  auto started = std::chrono::steady_clock::now();
  auto c = Run(script, std::chrono::milliseconds(300));
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kTimeout);
  EXPECT_NE(
      c.error().message().find("profile dev: credential_process did not finish within 300 ms"),
      std::string::npos)
      << c.error().message();
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  pid_t shell = ReadPid(Dir() + "/shell.pid");
  pid_t child = ReadPid(Dir() + "/child.pid");
  ASSERT_GT(shell, 0);
  ASSERT_GT(child, 0);
  // The background sleep is reparented when killed; give its new parent a moment to reap it.
  for (int i = 0; i < 100 && !(Gone(shell) && Gone(child)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(Gone(shell)) << shell;
  EXPECT_TRUE(Gone(child)) << child;
}

// SIGTERM ignored: the group gets SIGKILL after the grace period.
TEST_F(ProcessProviderTest, CommandIgnoringSigtermIsKilledAnyway) {
  std::string script = Script("stubborn",
                              "trap '' TERM\n"
                              "sleep 30 &\necho $! > \"$HUBSPOKE_TEST_DIR/child.pid\"\n"
                              "wait");
  auto started = std::chrono::steady_clock::now();
  auto c = Run(script, std::chrono::milliseconds(300));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  pid_t child = ReadPid(Dir() + "/child.pid");
  ASSERT_GT(child, 0);
  for (int i = 0; i < 100 && !Gone(child); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(Gone(child)) << child;
}

TEST_F(ProcessProviderTest, EmptyCommandIsMisconfigured) {
  auto c = Run("  ");
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kMisconfigured);
  EXPECT_NE(c.error().message().find("profile dev: credential_process is empty"),
            std::string::npos);
}

// Through the fake runner: what the provider asks for, and what it makes of each outcome.
TEST_F(ProcessProviderTest, AsksForTheShellInItsOwnGroupWithTheHelperEnvironment) {
  fake_.Script({.stdout_bytes = Json()});
  auto c = RunFake("helper --profile x");
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, kKeyId);
  EXPECT_EQ(c->secret_access_key.reveal(), kSecret);
  ASSERT_EQ(fake_.started(), 1u);
  const ProcessSpec spec = fake_.specs()[0];
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"/bin/sh", "-c", "helper --profile x"}));
  EXPECT_EQ(spec.stdin_mode, ProcessSpec::Input::kNull);
  EXPECT_EQ(spec.stdout_mode, ProcessSpec::Output::kPipe);
  EXPECT_EQ(spec.stderr_mode, ProcessSpec::Output::kInherit);
  EXPECT_TRUE(spec.new_process_group);
  EXPECT_TRUE(spec.kill_group_when_we_die);
  EXPECT_TRUE(spec.take_terminal);
  EXPECT_FALSE(spec.forward_signals);
  // One definition per name, the last one winning, plus the profile chain marker.
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : spec.env) EXPECT_TRUE(env.emplace(k, v).second) << k;
  EXPECT_EQ(env["HUBSPOKE_TEST_KEY_ID"], kKeyId);
  EXPECT_EQ(env["HUBSPOKE_TEST_DIR"], Dir());
  EXPECT_EQ(env.count(kProfileChainVar), 1u);
  EXPECT_TRUE(fake_.signals(0).empty());
}

TEST_F(ProcessProviderTest, FakeOutcomesExitStatusAndSignal) {
  fake_.Script({.exit_status = 3, .stdout_bytes = Json()});
  auto exited = RunFake("helper");
  ASSERT_FALSE(exited.has_value());
  EXPECT_NE(exited.error().message().find("exited with status 3"), std::string::npos)
      << exited.error().message();
  fake_.Script({.signal = SIGSEGV, .stdout_bytes = Json()});
  auto killed = RunFake("helper");
  ASSERT_FALSE(killed.has_value());
  EXPECT_NE(killed.error().message().find("credential_process was killed by SIGSEGV"),
            std::string::npos)
      << killed.error().message();
  // No /bin/sh at all: the provider says so.
  fake_.Script({.start_errno = ENOENT});
  auto no_shell = RunFake("helper");
  ASSERT_FALSE(no_shell.has_value());
  EXPECT_EQ(no_shell.error().code(), ErrorCode::kInternal);
  EXPECT_NE(no_shell.error().message().find("cannot run /bin/sh"), std::string::npos)
      << no_shell.error().message();
}

// The deadline, whether the helper hangs before or after closing stdout: SIGTERM to its group,
// then SIGKILL when it ignores that.
TEST_F(ProcessProviderTest, FakeHelpersPastTheDeadlineAreKilled) {
  fake_.Script({.never_exits = true});
  auto hung = RunFake("helper", std::chrono::milliseconds(50));
  ASSERT_FALSE(hung.has_value());
  EXPECT_EQ(hung.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(fake_.signals(0), std::vector<int>{SIGTERM});

  fake_.Script({.stdout_bytes = Json(), .never_exits = true, .ignores_sigterm = true});
  auto stubborn = RunFake("helper", std::chrono::milliseconds(50));
  ASSERT_FALSE(stubborn.has_value());
  EXPECT_EQ(stubborn.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(fake_.signals(1), (std::vector<int>{SIGTERM, SIGCONT, SIGKILL}));

  // Its stdout is complete but it does not exit in time.
  fake_.Script({.stdout_bytes = Json(), .delay = std::chrono::seconds(30)});
  auto slow = RunFake("helper", std::chrono::milliseconds(50));
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(fake_.signals(2), std::vector<int>{SIGTERM});

  // Within the deadline, a delay is fine.
  fake_.Script({.stdout_bytes = Json(), .delay = std::chrono::milliseconds(30)});
  auto in_time = RunFake("helper", std::chrono::seconds(5));
  ASSERT_TRUE(in_time.has_value()) << in_time.error().ToString();
  EXPECT_TRUE(fake_.signals(3).empty());
}

TEST_F(ProcessProviderTest, FakeHugeStdoutIsCutOff) {
  fake_.Script({.stdout_bytes = std::string(2 << 20, 'x')});
  auto c = RunFake("helper");
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("more than 1 MiB"), std::string::npos) << c.error().message();
}

}  // namespace
}  // namespace hubspoke
