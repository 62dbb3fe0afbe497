// MakeChainProvider: a ChainPlan executed as providers, the base source's and one
// AssumeRoleCredentialsProvider per hop.
#include <chrono>
#include <utility>

#include "hubspoke/chain_plan.h"
#include "hubspoke/config.h"

namespace hubspoke {
namespace {

// A hop's source as the hop's errors name it: "profile a: source_profile b: <the source's
// error>". A source that is not configured is misconfigured here: the chain needs it.
class NamedSource final : public CredentialsProvider {
 public:
  NamedSource(std::shared_ptr<CredentialsProvider> inner, std::string context)
      : inner_(std::move(inner)), context_(std::move(context)) {}

  Result<Credentials> GetCredentials() override {
    auto c = inner_->GetCredentials();
    if (c) return c;
    Error e = std::move(c).error();
    if (e.code() == ErrorCode::kNotConfigured) e = std::move(e).WithCode(ErrorCode::kMisconfigured);
    return e.Wrap(context_);
  }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  std::string context_;
};

// The top of the chain, describing the whole of it.
class ChainProvider final : public CredentialsProvider {
 public:
  ChainProvider(std::shared_ptr<CredentialsProvider> top, std::string how)
      : top_(std::move(top)), how_(std::move(how)) {}
  Result<Credentials> GetCredentials() override { return top_->GetCredentials(); }
  std::string Describe() const override { return how_; }

 private:
  std::shared_ptr<CredentialsProvider> top_;
  std::string how_;
};

class Executor {
 public:
  Executor(const SystemContext& sys, const ProfileSet& profiles, ChainProviderOptions& options)
      : sys_(sys), profiles_(profiles), options_(options) {}

  Result<StsClientOptions> StsFor(const std::string& name) {
    StsClientOptions o = options_.sts;
    if (!o.endpoint.empty()) return o;
    const ProfileSection* p = profiles_.FindProfile(name);
    SharedConfig config{&profiles_, p, name};
    auto endpoint = ResolveStsEndpoint(sys_.env, config, "", "");
    if (!endpoint) return std::move(endpoint).error().Wrap("profile " + name);
    o.endpoint = endpoint->url;
    o.signing_region = endpoint->signing_region;
    return o;
  }

  // The base source's provider, and how it is described ("static keys", …).
  Result<std::pair<std::shared_ptr<CredentialsProvider>, std::string>> Base(const ChainBase& b,
                                                                           const ChainPlan& plan) {
    using Kind = ChainBase::Kind;
    const std::string& name = b.profile;
    switch (b.kind) {
      case Kind::kStaticKeys:
        return std::pair{std::shared_ptr<CredentialsProvider>(MakeStaticCredentialsProvider(
                             b.static_credentials, "profile " + name)),
                         std::string(b.own_static_keys ? "its own static keys" : "static keys")};
      case Kind::kCredentialSource: {
        std::shared_ptr<CredentialsProvider> provider;
        if (b.credential_source == "Environment") {
          provider = MakeEnvironmentCredentialsProvider(sys_.env);
        } else if (b.credential_source == "Ec2InstanceMetadata") {
          provider = MakeImdsCredentialsProvider(sys_);
        } else if (b.credential_source == "EcsContainer") {
          provider = MakeContainerCredentialsProvider(sys_);
        } else {
          return Error(ErrorCode::kMisconfigured,
                       "profile " + name + ": credential_source '" + b.credential_source +
                           "' must be Environment, Ec2InstanceMetadata or EcsContainer");
        }
        return std::pair{std::move(provider), "credential_source " + b.credential_source};
      }
      case Kind::kWebIdentity: {
        auto sts = StsFor(name);
        if (!sts) return std::move(sts).error();
        return std::pair{std::shared_ptr<CredentialsProvider>(MakeWebIdentityCredentialsProvider(
                             sys_, WebIdentityProviderOptions{.role_arn = b.role_arn,
                                                              .token_file = b.token_file,
                                                              .session_name = b.session_name,
                                                              .source = "profile " + name,
                                                              .duration = b.duration,
                                                              .sts = *sts})),
                         "web identity " + b.role_arn};
      }
      case Kind::kSso: {
        SsoProviderOptions o = b.sso;
        SharedConfig config{&profiles_, profiles_.FindProfile(name), name};
        if (auto e = ConfiguredEndpointUrl(sys_.env, config, "SSO", "sso")) {
          o.portal_endpoint = e->value;
        }
        // botocore's service id "SSO OIDC": AWS_ENDPOINT_URL_SSO_OIDC, `[services]` sso_oidc.
        if (auto e = ConfiguredEndpointUrl(sys_.env, config, "SSO_OIDC", "sso_oidc")) {
          o.oidc_endpoint = e->value;
        }
        std::string how = "IAM Identity Center";
        if (!o.sso_session_name.empty()) how += " (sso-session " + o.sso_session_name + ")";
        return std::pair{std::shared_ptr<CredentialsProvider>(
                             MakeSsoCredentialsProvider(sys_, std::move(o))),
                         how};
      }
      case Kind::kCredentialProcess:
        return std::pair{std::shared_ptr<CredentialsProvider>(MakeProcessCredentialsProvider(
                             sys_, ProcessProviderOptions{.command = b.command,
                                                          .profile_name = name,
                                                          .profile_chain = plan.profiles})),
                         std::string("credential_process")};
    }
    return Error(ErrorCode::kInternal, "unknown base source");
  }

