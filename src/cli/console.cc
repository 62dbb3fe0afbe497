// `assume-spoke-role console [chain flags] [--destination URL] [--print]`: the AWS Management
// Console, signed in as the spoke session (hubspoke/console.h), in the browser or on stdout.
#include <cstdio>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "hubspoke/console.h"
#include "hubspoke/process_runner.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kFederationUrlVar = "ASSUME_ROLE_FEDERATION_URL";

#ifdef __APPLE__
constexpr const char* kOpener = "open";
#else
constexpr const char* kOpener = "xdg-open";
#endif

constexpr const char* kConsoleHelp = R"HELP(
Gets the spoke session, asks the federation endpoint for a sign-in token for it (getSigninToken;
the partition of the region picks signin.aws.amazon.com, signin.amazonaws-us-gov.com or
signin.amazonaws.cn) and opens the console's login URL in the browser (xdg-open; open on
macOS), or prints it with --print. The console session lasts as long as the spoke session (1 h
at most: a chained session), and the URL must be used within 15 minutes.

Security: the login URL signs in whoever opens it. Handed to the browser, it is on the opener's
command line for a moment, where other users of this machine can read it (ps); on a shared host
use --print and paste it into your browser. It is never logged, even with --verbose.

Examples:
  assume-spoke-role console --spoke-account 888888888888
  assume-spoke-role console --spoke-account 888888888888 --print
  assume-spoke-role console --spoke-account 888888888888 \
      --destination https://console.aws.amazon.com/s3/home
)HELP";

class ConsoleCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("console", "Open the AWS console signed in as the spoke role");
    AddChainOptions(*app_, flags_);
    app_->add_option("--destination", destination_,
                     "Console page to land on: an https URL [default the partition's console "
                     "home in the region]");
    app_->add_flag("--print", print_,
                   "Print the sign-in URL on stdout instead of opening a browser (it is a "
                   "credential: keep it private)");
    app_->add_option("--federation-url", federation_url_,
                     "Federation endpoint, for tests or the lab: https, or http to a loopback "
                     "address [env " + std::string(kFederationUrlVar) +
                         "; default https://SIGNIN-HOST/federation]");
    app_->footer(std::string(kConsoleHelp) + ChainHelpFooter());
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "console takes no command after --"));
    }
    if (app_->count("--destination") > 0 && destination_.empty()) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "--destination: the value is empty"));
    }
    auto setup = PrepareChain(*app_, flags_);
    if (!setup) return ReportError(setup.error());
    ChainSetup& chain = **setup;
    const SystemContext& sys = chain.sys;

    // Everything the sign-in needs is checked before the first STS call.
    std::string federation_what = "--federation-url";
    if (app_->count("--federation-url") == 0) {
      if (auto v = sys.env.Get(kFederationUrlVar); v && !v->empty()) {
        federation_url_ = *v;
        federation_what = kFederationUrlVar;
      }
    }
    auto endpoint = ResolveSpokeEndpoint(chain.input, sys.env, chain.profiles);
    if (!endpoint) return ReportError(endpoint.error());
    ConsoleOptions options{.region = endpoint->region,
                           .destination = destination_,
                           .federation_url = federation_url_};
    auto endpoints = ResolveConsoleEndpoints(options, federation_what, "--destination");
    if (!endpoints) return ReportError(endpoints.error());
    std::string opener;
    if (!print_) {
      auto found = FindCommand(kOpener, sys.env.Get("PATH"));
      if (!found) {
        return ReportError(Error(ErrorCode::kMisconfigured,
                                 std::string("console: no browser opener: ") +
                                     found.error().message())
                               .WithHint("use --print and open the URL yourself"));
      }
      opener = *found;
    }

    sys.log.Log(LogLevel::kDebug, "console: federation endpoint " + endpoints->federation_url +
                                      ", destination " + endpoints->destination);
    auto spoke = GetCliSpokeCredentials(flags_, chain.input, sys, chain.profiles, *chain.base);
    if (!spoke) return ReportChainError(spoke.error());
    sys.log.Log(LogLevel::kDebug, "console: signing in as " + spoke->assumed_role_arn);
    auto url = ConsoleSigninUrl(spoke->credentials, options, sys.http);
    if (!url) return ReportError(url.error().Wrap("spoke role " + spoke->spoke_role_arn));

    if (print_) {
      std::fwrite(url->reveal().data(), 1, url->reveal().size(), stdout);
      std::fputc('\n', stdout);
      if (std::fflush(stdout) != 0) {
        return ReportError(Error(ErrorCode::kInternal, "cannot write the URL to stdout"));
      }
      return 0;
    }
    return OpenInBrowser(sys, opener, *url, spoke->assumed_role_arn);
  }

 private:
  // Security: the URL goes in the opener's argv (the only way xdg-open and open take it), so it
  // is visible in ps for as long as the opener runs; --help says so and suggests --print.
  int OpenInBrowser(const SystemContext& sys, const std::string& opener, const SecretString& url,
                    const std::string& as) {
    sys.log.Log(LogLevel::kDebug, "console: handing the sign-in URL to " + opener);
    ProcessSpec spec;
    spec.argv = {opener, std::string(url.reveal())};
    // The browser gets the URL and nothing of our AWS identity: no base keys or tokens, no
    // external id, no profile or endpoint that an AWS tool it starts could pick up.
    for (auto& [name, value] : sys.env.All()) {
      if (name.starts_with("AWS_") || name.starts_with("ASSUME_ROLE_")) continue;
      spec.env.emplace_back(name, value);
    }
    spec.stdin_mode = ProcessSpec::Input::kNull;
    auto child = sys.processes.Start(spec);
    SecretString wipe(std::move(spec.argv[1]));
    if (!child) return ReportError(child.error().Wrap("console: " + opener));
    auto exit = (*child)->Wait();
    if (!exit) return ReportError(exit.error().Wrap("console: " + opener));
    if (exit->ShellStatus() != 0) {
      return ReportError(Error(ErrorCode::kRemote, "console: " + opener + " failed (exit status " +
                                                       std::to_string(exit->ShellStatus()) + ")")
                             .WithHint("use --print and open the URL yourself"));
    }
    std::fprintf(stderr, "assume-spoke-role: opened the console as %s in the browser\n",
                 as.c_str());
    return 0;
  }

  CLI::App* app_ = nullptr;
  ChainFlags flags_;
  std::string destination_, federation_url_;
  bool print_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeConsoleCommand() { return std::make_unique<ConsoleCommand>(); }

}  // namespace hubspoke::cli
