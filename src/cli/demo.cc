// `assume-spoke-role demo`: starts the lab in-process with the built-in model and walks through
// the README's hub-and-spoke chain against it, explaining each step.
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "cli/command.h"
#include "core/time.h"
#include "hubspoke/exec.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/sts_client.h"
#include "lab/lab_server.h"
#include "iam/model.h"
#include "lab/sts_service.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kDemoHelp = R"HELP(
Starts the lab (a local STS, see `assume-spoke-role lab --help`) on 127.0.0.1 with the built-in
model, then runs the README's chain through it and explains each step: the base identity
(sys-automation), the hub session (automation-hub-role in 999999999999), the spoke session
(automation-spoke-role in 888888888888, external id this-is-my-automation), what a wrong
external id looks like from both sides, and a child command with the spoke's credentials
(`aws sts get-caller-identity` when the AWS CLI is on PATH, else our own GetCallerIdentity).
Nothing leaves this machine.
)HELP";

// The lab's log, shown indented under the step that caused it.
class DemoLabLog final : public Logger {
 public:
  void Log(LogLevel, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (message.substr(0, 5) == "lab: ") message.remove_prefix(5);
    std::printf("      [lab] %.*s\n", static_cast<int>(message.size()), message.data());
    std::fflush(stdout);
  }
  bool Enabled(LogLevel) const override { return true; }

 private:
  std::mutex mu_;
};

