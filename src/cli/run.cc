// `assume-spoke-role run [flags] -- COMMAND [ARGS…]`
#include <cstdio>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "hubspoke/exec.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kRunHelp = R"HELP(
Runs COMMAND with the spoke session's credentials in its environment (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN, AWS_SESSION_EXPIRATION,
AWS_CREDENTIAL_EXPIRATION, AWS_REGION, AWS_DEFAULT_REGION). Variables that could select another
identity (AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, container
credential variables, …) are removed. The command shares our stdin, stdout and stderr; signals
sent to us are passed on; we exit with its status.

Examples:
  aws-vault exec sys-automation -- \
      assume-spoke-role run --spoke-account 888888888888 -- aws sts get-caller-identity

  assume-spoke-role run --hub-account 999999999999 --spoke-account 888888888888 \
      --hub-role automation-hub-role --spoke-role automation-spoke-role \
      --external-id this-is-my-automation -- aws sts get-caller-identity

  # Scope the spoke session down and tag it:
  assume-spoke-role run --spoke-account 888888888888 --duration 30m \
      --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess --tag ticket=OPS-42 -- ./inventory.sh
)HELP";

class RunCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("run", "Run a command with the spoke role's credentials");
    AddChainOptions(*app_, flags_);
    app_->footer(std::string(kRunHelp) + ChainHelpFooter());
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.child_argv.empty()) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               "run: no command given; put it after --, e.g. "
                               "assume-spoke-role run --spoke-account 888888888888 -- aws sts "
                               "get-caller-identity"));
    }
    RealSystem system(flags_.verbose ? LogLevel::kDebug : LogLevel::kWarning);
    SystemContext sys = system.context();
    auto profiles = LoadCliProfiles(sys.env);
    if (!profiles) return ReportError(profiles.error());
    auto input = BuildSpokeInput(*app_, flags_, sys.env, *profiles);
    if (!input) return ReportError(input.error());
    auto base = MakeBaseProvider(sys, *profiles, flags_.profile);
    auto spoke = GetSpokeCredentials(*input, sys, *base);
    if (!spoke) return ReportError(spoke.error());

    EnvVars env = ChildEnvironment(sys.env.All(), spoke->credentials,
                                   ChildEnvironmentOptions{.region = spoke->region});
    sys.log.Log(LogLevel::kInfo, "run: " + invocation.child_argv[0]);
    auto exit = RunChild(invocation.child_argv, env);
    if (!exit) return ReportError(exit.error());
    if (!exit->start_error.empty()) {
      std::fprintf(stderr, "assume-spoke-role: error: %s\n", exit->start_error.c_str());
    } else if (exit->signal != 0) {
      sys.log.Log(LogLevel::kInfo, "run: the command died of signal " +
                                       std::to_string(exit->signal));
    }
    return exit->status;
  }

 private:
  CLI::App* app_ = nullptr;
  ChainFlags flags_;
};

}  // namespace

std::unique_ptr<Command> MakeRunCommand() { return std::make_unique<RunCommand>(); }

}  // namespace hubspoke::cli
