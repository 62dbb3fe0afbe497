// `assume-spoke-role credentials [flags] --format env|export|json|credential-process`
#include <cstdio>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "chain/format.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kCredentialsHelp = R"HELP(
Prints the spoke session's credentials on stdout (and nothing else there).

Formats:
  env                 AWS_ACCESS_KEY_ID=... lines
  export              export AWS_ACCESS_KEY_ID='...' lines:  eval "$(assume-spoke-role credentials ...)"
  json                {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AssumedRoleUser", "Region"}
  credential-process  the JSON that credential_process in ~/.aws/config expects

Use it as a profile in ~/.aws/config, so any AWS CLI or SDK call can reach the spoke:
  [profile spoke-888888888888]
  credential_process = assume-spoke-role credentials --format credential-process --spoke-account 888888888888 --hub-account 999999999999 --hub-role automation-hub-role --spoke-role automation-spoke-role --external-id this-is-my-automation

Examples:
  eval "$(assume-spoke-role credentials --spoke-account 888888888888 --format export)"
  assume-spoke-role credentials --spoke-account 888888888888 --format json | jq .Expiration
)HELP";

class CredentialsCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("credentials", "Print the spoke role's credentials");
    AddChainOptions(*app_, flags_);
    app_->add_option("-f,--format", format_,
                     "env, export, json or credential-process [default export]")
        ->type_name("{env,export,json,credential-process}");
    app_->footer(std::string(kCredentialsHelp) + ChainHelpFooter());
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               "credentials takes no command after --; use `run` to run one"));
    }
    auto format = ParseCredentialsFormat("--format", format_);
    if (!format) return ReportError(format.error());
    auto setup = PrepareChain(*app_, flags_);
    if (!setup) return ReportError(setup.error());
    ChainSetup& chain = **setup;
    auto spoke = GetCliSpokeCredentials(flags_, chain.input, chain.sys, chain.profiles, *chain.base);
    if (!spoke) return ReportChainError(spoke.error());
    std::string text = FormatCredentials(*spoke, *format);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fill(text.begin(), text.end(), '\0');
    if (std::fflush(stdout) != 0) {
      return ReportError(Error(ErrorCode::kInternal, "cannot write the credentials to stdout"));
    }
    return 0;
  }

 private:
  CLI::App* app_ = nullptr;
  ChainFlags flags_;
  std::string format_ = "export";
};

}  // namespace

std::unique_ptr<Command> MakeCredentialsCommand() {
  return std::make_unique<CredentialsCommand>();
}

}  // namespace hubspoke::cli