 private:
  const SystemContext& sys_;
  const ProfileSet& profiles_;
  ChainProviderOptions& options_;
};

std::string SessionNameNow(const Clock& clock) {
  return "assume-spoke-role-" +
         std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch())
                 .count());
}

}  // namespace

Result<std::shared_ptr<CredentialsProvider>> MakeChainProvider(const SystemContext& sys,
                                                               const ProfileSet& profiles,
                                                               ChainPlan plan,
                                                               ChainProviderOptions options) {
  Executor executor(sys, profiles, options);
  // Every hop's endpoint first: a bad region is reported before any call.
  std::vector<StsClientOptions> sts;
  for (const ChainHop& hop : plan.hops) {
    auto o = executor.StsFor(hop.profile);
    if (!o) return std::move(o).error();
    sts.push_back(std::move(*o));
  }
  auto base = executor.Base(plan.base, plan);
  if (!base) return std::move(base).error();
  std::shared_ptr<CredentialsProvider> current = std::move(base->first);
  std::string how = std::move(base->second);
  if (!options.mfa_reader) options.mfa_reader = TerminalMfaCodeReader();

  for (std::size_t i = 0; i < plan.hops.size(); ++i) {
    ChainHop& hop = plan.hops[i];
    const std::string where = "profile " + hop.profile;
    if (!hop.source_context.empty()) {
      current = std::make_shared<NamedSource>(std::move(current), hop.source_context);
    }
    const std::string source_how = hop.source_label + how;
    AssumeRoleProviderOptions o;
    if (hop.request.role_session_name.empty()) {
      hop.request.role_session_name = SessionNameNow(sys.clock);
    }
    const bool mfa = !hop.request.serial_number.empty();
    const bool external_id = !hop.request.external_id.empty();
    o.request = std::move(hop.request);
    o.sts = std::move(sts[i]);
    o.hop_name = where;
    o.error_context = where + ": AssumeRole " + o.request.role_arn;
    o.mfa_reader = options.mfa_reader;
    o.transports = options.transports;
    o.hint = [source_how, mfa, external_id](const Error& e) -> std::string {
      if (!e.aws() || e.aws()->code != "AccessDenied" || !e.hint().empty()) return e.hint();
      return "the role's trust policy must allow the source identity (" + source_how + ")" +
             (external_id ? " with this external_id" : "") + (mfa ? " and MFA" : "");
    };
    how = "role " + o.request.role_arn + " ← " + source_how;
    current = MakeAssumeRoleProvider(sys, std::move(current), std::move(o));
  }
  return std::shared_ptr<CredentialsProvider>(
      std::make_shared<ChainProvider>(std::move(current), std::move(how)));
}

}  // namespace hubspoke
