// The default credentials chain: environment → profile → web identity (environment) →
// container → EC2 instance metadata, the order of the AWS SDK for JavaScript v3 and Go v2
// (botocore differs only when a profile and AWS_WEB_IDENTITY_TOKEN_FILE are both configured).
// The first source that is present wins; a present but broken source stops the chain with its
// error; when none is present, the error says what each one lacked.
#include <mutex>
#include <utility>
#include <vector>

#include "hubspoke/config.h"
#include "hubspoke/credential_sources.h"

namespace hubspoke {
namespace {

class DefaultChain final : public CredentialsProvider {
 public:
  DefaultChain(const SystemContext& sys, const ProfileSet& profiles, DefaultChainOptions options)
      : sys_(sys) {
    const bool env_profile = sys.env.Get("AWS_PROFILE").value_or("") != "" ||
                             sys.env.Get("AWS_DEFAULT_PROFILE").value_or("") != "";
    // An explicit --profile means that profile, not whatever keys the shell exports (as in the
    // AWS CLI); AWS_PROFILE does not skip them.
    if (options.profile.empty()) {
      Add("environment", MakeEnvironmentCredentialsProvider(sys.env));
    }
    ProfileProviderOptions p;
    p.profile_name = SelectedProfileName(sys.env, options.profile);
    p.explicit_profile = !options.profile.empty() || env_profile;
    p.mfa_reader = std::move(options.mfa_reader);
    p.sts = options.sts;
    Add("profile", MakeProfileCredentialsProvider(sys, profiles, std::move(p)));

    StsClientOptions web_sts = options.sts;
    if (web_sts.endpoint.empty()) {
      // Resolved now from the environment and the selected profile; an error surfaces when the
      // web identity source is actually used.
      auto endpoint =
          ResolveStsEndpoint(sys.env, SelectSharedConfig(sys.env, profiles, options.profile), "", "");
      if (endpoint) {
        web_sts.endpoint = endpoint->url;
        web_sts.signing_region = endpoint->signing_region;
      } else {
        web_sts_error_ = std::move(endpoint).error();
      }
    }
    web_identity_index_ = sources_.size();
    Add("web identity", MakeEnvironmentWebIdentityCredentialsProvider(sys, web_sts));
    Add("container", MakeContainerCredentialsProvider(sys));
    Add("EC2 instance metadata", MakeImdsCredentialsProvider(sys));
  }

  Result<Credentials> GetCredentials() override {
    std::vector<std::string> skipped;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      CredentialsProvider& source = *sources_[i];
      if (i == web_identity_index_ && web_sts_error_ &&
          sys_.env.Get("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("") != "") {
        return web_sts_error_->Wrap("base credentials: web identity");
      }
      auto c = source.GetCredentials();
      if (c) {
        std::lock_guard<std::mutex> lock(mu_);
        chosen_ = source.Describe();
        if (sys_.log.Enabled(LogLevel::kDebug)) {
          sys_.log.Log(LogLevel::kDebug, "base credentials from " + chosen_);
        }
        return c;
      }
      if (c.error().code() != ErrorCode::kNotConfigured) return std::move(c).error();
      const std::string& why = c.error().message();
      const bool named = c.error().source() == labels_[i];  // "no web identity: …"
      skipped.push_back(named ? why : labels_[i] + ": " + why);
    }
    std::string list;
    for (const auto& s : skipped) list += (list.empty() ? "" : "; ") + s;
    return Error(ErrorCode::kNotConfigured, "no base credentials found: " + list)
        .WithReason(ErrorReason::kNoCredentialsFound)
        .WithHint("export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, select a profile, or run "
                  "`aws sso login`; `assume-spoke-role whoami` shows what is found");
  }

  std::string Describe() const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!chosen_.empty()) return chosen_;
    return "default credentials chain";
  }

 private:
  void Add(std::string label, std::unique_ptr<CredentialsProvider> source) {
    labels_.push_back(std::move(label));
    sources_.push_back(std::move(source));
  }

  const SystemContext& sys_;
  std::vector<std::string> labels_;  // "environment", "profile", … for the final error
  std::vector<std::unique_ptr<CredentialsProvider>> sources_;
  std::size_t web_identity_index_ = 0;
  std::optional<Error> web_sts_error_;
  mutable std::mutex mu_;
  std::string chosen_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeDefaultCredentialsChain(const SystemContext& sys,
                                                                 const ProfileSet& profiles,
                                                                 DefaultChainOptions options) {
  return std::make_unique<DefaultChain>(sys, profiles, std::move(options));
}

}  // namespace hubspoke