std::string FindOnPath(const Environment& env, const std::string& name) {
  auto path = env.Get("PATH");
  if (!path) return "";
  std::size_t start = 0;
  while (start <= path->size()) {
    std::size_t end = path->find(':', start);
    if (end == std::string::npos) end = path->size();
    std::string dir = path->substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return "";
}

void Step(int n, const std::string& title) {
  std::printf("\n%d. %s\n", n, title.c_str());
  std::fflush(stdout);
}

void Say(const std::string& text) {
  std::printf("   %s\n", text.c_str());
  std::fflush(stdout);
}

void SetVar(EnvVars& env, const std::string& name, const std::string& value) {
  for (auto& [k, v] : env) {
    if (k == name) {
      v = value;
      return;
    }
  }
  env.emplace_back(name, value);
}

class DemoCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("demo", "Run the hub-and-spoke chain against a local lab, "
                                       "explaining each step");
    app_->add_flag("--no-aws-cli", no_aws_cli_,
                   "Show the spoke identity with our own GetCallerIdentity even when the AWS "
                   "CLI is on PATH");
    app_->footer(kDemoHelp);
    return app_;
  }

  int Execute(const Invocation&) override {
    DemoLabLog lab_log;
    auto lab = lab::LabServer::Start(iam::BuiltinModel(), SystemClock(), lab_log,
                                     lab::StsServiceOptions{.seed = 2024},
                                     ServerOptions{.threads = 1});
    if (!lab) return ReportError(lab.error().Wrap("demo: starting the lab"));
    int status = Walk((*lab)->url());
    (*lab)->Stop();
    return status;
  }

 private:
  int Walk(const std::string& url) {
    const std::string hub_arn = std::string("arn:aws:iam::") + iam::kBuiltinHubAccount +
                                ":role/" + iam::kBuiltinHubRole;
    const std::string spoke_arn = std::string("arn:aws:iam::") + iam::kBuiltinSpokeAccount +
                                  ":role/" + iam::kBuiltinSpokeRole;
    std::printf("The lab is listening on %s with the built-in model (organization %s;\n"
                "`assume-spoke-role lab --print-model` shows it). Lines marked [lab] are what "
                "the\nlab logs: the reasons AWS never tells you.\n",
                url.c_str(), iam::kBuiltinOrgId);

    auto process_env = MakeProcessEnvironment();
    auto env = MakeMapEnvironment({{"AWS_ENDPOINT_URL", url}, {"AWS_REGION", "us-east-1"}});
    auto http = MakeHttpClient({});
    auto log = MakeNullLogger();
    auto random = MakeSystemRandom();
    auto files = MakeRealFileSystem();
    auto processes = MakeRealProcessRunner();
    SystemContext sys{SystemClock(), *env, *http, *log, *random, *files, *processes};
    StsClient sts(sys, StsClientOptions{.endpoint = url, .signing_region = "us-east-1"});

    Credentials base;
    base.access_key_id = iam::kBuiltinAccessKeyId;
    base.secret_access_key = SecretString(iam::kBuiltinSecretAccessKey);

    Step(1, "Base identity: the IAM user's long-term access key");
    Say("In real life these come from aws-vault, SSO or the environment. Here: " +
        MaskAccessKeyId(base.access_key_id) + " of sys-automation.");
    auto me = sts.GetCallerIdentity(base);
    if (!me) return ReportError(me.error().Wrap("demo: base identity"));
    Say("GetCallerIdentity says: " + me->arn);

    Step(2, "Hub hop: sys-automation assumes " + hub_arn);
    Say("Allowed because the user's identity policy allows sts:AssumeRole on the hub role, and");
    Say("the hub role's trust policy names the user and requires aws:PrincipalOrgID = " +
        std::string(iam::kBuiltinOrgId) + ".");
    auto hub = sts.AssumeRole(base, AssumeRoleRequest{.role_arn = hub_arn,
                                                      .role_session_name = "demo",
                                                      .duration = std::chrono::seconds(900)});
    if (!hub) return ReportError(hub.error().Wrap("demo: hub hop"));
    Say("Hub session: " + hub->assumed_role_arn + " (" +
        MaskAccessKeyId(hub->credentials.access_key_id) + ", expires " +
        FormatRfc3339(*hub->credentials.expiration) + ")");

    Step(3, "What a mistake looks like: the spoke hop with the wrong external id");
    auto wrong = sts.AssumeRole(hub->credentials,
                                AssumeRoleRequest{.role_arn = spoke_arn,
                                                  .role_session_name = "demo-wrong",
                                                  .external_id = "not-my-automation"});
    if (wrong) {
      Say("unexpectedly allowed!");
      return 1;
    }
    Say("The client only sees: " + (wrong.error().aws() ? wrong.error().aws()->code + ": " +
                                                              wrong.error().aws()->message
                                                        : wrong.error().message()));
    Say("The [lab] line above names the trust policy statement and the failed condition.");

    Step(4, "Spoke hop: the hub session assumes " + spoke_arn);
    Say("Role chaining: STS caps this session at 1 hour. The spoke role's trust policy names "
        "the hub role");
    Say("and requires the organization and the external id \"" +
        std::string(iam::kBuiltinExternalId) + "\".");
    auto spoke = sts.AssumeRole(
        hub->credentials,
        AssumeRoleRequest{.role_arn = spoke_arn,
                          .role_session_name = std::string(iam::kBuiltinSpokeAccount) + "-demo",
                          .duration = std::chrono::seconds(3600),
                          .external_id = iam::kBuiltinExternalId});
    if (!spoke) return ReportError(spoke.error().Wrap("demo: spoke hop"));
    Say("Spoke session: " + spoke->assumed_role_arn);

    Step(5, "A child command with the spoke's credentials");
    const std::string aws = no_aws_cli_ ? "" : FindOnPath(*process_env, "aws");
    if (!aws.empty()) {
      Say("Running `aws sts get-caller-identity` with the environment `assume-spoke-role run` "
          "builds:");
      std::fflush(stdout);
      EnvVars child = ChildEnvironment(process_env->All(), spoke->credentials,
                                       ChildEnvironmentOptions{.region = "us-east-1"});
      SetVar(child, "AWS_ENDPOINT_URL", url);
      SetVar(child, "AWS_EC2_METADATA_DISABLED", "true");
      SetVar(child, "AWS_CONFIG_FILE", "/dev/null");
      SetVar(child, "AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
      auto exit =
          RunChild(sys.processes, {aws, "sts", "get-caller-identity", "--output", "json"}, child);
      if (!exit) return ReportError(exit.error().Wrap("demo: child"));
      if (exit->status != 0) {
        std::fprintf(stderr, "assume-spoke-role: error: demo: the AWS CLI exited with %d %s\n",
                     exit->status, exit->start_error.c_str());
        return 1;
      }
    } else {
      Say("The AWS CLI is not on PATH (or --no-aws-cli): asking GetCallerIdentity ourselves.");
      auto who = sts.GetCallerIdentity(spoke->credentials);
      if (!who) return ReportError(who.error().Wrap("demo: spoke identity"));
      Say("Arn:     " + who->arn);
      Say("UserId:  " + who->user_id);
      Say("Account: " + who->account);
    }
    std::printf("\nDone. Try it yourself: `assume-spoke-role lab --port-file /tmp/lab.port` and "
                "docs/lab.md.\n");
    return 0;
  }

  CLI::App* app_ = nullptr;
  bool no_aws_cli_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeDemoCommand() { return std::make_unique<DemoCommand>(); }

}  // namespace hubspoke::cli
