// `assume-spoke-role profiles [--json]`: the profiles and sso-sessions of the shared config
// files, merged as the SDKs merge them.
#include <cstdio>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "profile/profile_json.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kProfilesHelp = R"HELP(
Reads AWS_CONFIG_FILE (~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) as the
AWS SDKs do and lists the profiles and what kind of base identity each gives. --json prints every
property, in the shape of the cross-SDK parser test suite:
{"profiles": {NAME: {KEY: VALUE, …}}, "ssoSessions": {…}}. Secret values are shown as "****":
external_id, and every property or sub-property whose name contains secret, token or password
(aws_secret_access_key, aws_session_token, …). A malformed file is an error naming file and line.

Examples:
  assume-spoke-role profiles
  assume-spoke-role profiles --json | jq '.profiles | keys'
  assume-spoke-role profiles --names
)HELP";

std::string KindOf(const ProfileSection& p) {
  auto has = [&](const char* key) { return p.Get(key).has_value(); };
  if (has("role_arn")) {
    if (has("source_profile")) return "role " + *p.Get("role_arn") + " ← profile " +
                                      *p.Get("source_profile");
    if (has("credential_source")) return "role " + *p.Get("role_arn") + " ← " +
                                         *p.Get("credential_source");
    if (has("web_identity_token_file")) return "web identity → role " + *p.Get("role_arn");
    return "role " + *p.Get("role_arn") + " (no source_profile or credential_source)";
  }
  if (has("sso_session")) return "SSO session " + *p.Get("sso_session");
  if (has("sso_start_url")) return "SSO (legacy) " + *p.Get("sso_start_url");
  if (has("aws_access_key_id")) {
    return std::string(has("aws_session_token") ? "temporary" : "static") + " keys " +
           MaskAccessKeyId(*p.Get("aws_access_key_id"));
  }
  if (has("credential_process")) return "credential_process";
  return "no credentials";
}

class ProfilesCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("profiles", "List the profiles of the shared AWS config files");
    app_->add_flag("--json", json_, "Print every property as JSON (secrets masked)");
    app_->add_flag("--names", names_,
                   "Print only the profile names, one per line (what shell completion offers)");
    app_->footer(kProfilesHelp);
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "profiles takes no command after --"));
    }
    auto env = MakeProcessEnvironment();
    auto files = MakeRealFileSystem();
    auto profiles = LoadCliProfiles(*env, *files);
    if (!profiles) return ReportError(profiles.error());
    MaskProfileSecrets(*profiles);
    if (names_) {
      for (const auto& [name, section] : profiles->profiles) std::printf("%s\n", name.c_str());
    } else if (json_) {
      std::string text = ProfileSetToJson(*profiles);
      std::printf("%s\n", text.c_str());
    } else {
      std::printf("# %s, %s\n", profiles->config_path.c_str(),
                  profiles->credentials_path.c_str());
      if (profiles->profiles.empty()) std::printf("(no profiles)\n");
      for (const auto& [name, section] : profiles->profiles) {
        std::printf("%-24s %s\n", name.c_str(), KindOf(section).c_str());
      }
      for (const auto& [name, section] : profiles->sso_sessions) {
        auto url = section.Get("sso_start_url");
        std::printf("[sso-session %s] %s\n", name.c_str(), url ? url->c_str() : "");
      }
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

 private:
  CLI::App* app_ = nullptr;
  bool json_ = false;
  bool names_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeProfilesCommand() { return std::make_unique<ProfilesCommand>(); }

}  // namespace hubspoke::cli
