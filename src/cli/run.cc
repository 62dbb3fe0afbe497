// `assume-spoke-role run [flags] -- COMMAND [ARGS…]`
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "hubspoke/credentials_server.h"
#include "hubspoke/exec.h"
#include "hubspoke/spoke_session_cache.h"

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

  # A job longer than a chained session's hour (Terraform, scans): the child's SDK refreshes
  # from a credentials endpoint on 127.0.0.1 instead of holding static keys.
  assume-spoke-role run --refresh --spoke-account 888888888888 -- terraform apply

  # Scope the spoke session down and tag it:
  assume-spoke-role run --spoke-account 888888888888 --duration 30m \
      --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess --tag ticket=OPS-42 -- ./inventory.sh
)HELP";

class RunCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("run", "Run a command with the spoke role's credentials");
    AddChainOptions(*app_, flags_);
    app_->add_flag("--refresh", refresh_,
                   "Serve refreshing credentials to the child (AWS_CONTAINER_CREDENTIALS_FULL_URI) "
                   "instead of static keys, for commands that outlive a session; the child's "
                   "private config files keep a [default] profile from winning over the endpoint");
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
    auto setup = PrepareChain(*app_, flags_);
    if (!setup) return ReportError(setup.error());
    const SystemContext& sys = (*setup)->sys;
    // The command is looked up before any STS call: a typo costs no session.
    if (int status = CheckChildCommand("run", invocation.child_argv, sys.env.Get("PATH"));
        status != 0) {
      return status;
    }
    const ProfileSet& profiles = (*setup)->profiles;
    const SpokeCredentialsInput& input = (*setup)->input;
    if (refresh_ && flags_.cache) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               "--cache cannot be used with --refresh: the refreshing hub session "
                               "is kept in memory for the whole run"));
    }
    if (refresh_) {
      return RunRefreshing(invocation, sys, std::move((*setup)->base), input, profiles);
    }
    auto spoke = GetCliSpokeCredentials(flags_, input, sys, profiles, *(*setup)->base);
    if (!spoke) return ReportChainError(spoke.error());

    auto files = ChildFiles(sys, profiles);
    if (!files) return ReportError(files.error());
    EnvVars env = ChildEnvironment(sys.env.All(), spoke->credentials,
                                   ChildOptions(spoke->region, **files));
    return Run(invocation, sys, env);
  }

 private:
  // Security: the child sees no profile that could give it another identity (see
  // ChildSharedConfig in exec.h), only the selected profile's other settings.
  Result<std::unique_ptr<ChildSharedConfigFiles>> ChildFiles(const SystemContext& sys,
                                                             const ProfileSet& profiles) const {
    return MakeChildConfigFiles(sys, profiles, flags_.profile);
  }

  static ChildEnvironmentOptions ChildOptions(const std::string& region,
                                              const ChildSharedConfigFiles& files) {
    return ChildEnvironmentOptions{.region = region,
                                   .config_file = files.config_file(),
                                   .credentials_file = files.credentials_file()};
  }

  int RunRefreshing(const Invocation& invocation, const SystemContext& sys,
                    std::unique_ptr<CredentialsProvider> base, const SpokeCredentialsInput& input,
                    const ProfileSet& profiles) {
    SpokeSessionCache cache(sys, std::shared_ptr<CredentialsProvider>(std::move(base)),
                            SpokeSessionCacheOptions{.caching = ChildRefreshWindows(input.duration),
                                                     .profiles = &profiles});
    auto key = cache.KeyFor(input);
    if (!key) return ReportChainError(key.error());
    auto session = cache.Get(input);
    if (!session) return ReportChainError(session.error());
    // The first session now, so that a broken chain fails before the child starts.
    if (auto first = (*session)->GetSharedCredentials(); !first) return ReportChainError(first.error());
    auto server = CredentialsServer::Start(*session, sys.log);
    if (!server) return ReportError(server.error());
    sys.log.Log(LogLevel::kInfo, "run: serving refreshing credentials on " + (*server)->url());
    auto files = ChildFiles(sys, profiles);
    if (!files) return ReportError(files.error());
    EnvVars env = ChildEnvironmentWithEndpoint(sys.env.All(), (*server)->url(), (*server)->token(),
                                               ChildOptions(key->region, **files));
    int status = Run(invocation, sys, env);
    (*server)->Stop();
    sys.log.Log(LogLevel::kInfo, "run: the credentials endpoint served " +
                                     std::to_string((*server)->served()) +
                                     " requests and is closed");
    return status;
  }

  int Run(const Invocation& invocation, const SystemContext& sys, const EnvVars& env) {
    sys.log.Log(LogLevel::kInfo, "run: " + invocation.child_argv[0]);
    auto exit = RunChild(sys.processes, invocation.child_argv, env);
    if (!exit) return ReportError(exit.error());
    if (!exit->start_error.empty()) {
      std::fprintf(stderr, "assume-spoke-role: error: %s\n", exit->start_error.c_str());
    } else if (exit->signal != 0) {
      sys.log.Log(LogLevel::kInfo, "run: the command died of signal " +
                                       std::to_string(exit->signal));
    }
    return exit->status;
  }

  CLI::App* app_ = nullptr;
  ChainFlags flags_;
  bool refresh_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeRunCommand() { return std::make_unique<RunCommand>(); }

}  // namespace hubspoke::cli
