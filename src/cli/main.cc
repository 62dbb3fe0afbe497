// assume-spoke-role: a thin CLI over the hubspoke library.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/version_text.h"
#include "hubspoke/process_runner.h"
#include "hubspoke/hardening.h"

namespace hubspoke::cli {

int ReportError(const Error& error) {
  std::fprintf(stderr, "assume-spoke-role: error: %s\n", error.ToString().c_str());
  return error.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

int CheckChildCommand(const std::string& subcommand, const std::vector<std::string>& argv,
                      const std::optional<std::string>& path_env) {
  if (argv.empty()) return 0;
  auto found = FindCommand(argv[0], path_env);
  if (found) return 0;
  if (found.error().code() == ErrorCode::kInvalidArgument) {
    return ReportError(Error(ErrorCode::kInvalidArgument,
                             subcommand + ": the command after -- is an empty string; nothing "
                                          "was sent"));
  }
  std::fprintf(stderr, "assume-spoke-role: error: %s: %s; nothing was sent\n", subcommand.c_str(),
               found.error().message().c_str());
  return found.error().reason() == ErrorReason::kCommandNotFound ? 127 : 126;
}

namespace {

constexpr const char* kRootHelp = R"HELP(
Assume a hub role, chain into a spoke role in another account, and run a command (or print
credentials) as the spoke.

Examples:
  export ASSUME_ROLE_HUB_ACCOUNT=999999999999 ASSUME_ROLE_HUB_ROLE=automation-hub-role \
         ASSUME_ROLE_SPOKE_ROLE=automation-spoke-role \
         ASSUME_ROLE_EXTERNAL_ID=this-is-my-automation ASSUME_ROLE_SESSION_STRING=me@example.com
  aws-vault exec sys-automation -- \
      assume-spoke-role run --spoke-account 888888888888 -- aws sts get-caller-identity
  assume-spoke-role credentials --spoke-account 888888888888 --format export

Run `assume-spoke-role <command> --help` for a command's flags, or `man assume-spoke-role-<command>`.

Environment:
  ASSUME_ROLE_* stand in for the chain's flags (each command's --help names them).
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: base credentials, else
  AWS_PROFILE and the files AWS_CONFIG_FILE (~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE
  (~/.aws/credentials), web identity, container or instance credentials, as the AWS SDKs find
  them. AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, AWS_CA_BUNDLE,
  HTTPS_PROXY / NO_PROXY as for the AWS CLI. XDG_RUNTIME_DIR / XDG_CACHE_HOME: where --cache
  keeps hub sessions.

Exit status:
  0 success; 2 bad flags, environment or files (nothing was sent); 1 any other failure;
  `run` exits with its command's status, 127 when it is not found, 126 when it cannot run.)HELP";

int Main(int argc, char** argv) {
  // Security: before anything is opened or written (see hardening.h).
  if (Status hardened = HardenProcess(); !hardened) {
    // stderr itself may be what could not be fixed: the exit status is all we can be sure of.
    std::fprintf(stderr, "assume-spoke-role: error: %s\n", hardened.error().ToString().c_str());
    return 1;
  }
  // Everything after the first "--" is the child command; CLI11 never sees it.
  Invocation invocation;
  std::vector<char*> ours;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--") == 0) {
      invocation.saw_double_dash = true;
      for (int j = i + 1; j < argc; ++j) invocation.child_argv.emplace_back(argv[j]);
      break;
    }
    ours.push_back(argv[i]);
  }

  CLI::App app("assume-spoke-role: the AWS hub-and-spoke role chain", "assume-spoke-role");
  app.footer(kRootHelp);
  app.require_subcommand(1);
  app.set_version_flag("--version", [] { return VersionText(); },
                       "Print the version, git commit, build date and the OpenSSL linked");
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(MakeRunCommand());
  commands.push_back(MakeFanoutCommand());
  commands.push_back(MakeCredentialsCommand());
  commands.push_back(MakeWhoamiCommand());
  commands.push_back(MakeConsoleCommand());
  commands.push_back(MakeProfilesCommand());
  commands.push_back(MakePolicyCommand());
  commands.push_back(MakeExplainCommand());
  commands.push_back(MakeCacheCommand());
  commands.push_back(MakeCompletionCommand());
  commands.push_back(MakeVersionCommand());
  commands.push_back(MakeLabCommand());
  commands.push_back(MakeDemoCommand());
  commands.push_back(MakeManPagesCommand());
  std::vector<CLI::App*> subs;
  for (auto& c : commands) subs.push_back(c->Register(app));

  try {
    app.parse(static_cast<int>(ours.size()), ours.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::string sub;
    for (auto* s : subs)
      if (s->parsed()) sub = " " + s->get_name();
    std::fprintf(stderr, "assume-spoke-role: error: %s (see assume-spoke-role%s --help)\n",
                 what.c_str(), sub.c_str());
    return 2;
  }
  invocation.root = &app;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (subs[i]->parsed()) return commands[i]->Execute(invocation);
  }
  return 2;
}

}  // namespace
}  // namespace hubspoke::cli

int main(int argc, char** argv) { return hubspoke::cli::Main(argc, argv); }
