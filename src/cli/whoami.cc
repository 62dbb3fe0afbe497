// `assume-spoke-role whoami [--profile P] [--json]`: the base identity (GetCallerIdentity) and
// which source supplied it — the first thing to run when a chain fails.
#include <cstdio>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "core/json.h"
#include "core/time.h"
#include "hubspoke/config.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kWhoamiHelp = R"HELP(
Finds the base identity the way `run` and `credentials` do, asks STS who it is
(GetCallerIdentity), and says which source supplied it. Nothing secret is printed: the access key
id is masked.

Examples:
  assume-spoke-role whoami
  assume-spoke-role whoami --profile sso-admin --json
  AWS_PROFILE=ci assume-spoke-role whoami --verbose
)HELP";

class WhoamiCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("whoami", "Show the base identity and where it came from");
    app_->add_option("--profile", profile_,
                     "Profile of ~/.aws/config for the base identity [env AWS_PROFILE]");
    app_->add_option("--region", region_, "Region of the STS endpoint [env AWS_REGION]");
    app_->add_option("--endpoint-url", endpoint_url_,
                     "STS endpoint URL [env AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL]");
    app_->add_flag("--json", json_, "Print JSON: Account, Arn, UserId, Source, AccessKeyId "
                                    "(masked), Expiration");
    app_->add_flag("-v,--verbose", verbose_, "Log each step to stderr (never secrets)");
    app_->footer(std::string(kWhoamiHelp) + ChainHelpFooter());
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "whoami takes no command after --"));
    }
    for (const char* flag : {"--profile", "--region", "--endpoint-url"}) {
      if (app_->count(flag) > 0 && app_->get_option(flag)->as<std::string>().empty()) {
        return ReportError(
            Error(ErrorCode::kInvalidArgument, std::string(flag) + ": the value is empty"));
      }
    }
    RealSystem system(verbose_ ? LogLevel::kDebug : LogLevel::kWarning);
    SystemContext sys = system.context();
    auto profiles = LoadCliProfiles(sys.env, sys.files);
    if (!profiles) return ReportError(profiles.error());
    const SharedConfig config = SelectSharedConfig(sys.env, *profiles, profile_);
    if (!profile_.empty() && config.profile == nullptr) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               "--profile: no profile '" + profile_ + "' in " +
                                   profiles->config_path + " or " + profiles->credentials_path));
    }
    auto endpoint =
        ResolveStsEndpoint(sys.env, config, region_, endpoint_url_, "--region", "--endpoint-url");
    if (!endpoint) return ReportError(endpoint.error());
    if (verbose_) sys.log.Log(LogLevel::kDebug, "STS endpoint " + endpoint->url + " (" +
                                                    endpoint->source + ")");
    auto base = MakeBaseProvider(sys, *profiles, profile_);
    auto creds = base->GetCredentials();
    if (!creds) return ReportChainError(creds.error());
    StsClient sts(sys, StsClientOptions{.endpoint = endpoint->url,
                                        .signing_region = endpoint->signing_region});
    auto me = sts.GetCallerIdentity(*creds);
    if (!me) {
      return ReportError(me.error().Wrap("base identity from " + base->Describe()));
    }
    const std::string source = base->Describe();
    const std::string key = MaskAccessKeyId(creds->access_key_id);
    const std::string expires = creds->expiration ? FormatRfc3339(*creds->expiration) : "";
    if (json_) {
      std::printf("{\"Account\": %s, \"Arn\": %s, \"UserId\": %s, \"Source\": %s, "
                  "\"AccessKeyId\": %s, \"Expiration\": %s}\n",
                  JsonQuote(me->account).c_str(), JsonQuote(me->arn).c_str(),
                  JsonQuote(me->user_id).c_str(), JsonQuote(source).c_str(),
                  JsonQuote(key).c_str(), expires.empty() ? "null" : JsonQuote(expires).c_str());
    } else {
      std::printf("Arn:         %s\nAccount:     %s\nUserId:      %s\nSource:      %s\n"
                  "AccessKeyId: %s%s\n",
                  me->arn.c_str(), me->account.c_str(), me->user_id.c_str(), source.c_str(),
                  key.c_str(), expires.empty() ? "" : (" (expires " + expires + ")").c_str());
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

 private:
  CLI::App* app_ = nullptr;
  std::string profile_, region_, endpoint_url_;
  bool json_ = false;
  bool verbose_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeWhoamiCommand() { return std::make_unique<WhoamiCommand>(); }

}  // namespace hubspoke::cli
